"""GET /mentors/{id}, /availability and /reviews: profile, 30-day calendar, reviews, zones."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.factories import add_mentor, add_review, add_slots, lock_slot

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
DETAIL_FIELDS = {
    "mentorId", "name", "avatarUrl", "company", "jobTitle", "yearsOfExperience", "experienceLevel", "hourlyRate",
    "averageRating", "reviewCount", "totalSessions", "bio", "specialties", "timezone", "reviews", "availability", "nextAvailable",
    "cancellationPolicy",
}


@pytest.fixture
def mentor(table, clock):
    return add_mentor("m1", "Grace Hopper", NOW, timezone="America/Chicago")


def test_unknown_mentor_is_404(table, clock, mentors_api):
    for path in ("/mentors/nobody", "/mentors/nobody/availability", "/mentors/nobody/reviews"):
        status, body = mentors_api("GET", path, route_key="GET " + path.replace("nobody", "{mentorId}"))
        assert (status, body["error"]["code"]) == (404, "not_found"), path


def test_profile_without_reviews_or_slots(mentor, mentors_api):
    status, body = mentors_api("GET", "/mentors/m1")
    assert status == 200
    assert set(body) == DETAIL_FIELDS
    assert body["reviews"] == []
    assert body["availability"] == {"timezone": "UTC", "slots": []}
    assert body["timezone"] == "America/Chicago"
    assert body["specialties"] == ["career growth"]


def test_profile_shows_the_ten_newest_reviews_newest_first(mentor, mentors_api):
    for minute in range(12):
        add_review("m1", 1 + minute % 5, NOW - timedelta(days=1, minutes=12 - minute), comment=f"review {minute}")
    _, body = mentors_api("GET", "/mentors/m1")
    assert [review["comment"] for review in body["reviews"]] == [f"review {m}" for m in range(11, 1, -1)]
    assert set(body["reviews"][0]) == {"reviewId", "rating", "comment", "authorName", "createdAt"}


def test_profile_calendar_covers_the_next_30_days_with_taken_slots_disabled(mentor, mentors_api, clock):
    starts = [NOW - timedelta(hours=1), NOW + timedelta(hours=1), NOW + timedelta(hours=2), NOW + timedelta(hours=3),
              NOW + timedelta(hours=4), NOW + timedelta(days=29, hours=23), NOW + timedelta(days=30, hours=1)]
    add_slots("m1", starts, NOW - timedelta(days=1))
    lock_slot("m1", starts[1], booked=True)
    lock_slot("m1", starts[2], hold_expires_at=NOW + timedelta(minutes=3))
    lock_slot("m1", starts[3], hold_expires_at=NOW - timedelta(seconds=1))  # expired: open again
    _, body = mentors_api("GET", "/mentors/m1")
    slots = body["availability"]["slots"]
    assert [slot["start"] for slot in slots] == [
        "2026-11-24T15:00:00Z", "2026-11-24T16:00:00Z", "2026-11-24T17:00:00Z",
        "2026-11-24T18:00:00Z", "2026-12-24T13:00:00Z",
    ]
    assert [slot["available"] for slot in slots] == [False, False, True, True, True]
    assert slots[0]["end"] == "2026-11-24T15:30:00Z"


def test_calendar_in_the_callers_zone_from_tz_then_claim(mentor, mentors_api):
    add_slots("m1", [NOW + timedelta(hours=1)], NOW)
    _, by_param = mentors_api("GET", "/mentors/m1", query={"tz": "Asia/Kolkata"})
    assert by_param["availability"]["timezone"] == "Asia/Kolkata"
    assert by_param["availability"]["slots"][0]["localStart"] == "2026-11-24T20:30:00+05:30"
    _, by_claim = mentors_api("GET", "/mentors/m1", claims={"sub": "u", "name": "U", "zoneinfo": "Europe/Berlin"})
    assert by_claim["availability"]["slots"][0]["localEnd"] == "2026-11-24T16:30:00+01:00"


def test_unknown_zone_is_422(mentor, mentors_api):
    status, body = mentors_api("GET", "/mentors/m1", query={"tz": "Atlantis/Capital"})
    assert status == 422
    assert body["error"]["details"][0]["field"] == "query.tz"


def test_local_times_across_the_dst_change_keep_the_wall_clock(table, clock, mentors_api):
    clock.moment = datetime(2026, 10, 20, tzinfo=UTC)
    add_mentor("m1", "Grace", clock.moment, timezone="America/Chicago")
    # 15:00 Chicago time on Oct 31 (CDT, -05:00) and Nov 2 (CST, -06:00).
    add_slots("m1", [datetime(2026, 10, 31, 20, tzinfo=UTC), datetime(2026, 11, 2, 21, tzinfo=UTC)], clock.moment)
    status, body = mentors_api(
        "GET", "/mentors/m1/availability",
        query={"from": "2026-10-31T00:00:00-05:00", "to": "2026-11-03T00:00:00-06:00", "tz": "America/Chicago"},
        route_key="GET /mentors/{mentorId}/availability",
    )
    assert status == 200
    assert [slot["localStart"] for slot in body["slots"]] == ["2026-10-31T15:00:00-05:00", "2026-11-02T15:00:00-06:00"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-11-25T00:00:00Z", "to": "2026-12-27T00:00:00Z"}, "query.to"),  # 32 days
        ({"from": "2026-11-25T00:00:00Z", "to": "2026-11-24T00:00:00Z"}, "query.to"),
        ({"from": "2026-11-25T00:00:00"}, "query.from"),  # no offset
        ({"to": "next week"}, "query.to"),
    ],
)
def test_bad_availability_ranges_are_422(mentor, mentors_api, query, field):
    status, body = mentors_api("GET", "/mentors/m1/availability", query=query, route_key="GET /mentors/{mentorId}/availability")
    assert status == 422
    assert body["error"]["details"][0]["field"] == field


def test_availability_range_of_31_days_is_fine(mentor, mentors_api):
    status, _ = mentors_api(
        "GET", "/mentors/m1/availability", query={"from": "2026-11-25T00:00:00Z", "to": "2026-12-26T00:00:00Z"},
        route_key="GET /mentors/{mentorId}/availability",
    )
    assert status == 200


def test_reviews_page_newest_first_to_the_end(mentor, mentors_api):
    for day in range(5):
        add_review("m1", 5, NOW - timedelta(days=day), comment=f"day {day}")
    seen, cursor = [], None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        status, body = mentors_api("GET", "/mentors/m1/reviews", query=query, route_key="GET /mentors/{mentorId}/reviews")
        assert status == 200
        seen += [review["comment"] for review in body["items"]]
        cursor = body["nextCursor"]
        if not cursor:
            break
    assert seen == [f"day {day}" for day in range(5)]


def test_on_public_routes_the_zone_claim_of_an_unverified_token_is_a_display_preference(mentor, mentors_api):
    import base64
    import json

    payload = base64.urlsafe_b64encode(json.dumps({"sub": "x", "zoneinfo": "Asia/Tokyo"}).encode()).decode().rstrip("=")
    add_slots("m1", [NOW + timedelta(hours=1)], NOW)
    _, body = mentors_api("GET", "/mentors/m1", headers={"authorization": f"Bearer e30.{payload}.sig"})
    assert body["availability"]["timezone"] == "Asia/Tokyo"
    _, garbage = mentors_api("GET", "/mentors/m1", headers={"authorization": "Bearer not-a-jwt"})
    assert garbage["availability"]["timezone"] == "UTC"
