"""CONTRACT.md "Input rules made explicit", through the functions' handlers: each case of issue 17
answers a 4xx in the contract's error shape, never a 5xx, and stores nothing."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from mentorship.store.models import BookingItem
from tests.support.factories import add_mentor, add_slots

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
MENTEE = {"sub": "mentee-ada", "email": "ada@example.com", "name": "Ada Lovelace", "zoneinfo": "Europe/Berlin"}
MENTOR = {"sub": "mentor-grace", "email": "grace@example.com", "name": "Grace Hopper"}
TOPIC = "Moving from senior to staff engineer"
BOOKING_ROUTE = "POST /bookings/{bookingId}/"
EDGE_INSTANTS = ["9999-12-31T23:30:00-12:00", "0001-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z", "2200-01-01T00:00:01Z"]
PSEUDO_ZONES = ["localtime", "posixrules", "Factory", "posix/Europe/Berlin", "right/UTC"]
CONTROL_TEXTS = ["topic with a NUL \x00 in it", "a BEL \x07 rings", "carriage\rreturn", "escape \x1b[31m red", "DEL \x7f", "C1 \x85 next line"]


@pytest.fixture
def mentor(moto_table, clock, outbox):
    profile = add_mentor("mentor-grace", "Grace Hopper", NOW, timezone="America/Chicago")
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(6)], NOW)
    return profile


def assert_error(answer, status: int, code: str, field: str | None = None) -> dict:
    got_status, body = answer
    assert got_status == status, (got_status, body)
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    if field is not None:
        assert field in [detail["field"] for detail in body["error"].get("details", [])], body
    return body


def hold_body(**changes) -> dict:
    return {"mentorId": "mentor-grace", "start": START.isoformat(), "durationMinutes": 60, "topic": TOPIC, **changes}


def no_bookings_stored() -> bool:
    return not list(BookingItem.scan())


# --- instants at the edge of the calendar ------------------------------------------------------


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
def test_availability_query_with_an_instant_out_of_range_is_a_422(mentor, mentors_api, instant):
    answer = mentors_api("GET", "/mentors/mentor-grace/availability", query={"from": instant},
                         route_key="GET /mentors/{mentorId}/availability")
    assert_error(answer, 422, "validation_error", "query.from")
    answer = mentors_api("GET", "/mentors/mentor-grace/availability", query={"to": instant},
                         route_key="GET /mentors/{mentorId}/availability")
    assert_error(answer, 422, "validation_error", "query.to")


def test_a_window_ending_at_the_last_instant_is_no_overflow(mentor, mentors_api):
    """`to` defaults to `from` + 30 days: from the last allowed instant that is still a datetime."""
    status, body = mentors_api("GET", "/mentors/mentor-grace/availability", query={"from": "2200-01-01T00:00:00Z"},
                               route_key="GET /mentors/{mentorId}/availability")
    assert status == 200 and body["slots"] == [], body


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
def test_hold_and_reschedule_with_an_instant_out_of_range_are_a_422(mentor, booking_api, instant):
    assert_error(booking_api("POST", "/bookings", body=hold_body(start=instant), claims=MENTEE),
                 422, "validation_error", "body.start")
    answer = booking_api("POST", "/bookings/b1/reschedule", body={"start": instant}, claims=MENTEE,
                         route_key=BOOKING_ROUTE + "reschedule")
    assert_error(answer, 422, "validation_error", "body.start")
    assert no_bookings_stored()


def test_a_hold_at_the_last_instant_computes_its_end_without_overflow(mentor, booking_api):
    """end = start + 90 minutes on the latest allowed start: a 4xx about the slot, not an overflow."""
    status, body = booking_api("POST", "/bookings", body=hold_body(start="2200-01-01T00:00:00Z", durationMinutes=90),
                               claims=MENTEE)
    assert 400 <= status < 500, body


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
def test_publishing_and_removing_availability_out_of_range_are_a_422(mentor, mentors_api, instant):
    answer = mentors_api("POST", "/mentors/me/availability", body={"start": instant, "end": "2026-11-27T10:00:00Z"},
                         claims=MENTOR)
    assert_error(answer, 422, "validation_error", "body.start")
    answer = mentors_api("DELETE", f"/mentors/me/availability/{instant}", claims=MENTOR,
                         route_key="DELETE /mentors/me/availability/{start}")
    assert_error(answer, 422, "validation_error", "path.start")


# --- deeply nested JSON ------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 20_000, '{"topic":' * 20_000, "[" * 65 + "]" * 65])
def test_a_body_nested_deeper_than_64_levels_is_a_400_that_names_no_exception(mentor, booking_api, mentors_api, body):
    for answer in (
        booking_api("POST", "/bookings", body=body, claims=MENTEE),
        booking_api("POST", "/bookings/b1/confirm", body=body, claims=MENTEE, route_key=BOOKING_ROUTE + "confirm"),
        mentors_api("PUT", "/mentors/me", body=body, claims=MENTOR),
    ):
        error = assert_error(answer, 400, "bad_request")["error"]
        assert "64" in error["message"]
        assert "Recursion" not in error["message"] and "Error" not in error["message"]
    assert no_bookings_stored()


def test_a_body_nested_64_levels_is_read_and_refused_field_by_field(mentor, booking_api):
    deep = json.loads("[" * 63 + '"x"' + "]" * 63)  # 63 levels inside the object: 64 in all
    assert_error(booking_api("POST", "/bookings", body=hold_body(topic=deep), claims=MENTEE),
                 422, "validation_error", "body.topic")


def test_a_cursor_of_deeply_nested_json_is_a_422(mentor, mentors_api):
    cursor = base64.urlsafe_b64encode(b"[" * 1500).decode().rstrip("=")
    answer = mentors_api("GET", "/mentors", query={"cursor": cursor})
    assert_error(answer, 422, "validation_error", "query.cursor")


def test_a_token_of_deeply_nested_json_on_a_public_route_is_ignored(mentor, mentors_api):
    payload = base64.urlsafe_b64encode(b"[" * 6000).decode().rstrip("=")
    status, body = mentors_api("GET", "/mentors/mentor-grace/availability", headers={"authorization": f"Bearer e30.{payload}.sig"},
                               route_key="GET /mentors/{mentorId}/availability")
    assert status == 200 and body["timezone"] == "UTC", body


# --- control characters and lone surrogates ------------------------------------------------------


@pytest.mark.parametrize("text", CONTROL_TEXTS)
def test_control_characters_in_booking_text_are_a_422(mentor, booking_api, text):
    assert_error(booking_api("POST", "/bookings", body=hold_body(topic=text + " " + TOPIC), claims=MENTEE),
                 422, "validation_error", "body.topic")
    answer = booking_api("POST", "/bookings/b1/cancel", body={"reason": text}, claims=MENTEE, route_key=BOOKING_ROUTE + "cancel")
    assert_error(answer, 422, "validation_error", "body.reason")
    answer = booking_api("POST", "/bookings/b1/review", body={"rating": 5, "comment": text}, claims=MENTEE,
                         route_key=BOOKING_ROUTE + "review")
    assert_error(answer, 422, "validation_error", "body.comment")
    assert no_bookings_stored()


def profile_body(**changes) -> dict:
    return {"company": "Acme", "jobTitle": "Engineer", "bio": "Mentors engineers.", "specialties": ["career growth"],
            "yearsOfExperience": 4, "hourlyRate": {"amount": 12000}, "timezone": "UTC", **changes}


@pytest.mark.parametrize("field", ["company", "jobTitle", "bio", "specialties"])
def test_control_characters_in_profile_text_are_a_422(moto_table, clock, mentors_api, field):
    value = ["growth\x00"] if field == "specialties" else "Acme\x07"
    answer = mentors_api("PUT", "/mentors/me", body=profile_body(**{field: value}), claims=MENTOR)
    body = assert_error(answer, 422, "validation_error")
    assert any(detail["field"].startswith(f"body.{field}") for detail in body["error"]["details"]), body


def test_newlines_and_tabs_are_text(mentor, booking_api):
    status, booking = booking_api("POST", "/bookings", body=hold_body(topic=f"{TOPIC}\n\twith a plan"), claims=MENTEE)
    assert status == 201, booking
    assert booking["topic"] == f"{TOPIC}\n\twith a plan"


def test_a_lone_surrogate_is_a_400(mentor, booking_api):
    raw = json.dumps(hold_body()).replace(TOPIC, TOPIC + "\\ud800")
    assert_error(booking_api("POST", "/bookings", body=raw, claims=MENTEE), 400, "bad_request")
    assert no_bookings_stored()


def test_a_job_family_filter_with_a_control_character_is_a_422(mentor, mentors_api):
    assert_error(mentors_api("GET", "/mentors", query={"jobFamily": "eng\x00"}), 422, "validation_error", "query.jobFamily")


def test_a_name_claim_with_control_characters_falls_back_to_the_email(mentor, booking_api):
    claims = {**MENTEE, "name": "Ada\r\nBcc: everyone@example.com"}
    status, booking = booking_api("POST", "/bookings", body=hold_body(), claims=claims)
    assert status == 201, booking
    assert booking["menteeName"] == "ada@example.com"


# --- strict JSON types ---------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", ["30", True, 30.0, "60", None])
def test_duration_minutes_must_be_a_json_integer(mentor, booking_api, minutes):
    answer = booking_api("POST", "/bookings", body=hold_body(durationMinutes=minutes), claims=MENTEE)
    assert_error(answer, 422, "validation_error", "body.durationMinutes")
    assert no_bookings_stored()


@pytest.mark.parametrize("rating", ["5", True, 4.5, 5.0, None, [5]])
def test_rating_must_be_a_json_integer(mentor, booking_api, rating):
    answer = booking_api("POST", "/bookings/b1/review", body={"rating": rating, "comment": "Great"}, claims=MENTEE,
                         route_key=BOOKING_ROUTE + "review")
    assert_error(answer, 422, "validation_error", "body.rating")


@pytest.mark.parametrize(("field", "value"), [("yearsOfExperience", "4"), ("yearsOfExperience", True),
                                              ("yearsOfExperience", 4.0), ("hourlyRate", {"amount": "12000"}),
                                              ("hourlyRate", {"amount": 12000.0}), ("company", 42),
                                              ("specialties", "career growth")])
def test_profile_fields_take_strict_json_types(moto_table, clock, mentors_api, field, value):
    answer = mentors_api("PUT", "/mentors/me", body=profile_body(**{field: value}), claims=MENTOR)
    assert_error(answer, 422, "validation_error")


def test_enum_fields_still_take_their_json_strings(moto_table, clock, mentors_api):
    status, profile = mentors_api("PUT", "/mentors/me", body=profile_body(videoProvider="generated"), claims=MENTOR)
    assert status == 200 and profile["videoProvider"] == "generated", profile


# --- payment methods -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["pm_card_", "pm_card_unknown", "pm_card_Declined", "pm_card_visa ", "PM_CARD_VISA", 1, None])
def test_a_payment_method_outside_the_test_set_is_a_422(mentor, booking_api, method):
    status, held = booking_api("POST", "/bookings", body=hold_body(), claims=MENTEE)
    assert status == 201, held
    answer = booking_api("POST", f"/bookings/{held['bookingId']}/confirm", body={"paymentMethod": method}, claims=MENTEE,
                         route_key=BOOKING_ROUTE + "confirm")
    assert_error(answer, 422, "validation_error", "body.paymentMethod")
    _, still = booking_api("GET", f"/bookings/{held['bookingId']}", claims=MENTEE, route_key="GET /bookings/{bookingId}")
    assert still["status"] == "held"


@pytest.mark.parametrize(("method", "status"), [("pm_card_amex", 200), ("pm_card_chargeDeclinedExpiredCard", 402)])
def test_each_test_method_does_what_it_says(mentor, booking_api, method, status):
    _, held = booking_api("POST", "/bookings", body=hold_body(), claims=MENTEE)
    answer = booking_api("POST", f"/bookings/{held['bookingId']}/confirm", body={"paymentMethod": method}, claims=MENTEE,
                         route_key=BOOKING_ROUTE + "confirm")
    assert answer[0] == status, answer


# --- zone names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", PSEUDO_ZONES)
def test_pseudo_zones_in_tz_and_timezone_fields_are_a_422(mentor, mentors_api, booking_api, zone):
    assert_error(mentors_api("GET", "/mentors", query={"tz": zone}), 422, "validation_error", "query.tz")
    assert_error(booking_api("POST", "/bookings", body=hold_body(timezone=zone), claims=MENTEE),
                 422, "validation_error", "body.timezone")
    assert_error(mentors_api("PUT", "/mentors/me", body=profile_body(timezone=zone), claims=MENTOR),
                 422, "validation_error", "body.timezone")
    assert no_bookings_stored()


@pytest.mark.parametrize("zone", [*PSEUDO_ZONES, "Mars/Olympus", "../../etc/passwd", "Europe/Berlin\x00"])
def test_an_unusable_zoneinfo_claim_falls_back_to_utc(mentor, booking_api, zone):
    status, booking = booking_api("POST", "/bookings", body=hold_body(), claims={**MENTEE, "zoneinfo": zone})
    assert status == 201, booking
    assert booking["timezone"] == "UTC" and booking["localStart"].endswith("+00:00")


# --- cursors DynamoDB refuses as start keys (found probing the local stack) -----------------------


@pytest.fixture
def mentor_on_dynamodb_local(local_table, clock, outbox):
    """moto does not check a start key against the query; the real engine refuses one outside it."""
    add_mentor("mentor-grace", "Grace Hopper", NOW, timezone="America/Chicago")
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(6)], NOW)


@pytest.mark.dynamodb_local
def test_a_forged_cursor_with_a_valid_fingerprint_is_a_422_on_every_paged_route(mentor_on_dynamodb_local, mentors_api, booking_api):
    """The fingerprint binds a cursor to its query but is no signature: anyone can compute it for
    a key of their choosing. A key outside the query's partition is DynamoDB's ValidationException,
    which was a 500."""
    from mentorship.api.cursors import encode_cursor

    sub = MENTEE["sub"]
    foreign = {"pk": "USER#someone-else", "sk": "NOTIFICATION#x"}
    answers = {
        "GET /me/notifications": booking_api("GET", "/me/notifications", claims=MENTEE, query={
            "cursor": encode_cursor(foreign, f"GET /me/notifications|{sub}")}),
        "GET /me/bookings": booking_api("GET", "/me/bookings", claims=MENTEE, query={"cursor": encode_cursor(
            {"pk": "BOOKING#x", "sk": "BOOKING", "mentee_pk": "MENTEE#someone-else", "mentee_sk": "2026-11-26T15:00:00Z#x"},
            f"GET /me/bookings|{sub}|mentee|upcoming")}),
        "GET /mentors/{mentorId}/reviews": mentors_api("GET", "/mentors/mentor-grace/reviews", route_key="GET /mentors/{mentorId}/reviews",
                                                       query={"cursor": encode_cursor({"pk": "MENTOR#x", "sk": "REVIEW#x"}, "GET /mentors/mentor-grace/reviews")}),
        "GET /mentors": mentors_api("GET", "/mentors", query={"cursor": encode_cursor(
            {"pk": "MENTOR#x", "sk": "PROFILE", "directory_pk": "ELSEWHERE", "directory_sk": "x"}, "GET /mentors|None|None|None|None|None|None")}),
    }
    for route, answer in answers.items():
        assert answer[0] == 422, (route, answer)
        assert_error(answer, 422, "validation_error", "query.cursor")


@pytest.mark.dynamodb_local
def test_an_upcoming_cursor_the_clock_has_overtaken_is_a_422(mentor_on_dynamodb_local, booking_api, clock):
    """Upcoming bookings are read from 90 minutes before now; a real cursor left for hours can
    point before that, which DynamoDB refuses as a start key (a 500 for an honest client)."""
    for start in (START, START + timedelta(hours=1)):
        status, body = booking_api("POST", "/bookings", body=hold_body(start=start.isoformat(), durationMinutes=30), claims=MENTEE)
        assert status == 201, body
    status, page = booking_api("GET", "/me/bookings", claims=MENTEE, query={"limit": "1"})
    assert status == 200 and page["nextCursor"], page
    clock.advance(days=2, hours=3)
    answer = booking_api("GET", "/me/bookings", claims=MENTEE, query={"limit": "1", "cursor": page["nextCursor"]})
    assert_error(answer, 422, "validation_error", "query.cursor")


@pytest.mark.dynamodb_local
@pytest.mark.parametrize("bound", ["minRate", "maxRate"])
def test_a_rate_filter_beyond_any_rate_is_a_422_not_a_storage_error(mentor_on_dynamodb_local, mentors_api, bound):
    """DynamoDB numbers hold 38 significant digits; a filter value with more was refused by the
    engine (a 500). No hourly rate exceeds 100,000,000 minor units, so the filter stops there."""
    answer = mentors_api("GET", "/mentors", query={bound: "1234567890123456789012345678901234567890"})
    assert_error(answer, 422, "validation_error", f"query.{bound}")
