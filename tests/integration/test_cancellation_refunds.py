"""The cancellation policy through the Lambda handlers and the table (moto, and DynamoDB Local
with the `dynamodb_local` marker): the profile shows it, bookings keep it, a cancel records the
refund it owes and the StreamFunction gives it back through the gateway once; a failing gateway
leaves it pending and visible until the per-minute run retries it."""

from datetime import timedelta

from functions.reminders.app import lambda_handler as scheduled_run
from mentorship import gateways
from tests.support.commitments import (  # noqa: F401
    MENTEE,
    MENTOR,
    PRICE,
    PROFILE,
    START,
    booked,
    cancel,
    charge_of,
    mentor,
    read,
)
from tests.support.lambda_helpers import LambdaContext


def test_the_profile_takes_and_shows_the_policy(table, clock, mentors_api):
    status, body = mentors_api("PUT", "/mentors/me", body=PROFILE, claims=MENTOR)
    assert (status, body["cancellationPolicy"]) == (200, "moderate")  # the default
    status, body = mentors_api("PUT", "/mentors/me", body={**PROFILE, "cancellationPolicy": "strict"}, claims=MENTOR)
    assert (status, body["cancellationPolicy"]) == (200, "strict")
    assert mentors_api("GET", "/mentors/me", claims=MENTOR)[1]["cancellationPolicy"] == "strict"
    assert mentors_api("GET", "/mentors/mentor-grace")[1]["cancellationPolicy"] == "strict"
    status, body = mentors_api("PUT", "/mentors/me", body={**PROFILE, "cancellationPolicy": "lenient"}, claims=MENTOR)
    assert (status, body["error"]["code"]) == (422, "validation_error")
    assert mentors_api("GET", "/mentors/me", claims=MENTOR)[1]["cancellationPolicy"] == "strict"  # nothing written


def test_a_confirmed_booking_shows_its_policy_and_the_refund_now_to_the_mentee_only(mentor, booking_api, clock):
    booking = booked(booking_api)
    assert booking["cancellationPolicy"] == "moderate"
    assert booking["refundIfCancelledNow"] == {"amount": PRICE, "currency": "USD"}  # 49 h ahead: in full
    assert booking["refund"] is None and booking["cancelledBy"] is None
    clock.moment = START - timedelta(hours=3)
    assert read(booking_api, booking["bookingId"])["refundIfCancelledNow"] == {"amount": 6_173, "currency": "USD"}
    assert read(booking_api, booking["bookingId"], claims=MENTOR)["refundIfCancelledNow"] is None


def test_the_policy_is_the_one_current_at_the_confirm_and_a_reschedule_keeps_it(mentor, booking_api, mentors_api, clock):
    body = {"mentorId": "mentor-grace", "start": START.isoformat(), "durationMinutes": 60, "topic": "Staff engineer growth"}
    status, held = booking_api("POST", "/bookings", body=body, claims=MENTEE)
    assert (status, held["cancellationPolicy"]) == (201, "moderate")
    status, _ = mentors_api("PUT", "/mentors/me", body={**PROFILE, "cancellationPolicy": "strict"}, claims=MENTOR)
    assert status == 200  # the mentor changes it during the hold
    clock.advance(minutes=2)
    status, booking = booking_api(
        "POST", f"/bookings/{held['bookingId']}/confirm", body={"paymentMethod": "pm_card_visa"}, claims=MENTEE,
        route_key="POST /bookings/{bookingId}/confirm",
    )
    assert (status, booking["status"], booking["cancellationPolicy"]) == (200, "confirmed", "strict"), booking
    assert read(booking_api, held["bookingId"], claims=MENTOR)["cancellationPolicy"] == "strict"
    assert charge_of(held["bookingId"]).outcome == "succeeded"  # charged once, kept
    status, _ = mentors_api("PUT", "/mentors/me", body={**PROFILE, "cancellationPolicy": "flexible"}, claims=MENTOR)
    assert status == 200
    status, moved = booking_api(
        "POST", f"/bookings/{held['bookingId']}/reschedule", body={"start": (START + timedelta(hours=1)).isoformat()},
        claims=MENTOR, route_key="POST /bookings/{bookingId}/reschedule",
    )
    assert (status, moved["cancellationPolicy"]) == (200, "strict"), moved
    clock.moment = START + timedelta(hours=1) - timedelta(hours=30)
    status, cancelled = cancel(booking_api, held["bookingId"])
    assert (status, cancelled["refund"]["amount"]) == (200, 6_173)  # strict's half, not flexible's full


def test_a_mentee_cancel_refunds_half_once_through_the_gateway(mentor, booking_api, clock):
    booking = booked(booking_api)
    clock.moment = START - timedelta(hours=2)  # exactly 2 h: still the half refund under moderate
    status, cancelled = cancel(booking_api, booking["bookingId"])
    assert status == 200, cancelled
    assert (cancelled["status"], cancelled["cancelledBy"], cancelled["refund"]["amount"]) == ("cancelled", "mentee", 6_173)
    assert cancelled["refundIfCancelledNow"] is None
    # the StreamFunction (run after each call) gave it back
    charge = charge_of(booking["bookingId"])
    assert (charge.outcome, charge.refunded_amount) == ("refunded", 6_173)
    assert read(booking_api, booking["bookingId"])["refundStatus"] == "refunded"
    assert read(booking_api, booking["bookingId"], claims=MENTOR)["refund"] == {"amount": 6_173, "currency": "USD"}
    # a retried cancel changes nothing and refunds nothing more
    status, body = cancel(booking_api, booking["bookingId"])
    assert (status, body["error"]["code"]) == (409, "invalid_state")
    scheduled_run({"time": "2026-11-26T14:05:00Z"}, LambdaContext())
    assert charge_of(booking["bookingId"]).refunded_amount == 6_173


def test_a_mentor_cancel_refunds_in_full(mentor, booking_api, clock):
    booking = booked(booking_api)
    clock.moment = START - timedelta(minutes=5)
    status, cancelled = cancel(booking_api, booking["bookingId"], claims=MENTOR)
    assert (status, cancelled["cancelledBy"], cancelled["refund"]["amount"]) == (200, "mentor", PRICE)
    assert charge_of(booking["bookingId"]).refunded_amount == PRICE


def test_a_cancel_without_refund_shows_zero_and_keeps_the_charge(mentor, booking_api, clock):
    booking = booked(booking_api)
    clock.moment = START - timedelta(hours=1)
    status, cancelled = cancel(booking_api, booking["bookingId"])
    assert (status, cancelled["refund"], cancelled["refundStatus"]) == (200, {"amount": 0, "currency": "USD"}, None)
    assert charge_of(booking["bookingId"]).outcome == "succeeded"


class FailingRefunds:
    """The table's mock gateway, but the provider is unreachable for refunds."""

    def __init__(self, inner):
        self.inner = inner

    def charge(self, *args, **kwargs):
        return self.inner.charge(*args, **kwargs)

    def refund(self, key, now, amount=None):
        raise ConnectionError("payment provider unreachable")


def test_a_failing_refund_stays_pending_and_visible_and_the_per_minute_run_retries_it(mentor, booking_api, clock):
    booking = booked(booking_api)
    real = gateways.payment_gateway()
    clock.moment = START - timedelta(hours=30)
    gateways.use(payment=FailingRefunds(real))
    try:
        status, cancelled = cancel(booking_api, booking["bookingId"])  # the stream's attempt fails
        assert (status, cancelled["status"]) == (200, "cancelled")  # the cancellation stands
        view = read(booking_api, booking["bookingId"])
        assert (view["refundStatus"], view["refundAttempts"], view["refund"]["amount"]) == ("pending", 1, PRICE)
        assert charge_of(booking["bookingId"]).outcome == "succeeded"
    finally:
        gateways.use(payment=real)
    scheduled_run({"time": "2026-11-25T09:00:30Z"}, LambdaContext())  # before its retry time: not due yet
    assert charge_of(booking["bookingId"]).outcome == "succeeded"
    scheduled_run({"time": "2026-11-25T09:02:00Z"}, LambdaContext())
    assert charge_of(booking["bookingId"]).refunded_amount == PRICE
    view = read(booking_api, booking["bookingId"])
    assert (view["refundStatus"], view["refundAttempts"]) == ("refunded", None)
