"""Busy times from iCalendar data: recurrence, exceptions, transparency, cancellation, all-day."""

from datetime import UTC, date, datetime

import pytest

from mentorship.domain.busy import UnreadableCalendarData, busy_from_icalendar
from mentorship.domain.instants import resolve_zone

BERLIN = resolve_zone("Europe/Berlin")
FROM, TO = datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)


def calendar(*events: str) -> str:
    body = "\r\n".join(events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}\r\nEND:VCALENDAR\r\n"


def event(uid: str, *lines: str) -> str:
    return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z", *lines, "END:VEVENT"])


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_weekly_series_with_an_exdate_a_moved_and_a_cancelled_occurrence():
    data = calendar(
        event(
            "standup",
            "DTSTART;TZID=Europe/Berlin:20261201T090000",
            "DTEND;TZID=Europe/Berlin:20261201T100000",
            "RRULE:FREQ=WEEKLY;COUNT=5",
            "EXDATE;TZID=Europe/Berlin:20261208T090000",
        ),
        event(
            "standup",
            "RECURRENCE-ID;TZID=Europe/Berlin:20261215T090000",
            "DTSTART;TZID=Europe/Berlin:20261215T140000",
            "DTEND;TZID=Europe/Berlin:20261215T150000",
        ),
        event(
            "standup",
            "RECURRENCE-ID;TZID=Europe/Berlin:20261222T090000",
            "DTSTART;TZID=Europe/Berlin:20261222T090000",
            "DTEND;TZID=Europe/Berlin:20261222T100000",
            "STATUS:CANCELLED",
        ),
    )
    busy = busy_from_icalendar([data], BERLIN, FROM, TO)
    assert busy.intervals == (
        (z("2026-12-01T08:00:00Z"), z("2026-12-01T09:00:00Z")),
        (z("2026-12-15T13:00:00Z"), z("2026-12-15T14:00:00Z")),  # moved to the afternoon
        (z("2026-12-29T08:00:00Z"), z("2026-12-29T09:00:00Z")),
    )
    assert busy.covers == (FROM, TO)


def test_transparent_and_cancelled_events_do_not_block():
    data = calendar(
        event("free", "DTSTART:20261202T100000Z", "DTEND:20261202T110000Z", "TRANSP:TRANSPARENT"),
        event("off", "DTSTART:20261203T100000Z", "DTEND:20261203T110000Z", "STATUS:CANCELLED"),
        event("busy", "DTSTART:20261204T100000Z", "DURATION:PT45M"),
    )
    busy = busy_from_icalendar([data], BERLIN, FROM, TO)
    assert busy.intervals == ((z("2026-12-04T10:00:00Z"), z("2026-12-04T10:45:00Z")),)


def test_all_day_events_block_their_dates_and_floating_times_are_the_mentors_wall_clock():
    data = calendar(
        event("holiday", "DTSTART;VALUE=DATE:20261224", "DTEND;VALUE=DATE:20261227"),
        event("one-day", "DTSTART;VALUE=DATE:20261231"),
        event("floating", "DTSTART:20261210T180000", "DTEND:20261210T190000"),
    )
    busy = busy_from_icalendar([data], BERLIN, FROM, TO)
    assert busy.all_day == {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 31)}
    assert busy.intervals == ((z("2026-12-10T17:00:00Z"), z("2026-12-10T18:00:00Z")),)


def test_overlapping_events_of_several_documents_merge():
    first = calendar(event("a", "DTSTART:20261202T100000Z", "DTEND:20261202T110000Z"))
    second = calendar(event("b", "DTSTART:20261202T103000Z", "DTEND:20261202T120000Z"))
    busy = busy_from_icalendar([first, second], BERLIN, FROM, TO)
    assert busy.intervals == ((z("2026-12-02T10:00:00Z"), z("2026-12-02T12:00:00Z")),)


def test_only_occurrences_in_the_range_are_kept():
    data = calendar(event("daily", "DTSTART:20261101T100000Z", "DTEND:20261101T103000Z", "RRULE:FREQ=DAILY"))
    busy = busy_from_icalendar([data], BERLIN, FROM, datetime(2026, 12, 3, tzinfo=UTC))
    assert [start.day for start, _ in busy.intervals] == [1, 2]


@pytest.mark.parametrize("data", ["this is not a calendar", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"])
def test_data_that_is_not_icalendar_is_unreadable(data):
    with pytest.raises(UnreadableCalendarData):
        busy_from_icalendar([data], BERLIN, FROM, TO)
