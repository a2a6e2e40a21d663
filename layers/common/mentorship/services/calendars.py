"""A mentor's external calendars: connect (read once before answering), list, remove, and the
busy times offering needs, from the cache (listings) or read live (holds).

Fail closed: a calendar that cannot be read is marked `error` with a reason and, until a read
succeeds, its mentor's busy times are unknown, so nothing of theirs is offered. A broken
calendar is never treated as an empty one.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mentorship import gateways
from mentorship.domain.busy import UnreadableCalendarData, busy_from_icalendar
from mentorship.domain.schedules import BusyTimes
from mentorship.errors import CalendarUnreachable, NotFound, ValidationFailed
from mentorship.gateways.calendars import CalendarSource
from mentorship.gateways.calendars import CalendarUnreachable as ReadFailed
from mentorship.observability import logger
from mentorship.domain.instants import resolve_zone
from mentorship.store.calendars import CalendarStore, StoredCalendar
from mentorship.store.offering import read_mentor_head

MOST_CALENDARS = 5
LISTING_CACHE_AGE = timedelta(minutes=5)  # busy times in listings are at most this old
RETRY_FAILED_AFTER = timedelta(minutes=1)  # a failing calendar is re-tried at most this often
READ_BEHIND = timedelta(days=1)
READ_AHEAD = timedelta(days=92)  # the longest horizon (90 days) plus a margin for local days


def _read_range(now: datetime) -> tuple[datetime, datetime]:
    return now - READ_BEHIND, now + READ_AHEAD


def _context(mentor_id: str, calendar_id: str) -> dict[str, str]:
    return {"mentorId": mentor_id, "calendarId": calendar_id}


def _source(calendar: StoredCalendar) -> CalendarSource:
    password = None
    if calendar.password_sealed:
        password = gateways.secret_box().open(calendar.password_sealed, _context(calendar.mentor_id, calendar.calendar_id))
    return CalendarSource(calendar.kind, calendar.url, calendar.username, password)


def _read(source: CalendarSource, zone: ZoneInfo, now: datetime) -> BusyTimes:
    """Read and expand one calendar; ReadFailed with a reason for the mentor otherwise."""
    start, end = _read_range(now)
    documents = gateways.calendar_reader().read(source, start, end)
    try:
        return busy_from_icalendar(documents, zone, start, end)
    except UnreadableCalendarData as unreadable:
        raise ReadFailed(str(unreadable)) from None


def mentor_zone(mentor_id: str) -> ZoneInfo:
    """The mentor's zone for all-day events and floating times: the schedule's, else the profile's."""
    head = read_mentor_head(mentor_id)
    if head.schedule is not None:
        return resolve_zone(head.schedule.timezone)
    if head.profile is None:
        raise NotFound("no mentor with that id")
    return resolve_zone(head.profile.timezone)


def connect_calendar(
    mentor_id: str, kind: str, url: str, username: str | None, password: str | None, now: datetime
) -> StoredCalendar:
    store = CalendarStore()
    zone = mentor_zone(mentor_id)
    if len(store.list(mentor_id, consistent=True)) >= MOST_CALENDARS:
        raise ValidationFailed.on("body", f"a mentor can connect at most {MOST_CALENDARS} calendars")
    source = CalendarSource(kind, url, username, password)
    try:
        busy = _read(source, zone, now)
    except ReadFailed as failed:
        if failed.refused_destination:
            raise ValidationFailed.on("body.url", failed.reason) from None
        raise CalendarUnreachable(f"the calendar could not be read: {failed.reason}") from None
    calendar_id = uuid.uuid4().hex
    sealed = gateways.secret_box().seal(password, _context(mentor_id, calendar_id)) if password else None
    stored = store.add(
        StoredCalendar(
            mentor_id=mentor_id,
            calendar_id=calendar_id,
            kind=kind,
            url=url,
            username=username,
            password_sealed=sealed,
            status="ok",
            error=None,
            last_synced_at=now,
            checked_at=now,
            busy=busy,
            created_at=now,
        )
    )
    _directory_changed(mentor_id, now)
    return stored


def _directory_changed(mentor_id: str, now: datetime) -> None:
    from mentorship.services.availability import refresh_next_open  # availability imports us

    refresh_next_open(mentor_id, now)


def calendars_of(mentor_id: str) -> list[StoredCalendar]:
    return sorted(CalendarStore().list(mentor_id, consistent=True), key=lambda c: (c.created_at, c.calendar_id))


def remove_calendar(mentor_id: str, calendar_id: str, now: datetime) -> None:
    if not CalendarStore().delete(mentor_id, calendar_id):
        raise NotFound("you have no calendar with that id")
    _directory_changed(mentor_id, now)


def _refresh(calendar: StoredCalendar, zone: ZoneInfo, now: datetime) -> BusyTimes:
    store = CalendarStore()
    try:
        busy = _read(_source(calendar), zone, now)
    except ReadFailed as failed:
        logger.warning("calendar unreadable", extra={"calendarId": calendar.calendar_id, "reason": failed.reason})
        store.record_failure(calendar.mentor_id, calendar.calendar_id, failed.reason, now)
        return BusyTimes.unknown()
    store.record_read(calendar.mentor_id, calendar.calendar_id, busy, now)
    return busy


def busy_for_listing(calendars: list[StoredCalendar], zone: ZoneInfo, now: datetime) -> tuple[BusyTimes, bool]:
    """Busy times at most 5 minutes old: the cache where fresh, else read again now; and whether
    any calendar was read again. A calendar that failed within the last minute is not re-read
    (and blocks everything meanwhile)."""
    parts, refreshed = [], False
    for calendar in calendars:
        if calendar.status == "ok" and calendar.busy and calendar.last_synced_at and now - calendar.last_synced_at <= LISTING_CACHE_AGE:
            parts.append(calendar.busy)
        elif calendar.status == "error" and calendar.checked_at and now - calendar.checked_at < RETRY_FAILED_AFTER:
            parts.append(BusyTimes.unknown())
        else:
            parts.append(_refresh(calendar, zone, now))
            refreshed = True
    return BusyTimes.combine(parts), refreshed


def cached_busy(calendars: list[StoredCalendar]) -> BusyTimes:
    """Busy times from the caches as they are, however old (for the directory's hint, which
    never calls calendar servers); unknown while any calendar is failing or was never read."""
    return BusyTimes.combine(
        [calendar.busy if calendar.status == "ok" and calendar.busy else BusyTimes.unknown() for calendar in calendars]
    )


def busy_live(mentor_id: str, now: datetime) -> BusyTimes:
    """Busy times read from every calendar now (what a hold checks against); unknown when one
    cannot be read, so the hold refuses."""
    calendars = CalendarStore().list(mentor_id, consistent=True)
    if not calendars:
        return BusyTimes.none()
    zone = mentor_zone(mentor_id)
    return BusyTimes.combine([_refresh(calendar, zone, now) for calendar in calendars])
