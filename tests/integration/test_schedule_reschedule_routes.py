"""POST /bookings/{id}/reschedule through BookingFunction for a mentor with a weekly schedule and
a connected calendar (an ICS feed served on 127.0.0.1): the new time must be one the offering
gives, with the calendar read live, as for a hold (decisions §19)."""

import pytest

from tests.support.calendar_servers import vcalendar, vevent
from tests.support.commitments import hold_and_confirm
from tests.support.factories import add_mentor

MENTOR = {"sub": "mentor-ada", "email": "ada@example.com", "name": "Ada Lovelace"}
MENTEE = {"sub": "mentee-bob", "email": "bob@example.com", "name": "Bob"}
OTHER = {"sub": "mentee-cy", "email": "cy@example.com", "name": "Cy"}
TOPIC = "Moving from senior to staff engineer"
# Wednesday 25 and Thursday 26 November 2026, 09:00-13:00 in Berlin (UTC+1): 08:00-12:00Z.
SCHEDULE = {
    "timezone": "Europe/Berlin",
    "weekly": [{"day": day, "start": "09:00", "end": "13:00"} for day in ("wednesday", "thursday")],
    "bufferMinutes": 30,
    "maxSessionsPerDay": 2,
}
# The mentor's own calendar: busy on Thursday 10:00-11:00Z.
BUSY = vcalendar(vevent("dentist", "DTSTART:20261126T100000Z", "DTEND:20261126T110000Z"))
WEDNESDAY_8 = "2026-11-25T08:00:00Z"


@pytest.fixture
def session(moto_table, clock, outbox, loopback_calendars, ics_feeds, mentors_api, booking_api):
    """A confirmed 30-minute session on Wednesday 08:00Z with the calendar connected."""
    add_mentor("mentor-ada", "Ada Lovelace", clock.now(), timezone="Europe/Berlin")
    assert mentors_api("PUT", "/mentors/me/schedule", body=SCHEDULE, claims=MENTOR)[0] == 200
    url = ics_feeds.serve("/ada.ics", BUSY)
    assert mentors_api("POST", "/mentors/me/calendars", body={"type": "ics", "url": url}, claims=MENTOR)[0] == 201
    return book(booking_api, WEDNESDAY_8)


def book(booking_api, start, claims=MENTEE, minutes=30):
    body = {"mentorId": "mentor-ada", "start": start, "durationMinutes": minutes, "topic": TOPIC}
    return hold_and_confirm(booking_api, body, claims)


def reschedule(booking_api, booking_id, start):
    return booking_api(
        "POST", f"/bookings/{booking_id}/reschedule", body={"start": start}, claims=MENTOR,
        route_key="POST /bookings/{bookingId}/reschedule",
    )


def start_of(booking_api, booking_id):
    status, body = booking_api("GET", f"/bookings/{booking_id}", claims=MENTEE, route_key="GET /bookings/{bookingId}")
    assert status == 200
    return body["start"]


def availability(mentors_api, day):
    status, body = mentors_api(
        "GET", "/mentors/mentor-ada/availability", query={"from": f"{day}T00:00:00Z", "to": f"{day}T23:59:00Z"},
        route_key="GET /mentors/{mentorId}/availability",
    )
    assert status == 200, body
    return {slot["start"][11:16]: slot["available"] for slot in body["slots"]}


def test_a_reschedule_onto_a_rule_only_slot_is_200_and_the_listing_follows(session, booking_api, mentors_api):
    status, body = reschedule(booking_api, session["bookingId"], "2026-11-26T08:00:00Z")
    assert (status, body["start"], body["end"]) == (200, "2026-11-26T08:00:00Z", "2026-11-26T08:30:00Z"), body
    thursday = availability(mentors_api, "2026-11-26")
    assert thursday["08:00"] is False and thursday["08:30"] is False  # the session and its buffer
    assert availability(mentors_api, "2026-11-25")["08:00"] is True  # the old time is open again


@pytest.mark.parametrize(
    "new_start, why",
    [
        ("2026-11-26T10:00:00Z", "busy in the mentor's own calendar"),
        ("2026-11-26T10:30:00Z", "busy in the mentor's own calendar (overlapping its end)"),
        ("2026-11-25T14:00:00Z", "outside the weekly rules"),
        ("2026-11-24T14:30:00Z", "on a day the rules leave empty (Tuesday)"),
    ],
)
def test_a_reschedule_to_a_time_not_offered_is_409_slot_unavailable(session, booking_api, new_start, why):
    status, body = reschedule(booking_api, session["bookingId"], new_start)
    assert (status, body["error"]["code"]) == (409, "slot_unavailable"), body
    assert start_of(booking_api, session["bookingId"]) == WEDNESDAY_8


def test_buffers_and_the_daily_cap_bind_a_reschedule_as_they_bind_a_hold(session, booking_api):
    book(booking_api, "2026-11-26T09:00:00Z", claims=OTHER)  # Thursday 09:00-09:30, buffered 08:30-10:00
    status, body = reschedule(booking_api, session["bookingId"], "2026-11-26T08:30:00Z")
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")  # inside that buffer
    book(booking_api, "2026-11-26T11:00:00Z", claims=OTHER)  # Thursday now has its two sessions
    status, body = reschedule(booking_api, session["bookingId"], "2026-11-26T08:00:00Z")
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")  # the day is full
    assert start_of(booking_api, session["bookingId"]) == WEDNESDAY_8


def test_a_calendar_that_cannot_be_read_refuses_the_reschedule_and_says_why(session, booking_api, mentors_api, ics_feeds):
    ics_feeds.serve("/ada.ics", "oops", status=500)
    status, body = reschedule(booking_api, session["bookingId"], "2026-11-26T08:00:00Z")
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")  # fail closed: read live, not from the cache
    assert start_of(booking_api, session["bookingId"]) == WEDNESDAY_8
    (calendar,) = mentors_api("GET", "/mentors/me/calendars", claims=MENTOR)[1]["items"]
    assert calendar["status"] == "error" and "500" in calendar["error"]


def test_a_new_busy_event_is_seen_by_the_reschedule_at_once(session, booking_api, ics_feeds):
    """The listing's cache is fresh (under 5 minutes), but the reschedule reads the calendar live."""
    ics_feeds.serve("/ada.ics", vcalendar(vevent("new", "DTSTART:20261126T080000Z", "DTEND:20261126T083000Z")))
    status, body = reschedule(booking_api, session["bookingId"], "2026-11-26T08:00:00Z")
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")
    status, body = reschedule(booking_api, session["bookingId"], "2026-11-26T10:00:00Z")  # the dentist is gone
    assert (status, body["start"]) == (200, "2026-11-26T10:00:00Z")
