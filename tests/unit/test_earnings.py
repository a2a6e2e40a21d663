"""The earnings domain: which window a request means, and totals that add up exactly per currency."""

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.bookings import BookingStatus
from mentorship.domain.commitments import Money
from mentorship.domain.earnings import (
    EarningsWindow,
    counts_as_paid,
    earning_line,
    earnings_window,
    totals_by_currency,
)
from mentorship.errors import ValidationFailed

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_the_window_defaults_to_the_last_30_days_and_a_lone_bound_spans_30_days():
    assert earnings_window(None, None, NOW) == EarningsWindow(NOW - 30 * DAY, NOW)
    assert earnings_window(None, NOW - DAY, NOW) == EarningsWindow(NOW - 31 * DAY, NOW - DAY)
    assert earnings_window(NOW + DAY, None, NOW) == EarningsWindow(NOW + DAY, NOW + 31 * DAY)  # upcoming sessions too


@pytest.mark.parametrize(
    ("start", "end"), [(NOW, NOW), (NOW, NOW - timedelta(seconds=1)), (NOW, NOW + 366 * DAY + timedelta(seconds=1))]
)
def test_an_empty_backwards_or_too_long_window_is_a_422_on_to(start, end):
    with pytest.raises(ValidationFailed) as raised:
        earnings_window(start, end, NOW)
    assert [issue.field for issue in raised.value.details] == ["query.to"]


def test_a_window_of_exactly_366_days_is_allowed_and_is_half_open():
    window = earnings_window(NOW, NOW + 366 * DAY, NOW)
    assert window.holds(NOW) and not window.holds(NOW + 366 * DAY)


def test_only_paid_bookings_count():
    assert [status for status in BookingStatus if counts_as_paid(status)] == [
        BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW
    ]
    with pytest.raises(ValueError):
        earning_line("b", NOW, BookingStatus.HELD, Money(100, "USD"), None)


def test_a_refund_counts_only_for_a_cancel_or_no_show_and_never_exceeds_the_price():
    assert earning_line("b", NOW, BookingStatus.COMPLETED, Money(12_345, "USD"), None).net == Money(12_345, "USD")
    assert earning_line("b", NOW, BookingStatus.CANCELLED, Money(12_345, "USD"), 6_173).net == Money(6_172, "USD")
    assert earning_line("b", NOW, BookingStatus.NO_SHOW, Money(12_345, "USD"), None).refund == Money(0, "USD")
    with pytest.raises(ValueError):
        earning_line("b", NOW, BookingStatus.CANCELLED, Money(100, "USD"), 101)


def test_totals_add_up_exactly_per_currency_with_the_current_one_first():
    lines = [
        earning_line("a", NOW, BookingStatus.COMPLETED, Money(12_345, "USD"), None),
        earning_line("b", NOW, BookingStatus.CANCELLED, Money(12_345, "USD"), 6_173),
        earning_line("c", NOW, BookingStatus.CANCELLED, Money(10_001, "EUR"), 5_001),
        earning_line("d", NOW, BookingStatus.NO_SHOW, Money(999, "GBP"), 999),
    ]
    totals = totals_by_currency(lines, "USD")
    assert list(totals) == ["USD", "EUR", "GBP"]
    assert (totals["USD"].gross, totals["USD"].refunded, totals["USD"].net) == (
        Money(24_690, "USD"), Money(6_173, "USD"), Money(18_517, "USD")
    )
    assert totals["EUR"].net == Money(5_000, "EUR") and totals["GBP"].net == Money(0, "GBP")
    for currency, total in totals.items():
        assert total.gross.amount - total.refunded.amount == total.net.amount
        assert total.net.amount == sum(line.net.amount for line in lines if line.price.currency == currency)
    assert totals_by_currency([], "USD")["USD"].gross == Money(0, "USD")  # nothing yet: zeros in the current one
