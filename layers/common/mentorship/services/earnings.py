"""A mentor's earnings (GET /mentors/me/earnings): totals over the whole window, sessions by page.

The totals must cover every paid session of the window whatever page is asked for, so each
request reads the window once (one Query of ByMentor, AP19) and takes its page of sessions from
what it read, after the cursor's position. A window is at most 366 days; a mentor with a
session every hour of every day of it would make ~9,000 items (a few DynamoDB pages of 1 MB).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mentorship.domain.bookings import Booking, BookingStatus
from mentorship.domain.earnings import PAID_STATUSES, EarningLine, EarningsWindow, EarningTotals, earning_line, totals_by_currency
from mentorship.store.bookings import BookingStore, booking_of, participant_sort_key


@dataclass(frozen=True)
class EarningSession:
    """A session behind the totals, with what a mentor needs to match it with a payout."""

    line: EarningLine
    booking: Booking
    status: BookingStatus
    position: str  # its place in the window's order, for the cursor


@dataclass(frozen=True)
class Earnings:
    window: EarningsWindow
    totals: dict[str, EarningTotals]  # the mentor's current currency first
    session_count: int
    sessions: list[EarningSession]  # this page
    next_after: str | None  # the position to continue after, None on the last page


def mentor_earnings(
    mentor_id: str, currency: str, window: EarningsWindow, now: datetime, limit: int, after: str | None
) -> Earnings:
    sessions = []
    for item in BookingStore().mentor_paid_sessions(mentor_id, window.start, window.end, tuple(s.value for s in PAID_STATUSES)):
        booking = booking_of(item)
        status = booking.status_at(now)
        line = earning_line(booking.booking_id, booking.start, status, booking.price, booking.refund_amount)
        sessions.append(EarningSession(line, booking, status, participant_sort_key(booking.start, booking.booking_id)))
    totals = totals_by_currency([session.line for session in sessions], currency)
    following = [session for session in sessions if after is None or session.position > after]
    page = following[:limit]
    next_after = page[-1].position if len(following) > limit else None
    return Earnings(window, totals, len(sessions), page, next_after)
