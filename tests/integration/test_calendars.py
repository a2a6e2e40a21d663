"""POST/GET/DELETE /mentors/me/calendars against real servers on 127.0.0.1 (Radicale for CalDAV,
a plain HTTP server for ICS feeds): read once before the 201, passwords sealed and never shown,
busy times blocking slots, the 5-minute cache, a live re-read, and failing closed."""

import logging
from datetime import UTC, datetime

import pytest

from mentorship.services import calendars as calendar_service
from tests.support.calendar_servers import vcalendar, vevent
from tests.support.factories import add_mentor

MENTOR = {"sub": "mentor-ada", "email": "ada@example.com", "name": "Ada Lovelace"}
CALENDARS = "/mentors/me/calendars"
DELETE_ROUTE = "DELETE /mentors/me/calendars/{calendarId}"
# Wednesday 25 November 2026, Berlin (UTC+1): the mentor works 09:00-13:00 local, 08:00-12:00Z.
WORKDAY = {"timezone": "Europe/Berlin", "weekly": [{"day": "wednesday", "start": "09:00", "end": "13:00"}]}


@pytest.fixture
def mentor(moto_table, clock, loopback_calendars, mentors_api):
    add_mentor("mentor-ada", "Ada Lovelace", clock.now(), timezone="Europe/Berlin")
    assert mentors_api("PUT", "/mentors/me/schedule", body=WORKDAY, claims=MENTOR)[0] == 200
    return "mentor-ada"


def connect(mentors_api, body):
    return mentors_api("POST", CALENDARS, body=body, claims=MENTOR)


def offered(mentors_api, day="2026-11-25"):
    status, body = mentors_api(
        "GET", "/mentors/mentor-ada/availability", query={"from": f"{day}T00:00:00Z", "to": f"{day}T23:59:00Z"},
        route_key="GET /mentors/{mentorId}/availability",
    )
    assert status == 200, body
    return [slot["start"][11:16] for slot in body["slots"] if slot["available"]]


ALL_MORNING = ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


def test_a_caldav_calendar_with_credentials_is_read_before_the_201_and_blocks_slots(mentor, mentors_api, radicale, caplog):
    caplog.set_level(logging.DEBUG)
    url = radicale.calendar(
        "ada-work",
        [
            # Weekly 10:00-11:00 Berlin from 18 Nov, with 2 December excepted.
            vcalendar(vevent(
                "standup", "DTSTART;TZID=Europe/Berlin:20261118T100000", "DTEND;TZID=Europe/Berlin:20261118T110000",
                "RRULE:FREQ=WEEKLY", "EXDATE;TZID=Europe/Berlin:20261202T100000",
            )),
            vcalendar(vevent("lunch", "DTSTART:20261125T113000Z", "DTEND:20261125T120000Z", "TRANSP:TRANSPARENT")),
            vcalendar(vevent("called-off", "DTSTART:20261125T080000Z", "DTEND:20261125T083000Z", "STATUS:CANCELLED")),
        ],
    )
    status, body = connect(mentors_api, {"type": "caldav", "url": url, "username": radicale.username, "password": radicale.password})
    assert status == 201, body
    assert set(body) == {"calendarId", "type", "url", "username", "status", "error", "lastSyncedAt"}
    assert (body["type"], body["url"], body["username"]) == ("caldav", url, radicale.username)
    assert (body["status"], body["error"], body["lastSyncedAt"]) == ("ok", None, "2026-11-24T14:00:00Z")
    # The recurring event blocks 09:00-10:00Z; the transparent and the cancelled ones block nothing.
    assert offered(mentors_api) == ["08:00", "08:30", "10:00", "10:30", "11:00", "11:30"]
    assert offered(mentors_api, "2026-12-02") == ALL_MORNING  # the EXDATE
    assert offered(mentors_api, "2026-12-09") == ["08:00", "08:30", "10:00", "10:30", "11:00", "11:30"]
    # The password is never answered, stored in the clear or logged.
    listing = mentors_api("GET", CALENDARS, claims=MENTOR)[1]
    assert radicale.password not in str(listing) and "password" not in str(listing)
    from mentorship.store.models import CalendarConnection

    (stored,) = CalendarConnection.query("MENTOR#mentor-ada", CalendarConnection.sk.startswith("PROFILE#CALENDAR#"))
    assert stored.password_sealed and radicale.password not in stored.password_sealed
    assert radicale.password not in caplog.text


def test_wrong_credentials_are_422_calendar_unreachable_and_nothing_is_stored(mentor, mentors_api, radicale):
    url = radicale.calendar("ada-private")
    status, body = connect(mentors_api, {"type": "caldav", "url": url, "username": radicale.username, "password": "wrong"})
    assert (status, body["error"]["code"]) == (422, "calendar_unreachable")
    assert "credentials" in body["error"]["message"]
    assert mentors_api("GET", CALENDARS, claims=MENTOR) == (200, {"items": []})


def test_an_all_day_event_in_an_ics_feed_blocks_the_mentors_local_day(mentor, mentors_api, ics_feeds):
    url = ics_feeds.serve("/ada.ics", vcalendar(vevent("off", "DTSTART;VALUE=DATE:20261125", "DTEND;VALUE=DATE:20261126")))
    status, body = connect(mentors_api, {"type": "ics", "url": url})
    assert (status, body["status"], body["type"]) == (201, "ok", "ics")
    assert offered(mentors_api) == []
    assert offered(mentors_api, "2026-12-02") == ALL_MORNING


def test_listings_use_busy_times_at_most_five_minutes_old_then_read_again(mentor, mentors_api, ics_feeds, clock):
    url = ics_feeds.serve("/ada.ics", vcalendar(vevent("a", "DTSTART:20261125T080000Z", "DTEND:20261125T090000Z")))
    connect(mentors_api, {"type": "ics", "url": url})
    reads = len(ics_feeds.requests)
    ics_feeds.serve("/ada.ics", vcalendar(vevent("b", "DTSTART:20261125T110000Z", "DTEND:20261125T120000Z")))
    clock.advance(minutes=5)
    assert offered(mentors_api) == ALL_MORNING[2:]  # the cached read, not the feed's new content
    assert len(ics_feeds.requests) == reads
    clock.advance(seconds=1)
    assert offered(mentors_api) == ALL_MORNING[:6]  # older than 5 minutes: read again
    assert len(ics_feeds.requests) == reads + 1


def test_a_calendar_that_stops_answering_fails_closed_and_says_why(mentor, mentors_api, ics_feeds, clock):
    url = ics_feeds.serve("/ada.ics", vcalendar())
    calendar_id = connect(mentors_api, {"type": "ics", "url": url})[1]["calendarId"]
    assert offered(mentors_api) == ALL_MORNING
    ics_feeds.serve("/ada.ics", "oops", status=500)
    clock.advance(minutes=6)
    assert offered(mentors_api) == []
    (calendar,) = mentors_api("GET", CALENDARS, claims=MENTOR)[1]["items"]
    assert (calendar["calendarId"], calendar["status"]) == (calendar_id, "error")
    assert "500" in calendar["error"]
    # Fixed again: the next read after a minute finds it, and the slots come back.
    ics_feeds.serve("/ada.ics", vcalendar())
    clock.advance(minutes=1)
    assert offered(mentors_api) == ALL_MORNING
    assert mentors_api("GET", CALENDARS, claims=MENTOR)[1]["items"][0]["status"] == "ok"


def test_the_hold_side_reads_busy_times_live(mentor, mentors_api, radicale, clock):
    url = radicale.calendar("ada-live")
    connect(mentors_api, {"type": "caldav", "url": url, "username": radicale.username, "password": radicale.password})
    radicale.add_event(url, vcalendar(vevent("new", "DTSTART:20261125T100000Z", "DTEND:20261125T103000Z")))
    assert offered(mentors_api) == ALL_MORNING  # the cache is fresh: the new event is not seen yet
    busy = calendar_service.busy_live("mentor-ada", clock.now())
    assert busy.intervals == ((datetime(2026, 11, 25, 10, tzinfo=UTC), datetime(2026, 11, 25, 10, 30, tzinfo=UTC)),)
    assert not busy.unreadable
    assert offered(mentors_api) == [t for t in ALL_MORNING if t != "10:00"]  # the live read refreshed the cache


def test_an_unreachable_url_is_422_calendar_unreachable(mentor, mentors_api, ics_feeds):
    status, body = connect(mentors_api, {"type": "ics", "url": ics_feeds.url("/missing.ics")})
    assert (status, body["error"]["code"]) == (422, "calendar_unreachable")
    assert "404" in body["error"]["message"]
    status, body = connect(mentors_api, {"type": "ics", "url": ics_feeds.serve("/junk.ics", "not a calendar")})
    assert (status, body["error"]["code"]) == (422, "calendar_unreachable")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "ics", "url": "ftp://127.0.0.1/a.ics"}, "body.url"),
        ({"type": "ics", "url": "file:///etc/passwd"}, "body.url"),
        ({"type": "ics", "url": "http://127.0.0.1/a.ics", "password": "x"}, "body.password"),
        ({"type": "exchange", "url": "http://127.0.0.1/a.ics"}, "body.type"),
        ({"type": "ics", "url": "http://u:p@127.0.0.1/a.ics"}, "body.url"),
    ],
)
def test_bad_calendar_requests_are_422(mentor, mentors_api, body, field):
    status, answer = connect(mentors_api, body)
    assert (status, answer["error"]["code"]) == (422, "validation_error"), answer
    assert field in [detail["field"] for detail in answer["error"]["details"]]


def test_outside_the_local_stack_loopback_urls_are_refused(moto_table, clock, sealing_key, mentors_api, ics_feeds):
    """The reader with AWS's policy: a URL on 127.0.0.1 is a 422 on body.url, never fetched."""
    from mentorship import gateways
    from mentorship.gateways.calendars import HttpCalendarReader
    from mentorship.gateways.outbound_http import OutboundPolicy

    add_mentor("mentor-ada", "Ada Lovelace", clock.now())
    gateways.use(calendars=HttpCalendarReader(OutboundPolicy()))
    try:
        url = ics_feeds.serve("/ada.ics", vcalendar())
        status, body = connect(mentors_api, {"type": "ics", "url": url})
    finally:
        gateways.use()
    assert (status, body["error"]["code"]) == (422, "validation_error")
    assert body["error"]["details"][0]["field"] == "body.url"
    assert ics_feeds.requests == []


def test_delete_removes_a_calendar_and_its_busy_times(mentor, mentors_api, ics_feeds):
    url = ics_feeds.serve("/ada.ics", vcalendar(vevent("off", "DTSTART;VALUE=DATE:20261125")))
    calendar_id = connect(mentors_api, {"type": "ics", "url": url})[1]["calendarId"]
    assert mentors_api("DELETE", f"{CALENDARS}/{calendar_id}", claims=MENTOR, route_key=DELETE_ROUTE) == (204, None)
    assert offered(mentors_api) == ALL_MORNING
    status, body = mentors_api("DELETE", f"{CALENDARS}/{calendar_id}", claims=MENTOR, route_key=DELETE_ROUTE)
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_at_most_five_calendars(mentor, mentors_api, ics_feeds):
    url = ics_feeds.serve("/ada.ics", vcalendar())
    for _ in range(5):
        assert connect(mentors_api, {"type": "ics", "url": url})[0] == 201
    status, body = connect(mentors_api, {"type": "ics", "url": url})
    assert (status, body["error"]["code"]) == (422, "validation_error")


def test_calendars_are_for_mentors_only(moto_table, clock, mentors_api):
    status, body = mentors_api("GET", CALENDARS, claims={"sub": "mentee-bob", "name": "Bob"})
    assert (status, body["error"]["code"]) == (403, "forbidden")


def directory_ids(mentors_api, availability):
    status, body = mentors_api("GET", "/mentors", query={"availability": availability})
    assert status == 200, body
    return [card["mentorId"] for card in body["items"]]


def test_the_directory_filter_follows_the_offering(mentor, mentors_api, ics_feeds, clock):
    """next_open_at, which the availability filter reads, comes from the same function: rule
    slots count (switch on), and a busy calendar takes the mentor out of "today"."""
    assert directory_ids(mentors_api, "week") == ["mentor-ada"]  # Wednesday's rule slots
    url = ics_feeds.serve("/ada.ics", vcalendar(vevent("off", "DTSTART;VALUE=DATE:20261125", "DTEND;VALUE=DATE:20261202")))
    calendar_id = connect(mentors_api, {"type": "ics", "url": url})[1]["calendarId"]
    assert directory_ids(mentors_api, "week") == []  # every rule slot this week is busy
    assert directory_ids(mentors_api, "month") == ["mentor-ada"]  # 2 December is free
    mentors_api("DELETE", f"{CALENDARS}/{calendar_id}", claims=MENTOR, route_key=DELETE_ROUTE)
    assert directory_ids(mentors_api, "week") == ["mentor-ada"]
