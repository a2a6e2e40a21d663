"""Mentor availability: publishing and removing slots, reading a calendar, and keeping the
profile's `next_open_at` (what the directory's availability filter reads) up to date."""

from __future__ import annotations

from datetime import datetime

from mentorship.domain.bookings import BookingStatus
from mentorship.domain.instants import SLOT
from mentorship.domain.schedules import rule_slot_starts
from mentorship.domain.slots import SlotState, check_publish_window, slot_starts
from mentorship.errors import NotFound
from mentorship.services.offering import next_offered
from mentorship.services.stream import Change
from mentorship.store.models import BookingItem, MentorProfile
from mentorship.store.mentors import MentorStore
from mentorship.store.schedules import ScheduleStore
from mentorship.store.slots import SlotStore


def refresh_next_open(mentor_id: str, now: datetime) -> None:
    """Recompute the mentor's next offered slot (call after any change to slots, locks, the
    schedule or a calendar; the scheduled run calls it when the answer may change by itself)."""
    found = next_offered(mentor_id, now)
    MentorStore().record_next_open(mentor_id, found.start, found.recheck_at, checked_at=now)


def publish_window(mentor_id: str, start: datetime, end: datetime, now: datetime) -> list[SlotState]:
    check_publish_window(start, end, now)
    slots = SlotStore()
    slots.add_slots(mentor_id, slot_starts(start, end))
    refresh_next_open(mentor_id, now)
    return slots.window(mentor_id, start, end, consistent=True)


def remove_slot(mentor_id: str, start: datetime, now: datetime) -> None:
    """Remove a published slot, or block a slot the weekly rules give (a one-slot override)."""
    try:
        SlotStore().remove_open_slot(mentor_id, start, now)
    except NotFound:
        schedules = ScheduleStore()
        schedule = schedules.get(mentor_id, consistent=True)
        if schedule is None or start not in rule_slot_starts(schedule, start, start + SLOT):
            raise
        schedules.block_slot(mentor_id, start, now)
    refresh_next_open(mentor_id, now)


def refresh_due_profile(item: MentorProfile, now: datetime) -> bool:
    """DueWork handler: a profile whose next open slot may have changed by itself."""
    refresh_next_open(item.mentor_id, now)
    return True


def takes_or_frees_slots(old: BookingItem | None, new: BookingItem) -> bool:
    """Whether a booking change can move the mentor's next open slot: a new hold takes slots; a
    release, expiry, decline or cancel frees them; a reschedule does both. A confirm turns held
    slots into booked ones, which changes nothing for the directory."""
    if old is None:
        return True
    if old.start != new.start:
        return True
    if old.status == new.status:
        return False
    return (old.status, new.status) != (BookingStatus.HELD.value, BookingStatus.CONFIRMED.value)


def refresh_after_booking_change(change: Change, now: datetime) -> None:
    """Stream handler: keep the directory's availability filter in step with holds, releases,
    cancels and reschedules, off the request path."""
    if isinstance(change.new, BookingItem) and takes_or_frees_slots(change.old, change.new):
        refresh_next_open(change.new.mentor_id, now)
