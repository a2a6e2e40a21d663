"""What a mentor offers in a window: the domain's `offer` fed from storage and calendars.

Reads, whatever the window or the mentor's history: the profile, the schedule and the calendars
with their busy caches (one Query, AP11), and the window's published slots and locks plus a day
each side for buffers and the daily cap (one Query, AP3); a calendar whose cache is older than 5
minutes is read again from its server.

`SCHEDULE_RULES_OFFERED` is the one switch for the weekly rules: until the hold path can take a
lock on a slot that exists only through the rules, the rules are left out here (buffer, notice,
horizon, cap and busy times still apply to published slots), so a listing never offers a slot a
hold would refuse.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mentorship.domain.instants import resolve_zone
from mentorship.domain.schedules import OfferedSlot, OfferingInputs, offer
from mentorship.errors import NotFound
from mentorship.services.calendars import busy_for_listing
from mentorship.settings import get_settings
from mentorship.store.offering import MentorHead, read_mentor_head
from mentorship.store.slots import SlotStore

# Locks this far either side of the window: a local day is at most 25 hours, so every session
# that counts towards the cap of a day the window touches, and every buffer, is inside.
LOCK_MARGIN = timedelta(hours=26)


def read_mentor(mentor_id: str) -> MentorHead:
    """The profile (NotFound without one), the schedule and the calendars, in one request."""
    head = read_mentor_head(mentor_id)
    if head.profile is None:
        raise NotFound("no mentor with that id")
    return head


def offered_slots(mentor: MentorHead, start: datetime, end: datetime, now: datetime) -> list[OfferedSlot]:
    schedule = mentor.schedule
    if schedule is not None and not get_settings().schedule_rules_offered:
        schedule = schedule.without_rules()
    zone_name = mentor.schedule.timezone if mentor.schedule else mentor.profile.timezone
    zone = resolve_zone(zone_name)
    mentor_id = mentor.profile.mentor_id
    published, locks = SlotStore().published_and_locks(mentor_id, start - LOCK_MARGIN, end + LOCK_MARGIN)
    busy = busy_for_listing(mentor.calendars, zone, now)
    inputs = OfferingInputs(zone=zone_name, schedule=schedule, published=tuple(published), locks=tuple(locks), busy=busy)
    return offer(inputs, start, end, now)
