"""PUT/GET /mentors/me/schedule, and the listings the schedule shapes (weekly rules,
overrides, buffer, notice, horizon and cap)."""

from datetime import datetime, timedelta

import pytest

from tests.support.factories import add_mentor, add_slots, lock_slot

MENTOR = {"sub": "mentor-ada", "email": "ada@example.com", "name": "Ada Lovelace", "zoneinfo": "Europe/Berlin"}
MENTEE = {"sub": "mentee-bob", "email": "bob@example.com", "name": "Bob"}
EXAMPLE = {
    "timezone": "Europe/Berlin",
    "weekly": [{"day": "tuesday", "start": "18:00", "end": "20:00"}],
    "overrides": [
        {"date": "2026-12-24", "intervals": []},
        {"date": "2026-12-27", "intervals": [{"start": "10:00", "end": "12:00"}]},
    ],
    "bufferMinutes": 30,
    "minimumNoticeMinutes": 120,
    "horizonDays": 60,
    "maxSessionsPerDay": 3,
}
SCHEDULE_ROUTE = "/mentors/me/schedule"


def z(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def mentor(moto_table, clock):
    # The shared clock fixture is 2026-11-24T14:00Z (a Tuesday).
    return add_mentor("mentor-ada", "Ada Lovelace", clock.now(), timezone="Europe/Berlin")


def put_schedule(mentors_api, body, claims=MENTOR):
    return mentors_api("PUT", SCHEDULE_ROUTE, body=body, claims=claims)


def availability(mentors_api, start, end, mentor_id="mentor-ada"):
    status, body = mentors_api(
        "GET", f"/mentors/{mentor_id}/availability", query={"from": start, "to": end},
        route_key="GET /mentors/{mentorId}/availability",
    )
    assert status == 200, body
    return [(slot["start"], slot["available"]) for slot in body["slots"]]


def test_put_stores_the_contracts_example_and_get_answers_it(mentor, mentors_api):
    status, body = put_schedule(mentors_api, EXAMPLE)
    assert (status, body) == (200, EXAMPLE)
    assert mentors_api("GET", SCHEDULE_ROUTE, claims=MENTOR) == (200, EXAMPLE)


def test_put_normalizes_order_and_fills_defaults(mentor, mentors_api):
    body = {
        "timezone": "America/New_York",
        "weekly": [{"day": "friday", "start": "09:00", "end": "10:00"}, {"day": "monday", "start": "13:00", "end": "24:00"}],
    }
    status, stored = put_schedule(mentors_api, body)
    assert status == 200, stored
    assert stored["weekly"] == [body["weekly"][1], body["weekly"][0]]
    assert (stored["overrides"], stored["bufferMinutes"], stored["minimumNoticeMinutes"]) == ([], 0, 0)
    assert (stored["horizonDays"], stored["maxSessionsPerDay"]) == (90, None)


def test_get_before_any_schedule_is_not_found(mentor, mentors_api):
    status, body = mentors_api("GET", SCHEDULE_ROUTE, claims=MENTOR)
    assert (status, body["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_without_a_mentor_profile_the_schedule_is_forbidden(moto_table, clock, mentors_api, method):
    status, body = mentors_api(method, SCHEDULE_ROUTE, body=EXAMPLE if method == "PUT" else None, claims=MENTEE)
    assert (status, body["error"]["code"]) == (403, "forbidden")


def test_without_a_token_the_schedule_is_unauthorized(mentor, mentors_api):
    status, body = mentors_api("PUT", SCHEDULE_ROUTE, body=EXAMPLE)
    assert (status, body["error"]["code"]) == (401, "unauthorized")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekly": [{"day": "tuesday", "start": "18:00", "end": "20:00"}, {"day": "tuesday", "start": "19:30", "end": "21:00"}]}, "body.weekly[1]"),
        ({"weekly": [{"day": "tuesday", "start": "18:15", "end": "20:00"}]}, "body.weekly[0].start"),
        ({"weekly": [{"day": "tuesday", "start": "18:00", "end": "18:00"}]}, "body.weekly[0].end"),
        ({"weekly": [{"day": "tuesday", "start": "18:00", "end": "17:00"}]}, "body.weekly[0].end"),
        ({"weekly": [{"day": "someday", "start": "18:00", "end": "20:00"}]}, "body.weekly.0.day"),
        ({"timezone": "Mars/Olympus"}, "body.timezone"),
        ({"timezone": "Asia/Kathmandu"}, "body.timezone"),
        ({"overrides": [{"date": "2026-02-30", "intervals": []}]}, "body.overrides[0].date"),
        ({"overrides": [{"date": "2026-12-27", "intervals": [{"start": "10:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]}]}, "body.overrides[0].intervals[1]"),
        ({"bufferMinutes": 45}, "body.bufferMinutes"),
        ({"bufferMinutes": "30"}, "body.bufferMinutes"),
        ({"horizonDays": 91}, "body.horizonDays"),
        ({"maxSessionsPerDay": 0}, "body.maxSessionsPerDay"),
        ({"minimumNoticeMinutes": True}, "body.minimumNoticeMinutes"),
        ({"mentorId": "someone-else"}, "body.mentorId"),
    ],
)
def test_invalid_schedules_are_422_with_the_field_named_and_nothing_stored(mentor, mentors_api, change, field):
    status, body = put_schedule(mentors_api, {**EXAMPLE, **change})
    assert (status, body["error"]["code"]) == (422, "validation_error"), body
    assert field in [detail["field"] for detail in body["error"]["details"]]
    assert mentors_api("GET", SCHEDULE_ROUTE, claims=MENTOR)[0] == 404


def test_put_replaces_the_whole_schedule(mentor, mentors_api):
    put_schedule(mentors_api, EXAMPLE)
    replacement = {"timezone": "UTC", "weekly": [{"day": "sunday", "start": "00:00", "end": "01:00"}]}
    status, body = put_schedule(mentors_api, replacement)
    assert status == 200 and body["overrides"] == [] and body["maxSessionsPerDay"] is None
    assert mentors_api("GET", SCHEDULE_ROUTE, claims=MENTOR)[1] == body


# ------------------------------------------------------------------ what listings offer


def test_rules_are_offered_in_the_mentors_wall_clock(mentor, mentors_api):
    put_schedule(mentors_api, {"timezone": "Europe/Berlin", "weekly": [{"day": "tuesday", "start": "18:00", "end": "19:00"}]})
    # Tuesday 1 December 2026, Berlin in winter (UTC+1): 18:00 is 17:00Z.
    assert availability(mentors_api, "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z") == [
        ("2026-12-01T17:00:00Z", True),
        ("2026-12-01T17:30:00Z", True),
    ]
    status, profile = mentors_api("GET", "/mentors/mentor-ada", route_key="GET /mentors/{mentorId}")
    assert status == 200
    assert profile["availability"]["slots"][0]["start"] == "2026-11-24T17:00:00Z"


def test_a_buffer_and_notice_hide_published_slots_near_a_booking(mentor, mentors_api, clock):
    now = clock.now()
    start = now.replace(hour=16, minute=0)
    add_slots("mentor-ada", [start + timedelta(minutes=30 * n) for n in range(6)], now)
    lock_slot("mentor-ada", start + timedelta(hours=1), booked=True)
    put_schedule(mentors_api, {"timezone": "UTC", "weekly": [], "bufferMinutes": 30, "minimumNoticeMinutes": 150})
    assert availability(mentors_api, "2026-11-24T16:00:00Z", "2026-11-24T19:00:00Z") == [
        ("2026-11-24T16:00:00Z", False),  # within the 150 minutes' notice
        ("2026-11-24T16:30:00Z", False),  # buffer before the booking at 17:00
        ("2026-11-24T17:00:00Z", False),  # booked
        ("2026-11-24T17:30:00Z", False),  # buffer after it
        ("2026-11-24T18:00:00Z", True),
        ("2026-11-24T18:30:00Z", True),
    ]


def test_the_daily_cap_closes_a_mentors_local_day(mentor, mentors_api, clock):
    put_schedule(mentors_api, {"timezone": "UTC", "weekly": [{"day": "wednesday", "start": "09:00", "end": "11:00"}], "maxSessionsPerDay": 1})
    add_slots("mentor-ada", [z("2026-11-25T09:00:00Z")], clock.now())
    lock_slot("mentor-ada", z("2026-11-25T09:00:00Z"), hold_expires_at=clock.now() + timedelta(minutes=5))
    assert [available for _, available in availability(mentors_api, "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z")] == [False] * 4
    clock.advance(minutes=6)  # the hold expired: the day opens again
    assert [available for _, available in availability(mentors_api, "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z")] == [True] * 4


def test_removing_a_rule_slot_blocks_it_as_a_one_slot_override(mentor, mentors_api):
    put_schedule(mentors_api, {"timezone": "UTC", "weekly": [{"day": "wednesday", "start": "09:00", "end": "10:00"}]})
    status, _ = mentors_api(
        "DELETE", "/mentors/me/availability/2026-11-25T09:30:00Z", claims=MENTOR,
        route_key="DELETE /mentors/me/availability/{start}",
    )
    assert status == 204
    assert availability(mentors_api, "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z") == [("2026-11-25T09:00:00Z", True)]
    # A time no rule gives and nobody published is still 404.
    status, body = mentors_api(
        "DELETE", "/mentors/me/availability/2026-11-25T12:00:00Z", claims=MENTOR,
        route_key="DELETE /mentors/me/availability/{start}",
    )
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_a_held_rule_slot_cannot_be_blocked(table, clock, mentors_api):
    """On both engines: the block's transaction checks the slot's lock (a hold that landed first wins)."""
    add_mentor("mentor-ada", "Ada Lovelace", clock.now(), timezone="Europe/Berlin")
    put_schedule(mentors_api, {"timezone": "UTC", "weekly": [{"day": "wednesday", "start": "09:00", "end": "10:00"}]})
    lock_slot("mentor-ada", z("2026-11-25T09:00:00Z"), hold_expires_at=clock.now() + timedelta(minutes=5))
    status, body = mentors_api(
        "DELETE", "/mentors/me/availability/2026-11-25T09:00:00Z", claims=MENTOR,
        route_key="DELETE /mentors/me/availability/{start}",
    )
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")
    from mentorship.store.schedules import ScheduleStore

    assert ScheduleStore().get("mentor-ada", consistent=True).blocked == frozenset()
