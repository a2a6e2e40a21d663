"""Hold, confirm, decline, release and read a booking through BookingFunction."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from mentorship.store.models import Charge, PendingEmail, Reminder, booking_pk
from tests.support.factories import add_mentor, add_slots

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # two days ahead
MENTEE = {"sub": "mentee-ada", "email": "ada@example.com", "name": "Ada Lovelace", "zoneinfo": "Europe/Berlin"}
OTHER = {"sub": "mentee-bob", "email": "bob@example.com", "name": "Bob"}
MENTOR_CLAIMS = {"sub": "mentor-grace", "email": "grace@example.com", "name": "Grace Hopper"}
TOPIC = "Moving from senior to staff engineer"


@pytest.fixture
def mentor(table, clock, outbox):
    profile = add_mentor("mentor-grace", "Grace Hopper", NOW, rate=12_345, timezone="America/Chicago")
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(6)], NOW)
    return profile


def hold(booking_api, start=START, minutes=60, claims=MENTEE, **extra):
    body = {"mentorId": "mentor-grace", "start": start.isoformat(), "durationMinutes": minutes, "topic": TOPIC, **extra}
    return booking_api("POST", "/bookings", body=body, claims=claims)


def confirm(booking_api, booking_id, method="pm_card_visa", claims=MENTEE, headers=None):
    return booking_api(
        "POST", f"/bookings/{booking_id}/confirm", body={"paymentMethod": method}, claims=claims,
        route_key="POST /bookings/{bookingId}/confirm", headers=headers,
    )


def slot_availability(mentors_api):
    _, body = mentors_api("GET", "/mentors/mentor-grace")
    return {slot["start"]: slot["available"] for slot in body["availability"]["slots"]}


def test_hold_takes_the_slots_for_five_minutes_at_the_mentors_price(mentor, booking_api, mentors_api):
    status, booking = hold(booking_api, minutes=90)
    assert status == 201, booking
    assert booking["status"] == "held"
    assert booking["holdExpiresAt"] == "2026-11-24T14:05:00Z"
    assert booking["price"] == {"amount": 18_518, "currency": "USD"}  # 12,345 x 1.5 = 18,517.5 -> half up
    assert (booking["start"], booking["end"]) == ("2026-11-26T15:00:00Z", "2026-11-26T16:30:00Z")
    assert booking["timezone"] == "Europe/Berlin" and booking["localStart"] == "2026-11-26T16:00:00+01:00"
    assert booking["meetingUrl"] is None
    assert list(slot_availability(mentors_api).values()) == [False, False, False, True, True, True]


def test_confirm_books_the_slots_and_announces_it(mentor, booking_api, mentors_api, outbox):
    _, held = hold(booking_api)
    status, booking = confirm(booking_api, held["bookingId"])
    assert status == 200, booking
    assert booking["status"] == "confirmed"
    assert booking["meetingUrl"].startswith("https://meet.mentor-booking.example/")
    assert "holdExpiresAt" in booking and booking["holdExpiresAt"] is None
    assert list(slot_availability(mentors_api).values())[:2] == [False, False]
    # one email to each party, each in its own zone with the other's, with an invite
    mentee_mail, = outbox.email.to("ada@example.com")
    mentor_mail, = outbox.email.to("mentor-grace@example.com")
    assert "16:00" in mentee_mail.get_payload()[0].get_payload()[0].get_payload(decode=True).decode()
    for message in (mentee_mail, mentor_mail):
        invite_part = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
        assert invite_part.get_param("method") == "REQUEST"
        event = Calendar.from_ical(invite_part.get_payload(decode=True)).walk("VEVENT")[0]
        assert event.decoded("dtstart") == START and str(event["location"]) == booking["meetingUrl"]
    # both parties are told in their inbox and on the push channel
    assert sorted(push["userId"] for push in outbox.push.published) == ["mentee-ada", "mentor-grace"]
    status, inbox = booking_api("GET", "/me/notifications", claims=MENTOR_CLAIMS)
    assert status == 200 and [item["type"] for item in inbox["items"]] == ["booking_confirmed"]
    # nothing left pending; both reminders of both parties are scheduled
    assert all(email.sent for email in PendingEmail.query(booking_pk(held["bookingId"]), PendingEmail.sk.startswith("EMAIL#")))
    reminders = {r.sk for r in Reminder.query(booking_pk(held["bookingId"]), Reminder.sk.startswith("REMINDER#"))}
    assert reminders == {"REMINDER#24h#mentee", "REMINDER#24h#mentor", "REMINDER#10m#mentee", "REMINDER#10m#mentor"}


def test_a_manual_video_provider_gives_the_mentors_own_url(mentor, booking_api):
    from mentorship.store.models import MentorProfile

    MentorProfile(pk="MENTOR#mentor-grace", sk="PROFILE").update(
        actions=[MentorProfile.video_provider.set("manual"), MentorProfile.manual_meeting_url.set("https://zoom.example.com/j/9")]
    )
    _, held = hold(booking_api)
    _, booking = confirm(booking_api, held["bookingId"])
    assert booking["meetingUrl"] == "https://zoom.example.com/j/9"


def test_generated_meeting_links_are_unique(mentor, booking_api):
    urls = set()
    for offset in (0, 60, 120):
        _, held = hold(booking_api, start=START + timedelta(minutes=offset), minutes=30)
        urls.add(confirm(booking_api, held["bookingId"])[1]["meetingUrl"])
    assert len(urls) == 3


def test_a_declined_card_frees_the_slots_at_once(mentor, booking_api, mentors_api):
    _, held = hold(booking_api)
    status, body = confirm(booking_api, held["bookingId"], method="pm_card_chargeDeclinedInsufficientFunds")
    assert (status, body["error"]["code"]) == (402, "payment_declined")
    assert all(slot_availability(mentors_api).values())
    _, after = booking_api("GET", f"/bookings/{held['bookingId']}", claims=MENTEE, route_key="GET /bookings/{bookingId}")
    assert after["status"] == "payment_failed"
    status, again = hold(booking_api, claims=OTHER)
    assert status == 201


def test_confirm_after_the_hold_expired_is_410_and_changes_nothing(mentor, booking_api, clock):
    _, held = hold(booking_api)
    clock.advance(minutes=5)
    status, body = confirm(booking_api, held["bookingId"])
    assert (status, body["error"]["code"]) == (410, "hold_expired")
    assert Charge.count(booking_pk(held["bookingId"])) == 0  # never charged
    _, after = booking_api("GET", f"/bookings/{held['bookingId']}", claims=MENTEE, route_key="GET /bookings/{bookingId}")
    assert after["status"] == "expired"


def test_confirming_twice_is_409(mentor, booking_api):
    _, held = hold(booking_api)
    confirm(booking_api, held["bookingId"])
    status, body = confirm(booking_api, held["bookingId"])
    assert (status, body["error"]["code"]) == (409, "invalid_state")


def test_idempotency_key_replays_the_first_answer_and_charges_once(mentor, booking_api, outbox):
    _, held = hold(booking_api)
    key = {"Idempotency-Key": "confirm-1"}
    first = confirm(booking_api, held["bookingId"], headers=key)
    second = confirm(booking_api, held["bookingId"], headers=key)
    assert first == second and first[0] == 200
    assert len(outbox.email.sent) == 2  # not re-sent
    status, body = confirm(booking_api, held["bookingId"], method="pm_card_mastercard", headers=key)
    assert (status, body["error"]["code"]) == (409, "idempotency_key_reused")


def test_idempotent_hold_returns_the_same_booking(mentor, booking_api):
    body = {"mentorId": "mentor-grace", "start": START.isoformat(), "durationMinutes": 30, "topic": TOPIC}
    first = booking_api("POST", "/bookings", body=body, claims=MENTEE, headers={"Idempotency-Key": "k1"})
    second = booking_api("POST", "/bookings", body=body, claims=MENTEE, headers={"Idempotency-Key": "k1"})
    assert first == second and first[0] == 201
    other_key = booking_api("POST", "/bookings", body=body, claims=MENTEE, headers={"Idempotency-Key": "k2"})
    assert other_key[0] == 409  # a new request for the same slot: taken (by the first)


def test_either_party_may_release_a_hold(mentor, booking_api, mentors_api):
    _, held = hold(booking_api)
    status, body = booking_api(
        "POST", f"/bookings/{held['bookingId']}/cancel", body={}, claims=MENTOR_CLAIMS,
        route_key="POST /bookings/{bookingId}/cancel",
    )
    assert (status, body["status"]) == (200, "released")
    assert all(slot_availability(mentors_api).values())
    status, body = booking_api(
        "POST", f"/bookings/{held['bookingId']}/cancel", body={}, claims=MENTEE, route_key="POST /bookings/{bookingId}/cancel"
    )
    assert (status, body["error"]["code"]) == (409, "invalid_state")


def test_only_participants_see_a_booking(mentor, booking_api):
    _, held = hold(booking_api)
    path, route = f"/bookings/{held['bookingId']}", "GET /bookings/{bookingId}"
    assert booking_api("GET", path, claims=MENTEE, route_key=route)[0] == 200
    assert booking_api("GET", path, claims=MENTOR_CLAIMS, route_key=route)[0] == 200
    status, body = booking_api("GET", path, claims=OTHER, route_key=route)
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert confirm(booking_api, held["bookingId"], claims=OTHER)[0] == 404
    status, body = confirm(booking_api, held["bookingId"], claims=MENTOR_CLAIMS)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert booking_api("GET", "/bookings/nope", claims=MENTEE, route_key=route)[0] == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"topic": "   too short   "}, "body.topic"),
        ({"topic": "x" * 1001}, "body.topic"),
        ({"durationMinutes": 45}, "body.durationMinutes"),
        ({"start": "2026-11-26T15:10:00Z"}, "body.start"),
        ({"start": "2026-11-24T13:00:00Z"}, "body.start"),
        ({"start": "2026-11-26T15:00:00"}, "body.start"),
        ({"mentorId": "mentor-grace", "price": {"amount": 1}}, "body.price"),
        ({"status": "confirmed"}, "body.status"),
        ({"menteeId": "someone-else"}, "body.menteeId"),
        ({"timezone": "Mars/Colony"}, "body.timezone"),
    ],
)
def test_bad_hold_requests_are_422_and_write_nothing(mentor, booking_api, mentors_api, change, field):
    body = {"mentorId": "mentor-grace", "start": START.isoformat(), "durationMinutes": 60, "topic": TOPIC, **change}
    status, answer = booking_api("POST", "/bookings", body=body, claims=MENTEE)
    assert status == 422, answer
    assert field in [detail["field"] for detail in answer["error"]["details"]]
    assert all(slot_availability(mentors_api).values())


def test_a_mentor_cannot_book_themself(mentor, booking_api):
    status, body = hold(booking_api, claims=MENTOR_CLAIMS)
    assert status == 422 and body["error"]["details"][0]["field"] == "body.mentorId"


def test_unknown_mentor_or_unpublished_time(mentor, booking_api):
    body = {"mentorId": "nobody", "start": START.isoformat(), "durationMinutes": 30, "topic": TOPIC}
    assert booking_api("POST", "/bookings", body=body, claims=MENTEE)[0] == 404
    status, answer = hold(booking_api, start=START + timedelta(hours=2, minutes=30), minutes=60)  # runs past published slots
    assert (status, answer["error"]["code"]) == (409, "slot_unavailable")


def test_three_active_holds_at_most(mentor, booking_api, clock):
    for offset in (0, 30, 60):
        assert hold(booking_api, start=START + timedelta(minutes=offset), minutes=30)[0] == 201
    status, body = hold(booking_api, start=START + timedelta(minutes=90), minutes=30)
    assert (status, body["error"]["code"]) == (429, "too_many_holds")
    clock.advance(minutes=5, seconds=1)  # all three expire: the places are free again
    assert hold(booking_api, start=START + timedelta(minutes=90), minutes=30)[0] == 201


def test_hold_needs_a_token(mentor, booking_api):
    status, body = hold(booking_api, claims=None)
    assert (status, body["error"]["code"]) == (401, "unauthorized")
