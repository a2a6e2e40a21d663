"""The waitlist's routes through BookingFunction, and the offers the StreamFunction makes (the
booking fixture hands it every change after each call, as the stream would a moment later).
Runs on moto and on DynamoDB Local (`table`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentorship.store.models import WaitlistEntry, WaitPlace, user_pk
from tests.support.commitments import MENTOR, NOW, START, booked, cancel, mentor, read  # noqa: F401 - fixture
from tests.support.waitlist import BEN, CY, DEE, hold_body, join, my_waitlist, offers_in_inbox

WINDOW = {"from": (START - timedelta(hours=1)).isoformat(), "to": (START + timedelta(hours=3)).isoformat()}


def test_join_answers_201_waiting_and_lists_it(booking_api, mentor):
    status, entry = join(booking_api, BEN, **WINDOW)
    assert status == 201, entry
    assert {k: entry[k] for k in ("mentorId", "from", "to", "durationMinutes", "status", "bookingId")} == {
        "mentorId": "mentor-grace",
        "from": "2026-11-26T14:00:00Z",
        "to": "2026-11-26T18:00:00Z",
        "durationMinutes": 60,
        "status": "waiting",
        "bookingId": None,
    }
    assert entry["timezone"] == "America/New_York" and entry["localFrom"] == "2026-11-26T09:00:00-05:00"
    status, listed = my_waitlist(booking_api, BEN)
    assert status == 200 and [item["waitlistId"] for item in listed["items"]] == [entry["waitlistId"]]
    status, others = my_waitlist(booking_api, CY)
    assert status == 200 and others == {"items": []}


def test_time_open_already_is_offered_to_a_new_entry_at_once(booking_api, mentor, outbox):
    """Nothing is taken yet: the earliest open start in the window is offered right away."""
    status, entry = join(booking_api, BEN, **WINDOW)
    assert status == 201
    (offered,) = my_waitlist(booking_api, BEN)[1]["items"]
    assert offered["status"] == "offered" and offered["bookingId"]
    hold = read(booking_api, offered["bookingId"], claims=BEN)
    assert hold["status"] == "held" and hold["start"] == "2026-11-26T15:00:00Z" and hold["durationMinutes"] == 60
    assert hold["holdExpiresAt"] == "2026-11-24T14:30:00Z"  # 30 minutes, not 5


def ben_then_cy_wait_and_a_session_is_cancelled(booking_api, clock, *, before_cancel=None) -> tuple[dict, dict]:
    """Grace's two published hours taken (Ada's session, Dee's hold); Ben, then Cy, wait for
    either; Ada cancels. Returns Ben's and Cy's entries as listed afterwards."""
    session = booked(booking_api)
    assert booking_api("POST", "/bookings", body=hold_body(START + timedelta(hours=1)), claims=DEE)[0] == 201
    assert join(booking_api, BEN, **WINDOW)[0] == 201
    clock.advance(seconds=1)
    assert join(booking_api, CY, **WINDOW)[0] == 201
    assert [e["status"] for e in my_waitlist(booking_api, BEN)[1]["items"]] == ["waiting"]  # all time taken
    if before_cancel is not None:
        before_cancel()
    assert cancel(booking_api, session["bookingId"])[0] == 200
    (ben_entry,) = my_waitlist(booking_api, BEN)[1]["items"]
    (cy_entry,) = my_waitlist(booking_api, CY)[1]["items"]
    return ben_entry, cy_entry


def test_a_cancel_offers_the_freed_time_to_the_oldest_entry_with_inbox_and_email(booking_api, mentor, outbox, clock):
    ben_entry, cy_entry = ben_then_cy_wait_and_a_session_is_cancelled(booking_api, clock)
    assert ben_entry["status"] == "offered" and cy_entry["status"] == "waiting"

    offer = read(booking_api, ben_entry["bookingId"], claims=BEN)
    assert offer["status"] == "held" and offer["start"] == "2026-11-26T15:00:00Z"
    (notice,) = offers_in_inbox(booking_api, BEN)
    assert notice["url"] == f"/bookings/{ben_entry['bookingId']}"
    (email,) = outbox.email.to("ben@example.com")
    assert "held for you" in email["Subject"]
    text = next(part.get_payload(decode=True).decode() for part in email.walk() if part.get_content_type() == "text/plain")
    assert ben_entry["bookingId"] in text
    assert "held for you until Tue 24 Nov 2026, 09:30 (America/New_York)" in text  # 30 min, Ben's zone
    assert "Join:" not in text  # no meeting link before it is paid for

    # The offer is confirmable like any hold.
    status, paid = booking_api(
        "POST", f"/bookings/{ben_entry['bookingId']}/confirm", body={"paymentMethod": "pm_card_visa"}, claims=BEN,
        route_key="POST /bookings/{bookingId}/confirm",
    )
    assert status == 200 and paid["status"] == "confirmed"
    assert my_waitlist(booking_api, BEN)[1]["items"][0]["status"] == "offered"


def test_a_released_offer_expires_the_entry_and_passes_to_the_next(booking_api, mentor, clock):
    ben_entry, _ = ben_then_cy_wait_and_a_session_is_cancelled(booking_api, clock)
    status, _ = cancel(booking_api, ben_entry["bookingId"], claims=BEN)  # a held booking: released
    assert status == 200
    assert my_waitlist(booking_api, BEN)[1]["items"][0]["status"] == "expired"
    (cy_entry,) = my_waitlist(booking_api, CY)[1]["items"]
    assert cy_entry["status"] == "offered"
    assert read(booking_api, cy_entry["bookingId"], claims=CY)["start"] == "2026-11-26T15:00:00Z"


def test_a_lapsed_offer_expires_the_entry_and_passes_to_the_next(booking_api, mentor, clock):
    ben_entry, _ = ben_then_cy_wait_and_a_session_is_cancelled(booking_api, clock)

    from functions.reminders.app import lambda_handler as per_minute
    from tests.support.lambda_helpers import LambdaContext
    from tests.support.streams import deliver

    clock.advance(minutes=31)
    per_minute({"time": clock.now().isoformat()}, LambdaContext())
    deliver()
    assert read(booking_api, ben_entry["bookingId"], claims=BEN)["status"] == "expired"
    assert my_waitlist(booking_api, BEN)[1]["items"][0]["status"] == "expired"
    assert my_waitlist(booking_api, CY)[1]["items"][0]["status"] == "offered"


def test_time_the_stream_did_not_offer_is_offered_by_the_per_minute_run(booking_api, mentor, clock, monkeypatch):
    """The safety net: the stream's offer pass fails (it is best effort); a waiting entry is in
    DueWork and the per-minute run looks at it again 10 minutes after it was made."""
    from functions.reminders.app import lambda_handler as per_minute
    from mentorship.services import waitlist as waitlist_service
    from tests.support.lambda_helpers import LambdaContext

    def broken(changes, now):
        raise ConnectionError("the stream's offer pass failed")

    monkeypatch.setattr(waitlist_service, "freed_time", broken)
    ben_entry, _ = ben_then_cy_wait_and_a_session_is_cancelled(booking_api, clock)
    assert ben_entry["status"] == "waiting"  # the cancel freed the hour, but nobody offered it

    clock.advance(minutes=9)
    per_minute({"time": clock.now().isoformat()}, LambdaContext())
    assert my_waitlist(booking_api, BEN)[1]["items"][0]["status"] == "waiting"  # not due yet
    clock.advance(minutes=1)
    per_minute({"time": clock.now().isoformat()}, LambdaContext())
    (ben_entry,) = my_waitlist(booking_api, BEN)[1]["items"]
    assert ben_entry["status"] == "offered"
    assert read(booking_api, ben_entry["bookingId"], claims=BEN)["start"] == "2026-11-26T15:00:00Z"
    # Dee's 5-minute hold on the other hour lapsed meanwhile: the same run offers it to Cy.
    (cy_entry,) = my_waitlist(booking_api, CY)[1]["items"]
    assert cy_entry["status"] == "offered"
    assert read(booking_api, cy_entry["bookingId"], claims=CY)["start"] == "2026-11-26T16:00:00Z"


def test_at_most_five_waiting_entries(booking_api, mentor):
    far = {"from": (START + timedelta(days=2)).isoformat(), "to": (START + timedelta(days=3)).isoformat()}
    for _ in range(5):
        assert join(booking_api, BEN, **far)[0] == 201
    status, body = join(booking_api, BEN, **far)
    assert status == 429 and body["error"]["code"] == "too_many_waitlist_entries"
    first = my_waitlist(booking_api, BEN)[1]["items"][-1]["waitlistId"]
    assert booking_api("DELETE", f"/me/waitlist/{first}", claims=BEN, route_key="DELETE /me/waitlist/{waitlistId}")[0] == 204
    assert join(booking_api, BEN, **far)[0] == 201


def test_another_users_entry_is_404_and_stays(booking_api, mentor):
    far = {"from": (START + timedelta(days=2)).isoformat(), "to": (START + timedelta(days=3)).isoformat()}
    entry = join(booking_api, BEN, **far)[1]
    path, route = f"/me/waitlist/{entry['waitlistId']}", "DELETE /me/waitlist/{waitlistId}"
    status, body = booking_api("DELETE", path, claims=CY, route_key=route)
    assert status == 404 and body["error"]["code"] == "not_found"
    assert len(my_waitlist(booking_api, BEN)[1]["items"]) == 1
    assert booking_api("DELETE", path, claims=BEN, route_key=route)[0] == 204
    assert booking_api("DELETE", path, claims=BEN, route_key=route)[0] == 404
    assert my_waitlist(booking_api, BEN)[1]["items"] == []
    assert list(WaitPlace.query(user_pk(BEN["sub"]), WaitPlace.sk.startswith("WAITING#"), consistent_read=True)) == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"from": "2026-11-20T10:00:00Z", "to": "2026-11-26T10:00:00Z"}, "body.from"),  # past
        ({"from": "2026-11-26T10:00:00Z", "to": "2026-11-26T10:00:00Z"}, "body.to"),  # empty
        ({"from": "2026-11-26T10:00:00Z", "to": "2026-12-11T10:00:00Z"}, "body.to"),  # 15 days
        ({"from": "2026-11-26T10:00:00Z", "to": "2026-11-26T10:30:00Z"}, "body.to"),  # shorter than 60 min
        ({"from": "2026-11-26T10:00:00", "to": "2026-11-26T12:00:00Z"}, "body.from"),  # no offset
        ({"from": "2026-11-26T10:00:00Z", "to": "2026-11-26T12:00:00Z", "durationMinutes": 45}, "body.durationMinutes"),
        ({"from": "2026-11-26T10:00:00Z", "to": "2026-11-26T12:00:00Z", "durationMinutes": "60"}, "body.durationMinutes"),
        ({"from": "2026-11-26T10:00:00Z", "to": "2026-11-26T12:00:00Z", "topic": "short"}, "body.topic"),
        ({"from": "2026-11-26T10:00:00Z", "to": "2026-11-26T12:00:00Z", "status": "offered"}, "body.status"),
    ],
)
def test_bad_input_is_a_422_in_the_contract_shape_and_writes_nothing(booking_api, mentor, body, field):
    full = {"durationMinutes": 60, "topic": "Staff engineer growth"} | body
    status, answer = booking_api(
        "POST", "/mentors/mentor-grace/waitlist", body=full, claims=BEN, route_key="POST /mentors/{mentorId}/waitlist"
    )
    assert status == 422, answer
    assert answer["error"]["code"] == "validation_error"
    assert field in [detail["field"] for detail in answer["error"]["details"]]
    assert list(WaitlistEntry.query(user_pk(BEN["sub"]), WaitlistEntry.sk.startswith("WAITLIST#"))) == []


def test_not_json_is_400_unknown_mentor_404_own_time_422_no_token_401(booking_api, mentor):
    route = "POST /mentors/{mentorId}/waitlist"
    status, answer = booking_api("POST", "/mentors/mentor-grace/waitlist", body="{nope", claims=BEN, route_key=route)
    assert status == 400 and answer["error"]["code"] == "bad_request"
    assert join(booking_api, BEN, mentor_id="nobody", **WINDOW)[0] == 404
    status, answer = join(booking_api, MENTOR, **WINDOW)
    assert status == 422 and answer["error"]["details"][0]["field"] == "path.mentorId"
    status, answer = booking_api("GET", "/me/waitlist", route_key="GET /me/waitlist")
    assert status == 401 and answer["error"]["code"] == "unauthorized"


def test_a_mentee_with_three_holds_is_skipped_and_keeps_waiting(booking_api, mentor, clock):
    from tests.support.factories import add_slots

    far = [START + timedelta(days=3, hours=n) for n in range(3)]
    add_slots("mentor-grace", far, NOW)

    def ben_holds_three():
        for start in far:
            assert booking_api("POST", "/bookings", body=hold_body(start, 30), claims=BEN)[0] == 201

    ben_entry, cy_entry = ben_then_cy_wait_and_a_session_is_cancelled(booking_api, clock, before_cancel=ben_holds_three)
    assert ben_entry["status"] == "waiting" and cy_entry["status"] == "offered"
    assert read(booking_api, cy_entry["bookingId"], claims=CY)["menteeId"] == CY["sub"]
