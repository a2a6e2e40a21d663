"""PUT /mentors/me, POST /mentors/me/availability, DELETE /mentors/me/availability/{start}."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.factories import add_review, lock_slot

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
MENTOR = {"sub": "mentor-grace", "email": "grace@example.com", "name": "Grace Hopper", "zoneinfo": "America/Chicago"}
PROFILE = {
    "company": "Navy",
    "jobTitle": "Staff Engineer",
    "bio": "Compilers, COBOL and careers.",
    "specialties": ["compilers", "career growth"],
    "yearsOfExperience": 12,
    "hourlyRate": {"amount": 15_000, "currency": "USD"},
    "timezone": "America/Chicago",
}
PUBLISH_ROUTE = "POST /mentors/me/availability"
DELETE_ROUTE = "DELETE /mentors/me/availability/{start}"


def put_profile(mentors_api, body=PROFILE, claims=MENTOR):
    return mentors_api("PUT", "/mentors/me", body=body, claims=claims)


def publish(mentors_api, start, end, claims=MENTOR, **query):
    return mentors_api("POST", "/mentors/me/availability", body={"start": start, "end": end}, claims=claims, query=query or None)


def remove(mentors_api, start, claims=MENTOR):
    return mentors_api("DELETE", f"/mentors/me/availability/{start}", claims=claims, route_key=DELETE_ROUTE)


@pytest.fixture
def mentor(table, clock, mentors_api):
    status, body = put_profile(mentors_api)
    assert status == 200, body
    return body


def test_put_creates_the_profile_from_the_body_and_the_token(mentor):
    assert mentor["mentorId"] == "mentor-grace"
    assert mentor["name"] == "Grace Hopper"
    assert mentor["experienceLevel"] == "staff"
    assert mentor["hourlyRate"] == {"amount": 15_000, "currency": "USD"}
    assert (mentor["averageRating"], mentor["reviewCount"], mentor["totalSessions"]) == (None, 0, 0)
    assert mentor["videoProvider"] == "generated"


def test_put_again_updates_what_the_mentor_owns_and_keeps_what_the_server_owns(mentor, mentors_api):
    add_review("mentor-grace", 4, NOW)
    from mentorship.store.models import MentorProfile

    MentorProfile(pk="MENTOR#mentor-grace", sk="PROFILE").update(
        actions=[MentorProfile.rating_total.set(4), MentorProfile.review_count.set(1), MentorProfile.total_sessions.set(3)]
    )
    status, body = put_profile(mentors_api, {**PROFILE, "jobTitle": "Rear Admiral", "yearsOfExperience": 2})
    assert status == 200
    assert (body["jobTitle"], body["experienceLevel"]) == ("Rear Admiral", "junior")
    assert (body["averageRating"], body["reviewCount"], body["totalSessions"]) == (4.0, 1, 3)
    _, listing = mentors_api("GET", "/mentors", query={"jobFamily": "admiral"})
    assert [card["mentorId"] for card in listing["items"]] == ["mentor-grace"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"averageRating": 5}, "body.averageRating"),
        ({"mentorId": "someone-else"}, "body.mentorId"),
        ({"totalSessions": 100}, "body.totalSessions"),
        ({"timezone": "Moon/Base"}, "body.timezone"),
        ({"hourlyRate": {"amount": 100, "currency": "EUR"}}, "body.hourlyRate.currency"),
        ({"yearsOfExperience": -1}, "body.yearsOfExperience"),
        ({"videoProvider": "manual"}, "body.manualMeetingUrl"),
        ({"videoProvider": "manual", "manualMeetingUrl": "http://insecure.example.com"}, "body.manualMeetingUrl"),
        ({"company": ""}, "body.company"),
    ],
)
def test_put_refuses_bad_or_server_owned_fields(moto_table, clock, mentors_api, change, field):
    status, body = put_profile(mentors_api, {**PROFILE, **change})
    assert status == 422, body
    assert field in [detail["field"] for detail in body["error"]["details"]]


def test_put_with_a_manual_meeting_url(moto_table, clock, mentors_api):
    status, body = put_profile(
        mentors_api, {**PROFILE, "videoProvider": "manual", "manualMeetingUrl": "https://zoom.example.com/j/1"}
    )
    assert (status, body["manualMeetingUrl"]) == (200, "https://zoom.example.com/j/1")


def test_self_service_needs_a_token(moto_table, clock, mentors_api):
    status, body = put_profile(mentors_api, claims=None)
    assert (status, body["error"]["code"]) == (401, "unauthorized")


def test_a_caller_without_a_mentor_profile_gets_403(moto_table, clock, mentors_api):
    mentee = {"sub": "mentee-1", "name": "Ada"}
    status, body = publish(mentors_api, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z", claims=mentee)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, body = remove(mentors_api, "2026-11-25T10:00:00Z", claims=mentee)
    assert (status, body["error"]["code"]) == (403, "forbidden")


def test_publish_cuts_the_window_into_slots_in_the_callers_zone(mentor, mentors_api):
    status, body = publish(mentors_api, "2026-11-25T09:00:00-06:00", "2026-11-25T10:30:00-06:00")
    assert status == 201
    assert body["timezone"] == "America/Chicago"
    assert [(s["start"], s["localStart"], s["available"]) for s in body["slots"]] == [
        ("2026-11-25T15:00:00Z", "2026-11-25T09:00:00-06:00", True),
        ("2026-11-25T15:30:00Z", "2026-11-25T09:30:00-06:00", True),
        ("2026-11-25T16:00:00Z", "2026-11-25T10:00:00-06:00", True),
    ]


def test_publishing_again_keeps_existing_slots_as_they_are(mentor, mentors_api):
    publish(mentors_api, "2026-11-25T15:00:00Z", "2026-11-25T16:00:00Z")
    lock_slot("mentor-grace", datetime(2026, 11, 25, 15, tzinfo=UTC), booked=True)
    status, body = publish(mentors_api, "2026-11-25T14:00:00Z", "2026-11-25T17:00:00Z")
    assert status == 201
    assert [(s["start"][11:16], s["available"]) for s in body["slots"]] == [
        ("14:00", True), ("14:30", True), ("15:00", False), ("15:30", True), ("16:00", True), ("16:30", True),
    ]


def test_dst_change_keeps_the_mentors_wall_clock(table, clock, mentors_api):
    clock.moment = datetime(2026, 10, 25, tzinfo=UTC)
    put_profile(mentors_api)
    before = publish(mentors_api, "2026-10-31T15:00:00-05:00", "2026-10-31T17:00:00-05:00")[1]
    after = publish(mentors_api, "2026-11-02T15:00:00-06:00", "2026-11-02T17:00:00-06:00")[1]
    assert before["slots"][0]["localStart"] == "2026-10-31T15:00:00-05:00"
    assert after["slots"][0]["localStart"] == "2026-11-02T15:00:00-06:00"
    assert (before["slots"][0]["start"], after["slots"][0]["start"]) == ("2026-10-31T20:00:00Z", "2026-11-02T21:00:00Z")
    assert len(before["slots"]) == len(after["slots"]) == 4


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-11-25T15:15:00Z", "2026-11-25T16:00:00Z", "body.start"),  # not on :00/:30
        ("2026-11-25T15:00:00Z", "2026-11-25T16:10:00Z", "body.end"),
        ("2026-11-24T13:00:00Z", "2026-11-24T15:00:00Z", "body.start"),  # in the past
        ("2026-11-25T16:00:00Z", "2026-11-25T15:00:00Z", "body.end"),  # end before start
        ("2026-11-25T15:00:00Z", "2026-12-09T15:30:00Z", "body.end"),  # longer than 14 days
        ("2027-02-20T15:00:00Z", "2027-02-23T15:00:00Z", "body.end"),  # beyond 90 days
        ("2026-11-25T15:00:00", "2026-11-25T16:00:00Z", "body.start"),  # no offset
    ],
)
def test_publish_refuses_bad_windows(mentor, mentors_api, start, end, field):
    status, body = publish(mentors_api, start, end)
    assert status == 422, body
    assert field in [detail["field"] for detail in body["error"]["details"]]


def test_publish_refuses_unknown_fields(mentor, mentors_api):
    status, body = mentors_api(
        "POST", "/mentors/me/availability",
        body={"start": "2026-11-25T15:00:00Z", "end": "2026-11-25T16:00:00Z", "mentorId": "other"}, claims=MENTOR,
    )
    assert status == 422 and body["error"]["details"][0]["field"] == "body.mentorId"


def test_remove_an_open_slot(mentor, mentors_api):
    publish(mentors_api, "2026-11-25T15:00:00Z", "2026-11-25T16:00:00Z")
    assert remove(mentors_api, "2026-11-25T09:00:00-06:00") == (204, None)
    _, body = mentors_api("GET", "/mentors/mentor-grace")
    assert [slot["start"] for slot in body["availability"]["slots"]] == ["2026-11-25T15:30:00Z"]
    status, body = remove(mentors_api, "2026-11-25T15:00:00Z")
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_a_held_or_booked_slot_cannot_be_removed_but_an_expired_hold_can(mentor, mentors_api, clock):
    publish(mentors_api, "2026-11-25T15:00:00Z", "2026-11-25T16:30:00Z")
    lock_slot("mentor-grace", datetime(2026, 11, 25, 15, tzinfo=UTC), booked=True)
    lock_slot("mentor-grace", datetime(2026, 11, 25, 15, 30, tzinfo=UTC), hold_expires_at=NOW + timedelta(minutes=5))
    lock_slot("mentor-grace", datetime(2026, 11, 25, 16, tzinfo=UTC), hold_expires_at=NOW - timedelta(seconds=1))
    for start in ("2026-11-25T15:00:00Z", "2026-11-25T15:30:00Z"):
        status, body = remove(mentors_api, start)
        assert (status, body["error"]["code"]) == (409, "slot_unavailable"), start
    assert remove(mentors_api, "2026-11-25T16:00:00Z") == (204, None)


@pytest.mark.parametrize("start", ["tomorrow", "2026-11-25T15:00:00"])
def test_remove_with_a_bad_start_is_422(mentor, mentors_api, start):
    status, body = remove(mentors_api, start)
    assert status == 422 and body["error"]["details"][0]["field"] == "path.start"


def test_a_mentor_reads_back_their_own_settings(moto_table, clock, mentors_api):
    status, body = mentors_api("GET", "/mentors/me", claims=MENTOR)
    assert (status, body["error"]["code"]) == (404, "not_found")
    put_profile(mentors_api, {**PROFILE, "videoProvider": "manual", "manualMeetingUrl": "https://zoom.example.com/j/1"})
    status, body = mentors_api("GET", "/mentors/me", claims=MENTOR)
    assert (status, body["videoProvider"], body["manualMeetingUrl"]) == (200, "manual", "https://zoom.example.com/j/1")
    assert mentors_api("GET", "/mentors/me", claims=None)[0] == 401
