"""Published slots and their locks (AP3): reading a window, publishing, removing, and finding
the next open slot.

A slot (`SLOT#<start>`) and its lock (`SLOT#<start>#LOCK`) sort next to each other in the
mentor's partition, so one Query over a key range returns both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterator


from mentorship.domain.instants import epoch_seconds, format_utc, from_epoch_seconds
from mentorship.domain.schedules import Lock
from mentorship.domain.slots import SlotState
from mentorship.errors import NotFound, SlotUnavailable
from mentorship.store.binding import ensure_bound
from mentorship.store.models import Slot, SlotLock, TableItem, mentor_pk, slot_sk
from mentorship.store.transactions import ConditionsFailed, Transaction

LOCK_SUFFIX = "#LOCK"
NEXT_OPEN_PAGE = 24  # items per request when walking forward to the next open slot (slots + locks)
NEXT_OPEN_HORIZON = timedelta(days=32)  # the longest availability filter (30 days) and a margin
NOTHING_OPEN_RECHECK = timedelta(days=1)


def lock_sk(start_z: str) -> str:
    return slot_sk(start_z) + LOCK_SUFFIX


def new_slot(mentor_id: str, start: datetime) -> Slot:
    """A published 30-minute slot."""
    return Slot(pk=mentor_pk(mentor_id), sk=slot_sk(format_utc(start)), mentor_id=mentor_id, start=start)


def new_lock(
    mentor_id: str,
    start: datetime,
    *,
    booking_id: str,
    holder_id: str,
    booked: bool,
    hold_expires_at: int | None = None,
    expires_at: datetime | None = None,
) -> SlotLock:
    """A slot's lock: held by `booking_id` until `hold_expires_at` (epoch seconds), or booked.
    `expires_at` lets TTL tidy an abandoned hold's lock away."""
    return SlotLock(
        pk=mentor_pk(mentor_id),
        sk=lock_sk(format_utc(start)),
        mentor_id=mentor_id,
        start=start,
        booking_id=booking_id,
        holder_id=holder_id,
        booked=booked,
        hold_expires_at=hold_expires_at,
        expires_at=expires_at,
    )


def _state(slot: Slot, lock: SlotLock | None) -> SlotState:
    if lock is None:
        return SlotState(start=slot.start)
    expires = from_epoch_seconds(lock.hold_expires_at) if lock.hold_expires_at is not None else None
    return SlotState(start=slot.start, booked=bool(lock.booked), hold_expires_at=expires)


def lock_is_free(now: datetime):
    """Condition under which a slot's lock may be taken: none, or an unbooked hold that has
    expired by `now` (its record may still exist: TTL deletion is not awaited). A hold is
    active while now < hold_expires_at."""
    return SlotLock.pk.does_not_exist() | (
        (SlotLock.booked == False) & (SlotLock.hold_expires_at <= epoch_seconds(now))  # noqa: E712
    )


def lock_is_held_by(booking_id: str, now: datetime):
    """The lock is this booking's unexpired hold."""
    return (
        (SlotLock.booking_id == booking_id)
        & (SlotLock.booked == False)  # noqa: E712
        & (SlotLock.hold_expires_at > epoch_seconds(now))
    )


@dataclass(frozen=True)
class NextOpen:
    """The earliest open slot at `now`, and when that answer may next change by itself
    (the earlier of that slot's start and the first expiry of a hold before it)."""

    start: datetime | None
    recheck_at: datetime | None


class SlotStore:
    def __init__(self) -> None:
        ensure_bound()

    def _window_items(
        self, mentor_id: str, start: datetime, end: datetime, consistent: bool = False, page_size: int | None = None
    ) -> Iterator[TableItem]:
        """Slots and locks from `start` up to and including a slot starting at `end` (callers drop it
        where the end is exclusive)."""
        condition = TableItem.sk.between(slot_sk(format_utc(start)), slot_sk(format_utc(end)))
        return TableItem.query(
            mentor_pk(mentor_id), range_key_condition=condition, consistent_read=consistent, page_size=page_size
        )

    def window(self, mentor_id: str, start: datetime, end: datetime, consistent: bool = False) -> list[SlotState]:
        """Every published slot starting in [start, end), with who holds it: one Query."""
        return list(self._states(self._window_items(mentor_id, start, end, consistent), end))

    @staticmethod
    def _states(items: Iterator[TableItem], end: datetime) -> Iterator[SlotState]:
        pending: Slot | None = None
        for item in items:
            if isinstance(item, Slot):
                if pending is not None:
                    yield _state(pending, None)
                pending = item if item.start < end else None
            elif isinstance(item, SlotLock) and pending is not None and item.start == pending.start:
                yield _state(pending, item)
                pending = None
        if pending is not None:
            yield _state(pending, None)

    def published_and_locks(
        self, mentor_id: str, start: datetime, end: datetime, consistent: bool = False
    ) -> tuple[list[datetime], list[Lock]]:
        """Published slot starts and every lock (hold or booking, on any slot, published or
        not) starting in [start, end): one Query, the offering's view of the window."""
        published, locks = [], []
        for item in self._window_items(mentor_id, start, end, consistent):
            if item.start >= end:
                continue
            if isinstance(item, Slot):
                published.append(item.start)
            elif isinstance(item, SlotLock):
                expires = from_epoch_seconds(item.hold_expires_at) if item.hold_expires_at is not None else None
                locks.append(Lock(item.start, item.booking_id, bool(item.booked), expires))
        return published, locks

    def next_open(self, mentor_id: str, now: datetime) -> NextOpen:
        """Walk forward from `now` to the first open slot (strongly consistent reads), no further
        than NEXT_OPEN_HORIZON: the directory's filters look at most 30 days ahead, so a slot
        beyond the horizon cannot matter yet, and the walk never reads a mentor's whole calendar.
        With nothing open inside it, the answer is rechecked a day later, when the horizon has
        moved on (before anything beyond it can enter a filter's window)."""
        first_hold_expiry: datetime | None = None
        # Read in small pages: the walk usually stops at one of the first slots.
        items = self._window_items(mentor_id, now, now + NEXT_OPEN_HORIZON, consistent=True, page_size=NEXT_OPEN_PAGE)
        for state in self._states(items, now + NEXT_OPEN_HORIZON):
            if state.start <= now:
                continue
            if state.is_open(now):
                recheck = min(filter(None, (state.start, first_hold_expiry)))
                return NextOpen(state.start, recheck)
            if state.is_held(now):
                expiry = state.hold_expires_at
                first_hold_expiry = expiry if first_hold_expiry is None else min(first_hold_expiry, expiry)
        recheck = now + NOTHING_OPEN_RECHECK
        return NextOpen(None, min(recheck, first_hold_expiry) if first_hold_expiry else recheck)

    def add_slots(self, mentor_id: str, starts: list[datetime]) -> None:
        """Publish slots; those that exist already are kept as they are (never overwritten)."""
        if not starts:
            return
        existing = {
            item.start
            for item in self._window_items(mentor_id, starts[0], starts[-1], consistent=True)
            if isinstance(item, Slot)
        }
        with Slot.batch_write() as batch:
            for start in starts:
                if start not in existing:
                    batch.save(new_slot(mentor_id, start))

    def remove_open_slot(self, mentor_id: str, start: datetime, now: datetime) -> None:
        """Delete a published slot unless it is held (unexpired) or booked, in one transaction."""
        start_z = format_utc(start)
        transaction = Transaction()
        transaction.delete("slot", Slot(pk=mentor_pk(mentor_id), sk=slot_sk(start_z)), condition=Slot.pk.exists())
        transaction.condition_check("lock", SlotLock, mentor_pk(mentor_id), lock_sk(start_z), lock_is_free(now))
        try:
            transaction.commit()
        except ConditionsFailed as failed:
            if "slot" in failed.names:
                raise NotFound("no published slot starts at that time") from None
            raise SlotUnavailable("that slot is held or booked") from None
