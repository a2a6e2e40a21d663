"""No-shows through BookingFunction on the table (moto, and DynamoDB Local with the marker):
who may report, when, once; the refund by who was absent; what reviews do afterwards."""

from datetime import timedelta

import pytest

from mentorship.store.models import MentorProfile, mentor_pk
from tests.support.commitments import MENTEE, MENTOR, PRICE, START, booked, cancel, charge_of, mentor, read  # noqa: F401

OUTSIDER = {"sub": "mentee-bob", "email": "bob@example.com", "name": "Bob"}
END = START + timedelta(hours=1)


def report(booking_api, booking_id, absent, claims=MENTEE):
    return booking_api(
        "POST", f"/bookings/{booking_id}/no-show", body={"absent": absent}, claims=claims,
        route_key="POST /bookings/{bookingId}/no-show",
    )


def review(booking_api, booking_id):
    return booking_api(
        "POST", f"/bookings/{booking_id}/review", body={"rating": 2, "comment": "Nobody came."}, claims=MENTEE,
        route_key="POST /bookings/{bookingId}/review",
    )


def test_the_mentee_reports_the_mentor_absent_and_is_refunded_in_full_once(mentor, booking_api, clock):
    booking = booked(booking_api)
    clock.moment = START + timedelta(minutes=10)  # the window opens exactly now
    status, body = report(booking_api, booking["bookingId"], "mentor")
    assert status == 200, body
    assert (body["status"], body["absent"], body["refund"]) == ("no_show", "mentor", {"amount": PRICE, "currency": "USD"})
    assert body["cancelledBy"] is None and body["refundIfCancelledNow"] is None
    assert charge_of(booking["bookingId"]).refunded_amount == PRICE  # the StreamFunction gave it back
    assert read(booking_api, booking["bookingId"], claims=MENTOR)["refundStatus"] == "refunded"
    assert MentorProfile.get(mentor_pk("mentor-grace"), "PROFILE").total_sessions == 0  # a session that did not happen
    status, again = report(booking_api, booking["bookingId"], "mentor")
    assert (status, again["error"]["code"]) == (409, "invalid_state")
    # the mentee whose mentor never came may review (it is their only recourse), once
    assert review(booking_api, booking["bookingId"])[0] == 201
    assert review(booking_api, booking["bookingId"])[0] == 409


def test_the_mentor_reports_the_mentee_absent_and_nothing_is_refunded_nor_reviewable(mentor, booking_api, clock):
    booking = booked(booking_api)
    clock.moment = END + timedelta(hours=48)  # the window closes exactly now
    status, body = report(booking_api, booking["bookingId"], "mentee", claims=MENTOR)
    assert (status, body["status"], body["absent"], body["refund"]["amount"]) == (200, "no_show", "mentee", 0)
    assert charge_of(booking["bookingId"]).outcome == "succeeded"
    assert MentorProfile.get(mentor_pk("mentor-grace"), "PROFILE").total_sessions == 1
    status, body = review(booking_api, booking["bookingId"])
    assert (status, body["error"]["code"]) == (409, "invalid_state")
    status, inbox = booking_api("GET", "/me/notifications", claims=MENTEE)
    assert "booking_no_show" in [item["type"] for item in inbox["items"]]


@pytest.mark.parametrize(
    "moment", [START + timedelta(minutes=10) - timedelta(seconds=1), END + timedelta(hours=48, seconds=1), START - timedelta(hours=1)]
)
def test_outside_the_window_is_409_and_changes_nothing(mentor, booking_api, clock, moment):
    booking = booked(booking_api)
    clock.moment = moment
    status, body = report(booking_api, booking["bookingId"], "mentor")
    assert (status, body["error"]["code"]) == (409, "invalid_state")
    assert read(booking_api, booking["bookingId"])["status"] in ("confirmed", "completed")


def test_only_the_other_party_reports_and_outsiders_see_nothing(mentor, booking_api, clock):
    booking = booked(booking_api)
    clock.moment = START + timedelta(minutes=20)
    assert report(booking_api, booking["bookingId"], "mentee")[0] == 403  # the mentee reporting themself
    assert report(booking_api, booking["bookingId"], "mentor", claims=MENTOR)[0] == 403
    assert report(booking_api, booking["bookingId"], "mentor", claims=OUTSIDER)[0] == 404
    assert report(booking_api, "no-such-booking", "mentor")[0] == 404
    status, body = booking_api(
        "POST", f"/bookings/{booking['bookingId']}/no-show", body={"absent": "nobody"}, claims=MENTEE,
        route_key="POST /bookings/{bookingId}/no-show",
    )
    assert status == 422
    assert read(booking_api, booking["bookingId"])["status"] == "confirmed"


def test_a_cancelled_session_cannot_be_reported(mentor, booking_api, clock):
    booking = booked(booking_api)
    clock.moment = START - timedelta(hours=30)
    cancel(booking_api, booking["bookingId"])
    clock.moment = START + timedelta(minutes=30)
    assert report(booking_api, booking["bookingId"], "mentor")[0] == 409
