"""Busy times from iCalendar data (RFC 5545), for blocking a mentor's slots.

Recurrence is expanded by `recurring-ical-events` (RRULE, RDATE, EXDATE, and RECURRENCE-ID
instances that move or cancel one occurrence), parsing by `icalendar`; nothing is parsed by
hand. An occurrence blocks unless it is `TRANSP:TRANSPARENT` (shown as free) or
`STATUS:CANCELLED`. An all-day event (DTSTART is a DATE) blocks each of its dates as the
mentor's local day; a floating time (no zone) is read in the mentor's zone. Pure: the caller
reads the data and says which range to expand.

icalendar and recurring-ical-events are imported only here, when a calendar is read, so a cold
start of a route that reads cached busy times does not pay for them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from mentorship.domain.schedules import BusyTimes

MOST_BUSY_INTERVALS = 5_000  # beyond this a calendar is refused rather than cached half


class UnreadableCalendarData(ValueError):
    """The data is not iCalendar we can expand; the message is for the mentor."""


def _instant(value, zone: ZoneInfo) -> datetime:
    if value.tzinfo is None:  # floating time: the mentor's wall clock
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _blocks(component) -> bool:
    transparency = str(component.get("TRANSP", "OPAQUE")).upper()
    status = str(component.get("STATUS", "CONFIRMED")).upper()
    return transparency != "TRANSPARENT" and status != "CANCELLED"


def busy_from_icalendar(documents: list[bytes | str], zone: ZoneInfo, start: datetime, end: datetime) -> BusyTimes:
    """What the VEVENTs of `documents` (whole VCALENDAR texts) make busy in [start, end)."""
    import recurring_ical_events
    from icalendar import Calendar

    intervals: list[tuple[datetime, datetime]] = []
    all_day: set[date] = set()
    for document in documents:
        text = document.decode("utf-8", "replace") if isinstance(document, bytes) else document
        if not text.rstrip().upper().endswith("END:VCALENDAR"):
            raise UnreadableCalendarData("the calendar data is incomplete (no END:VCALENDAR)")
        try:
            calendars = Calendar.from_ical(document, multiple=True)
            occurrences = [
                occurrence
                for calendar in calendars
                for occurrence in recurring_ical_events.of(calendar).between(start, end)
            ]
        except Exception as exc:  # untrusted data: whatever the parsers trip on, the calendar is unreadable
            raise UnreadableCalendarData(f"the calendar data is not valid iCalendar ({type(exc).__name__})") from None
        for event in occurrences:
            if not _blocks(event) or "DTSTART" not in event:
                continue
            first = event.decoded("DTSTART")
            last = event.decoded("DTEND") if "DTEND" in event else None
            if last is None and "DURATION" in event:
                last = first + event.decoded("DURATION")
            if not isinstance(first, datetime):  # a DATE: an all-day event
                last = last if isinstance(last, date) and last > first else first + timedelta(days=1)
                day = first
                while day < last:
                    all_day.add(day)
                    day += timedelta(days=1)
                continue
            if last is None or not isinstance(last, datetime):
                continue  # no end and no duration: the event takes no time (RFC 5545 3.6.1)
            busy_start, busy_end = _instant(first, zone), _instant(last, zone)
            if busy_end > busy_start:
                intervals.append((busy_start, busy_end))
    if len(intervals) > MOST_BUSY_INTERVALS:
        raise UnreadableCalendarData(f"the calendar has more than {MOST_BUSY_INTERVALS} events in the next months")
    return BusyTimes(intervals=tuple(_merge(intervals)), all_day=frozenset(all_day), covers=(start, end))


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for busy_start, busy_end in sorted(intervals):
        if merged and busy_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], busy_end))
        else:
            merged.append((busy_start, busy_end))
    return merged
