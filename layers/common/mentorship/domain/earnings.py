"""A mentor's earnings over a window of session starts: what was charged, what went back, what stays.

Pure: the caller passes the bookings' facts and `now`. Which sessions count (decisions §23):
every booking that was paid for, i.e. confirmed (and so completed after its end), cancelled (only
a confirmed booking can be cancelled; a hold is released) and no_show. Each counts its price in
`gross` and its refund (the amount the cancel or the no-show decided, 0 when none) in `refunded`;
`net` is their difference, in integer minor units, so gross - refunded = net holds exactly for
every page and every currency. Amounts in different currencies are never added together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mentorship.domain.bookings import BookingStatus
from mentorship.domain.commitments import Money
from mentorship.errors import ValidationFailed

# Statuses of a booking that was paid for.
PAID_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
# The longest window one request reads (a year, leap day included), and the default: the last 30 days.
LONGEST_EARNINGS_WINDOW = timedelta(days=366)
DEFAULT_EARNINGS_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class EarningsWindow:
    """Session starts in [start, end)."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def earnings_window(start: datetime | None, end: datetime | None, now: datetime) -> EarningsWindow:
    """The window asked for: without either bound, the last 30 days up to now; `to` alone, the
    30 days before it; `from` alone, the 30 days after it. A `from` not before `to`, or a window
    longer than 366 days, is a 422 on `query.to`."""
    if end is None:
        end = now if start is None else start + DEFAULT_EARNINGS_WINDOW
    if start is None:
        start = end - DEFAULT_EARNINGS_WINDOW
    if end <= start:
        raise ValidationFailed.on("query.to", "must be after from")
    if end - start > LONGEST_EARNINGS_WINDOW:
        raise ValidationFailed.on("query.to", f"the window may span at most {LONGEST_EARNINGS_WINDOW.days} days")
    return EarningsWindow(start, end)


@dataclass(frozen=True)
class EarningLine:
    """One paid session: its price, and the refund its cancel or no-show decided (0 otherwise)."""

    booking_id: str
    start: datetime
    status: BookingStatus
    price: Money
    refund: Money

    @property
    def net(self) -> Money:
        return Money(self.price.amount - self.refund.amount, self.price.currency)


@dataclass(frozen=True)
class EarningTotals:
    gross: Money
    refunded: Money

    @property
    def net(self) -> Money:
        return Money(self.gross.amount - self.refunded.amount, self.gross.currency)

    @staticmethod
    def zero(currency: str) -> "EarningTotals":
        return EarningTotals(Money(0, currency), Money(0, currency))

    def plus(self, line: EarningLine) -> "EarningTotals":
        return EarningTotals(
            Money(self.gross.amount + line.price.amount, self.gross.currency),
            Money(self.refunded.amount + line.refund.amount, self.refunded.currency),
        )


def counts_as_paid(status: BookingStatus) -> bool:
    return status in PAID_STATUSES


def earning_line(booking_id: str, start: datetime, status: BookingStatus, price: Money, refund_amount: int | None) -> EarningLine:
    """A paid session's line; a refund is only ever recorded by a cancel or a no-show."""
    if not counts_as_paid(status):
        raise ValueError(f"a {status.value} booking was not paid for")
    refunded = refund_amount or 0 if status in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW) else 0
    if not 0 <= refunded <= price.amount:
        raise ValueError(f"refund {refunded} outside 0..{price.amount} for booking {booking_id}")
    return EarningLine(booking_id, start, status, price, Money(refunded, price.currency))


def totals_by_currency(lines: list[EarningLine], main_currency: str) -> dict[str, EarningTotals]:
    """Totals per currency, `main_currency` (the mentor's current one) always present and first,
    the others in alphabetical order."""
    totals = {main_currency: EarningTotals.zero(main_currency)}
    for line in lines:
        currency = line.price.currency
        totals[currency] = totals.get(currency, EarningTotals.zero(currency)).plus(line)
    return {main_currency: totals[main_currency], **{c: totals[c] for c in sorted(totals) if c != main_currency}}
