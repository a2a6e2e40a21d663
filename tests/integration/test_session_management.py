"""Managing sessions after booking: lists, join, cancel, reschedule, review, and who may do what."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from mentorship.store.models import MentorProfile, Reminder, booking_pk
from tests.integration.test_booking_flow import MENTEE, MENTOR_CLAIMS, OTHER, TOPIC, confirm, hold
from tests.support.factories import add_mentor, add_slots

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def mentor(table, clock, outbox):
    add_mentor("mentor-grace", "Grace Hopper", NOW, timezone="America/Chicago")
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(8)], NOW)


@pytest.fixture
def booked(mentor, booking_api):
    _, held = hold(booking_api)
    status, booking = confirm(booking_api, held["bookingId"])
    assert status == 200
    return booking


def call(booking_api, action, booking_id, claims=MENTEE, body=None, method="POST"):
    return booking_api(
        method, f"/bookings/{booking_id}/{action}", body=body if method == "POST" else None, claims=claims,
        route_key=f"{method} /bookings/{{bookingId}}/{action}",
    )


def invites_to(outbox, address):
    found = []
    for message in outbox.email.to(address):
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                calendar = Calendar.from_ical(part.get_payload(decode=True))
                found.append((part.get_param("method"), calendar.walk("VEVENT")[0]))
    return found


def open_slots(mentors_api):
    _, body = mentors_api("GET", "/mentors/mentor-grace")
    return [slot["start"] for slot in body["availability"]["slots"] if slot["available"]]


# ---------------------------------------------------------------- lists


def my_bookings(booking_api, claims=MENTEE, **query):
    status, body = booking_api("GET", "/me/bookings", query=query or None, claims=claims)
    assert status == 200, body
    return [(item["bookingId"], item["status"]) for item in body["items"]]


def test_lists_show_sessions_and_running_holds_but_not_failed_holds(mentor, booking_api, clock):
    _, active = hold(booking_api, start=START, minutes=30)
    _, released = hold(booking_api, start=START + timedelta(hours=1), minutes=30)
    call(booking_api, "cancel", released["bookingId"], body={})
    _, declined = hold(booking_api, start=START + timedelta(hours=2), minutes=30)
    confirm(booking_api, declined["bookingId"], method="pm_card_chargeDeclined")
    assert my_bookings(booking_api) == [(active["bookingId"], "held")]
    clock.advance(minutes=6)
    assert my_bookings(booking_api) == []  # expired holds are not sessions


def test_a_cancelled_session_stays_visible_and_a_finished_one_moves_to_past(booked, booking_api, clock):
    assert my_bookings(booking_api) == [(booked["bookingId"], "confirmed")]
    clock.moment = START + timedelta(hours=1)
    assert my_bookings(booking_api) == []
    assert my_bookings(booking_api, scope="past") == [(booked["bookingId"], "completed")]
    assert my_bookings(booking_api, claims=MENTOR_CLAIMS, role="mentor", scope="past") == [(booked["bookingId"], "completed")]


# ---------------------------------------------------------------- join


def test_participants_join_a_confirmed_session(booked, booking_api):
    for claims in (MENTEE, MENTOR_CLAIMS):
        status, body = call(booking_api, "join", booked["bookingId"], claims=claims, method="GET")
        assert (status, body) == (200, {"meetingUrl": booked["meetingUrl"]})


def test_join_is_409_without_a_confirmed_session(mentor, booking_api):
    _, held = hold(booking_api)
    status, body = call(booking_api, "join", held["bookingId"], method="GET")
    assert (status, body["error"]["code"]) == (409, "invalid_state")


# ---------------------------------------------------------------- cancel


def test_cancelling_frees_the_slots_and_sends_cancel_invites(booked, booking_api, mentors_api, outbox):
    assert START.strftime("%Y-%m-%dT%H:%M:%SZ") not in open_slots(mentors_api)
    status, body = call(booking_api, "cancel", booked["bookingId"], claims=MENTOR_CLAIMS, body={"reason": "sick"})
    assert (status, body["status"]) == (200, "cancelled")
    assert "2026-11-26T15:00:00Z" in open_slots(mentors_api) and "2026-11-26T15:30:00Z" in open_slots(mentors_api)
    for address in ("ada@example.com", "mentor-grace@example.com"):
        (first_method, first), (second_method, second) = invites_to(outbox, address)
        assert (first_method, second_method) == ("REQUEST", "CANCEL")
        assert str(first["uid"]) == str(second["uid"])
        assert int(second["sequence"]) > int(first["sequence"])
        assert str(second["status"]) == "CANCELLED"
    assert list(Reminder.query(booking_pk(booked["bookingId"]), Reminder.sk.startswith("REMINDER#"))) == []
    _, inbox = booking_api("GET", "/me/notifications", claims=MENTEE)
    assert sorted(item["type"] for item in inbox["items"]) == ["booking_cancelled", "booking_confirmed"]
    assert MentorProfile.get("MENTOR#mentor-grace", "PROFILE").total_sessions == 0
    assert hold(booking_api, claims=OTHER)[0] == 201  # bookable again


def test_cancel_after_the_start_or_twice_is_409(booked, booking_api, clock):
    clock.moment = START + timedelta(minutes=1)
    status, body = call(booking_api, "cancel", booked["bookingId"], body={})
    assert (status, body["error"]["code"]) == (409, "invalid_state")
    clock.moment = NOW
    call(booking_api, "cancel", booked["bookingId"], body={})
    assert call(booking_api, "cancel", booked["bookingId"], body={})[0] == 409


# ---------------------------------------------------------------- reschedule


def test_reschedule_moves_the_session_and_keeps_its_identity(booked, booking_api, mentors_api, outbox):
    new_start = "2026-11-26T17:00:00Z"
    status, body = call(booking_api, "reschedule", booked["bookingId"], body={"start": new_start})
    assert status == 200, body
    assert (body["bookingId"], body["start"], body["end"]) == (booked["bookingId"], new_start, "2026-11-26T18:00:00Z")
    assert body["meetingUrl"] == booked["meetingUrl"] and body["status"] == "confirmed"
    free = open_slots(mentors_api)
    assert {"2026-11-26T15:00:00Z", "2026-11-26T15:30:00Z"} <= set(free)
    assert not {"2026-11-26T17:00:00Z", "2026-11-26T17:30:00Z"} & set(free)
    (_, first), (method, moved) = invites_to(outbox, "ada@example.com")
    assert method == "REQUEST" and str(moved["uid"]) == str(first["uid"])
    assert int(moved["sequence"]) == int(first["sequence"]) + 1
    assert moved.decoded("dtstart") == datetime(2026, 11, 26, 17, tzinfo=UTC)
    due = {r.sk: r.due_at for r in Reminder.query(booking_pk(booked["bookingId"]), Reminder.sk.startswith("REMINDER#"))}
    assert due["REMINDER#10m#mentee"].startswith("2026-11-26T16:50")
    assert due["REMINDER#24h#mentor"].startswith("2026-11-25T17:00")


def test_reschedule_by_half_an_hour_overlapping_itself(booked, booking_api, mentors_api):
    status, body = call(booking_api, "reschedule", booked["bookingId"], claims=MENTOR_CLAIMS, body={"start": "2026-11-26T15:30:00Z"})
    assert (status, body["start"]) == (200, "2026-11-26T15:30:00Z")
    free = open_slots(mentors_api)
    assert "2026-11-26T15:00:00Z" in free and "2026-11-26T15:30:00Z" not in free and "2026-11-26T16:00:00Z" not in free


@pytest.mark.parametrize("new_start", ["2026-11-26T16:30:00Z", "2026-11-27T09:00:00Z"])
def test_reschedule_onto_taken_or_unpublished_slots_is_409_and_changes_nothing(booked, booking_api, mentors_api, new_start):
    _, other = hold(booking_api, start=START + timedelta(hours=2), minutes=30, claims=OTHER)  # 17:00 taken
    before = open_slots(mentors_api)
    status, body = call(booking_api, "reschedule", booked["bookingId"], body={"start": new_start})
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")
    _, after = booking_api("GET", f"/bookings/{booked['bookingId']}", claims=MENTEE, route_key="GET /bookings/{bookingId}")
    assert after["start"] == booked["start"]
    assert open_slots(mentors_api) == before


@pytest.mark.parametrize(("body", "field"), [({"start": "2026-11-26T17:10:00Z"}, "body.start"), ({"start": "soon"}, "body.start"),
                                             ({"start": "2026-11-26T17:00:00Z", "durationMinutes": 90}, "body.durationMinutes")])
def test_bad_reschedule_requests_are_422(booked, booking_api, body, field):
    status, answer = call(booking_api, "reschedule", booked["bookingId"], body=body)
    assert status == 422 and answer["error"]["details"][0]["field"] == field


# ---------------------------------------------------------------- review


def review(booking_api, booking_id, claims=MENTEE, **body):
    return call(booking_api, "review", booking_id, claims=claims, body={"rating": 5, "comment": "Clear and kind.", **body})


def test_the_mentee_reviews_once_after_the_end_and_the_aggregates_follow(booked, booking_api, mentors_api, clock):
    status, body = review(booking_api, booked["bookingId"])
    assert (status, body["error"]["code"]) == (409, "invalid_state")  # not ended yet
    clock.moment = START + timedelta(hours=1)
    status, created = review(booking_api, booked["bookingId"], rating=4)
    assert status == 201
    assert set(created) == {"reviewId", "rating", "comment", "authorName", "createdAt"}
    assert (created["rating"], created["authorName"]) == (4, "Ada Lovelace")
    status, body = review(booking_api, booked["bookingId"])
    assert (status, body["error"]["code"]) == (409, "already_reviewed")
    _, profile = mentors_api("GET", "/mentors/mentor-grace")
    assert (profile["averageRating"], profile["reviewCount"], profile["totalSessions"]) == (4.0, 1, 1)
    assert profile["reviews"][0]["reviewId"] == created["reviewId"]


def test_a_cancelled_session_cannot_be_reviewed(booked, booking_api, clock):
    call(booking_api, "cancel", booked["bookingId"], body={})
    clock.moment = START + timedelta(hours=2)
    assert review(booking_api, booked["bookingId"])[0] == 409


@pytest.mark.parametrize(("change", "field"), [({"rating": 0}, "body.rating"), ({"rating": 6}, "body.rating"),
                                               ({"comment": "x" * 2001}, "body.comment"),
                                               ({"reviewCount": 9}, "body.reviewCount"), ({"authorName": "Me"}, "body.authorName")])
def test_bad_reviews_are_422(booked, booking_api, clock, change, field):
    clock.moment = START + timedelta(hours=1)
    status, body = review(booking_api, booked["bookingId"], **change)
    assert status == 422 and field in [d["field"] for d in body["error"]["details"]]


# ---------------------------------------------------------------- who may do what


@pytest.mark.parametrize(
    ("action", "method", "body"),
    [("", "GET", None), ("join", "GET", None), ("cancel", "POST", {}), ("reschedule", "POST", {"start": "2026-11-26T17:00:00Z"}),
     ("review", "POST", {"rating": 5, "comment": "x"}), ("confirm", "POST", {"paymentMethod": "pm_card_visa"})],
)
def test_a_stranger_gets_404_on_every_booking_route(booked, booking_api, action, method, body, clock):
    clock.moment = START + timedelta(hours=1)
    path = f"/bookings/{booked['bookingId']}" + (f"/{action}" if action else "")
    route = f"{method} /bookings/{{bookingId}}" + (f"/{action}" if action else "")
    status, answer = booking_api(method, path, body=body, claims=OTHER, route_key=route)
    assert (status, answer["error"]["code"]) == (404, "not_found")


def test_the_mentor_cannot_review_their_own_session(booked, booking_api, clock):
    clock.moment = START + timedelta(hours=1)
    status, body = review(booking_api, booked["bookingId"], claims=MENTOR_CLAIMS)
    assert (status, body["error"]["code"]) == (403, "forbidden")


@pytest.mark.dynamodb_local
def test_concurrent_reviews_of_one_mentor_keep_exact_aggregates(local_table, clock, outbox, booking_api):
    from mentorship.domain.calendar import Party
    from mentorship.services import booking as bookings
    from mentorship.services import sessions
    from tests.integration.test_booking_races import race

    add_mentor("mentor-grace", "Grace Hopper", NOW)
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(12)], NOW)
    booked = []
    for n in range(12):
        mentee = Party(f"m{n}", f"Mentee {n}", f"m{n}@example.com", "UTC")
        held = bookings.hold_session(mentee, bookings.SessionRequest("mentor-grace", START + timedelta(minutes=30 * n), 30, TOPIC), NOW)
        booked.append(bookings.confirm_booking(held.booking_id, mentee.user_id, "pm_card_visa", NOW))
    after = START + timedelta(days=1)
    ratings = [1 + n % 5 for n in range(12)]
    outcomes = race([
        (lambda b=b, r=r: sessions.review_session(b.booking_id, b.mentee_id, r, "thanks", after)) for b, r in zip(booked, ratings)
    ])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    profile = MentorProfile.get("MENTOR#mentor-grace", "PROFILE", consistent_read=True)
    assert (profile.review_count, profile.rating_total, profile.total_sessions) == (12, sum(ratings), 12)
