"""Webhooks for integrators on the real DynamoDB Local engine and its stream: each change writes
its event in its own transaction, the StreamFunction fans it out to each subscribed webhook of
each participant and POSTs it, signed as Standard Webhooks says, to a real receiver on 127.0.0.1;
failed deliveries are retried by the per-minute run (at future times) with the same webhook-id
until the receiver recovers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook as StandardWebhook

from mentorship.domain.instants import format_utc
from mentorship.store.models import WebhookEvent, booking_pk
from tests.integration.test_booking_flow import MENTEE, MENTOR_CLAIMS, OTHER, confirm, hold
from tests.support.factories import add_mentor, add_slots
from tests.support.lambda_helpers import LambdaContext
from tests.support.streams import deliver
from tests.support.webhook_receiver import WebhookReceiver

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
ALL_EVENTS = ["booking.held", "booking.confirmed", "booking.cancelled", "booking.rescheduled", "review.created"]


@pytest.fixture
def hooks_on(monkeypatch, outbox):
    """The local stack's outbound policy (loopback allowed) and a context-bound secret box."""
    from mentorship import gateways
    from mentorship.settings import get_settings

    from tests.support.fakes import ContextBoundSecretBox

    monkeypatch.setenv("OUTBOUND_ALLOW_LOOPBACK", "true")
    get_settings.cache_clear()
    gateways._http_webhooks.cache_clear()
    gateways.use(email=outbox.email, push=outbox.push, secrets=ContextBoundSecretBox())
    yield
    gateways._http_webhooks.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def receiver():
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def mentor(local_table, clock, hooks_on):
    add_mentor("mentor-grace", "Grace Hopper", NOW, timezone="America/Chicago")
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(8)], NOW)


def add_webhook(booking_api, url, events, claims=MENTEE):
    return booking_api("POST", "/me/webhooks", body={"url": url, "events": events}, claims=claims)


def settle() -> None:
    """The stream's work and what it writes (deliveries) in turn, as Lambda would a moment later."""
    for _ in range(3):
        deliver()


def run_scheduled(at: datetime) -> dict:
    from functions.reminders.app import lambda_handler

    answer = lambda_handler({"time": format_utc(at)}, LambdaContext())
    settle()
    return answer


def independent_verify(secret: str, headers: dict, body: bytes) -> dict:
    """The contract's signature rule, implemented here without the package that signs."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert f"v1,{expected}" in headers["webhook-signature"].split(" ")
    payload = json.loads(body)
    assert payload["id"] == headers["webhook-id"]
    return payload


def verified(received, secret: str) -> list[dict]:
    payloads = []
    for delivery in received:
        payload = independent_verify(secret, delivery.headers, delivery.body)
        assert StandardWebhook(secret).verify(delivery.body, delivery.headers) == payload
        payloads.append(payload)
    return payloads


def deliveries(booking_api, webhook_id, claims=MENTEE):
    status, body = booking_api(
        "GET", f"/me/webhooks/{webhook_id}/deliveries", claims=claims, route_key="GET /me/webhooks/{webhookId}/deliveries"
    )
    assert status == 200, body
    return body["items"]


# ---------------------------------------------------------------- routes


def test_routes_answer_as_the_contract_says(mentor, booking_api, receiver):
    status, created = add_webhook(booking_api, receiver.url(), ["booking.confirmed"])
    assert status == 201, created
    assert set(created) == {"webhookId", "url", "events", "secret"}
    assert created["secret"].startswith("whsec_") and len(base64.b64decode(created["secret"][6:])) >= 24

    status, listed = booking_api("GET", "/me/webhooks", claims=MENTEE)
    assert status == 200 and listed["items"] == [{k: created[k] for k in ("webhookId", "url", "events")}]
    assert "secret" not in json.dumps(listed).lower()
    assert booking_api("GET", "/me/webhooks", claims=OTHER)[1]["items"] == []

    path = f"/me/webhooks/{created['webhookId']}"
    # Another user's webhook is not there for them: 404, and it stays.
    assert booking_api("DELETE", path, claims=OTHER, route_key="DELETE /me/webhooks/{webhookId}")[0] == 404
    status, _ = booking_api(
        "GET", path + "/deliveries", claims=OTHER, route_key="GET /me/webhooks/{webhookId}/deliveries"
    )
    assert status == 404
    assert deliveries(booking_api, created["webhookId"]) == []
    # Unauthenticated.
    assert booking_api("GET", "/me/webhooks")[0] == 401
    assert booking_api("POST", "/me/webhooks", body={"url": receiver.url(), "events": ["booking.held"]})[0] == 401

    assert booking_api("DELETE", path, claims=MENTEE, route_key="DELETE /me/webhooks/{webhookId}")[0] == 204
    assert booking_api("DELETE", path, claims=MENTEE, route_key="DELETE /me/webhooks/{webhookId}")[0] == 404
    assert booking_api("GET", "/me/webhooks", claims=MENTEE)[1]["items"] == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "http://127.0.0.1/x", "events": ["booking.held"], "secret": "whsec_mine"}, "secret"),
        ({"url": "http://127.0.0.1/x", "events": ["booking.created"]}, "events"),
        ({"url": "http://127.0.0.1/x", "events": []}, "events"),
        ({"url": "ftp://example.com/x", "events": ["booking.held"]}, "url"),
        ({"url": "http://10.0.0.7/hooks", "events": ["booking.held"]}, "url"),
        ({"url": "http://169.254.169.254/latest", "events": ["booking.held"]}, "url"),
        ({"url": "http://user:pw@127.0.0.1/x", "events": ["booking.held"]}, "url"),
    ],
)
def test_bad_webhooks_are_422_and_write_nothing(mentor, booking_api, body, field):
    status, answer = booking_api("POST", "/me/webhooks", body=body, claims=MENTEE)
    assert status == 422, answer
    assert any(field in detail["field"] for detail in answer["error"]["details"]), answer
    assert booking_api("GET", "/me/webhooks", claims=MENTEE)[1]["items"] == []


def test_loopback_is_refused_outside_the_local_stack(mentor, booking_api, monkeypatch):
    from mentorship.settings import get_settings

    monkeypatch.setenv("OUTBOUND_ALLOW_LOOPBACK", "false")
    get_settings.cache_clear()
    status, answer = add_webhook(booking_api, "http://127.0.0.1:9/hooks", ["booking.held"])
    assert status == 422 and answer["error"]["details"][0]["field"] == "body.url"


def test_at_most_five_webhooks_per_user(mentor, booking_api, receiver):
    for n in range(5):
        assert add_webhook(booking_api, receiver.url(f"/{n}"), ["booking.held"])[0] == 201
    status, answer = add_webhook(booking_api, receiver.url("/6"), ["booking.held"])
    assert status == 429 and answer["error"]["code"] == "too_many_webhooks"
    assert add_webhook(booking_api, receiver.url("/mentor"), ["booking.held"], claims=MENTOR_CLAIMS)[0] == 201
    first = booking_api("GET", "/me/webhooks", claims=MENTEE)[1]["items"][0]["webhookId"]
    booking_api("DELETE", f"/me/webhooks/{first}", claims=MENTEE, route_key="DELETE /me/webhooks/{webhookId}")
    assert add_webhook(booking_api, receiver.url("/again"), ["booking.held"])[0] == 201


# ---------------------------------------------------------------- events and fan-out


def test_each_participant_gets_the_events_they_asked_for_in_their_own_view(mentor, booking_api, receiver, clock):
    _, mentee_hook = add_webhook(booking_api, receiver.url("/ada"), ALL_EVENTS)
    _, mentor_hook = add_webhook(booking_api, receiver.url("/grace"), ["booking.confirmed", "booking.rescheduled"], claims=MENTOR_CLAIMS)

    _, held = hold(booking_api)
    booking_id = held["bookingId"]
    clock.advance(minutes=1)
    assert confirm(booking_api, booking_id)[0] == 200
    settle()

    ada = verified(receiver.delivered("/ada"), mentee_hook["secret"])
    grace = verified(receiver.delivered("/grace"), mentor_hook["secret"])
    assert sorted(p["type"] for p in ada) == ["booking.confirmed", "booking.held"]
    assert [p["type"] for p in grace] == ["booking.confirmed"]
    ada_confirmed = next(p for p in ada if p["type"] == "booking.confirmed")
    assert ada_confirmed["id"] == grace[0]["id"]  # one event, one id
    assert ada_confirmed["data"]["booking"]["timezone"] == "Europe/Berlin"
    assert grace[0]["data"]["booking"]["timezone"] == "America/Chicago"
    assert ada_confirmed["data"]["booking"]["status"] == "confirmed" and ada_confirmed["data"]["booking"]["meetingUrl"]
    ada_held = next(p for p in ada if p["type"] == "booking.held")
    assert ada_held["data"]["booking"]["meetingUrl"] is None and ada_held["data"]["booking"]["holdExpiresAt"]

    # Reschedule: booking.rescheduled with the old and the new start.
    new_start = START + timedelta(hours=2)
    clock.advance(minutes=1)
    status, _ = booking_api(
        "POST", f"/bookings/{booking_id}/reschedule", body={"start": new_start.isoformat()}, claims=MENTEE,
        route_key="POST /bookings/{bookingId}/reschedule",
    )
    assert status == 200
    clock.advance(minutes=1)
    status, _ = booking_api(
        "POST", f"/bookings/{booking_id}/cancel", body={}, claims=MENTOR_CLAIMS,
        route_key="POST /bookings/{bookingId}/cancel",
    )
    assert status == 200
    settle()
    ada = verified(receiver.delivered("/ada"), mentee_hook["secret"])
    grace = verified(receiver.delivered("/grace"), mentor_hook["secret"])
    moved = [p for p in grace if p["type"] == "booking.rescheduled"]
    assert len(moved) == 1
    assert moved[0]["data"]["previousStart"] == format_utc(START)
    assert moved[0]["data"]["booking"]["start"] == format_utc(new_start)
    assert [p["data"]["booking"]["status"] for p in ada if p["type"] == "booking.cancelled"] == ["cancelled"]
    assert "booking.cancelled" not in [p["type"] for p in grace]  # the mentor did not ask for it

    listed = deliveries(booking_api, mentee_hook["webhookId"])
    assert [d["type"] for d in listed] == ["booking.cancelled", "booking.rescheduled", "booking.confirmed", "booking.held"]
    assert all(d["status"] == "delivered" and d["attempts"] == 1 and d["lastStatusCode"] == 204 for d in listed)


def events_of(booking_id: str) -> list[str]:
    return [e.event_type for e in WebhookEvent.query(booking_pk(booking_id), WebhookEvent.sk.startswith("EVENT#"), consistent_read=True)]


def test_no_event_without_its_change(mentor, booking_api, receiver):
    """A declined payment writes no booking.confirmed; a reschedule onto a taken time no
    booking.rescheduled: the event is in the change's transaction, which did not happen."""
    _, hook = add_webhook(booking_api, receiver.url("/ada"), ALL_EVENTS)
    _, declined = hold(booking_api)
    assert confirm(booking_api, declined["bookingId"], method="pm_card_chargeDeclined")[0] == 402
    assert events_of(declined["bookingId"]) == ["booking.held"]

    _, held = hold(booking_api)
    assert confirm(booking_api, held["bookingId"])[0] == 200
    _, other = hold(booking_api, start=START + timedelta(hours=3), minutes=30, claims=OTHER)
    status, _ = booking_api(
        "POST", f"/bookings/{held['bookingId']}/reschedule", body={"start": (START + timedelta(hours=3)).isoformat()},
        claims=MENTEE, route_key="POST /bookings/{bookingId}/reschedule",
    )
    assert status == 409
    assert sorted(events_of(held["bookingId"])) == ["booking.confirmed", "booking.held"]
    settle()
    types = [p["type"] for p in verified(receiver.delivered("/ada"), hook["secret"])]
    assert sorted(types) == ["booking.confirmed", "booking.held", "booking.held"]


# ---------------------------------------------------------------- retries


def test_a_receiver_down_for_hours_gets_everything_once_it_recovers(mentor, booking_api, receiver, clock):
    _, hook = add_webhook(booking_api, receiver.url("/ada"), ["booking.held", "booking.confirmed"])
    receiver.failing_with = 503
    _, held = hold(booking_api)
    assert confirm(booking_api, held["bookingId"])[0] == 200  # the booking does not wait for the receiver
    settle()
    assert receiver.delivered() == [] and len(receiver.received) == 2

    # Down for ten hours: the per-minute run, replayed for later times, keeps retrying.
    for minutes in range(0, 10 * 60, 20):
        run_scheduled(NOW + timedelta(minutes=minutes))
    pending = deliveries(booking_api, hook["webhookId"])
    assert [d["status"] for d in pending] == ["pending", "pending"]
    assert all(d["lastStatusCode"] == 503 and d["attempts"] == 6 for d in pending), pending
    attempts_made = len(receiver.received)
    assert attempts_made == 12

    receiver.failing_with = None  # back up
    for hours in range(10, 20):
        run_scheduled(NOW + timedelta(hours=hours))
    payloads = verified(receiver.delivered(), hook["secret"])
    assert sorted(p["type"] for p in payloads) == ["booking.confirmed", "booking.held"]
    listed = deliveries(booking_api, hook["webhookId"])
    assert [(d["status"], d["attempts"], d["lastStatusCode"]) for d in listed] == [("delivered", 7, 204)] * 2

    # Every attempt of one event carried the same webhook-id and the same body.
    by_id: dict[str, set[bytes]] = {}
    for attempt in receiver.received:
        by_id.setdefault(attempt.headers["webhook-id"], set()).add(attempt.body)
    assert len(by_id) == 2 and all(len(bodies) == 1 for bodies in by_id.values())
    assert sum(1 for r in receiver.received if r.answered < 300) == 2  # delivered once each

    # Nothing is left due: later runs send nothing more.
    run_scheduled(NOW + timedelta(days=2))
    assert len(receiver.received) == attempts_made + 2


def test_a_receiver_that_never_recovers_is_given_up_after_a_day(mentor, booking_api, receiver):
    _, hook = add_webhook(booking_api, receiver.url("/ada"), ["booking.held"])
    receiver.failing_with = 500
    hold(booking_api)
    settle()
    for minutes in range(0, 31 * 60, 60):  # hourly runs: each retry goes out up to an hour late
        run_scheduled(NOW + timedelta(minutes=minutes + 1))
    [delivery] = deliveries(booking_api, hook["webhookId"])
    assert delivery["status"] == "failed" and delivery["attempts"] == 8 and delivery["lastStatusCode"] == 500
    assert len(receiver.received) == 8
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1


def test_a_receiver_slower_than_10_s_is_a_failed_attempt_and_others_still_get_theirs(mentor, booking_api, receiver):
    _, slow = add_webhook(booking_api, receiver.url("/slow"), ["booking.confirmed"])
    _, fast = add_webhook(booking_api, receiver.url("/fast"), ["booking.confirmed"], claims=MENTOR_CLAIMS)
    receiver.slow_paths["/slow"] = 12
    _, held = hold(booking_api)
    assert confirm(booking_api, held["bookingId"])[0] == 200
    settle()
    assert [p["type"] for p in verified(receiver.delivered("/fast"), fast["secret"])] == ["booking.confirmed"]
    [attempt] = deliveries(booking_api, slow["webhookId"])
    assert (attempt["status"], attempt["attempts"], attempt["lastStatusCode"]) == ("pending", 1, None)
    assert attempt["lastAttemptAt"] is not None
