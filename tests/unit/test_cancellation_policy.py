"""The refund table (CONTRACT.md, "Commitments") at every boundary, a second either side, with
the clock pinned: `now` is always passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mentorship.domain.commitments import (
    CancellationPolicy,
    Money,
    Role,
    cancellation_refund,
    full_refund_stands,
    no_show_refund,
    no_show_window_open,
    policy_of,
    share_of,
)

START = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
PRICE = Money(12_001, "USD")  # odd, so half of it rounds
HALF = Money(6_001, "USD")  # 6000.5 rounded half-up
NONE = Money(0, "USD")
SECOND = timedelta(seconds=1)
H = timedelta(hours=1)

FLEXIBLE, MODERATE, STRICT = CancellationPolicy.FLEXIBLE, CancellationPolicy.MODERATE, CancellationPolicy.STRICT

def around(policy, boundary, at_or_before, after):
    """Rows a second before the boundary, exactly at it (both `at_or_before`) and a second past it."""
    return [(policy, boundary + SECOND, at_or_before), (policy, boundary, at_or_before), (policy, boundary - SECOND, after)]


TABLE = [
    # policy, notice before start, refund
    (FLEXIBLE, 72 * H, PRICE),
    *around(FLEXIBLE, 2 * H, PRICE, NONE),
    (FLEXIBLE, SECOND, NONE),
    *around(MODERATE, 24 * H, PRICE, HALF),
    *around(MODERATE, 2 * H, HALF, NONE),
    (MODERATE, SECOND, NONE),
    *around(STRICT, 72 * H, PRICE, HALF),
    *around(STRICT, 24 * H, HALF, NONE),
    (STRICT, 2 * H, NONE),
]


@pytest.mark.parametrize(("policy", "notice", "refund"), TABLE, ids=[f"{p}-{n}" for p, n, _ in TABLE])
def test_a_mentee_cancel_refunds_what_the_table_says(policy, notice, refund):
    assert cancellation_refund(policy, Role.MENTEE, START, START - notice, PRICE) == refund


@pytest.mark.parametrize("policy", list(CancellationPolicy))
@pytest.mark.parametrize("notice", [100 * H, 24 * H - SECOND, 2 * H - SECOND, SECOND, timedelta(0)])
def test_a_mentor_cancel_refunds_in_full_whenever(policy, notice):
    assert cancellation_refund(policy, Role.MENTOR, START, START - notice, PRICE) == PRICE


@pytest.mark.parametrize(("amount", "half"), [(0, 0), (1, 1), (3, 2), (2_500, 1_250), (2_501, 1_251), (9_999, 5_000)])
def test_half_of_an_amount_rounds_half_up_to_the_minor_unit(amount, half):
    assert share_of(Money(amount, "USD"), Decimal("0.5")) == Money(half, "USD")


def test_bookings_and_profiles_without_a_policy_read_as_moderate():
    assert policy_of(None) is MODERATE and policy_of("") is MODERATE and policy_of("strict") is STRICT
    with pytest.raises(ValueError):
        policy_of("lenient")


@pytest.mark.parametrize(
    ("policy", "notice", "stands"),
    [(FLEXIBLE, 2 * H, True), (FLEXIBLE, 2 * H - SECOND, False), (MODERATE, 24 * H, True),
     (MODERATE, 24 * H - SECOND, False), (STRICT, 72 * H, True), (STRICT, 72 * H - SECOND, False)],
)
def test_the_full_refund_window_ends_at_the_first_boundary(policy, notice, stands):
    assert full_refund_stands(policy, START, START - notice) is stands


END = START + timedelta(hours=1)


@pytest.mark.parametrize(
    ("now", "open_"),
    [(START, False), (START + timedelta(minutes=10) - SECOND, False), (START + timedelta(minutes=10), True),
     (END, True), (END + 48 * H, True), (END + 48 * H + SECOND, False)],
)
def test_a_no_show_can_be_reported_from_ten_minutes_after_the_start_to_48_hours_after_the_end(now, open_):
    assert no_show_window_open(START, END, now) is open_


def test_a_no_show_refunds_by_who_was_absent():
    assert no_show_refund(Role.MENTOR, PRICE) == PRICE
    assert no_show_refund(Role.MENTEE, PRICE) == NONE
