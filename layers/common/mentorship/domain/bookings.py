"""Booking states and the status a booking reads as at a given moment."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


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
