from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorship.domain.mentors import ExperienceLevel, experience_level, session_price


@pytest.mark.parametrize(
    ("years", "level"),
    [(0, "junior"), (2, "junior"), (3, "mid"), (6, "mid"), (7, "senior"), (11, "senior"), (12, "staff"), (40, "staff")],
)
def test_experience_levels_follow_the_contract_boundaries(years, level):
    assert experience_level(years) is ExperienceLevel(level)


def test_negative_experience_is_refused():
    with pytest.raises(ValueError):
        experience_level(-1)


@pytest.mark.parametrize(
    ("rate", "minutes", "price"),
    [(12000, 60, 12000), (12000, 30, 6000), (12000, 90, 18000), (12345, 30, 6173), (12343, 30, 6172), (1, 30, 1), (1, 90, 2)],
)
def test_price_is_rate_times_minutes_rounded_half_up(rate, minutes, price):
    assert session_price(rate, minutes) == price


@given(st.integers(min_value=0, max_value=10_000_000), st.sampled_from([30, 60, 90]))
def test_price_matches_exact_decimal_half_up(rate, minutes):
    exact = Decimal(rate) * minutes / 60
    assert session_price(rate, minutes) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert abs(session_price(rate, minutes) - exact) <= Decimal("0.5")
