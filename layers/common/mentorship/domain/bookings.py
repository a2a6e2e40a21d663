"""Bookings as the domain and the edge read them: their states, the status a booking reads as
at a given moment, and what a cancel would refund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mentorship.domain.commitments import CancellationPolicy, Money, Role, cancellation_refund


class BookingStatus(StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    RELEASED = "released"
    PAYMENT_FAILED = "payment_failed"
    NO_SHOW = "no_show"


def effective_status(stored: str, end: datetime, hold_expires_at: datetime | None, now: datetime) -> BookingStatus:
    """What a booking is at `now`: a held booking past its hold is expired and a confirmed one
    past its end is completed, whether or not a sweep has rewritten the record yet."""
    status = BookingStatus(stored)
    if status is BookingStatus.HELD and hold_expires_at is not None and hold_expires_at <= now:
        return BookingStatus.EXPIRED
    if status is BookingStatus.CONFIRMED and end <= now:
        return BookingStatus.COMPLETED
    return status


@dataclass(frozen=True)
class Booking:
    """A booking as written (the store builds it from its row, `store.bookings.booking_of`);
    the API's `BookingView` and the webhooks' bodies are built from it. `status` is as stored;
    `status_at` says what it reads as."""

    booking_id: str
    status: str
    mentor_id: str
    mentor_name: str
    mentee_id: str
    mentee_name: str
    start: datetime
    end: datetime
    duration_minutes: int
    price: Money
    topic: str
    created_at: datetime
    cancellation_policy: CancellationPolicy
    hold_expires_at: datetime | None = None  # while held
    meeting_url: str | None = None  # chosen by the hold, shown once confirmed
    cancelled_by: str | None = None  # "mentee" | "mentor"
    absent: str | None = None  # "mentee" | "mentor", once no_show
    refund_amount: int | None = None  # decided by a cancel or no-show, minor units
    refund_state: str | None = None  # "pending" | "refunded"
    refund_attempts: int = 0  # failed gateway calls, while pending
    waitlist_id: str | None = None  # the waitlist entry this hold was offered to, if any

    def status_at(self, now: datetime) -> BookingStatus:
        return effective_status(self.status, self.end, self.hold_expires_at, now)

    def refund_if_cancelled(self, by: Role, now: datetime) -> Money:
        """What a cancel by `by` at `now` would give back, under the booking's own policy."""
        return cancellation_refund(self.cancellation_policy, by, self.start, now, self.price)
