"""GET /me/bookings through the real handler: auth, roles, scopes, order, zones, isolation."""

from datetime import UTC, datetime, timedelta

import pytest

from functions.booking.app import lambda_handler
from tests.support.factories import add_booking, add_mentor
from tests.support.lambda_helpers import LambdaContext, response_json

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
MENTEE = {"sub": "mentee-1", "email": "ada@example.com", "name": "Ada"}
BOOKING_FIELDS = {
    "bookingId", "status", "mentorId", "mentorName", "menteeId", "menteeName", "start", "end", "localStart",
    "localEnd", "timezone", "durationMinutes", "price", "topic", "meetingUrl", "createdAt", "holdExpiresAt",
    # the contract's commitments: the policy kept, and what a cancel or no-show did or would refund
    "cancellationPolicy", "cancelledBy", "refund", "refundStatus", "refundAttempts", "absent", "refundIfCancelledNow",
}


def get(http_event, query=None, claims=MENTEE):
    response = lambda_handler(http_event("GET", "/me/bookings", query=query, claims=claims), LambdaContext())
    return response["statusCode"], response_json(response)


def test_no_token_claims_is_401(moto_table, http_event):
    status, body = get(http_event, claims=None)
    assert (status, body["error"]["code"]) == (401, "unauthorized")


def test_no_bookings_yet_is_an_empty_page(table, http_event):
    assert get(http_event) == (200, {"items": [], "nextCursor": None})


@pytest.fixture
def schedule(table):
    mentor = add_mentor("mentor-1", "Grace", NOW, timezone="America/Chicago")
    starts = {
        "tomorrow": NOW + timedelta(days=1),
        "next_week": NOW + timedelta(days=7),
        "ongoing": NOW - timedelta(minutes=30),  # 60 minutes long: not over yet
        "yesterday": NOW - timedelta(days=1),
        "last_month": NOW - timedelta(days=30),
    }
    bookings = {name: add_booking(mentor, "mentee-1", start, now=NOW) for name, start in starts.items()}
    bookings["someone_else"] = add_booking(mentor, "mentee-2", NOW + timedelta(days=2), now=NOW)
    return bookings


def test_upcoming_is_ascending_by_start_and_includes_ongoing_sessions(schedule, http_event):
    status, body = get(http_event)
    assert status == 200
    ids = [item["bookingId"] for item in body["items"]]
    assert ids == [schedule[name].booking_id for name in ("ongoing", "tomorrow", "next_week")]


def test_past_is_descending_and_reads_completed(schedule, http_event):
    _, body = get(http_event, {"scope": "past"})
    assert [item["bookingId"] for item in body["items"]] == [
        schedule["yesterday"].booking_id,
        schedule["last_month"].booking_id,
    ]
    assert {item["status"] for item in body["items"]} == {"completed"}
    assert all(item["meetingUrl"] is None for item in body["items"])


def test_a_mentee_never_sees_another_mentees_bookings(schedule, http_event):
    _, body = get(http_event, {"scope": "upcoming"}, claims={"sub": "mentee-2", "name": "Bob"})
    assert [item["bookingId"] for item in body["items"]] == [schedule["someone_else"].booking_id]


def test_the_mentor_dashboard_lists_every_mentees_sessions(schedule, http_event):
    _, body = get(http_event, {"role": "mentor"}, claims={"sub": "mentor-1", "name": "Grace"})
    assert len(body["items"]) == 4
    _, as_mentee = get(http_event, {"role": "mentee"}, claims={"sub": "mentor-1", "name": "Grace"})
    assert as_mentee["items"] == []


def test_items_have_the_contract_fields_and_times_in_the_callers_zone(schedule, http_event):
    _, body = get(http_event, {"tz": "Asia/Kolkata"})
    item = body["items"][1]
    assert set(item) == BOOKING_FIELDS
    assert item["timezone"] == "Asia/Kolkata"
    assert item["start"].endswith("Z")
    assert item["localStart"].endswith("+05:30")
    assert datetime.fromisoformat(item["localStart"]) == datetime.fromisoformat(item["start"])
    assert item["status"] == "confirmed" and item["meetingUrl"]
    assert item["holdExpiresAt"] is None


def test_zone_falls_back_to_the_token_claim_then_utc(schedule, http_event):
    _, with_claim = get(http_event, claims={**MENTEE, "zoneinfo": "America/Chicago"})
    assert with_claim["items"][0]["timezone"] == "America/Chicago"
    _, without = get(http_event)
    assert without["items"][0]["timezone"] == "UTC"
    assert without["items"][0]["localStart"].endswith("+00:00")


def test_paging_through_upcoming(schedule, http_event):
    _, first = get(http_event, {"limit": "2"})
    assert len(first["items"]) == 2 and first["nextCursor"]
    _, second = get(http_event, {"limit": "2", "cursor": first["nextCursor"]})
    assert len(second["items"]) == 1 and second["nextCursor"] is None
    status, other_role = get(http_event, {"limit": "2", "role": "mentor", "cursor": first["nextCursor"]})
    assert status == 422  # a cursor belongs to its own query


@pytest.mark.parametrize(
    ("query", "field"),
    [({"role": "admin"}, "query.role"), ({"scope": "all"}, "query.scope"), ({"tz": "Mars/Base"}, "query.tz")],
)
def test_bad_query_values_are_422(moto_table, http_event, query, field):
    status, body = get(http_event, query)
    assert status == 422
    assert body["error"]["details"][0]["field"] == field
