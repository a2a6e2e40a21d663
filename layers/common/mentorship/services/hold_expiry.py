"""Holds expire on time: a timer per hold, started by the StreamFunction when it sees the hold,
brings it back to the HoldExpiryFunction when it lapses (docs/decisions.md §27).

The expiry is the same conditional write the per-minute run makes (`booking.expire_hold`, through
the booking repository): the booking leaves `held` only if it is still held, so a confirm and the
expiry racing each other have exactly one outcome, and a timer delivered twice (SQS is at least
once) or after the run changes nothing. The write flows through the table's stream like any
release: the live-availability fan-out announces the freed slots, the directory's next open slot
follows. The per-minute run stays the safety net for a timer that was never started.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from mentorship import gateways
from mentorship.domain.bookings import BookingStatus
from mentorship.domain.instants import from_epoch_seconds
from mentorship.gateways.timers import HoldTimer
from mentorship.observability import logger
from mentorship.services.booking import expire_hold
from mentorship.services.stream import Change
from mentorship.store.booking_repository import booking_repository
from mentorship.store.models import BookingItem


class TimerOutcome(str, Enum):
    EXPIRED = "expired"  # this timer wrote the expiry
    RESTARTED = "restarted"  # not due yet (a hold longer than SQS's longest timer): sent again
    NOTHING = "nothing"  # confirmed, released, already expired, or another hold's end


def hold_started(change: Change) -> HoldTimer | None:
    """The timer a booking change needs: a booking that has just become held (or whose hold's
    end moved), else None."""
    new, old = change.new, change.old
    if not isinstance(new, BookingItem) or new.status != BookingStatus.HELD.value or new.hold_expires_at is None:
        return None
    if isinstance(old, BookingItem) and old.status == new.status and old.hold_expires_at == new.hold_expires_at:
        return None  # another change of a hold already timed
    return HoldTimer(new.booking_id, from_epoch_seconds(int(new.hold_expires_at)))


def start_hold_timer(change: Change, now: datetime) -> None:
    """StreamFunction: time a new hold. Best effort: a failure is logged and the per-minute run
    expires the hold (at most a minute late); the stream is never held back for it."""
    timer = hold_started(change)
    timers = gateways.hold_timers()
    if timer is None or timers is None:
        return
    try:
        timers.start(timer, now)
    except Exception:  # noqa: BLE001 - see the docstring
        logger.exception("hold timer not started; the per-minute run expires it", extra={"booking_id": timer.booking_id})


def hold_timer_fired(timer: HoldTimer, now: datetime) -> TimerOutcome:
    """HoldExpiryFunction: the timer came back. Expire the hold if it is still held and its end
    (the one this timer was started for) has passed; send the timer again if it came back early."""
    if now < timer.hold_expires_at:
        timers = gateways.hold_timers()
        if timers is None:
            raise RuntimeError("a hold timer came back early and no queue is configured to send it again")
        timers.start(timer, now)
        return TimerOutcome.RESTARTED
    booking = booking_repository().get(timer.booking_id)
    if booking is None or booking.hold_expires_at is None or from_epoch_seconds(int(booking.hold_expires_at)) != timer.hold_expires_at:
        return TimerOutcome.NOTHING  # gone, no longer held, or held anew until another end
    return TimerOutcome.EXPIRED if expire_hold(booking, now) else TimerOutcome.NOTHING
