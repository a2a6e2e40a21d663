"""What offering reads first about a mentor (AP13): the profile, the schedule and the calendars
with their busy caches, in one Query, `MENTOR#id`, `sk BEGINS_WITH PROFILE`. The schedule
(`PROFILE#SCHEDULE`) and the calendars (`PROFILE#CALENDAR#<id>`) sort under the profile for this;
reviews and slots sort elsewhere, so the read never grows with the mentor's history."""

from __future__ import annotations

from dataclasses import dataclass

from mentorship.domain.schedules import Schedule
from mentorship.store.binding import ensure_bound
from mentorship.store.calendars import StoredCalendar, calendar_from_item
from mentorship.store.mentors import PROFILE_SK
from mentorship.store.models import CalendarConnection, MentorProfile, MentorSchedule, TableItem, mentor_pk
from mentorship.store.schedules import schedule_from_item


@dataclass(frozen=True)
class MentorHead:
    profile: MentorProfile | None
    schedule: Schedule | None
    calendars: list[StoredCalendar]


def read_mentor_head(mentor_id: str, consistent: bool = False) -> MentorHead:
    ensure_bound()
    profile, schedule, calendars = None, None, []
    for item in TableItem.query(
        mentor_pk(mentor_id), range_key_condition=TableItem.sk.startswith(PROFILE_SK), consistent_read=consistent
    ):
        if isinstance(item, MentorProfile):
            profile = item
        elif isinstance(item, MentorSchedule):
            schedule = schedule_from_item(item)
        elif isinstance(item, CalendarConnection):
            calendars.append(calendar_from_item(item))
    return MentorHead(profile, schedule, calendars)
