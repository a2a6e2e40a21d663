"""Giving a cancelled (or no-show) booking's refund back through the payment gateway.

The cancel records what is owed (`refund_amount`, `refund_state` "pending") in its own
transaction and puts the booking in DueWork, so the cancellation stands whatever the gateway
does. The StreamFunction settles it within seconds of the change; when the gateway fails, the
attempt is counted on the booking (visible as `refundStatus: pending`) and the per-minute run
tries again with growing delays. The gateway is idempotent on the booking (one refund per
charge) and the settled mark is conditional, so no path refunds twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mentorship import gateways
from mentorship.observability import logger
from mentorship.services.availability import refresh_after_booking_change
from mentorship.services.booking import expire_hold
from mentorship.services.hold_expiry import start_hold_timer
from mentorship.services.stream import Change
from mentorship.store.booking_repository import booking_repository
from mentorship.store.models import BookingItem
from mentorship.store.session_changes import PENDING

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)


def retry_delay(failed_attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after the n-th failure, at most an hour."""
    return min(RETRY_BASE * (2 ** max(0, failed_attempts - 1)), RETRY_CAP)


def settle_refund(booking: BookingItem, now: datetime) -> bool:
    """Give back what the booking owes; True when this call settled it."""
    if booking.refund_state != PENDING:
        return False
    try:
        gateways.payment_gateway().refund(booking.booking_id, now, int(booking.refund_amount))
    except Exception:  # noqa: BLE001 - any gateway failure: counted, retried later, never lost
        attempts = int(booking.refund_attempts or 0) + 1
        logger.exception("refund failed; retried later", extra={"booking_id": booking.booking_id, "attempts": attempts})
        booking_repository().refund_failed(booking, now + retry_delay(attempts))
        return False
    # A False from the gateway means this charge was given back already (an earlier attempt that
    # crashed before marking the booking): either way it is settled now.
    return booking_repository().refund_settled(booking, now)


def refund_after_booking_change(change: Change, now: datetime) -> None:
    """StreamFunction: a booking that has just come to owe a refund is settled at once."""
    new, old = change.new, change.old
    if not isinstance(new, BookingItem) or new.refund_state != PENDING:
        return
    if isinstance(old, BookingItem) and old.refund_state == PENDING:
        return  # a failed attempt's own mark, or another change while pending: the due run retries
    settle_refund(new, now)


def booking_fell_due(item: BookingItem, now: datetime) -> bool:
    """The per-minute run's work on a due booking: a refund still owed, else a lapsed hold."""
    if item.refund_state == PENDING:
        return settle_refund(item, now)
    return expire_hold(item, now)


def after_booking_change(change: Change, now: datetime) -> None:
    """StreamFunction's handler for bookings: the mentor's next open slot, any refund owed, and a
    new hold's expiry timer."""
    refresh_after_booking_change(change, now)
    refund_after_booking_change(change, now)
    start_hold_timer(change, now)
