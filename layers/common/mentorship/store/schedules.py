"""A mentor's weekly schedule: one item in the mentor's partition, `MENTOR#id / PROFILE#SCHEDULE`
(sorting under the profile, so AP13 reads it with the profile and the calendars in one Query).

The item keeps the rules as the rows the mentor sent (normalized: Monday first, by start) and
maps to the domain's `Schedule` both ways, so nothing above the store sees attribute names.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from mentorship.domain.instants import format_utc, parse_instant
from mentorship.domain.schedules import Schedule, override_rows, schedule_from_rows, weekly_rows
from mentorship.errors import NotFound, SlotUnavailable
from mentorship.store.binding import ensure_bound
from mentorship.store.mentors import PROFILE_SK
from mentorship.store.models import MentorSchedule, SlotLock, mentor_pk
from mentorship.store.slots import lock_is_free, lock_sk
from mentorship.store.transactions import ConditionsFailed, Transaction

SCHEDULE_SK = f"{PROFILE_SK}#SCHEDULE"


def schedule_from_item(item: MentorSchedule) -> Schedule:
    return schedule_from_rows(
        timezone=item.timezone,
        weekly=[(row["day"], row["start"], row["end"]) for row in json.loads(item.weekly)],
        overrides=[
            (date.fromisoformat(row["date"]), [(i["start"], i["end"]) for i in row["intervals"]])
            for row in json.loads(item.overrides)
        ],
        buffer_minutes=int(item.buffer_minutes),
        minimum_notice_minutes=int(item.minimum_notice_minutes),
        horizon_days=int(item.horizon_days),
        max_sessions_per_day=int(item.max_sessions_per_day) if item.max_sessions_per_day is not None else None,
        blocked=frozenset(parse_instant(start) for start in item.blocked or []),
    )


def _to_item(mentor_id: str, schedule: Schedule, now: datetime) -> MentorSchedule:
    return MentorSchedule(
        pk=mentor_pk(mentor_id),
        sk=SCHEDULE_SK,
        mentor_id=mentor_id,
        timezone=schedule.timezone,
        weekly=json.dumps([{"day": d, "start": s, "end": e} for d, s, e in weekly_rows(schedule)]),
        overrides=json.dumps(
            [
                {"date": day.isoformat(), "intervals": [{"start": s, "end": e} for s, e in intervals]}
                for day, intervals in override_rows(schedule)
            ]
        ),
        buffer_minutes=schedule.buffer_minutes,
        minimum_notice_minutes=schedule.minimum_notice_minutes,
        horizon_days=schedule.horizon_days,
        max_sessions_per_day=schedule.max_sessions_per_day,
        # Blocked slots that have started can no longer matter: they are dropped on every write.
        blocked=sorted(format_utc(start) for start in schedule.blocked if start > now),
        updated_at=now,
    )


class ScheduleStore:
    def __init__(self) -> None:
        ensure_bound()

    def get(self, mentor_id: str, consistent: bool = False) -> Schedule | None:
        try:
            return schedule_from_item(MentorSchedule.get(mentor_pk(mentor_id), SCHEDULE_SK, consistent_read=consistent))
        except MentorSchedule.DoesNotExist:
            return None

    def put(self, mentor_id: str, schedule: Schedule, now: datetime) -> Schedule:
        item = _to_item(mentor_id, schedule, now)
        item.save()
        return schedule_from_item(item)

    def block_slot(self, mentor_id: str, start: datetime, now: datetime) -> None:
        """Add a rule slot to the schedule's blocked slots (a one-slot override), unless someone
        holds or booked it: one transaction, so a hold that lands first wins (SlotUnavailable)."""
        start_z = format_utc(start)
        transaction = Transaction()
        transaction.update(
            "schedule",
            MentorSchedule(pk=mentor_pk(mentor_id), sk=SCHEDULE_SK),
            actions=[MentorSchedule.blocked.set(MentorSchedule.blocked.append([start_z]))],
            condition=MentorSchedule.pk.exists() & ~MentorSchedule.blocked.contains(start_z),
        )
        transaction.condition_check("lock", SlotLock, mentor_pk(mentor_id), lock_sk(start_z), lock_is_free(now))
        try:
            transaction.commit()
        except ConditionsFailed as failed:
            if "lock" in failed.names:
                raise SlotUnavailable("that slot is held or booked") from None
            raise NotFound("no open slot starts at that time") from None
