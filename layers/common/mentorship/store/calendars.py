"""A mentor's external calendars and their busy-time caches (AP14):
`MENTOR#id / PROFILE#CALENDAR#<id>`.

Each calendar item carries the busy times last read from it and sorts under the profile, so the
Query that reads the profile (AP13) brings every calendar with it, however far ahead the busy
times reach. The CalDAV password is stored sealed (KMS) and only the gateway opens it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from mentorship.domain.instants import epoch_seconds, from_epoch_seconds
from mentorship.domain.schedules import BusyTimes
from mentorship.store.binding import ensure_bound
from mentorship.store.mentors import PROFILE_SK
from mentorship.store.models import CalendarConnection, mentor_pk

CALENDAR_PREFIX = f"{PROFILE_SK}#CALENDAR#"


def calendar_sk(calendar_id: str) -> str:
    return f"{CALENDAR_PREFIX}{calendar_id}"


@dataclass(frozen=True)
class StoredCalendar:
    mentor_id: str
    calendar_id: str
    kind: str  # "caldav" | "ics"
    url: str
    username: str | None
    password_sealed: str | None
    status: str  # "ok" | "error"
    error: str | None
    last_synced_at: datetime | None
    checked_at: datetime | None
    busy: BusyTimes | None  # None until the first successful read
    created_at: datetime


def encode_busy(busy: BusyTimes) -> str:
    return json.dumps(
        {
            "intervals": [[epoch_seconds(start), epoch_seconds(end)] for start, end in busy.intervals],
            "allDay": sorted(day.isoformat() for day in busy.all_day),
            "covers": [epoch_seconds(busy.covers[0]), epoch_seconds(busy.covers[1])] if busy.covers else None,
        },
        separators=(",", ":"),
    )


def decode_busy(text: str) -> BusyTimes:
    raw = json.loads(text)
    covers = raw.get("covers")
    return BusyTimes(
        intervals=tuple((from_epoch_seconds(start), from_epoch_seconds(end)) for start, end in raw["intervals"]),
        all_day=frozenset(date.fromisoformat(day) for day in raw["allDay"]),
        covers=(from_epoch_seconds(covers[0]), from_epoch_seconds(covers[1])) if covers else None,
    )


def calendar_from_item(item: CalendarConnection) -> StoredCalendar:
    return StoredCalendar(
        mentor_id=item.mentor_id,
        calendar_id=item.calendar_id,
        kind=item.calendar_type,
        url=item.url,
        username=item.username,
        password_sealed=item.password_sealed,
        status=item.status,
        error=item.error,
        last_synced_at=item.last_synced_at,
        checked_at=item.checked_at,
        busy=decode_busy(item.busy) if item.busy else None,
        created_at=item.created_at,
    )


class CalendarStore:
    def __init__(self) -> None:
        ensure_bound()

    def list(self, mentor_id: str, consistent: bool = False) -> list[StoredCalendar]:
        """Every calendar of the mentor with its cache: one Query (a mentor has at most a few)."""
        items = CalendarConnection.query(
            mentor_pk(mentor_id),
            range_key_condition=CalendarConnection.sk.startswith(CALENDAR_PREFIX),
            consistent_read=consistent,
        )
        return [calendar_from_item(item) for item in items if isinstance(item, CalendarConnection)]

    def add(self, calendar: StoredCalendar) -> StoredCalendar:
        item = CalendarConnection(
            pk=mentor_pk(calendar.mentor_id),
            sk=calendar_sk(calendar.calendar_id),
            mentor_id=calendar.mentor_id,
            calendar_id=calendar.calendar_id,
            calendar_type=calendar.kind,
            url=calendar.url,
            username=calendar.username,
            password_sealed=calendar.password_sealed,
            status=calendar.status,
            error=calendar.error,
            last_synced_at=calendar.last_synced_at,
            checked_at=calendar.checked_at,
            busy=encode_busy(calendar.busy) if calendar.busy is not None else None,
            created_at=calendar.created_at,
        )
        item.save(condition=CalendarConnection.pk.does_not_exist())
        return calendar_from_item(item)

    def record_read(self, mentor_id: str, calendar_id: str, busy: BusyTimes, now: datetime) -> None:
        """A successful read: the calendar is ok and its cache is `busy` as of `now`."""
        self._update(
            mentor_id,
            calendar_id,
            [
                CalendarConnection.status.set("ok"),
                CalendarConnection.error.remove(),
                CalendarConnection.busy.set(encode_busy(busy)),
                CalendarConnection.last_synced_at.set(now),
                CalendarConnection.checked_at.set(now),
            ],
        )

    def record_failure(self, mentor_id: str, calendar_id: str, reason: str, now: datetime) -> None:
        """A failed read: the calendar shows the error and its slots are not offered until a read
        succeeds (the stale cache is kept only for the record; `status` decides)."""
        self._update(
            mentor_id,
            calendar_id,
            [
                CalendarConnection.status.set("error"),
                CalendarConnection.error.set(reason),
                CalendarConnection.checked_at.set(now),
            ],
        )

    @staticmethod
    def _update(mentor_id: str, calendar_id: str, actions: list) -> None:
        from pynamodb.exceptions import UpdateError

        try:
            CalendarConnection(pk=mentor_pk(mentor_id), sk=calendar_sk(calendar_id)).update(
                actions=actions, condition=CalendarConnection.pk.exists()
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise  # a calendar deleted meanwhile stays deleted

    def delete(self, mentor_id: str, calendar_id: str) -> bool:
        """Remove a calendar; False if the mentor has none with that id."""
        from pynamodb.exceptions import DeleteError

        try:
            CalendarConnection(pk=mentor_pk(mentor_id), sk=calendar_sk(calendar_id)).delete(
                condition=CalendarConnection.pk.exists()
            )
            return True
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
