"""What a mentor offers in a window: the domain's `offer` fed from storage and calendars.

Reads, whatever the window or the mentor's history: the profile, the schedule and the calendars
with their busy caches (one Query, AP13), and the window's published slots and locks plus a day
each side for buffers and the daily cap (one Query, AP3); a calendar whose cache is older than 5
minutes is read again from its server.

A hold asks the same function (services.booking, with live busy times), so a listing and a hold
agree on every slot, rule-given or published.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator

from mentorship.domain.instants import resolve_zone
from mentorship.domain.schedules import BusyTimes, Lock, OfferedSlot, OfferingInputs, offer, session_offered
from mentorship.domain.waitlist import offerable_starts
from mentorship.errors import NotFound
from mentorship.services.calendars import busy_for_listing, cached_busy
from mentorship.store.offering import MentorHead, read_mentor_head
from mentorship.store.slots import NEXT_OPEN_HORIZON, NOTHING_OPEN_RECHECK, NextOpen, SlotStore

# Locks this far either side of the window: a local day is at most 25 hours, so every session
# that counts towards the cap of a day the window touches, and every buffer, is inside.
LOCK_MARGIN = timedelta(hours=26)
NEXT_OPEN_STEPS = (timedelta(days=1), timedelta(days=7), NEXT_OPEN_HORIZON)
UNKNOWN_BUSY_RECHECK = timedelta(minutes=5)


def read_mentor(mentor_id: str) -> MentorHead:
    """The profile (NotFound without one), the schedule and the calendars, in one request."""
    head = read_mentor_head(mentor_id)
    if head.profile is None:
        raise NotFound("no mentor with that id")
    return head


def _inputs(mentor: MentorHead, start: datetime, end: datetime, busy: BusyTimes, consistent: bool) -> OfferingInputs:
    """The offering's inputs for [start, end): one Query of the window and a day each side."""
    zone_name = mentor.schedule.timezone if mentor.schedule else mentor.profile.timezone
    published, locks = SlotStore().published_and_locks(
        mentor.profile.mentor_id, start - LOCK_MARGIN, end + LOCK_MARGIN, consistent=consistent
    )
    return OfferingInputs(zone=zone_name, schedule=mentor.schedule, published=tuple(published), locks=tuple(locks), busy=busy)


def _offering(
    mentor: MentorHead, start: datetime, end: datetime, now: datetime, busy: BusyTimes, consistent: bool = False
) -> tuple[list[OfferedSlot], list[Lock]]:
    inputs = _inputs(mentor, start, end, busy, consistent)
    return offer(inputs, start, end, now), list(inputs.locks)


def sessions_offered_in(mentor: MentorHead, window_from: datetime, window_to: datetime, minutes: int, now: datetime) -> Iterator[datetime]:
    """Starts of sessions of `minutes` the mentor offers now inside [window_from, window_to),
    earliest first (a waitlist offer's choice): one consistent Query, the calendars' cached busy
    times (the hold then reads them live, as every hold does). A calendar that cannot be read
    offers nothing."""
    busy = cached_busy(mentor.calendars)
    if busy.unreadable:
        return iter(())
    inputs = _inputs(mentor, window_from, window_to, busy, consistent=True)
    open_slots = {slot.start for slot in offer(inputs, window_from, window_to, now) if slot.available}
    return offerable_starts(
        window_from,
        window_to,
        minutes,
        now,
        slot_open=open_slots.__contains__,
        session_offered=lambda start, length: session_offered(inputs, start, length, now),
    )


def mentor_zone_of(mentor: MentorHead):
    return resolve_zone(mentor.schedule.timezone if mentor.schedule else mentor.profile.timezone)


def offered_slots(mentor: MentorHead, start: datetime, end: datetime, now: datetime) -> list[OfferedSlot]:
    """What a listing shows: busy times at most 5 minutes old (stale calendars are read again)."""
    busy, refreshed = busy_for_listing(mentor.calendars, mentor_zone_of(mentor), now)
    if refreshed:  # what the directory's filter read may have changed with the calendars
        from mentorship.services.availability import refresh_next_open  # availability imports us

        refresh_next_open(mentor.profile.mentor_id, now)
    return _offering(mentor, start, end, now, busy)[0]


def next_offered(mentor_id: str, now: datetime) -> NextOpen:
    """The earliest slot offered within NEXT_OPEN_HORIZON, for the directory's availability
    filter (`next_open_at`), and when that answer may change by itself.

    A mentor with neither schedule nor calendars takes the published-slot walk as before. Else
    the offering is computed over growing windows (a day, a week, the horizon: usually the first
    finds one) with the calendars' cached busy times as they are: this runs after holds and in
    the scheduled run, which never call calendar servers; a failing calendar offers nothing, and
    the answer is checked again a few minutes later. It changes by itself when the slot found
    falls inside the minimum notice, or when a hold expires (which can open a slot, a buffer or
    a capped day)."""
    mentor = read_mentor_head(mentor_id, consistent=True)
    if mentor.profile is None:
        return NextOpen(None, None)
    if mentor.schedule is None and not mentor.calendars:
        return SlotStore().next_open(mentor_id, now)
    busy = cached_busy(mentor.calendars)
    if busy.unreadable:
        return NextOpen(None, now + UNKNOWN_BUSY_RECHECK)
    notice = timedelta(minutes=mentor.schedule.minimum_notice_minutes if mentor.schedule else 0)
    window_start, expiries = now, []
    for reach in NEXT_OPEN_STEPS:
        offering, locks = _offering(mentor, window_start, now + reach, now, busy, consistent=True)
        expiries += [lock.hold_expires_at for lock in locks if not lock.booked and lock.is_active(now)]
        found = next((slot.start for slot in offering if slot.available), None)
        if found is not None:
            return NextOpen(found, min([found - notice if found - notice > now else found, *expiries]))
        window_start = now + reach
    return NextOpen(None, min([now + NOTHING_OPEN_RECHECK, *expiries]))
