"""The mentor's weekly schedule: save (validated in the domain) and read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mentorship.domain.schedules import Schedule, build_schedule
from mentorship.errors import NotFound
from mentorship.services.availability import refresh_next_open
from mentorship.store.schedules import ScheduleStore


@dataclass(frozen=True)
class ScheduleDraft:
    """A schedule as the mentor sent it: (day, start, end) rows and (date, [(start, end)])."""

    timezone: str
    weekly: list[tuple[str, str, str]]
    overrides: list[tuple[date, list[tuple[str, str]]]]
    buffer_minutes: int
    minimum_notice_minutes: int
    horizon_days: int
    max_sessions_per_day: int | None


def save_schedule(mentor_id: str, draft: ScheduleDraft, now: datetime) -> Schedule:
    """Replace the mentor's schedule. Rule slots the mentor blocked one by one stay blocked."""
    store = ScheduleStore()
    current = store.get(mentor_id, consistent=True)
    blocked = current.blocked if current else frozenset()
    schedule = build_schedule(**vars(draft), now=now, blocked=blocked)
    stored = store.put(mentor_id, schedule, now)
    refresh_next_open(mentor_id, now)
    return stored


def schedule_of(mentor_id: str) -> Schedule:
    schedule = ScheduleStore().get(mentor_id, consistent=True)
    if schedule is None:
        raise NotFound("no schedule has been set: PUT /mentors/me/schedule sets one")
    return schedule
