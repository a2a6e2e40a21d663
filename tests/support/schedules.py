"""Give a test mentor a weekly schedule (every day the same hours unless told otherwise)."""

from __future__ import annotations

from datetime import datetime

from mentorship.domain.schedules import WEEKDAYS, build_schedule
from mentorship.store.schedules import ScheduleStore


def give_schedule(
    mentor_id: str,
    now: datetime,
    *,
    timezone: str = "UTC",
    hours: tuple[str, str] = ("00:00", "24:00"),
    days: tuple[str, ...] = WEEKDAYS,
    buffer_minutes: int = 0,
    minimum_notice_minutes: int = 0,
    horizon_days: int = 60,
    max_sessions_per_day: int | None = None,
) -> None:
    schedule = build_schedule(
        timezone=timezone,
        weekly=[(day, *hours) for day in days],
        overrides=[],
        buffer_minutes=buffer_minutes,
        minimum_notice_minutes=minimum_notice_minutes,
        horizon_days=horizon_days,
        max_sessions_per_day=max_sessions_per_day,
        now=now,
    )
    ScheduleStore().put(mentor_id, schedule, now)
