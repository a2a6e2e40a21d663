"""Webhooks for integrators: which events there are and when a failed delivery is tried again.

Pure: no clock, no I/O. The retry schedule follows the Standard Webhooks recommendation
(growing delays, about a day in all): a delivery is tried at once and then after each delay
below, 8 tries over 27 h 36 min, before it is given up as failed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

MOST_WEBHOOKS = 5


class EventType(StrEnum):
    BOOKING_HELD = "booking.held"
    BOOKING_CONFIRMED = "booking.confirmed"
    BOOKING_CANCELLED = "booking.cancelled"
    BOOKING_RESCHEDULED = "booking.rescheduled"
    BOOKING_NO_SHOW = "booking.no_show"
    REVIEW_CREATED = "review.created"


RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)


def next_attempt_at(attempts_made: int, now: datetime) -> datetime | None:
    """When to try again after `attempts_made` failed tries; None once the schedule is spent."""
    if attempts_made < 1 or attempts_made > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[attempts_made - 1]


def is_success(status_code: int | None) -> bool:
    """Only a 2xx answer delivers; a redirect is not followed and counts as a failure."""
    return status_code is not None and 200 <= status_code < 300
