"""What a listing of a mentor with a weekly schedule and a connected calendar costs: DynamoDB
requests and items read (counted from botocore's events, as `make bench` does) must not grow with
the horizon or with how long the mentor has been active."""

from datetime import timedelta

import pytest

from bench import counting
from tests.support.calendar_servers import vcalendar, vevent
from tests.support.factories import add_booking, add_mentor, add_review, add_slots

MENTOR = {"sub": "mentor-ada", "email": "ada@example.com", "name": "Ada Lovelace"}


def measured(mentors_api, method, path, route_key, **kwargs):
    with counting.recording() as recording:
        status, body = mentors_api(method, path, route_key=route_key, **kwargs)
    assert status == 200, body
    return recording.count, recording.items_read, recording.scans, body


def setup_mentor(mentors_api, ics_feeds, clock, *, horizon_days, history_days):
    now = clock.now()
    mentor = add_mentor("mentor-ada", "Ada Lovelace", now, timezone="Europe/Berlin")
    weekly = [{"day": day, "start": "09:00", "end": "17:00"} for day in ("monday", "tuesday", "wednesday", "thursday", "friday")]
    body = {"timezone": "Europe/Berlin", "weekly": weekly, "horizonDays": horizon_days, "bufferMinutes": 30}
    assert mentors_api("PUT", "/mentors/me/schedule", body=body, claims=MENTOR)[0] == 200
    url = ics_feeds.serve("/ada.ics", vcalendar(vevent("w", "DTSTART:20261125T100000Z", "DTEND:20261125T110000Z", "RRULE:FREQ=DAILY")))
    assert mentors_api("POST", "/mentors/me/calendars", body={"type": "ics", "url": url}, claims=MENTOR)[0] == 201
    # History: published slots, bookings and reviews of the past `history_days`.
    past = [now - timedelta(days=history_days) + timedelta(hours=2 * n) for n in range(history_days * 12)]
    add_slots("mentor-ada", past, now)
    for day in range(0, history_days, 3):
        add_booking(mentor, "mentee-bob", now - timedelta(days=day + 1), now=now)
        add_review("mentor-ada", 5, now - timedelta(days=day + 1))


@pytest.mark.parametrize(
    ("route", "path", "route_key"),
    [
        ("availability", "/mentors/mentor-ada/availability", "GET /mentors/{mentorId}/availability"),
        ("profile", "/mentors/mentor-ada", "GET /mentors/{mentorId}"),
    ],
)
def test_listing_cost_does_not_grow_with_horizon_or_history(
    moto_table, clock, mentors_api, ics_feeds, loopback_calendars, rules_offered, route, path, route_key
):
    counting.install()
    from mentorship.store.models import ALL_MODELS

    for model in ALL_MODELS:  # new connections, so their botocore sessions carry the counter
        model._connection = None
    setup_mentor(mentors_api, ics_feeds, clock, horizon_days=7, history_days=40)
    small = measured(mentors_api, "GET", path, route_key)
    # The same mentor, now with a 90-day horizon and months of history.
    from mentorship.store.models import TableItem

    for item in list(TableItem.query("MENTOR#mentor-ada")):
        item.delete()
    setup_mentor(mentors_api, ics_feeds, clock, horizon_days=90, history_days=120)
    large = measured(mentors_api, "GET", path, route_key)
    assert small[:3] == large[:3], (small[:3], large[:3])  # requests, items read, scans
    requests, items, scans, body = large
    assert requests == (2 if route == "availability" else 3) and items > 0 and scans == 0
    slots = body["slots"] if route == "availability" else body["availability"]["slots"]
    assert any(slot["available"] for slot in slots)
    print(f"{route}: {requests} requests, {items} items read")
