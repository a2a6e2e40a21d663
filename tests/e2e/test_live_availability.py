"""Live availability over a real WebSocket client against the local stack: GET /realtime names
the socket, a subscriber sees a hold made over HTTP within 5 seconds, and its release; malformed
input is answered on an open connection; the 21st subscription is refused; a client subscribed to
mentor B never hears of mentor A."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from websockets.sync.client import ClientConnection, connect

from tests.support.local_stack import RunningStack

pytestmark = pytest.mark.e2e

LIVE_WITHIN_SECONDS = 5


def socket_url(stack: RunningStack) -> str:
    response = requests.get(stack.url("/realtime"), timeout=10)
    assert response.status_code == 200, response.text
    url = response.json()["url"]
    assert url.startswith("ws://127.0.0.1:"), url
    return url


def send(connection: ClientConnection, message: dict | str) -> dict:
    connection.send(message if isinstance(message, str) else json.dumps(message))
    return json.loads(connection.recv(timeout=10))


def subscribe(connection: ClientConnection, mentor_id: str) -> dict:
    return send(connection, {"action": "subscribe", "mentorId": mentor_id})


def mentors_with_open_slots(stack: RunningStack, count: int) -> list[tuple[str, str]]:
    """(mentorId, start of an open slot) for `count` different mentors."""
    found = []
    for card in requests.get(stack.url("/mentors?limit=50&availability=month"), timeout=10).json()["items"]:
        slots = requests.get(stack.url(f"/mentors/{card['mentorId']}/availability"), timeout=10).json()["slots"]
        open_starts = [slot["start"] for slot in slots if slot["available"]]
        if open_starts:
            found.append((card["mentorId"], open_starts[-1]))  # the latest: other tests take early ones
        if len(found) == count:
            return found
    pytest.fail("the seed has too few mentors with open slots")


def headers_for(stack: RunningStack) -> dict[str, str]:
    user = f"e2e-live-{uuid.uuid4().hex[:8]}"
    return {"Authorization": f"Bearer {stack.token({'sub': user, 'email': f'{user}@example.com', 'name': 'Live'})}"}


def next_change(connection: ClientConnection, mentor_id: str, start: str, available: bool, deadline: float) -> dict:
    """The first `availability_changed` of `mentor_id` saying `start` is now `available`. Other
    messages of the mentor may come first, even ones naming `start` as it was: a freshly started
    stack is still announcing its seed's published slots (CI saw one arrive after the subscribe
    and before the hold's own). Those are earlier in the stream than the change under test, so
    once its message is seen, none of them can follow."""
    seen = []
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, (
            f"no availability_changed for {mentor_id} {start} available={available} within "
            f"{LIVE_WITHIN_SECONDS} s; it said of {start}: {seen}"
        )
        message = json.loads(connection.recv(timeout=remaining))
        if message.get("type") != "availability_changed" or message["mentorId"] != mentor_id:
            continue
        named = [slot["available"] for slot in message["slots"] if slot["start"] == start]
        seen += named
        if available in named:
            return message


def test_realtime_names_the_local_socket(stack):
    assert socket_url(stack).count(":") == 2


def test_a_hold_over_http_reaches_the_subscriber_within_5_seconds_and_its_release_frees_the_slot(stack):
    (mentor_id, start), (other_id, other_start) = mentors_with_open_slots(stack, 2)
    url = socket_url(stack)
    with connect(url) as watcher, connect(url) as bystander:
        assert subscribe(watcher, mentor_id) == {"type": "subscribed", "mentorId": mentor_id}
        assert subscribe(bystander, other_id)["type"] == "subscribed"
        headers = headers_for(stack)

        held_at = time.monotonic()
        booking_id = stack.hold(headers, mentor_id, start, "Live availability, end to end")
        message = next_change(watcher, mentor_id, start, False, held_at + LIVE_WITHIN_SECONDS)
        assert set(message) == {"type", "mentorId", "slots"}
        assert all(set(slot) == {"start", "end", "available"} for slot in message["slots"])

        released_at = time.monotonic()
        cancel = requests.post(stack.url(f"/bookings/{booking_id}/cancel"), json={}, headers=headers, timeout=30)
        assert cancel.status_code == 200, cancel.text
        next_change(watcher, mentor_id, start, True, released_at + LIVE_WITHIN_SECONDS)

        # The bystander listens to another mentor only: nothing of mentor A reached it (its own
        # mentor's changes may have).
        heard = []
        while True:
            try:
                heard.append(json.loads(bystander.recv(timeout=0.5)))
            except TimeoutError:
                break
        assert [message for message in heard if message.get("mentorId") != other_id] == []


def test_malformed_input_is_answered_and_the_connection_stays_open(stack):
    mentor_id, _ = mentors_with_open_slots(stack, 1)[0]
    with connect(socket_url(stack)) as client:
        for malformed in (
            "not json",
            {"action": "shout"},
            {"action": "subscribe"},
            {"action": "subscribe", "mentorId": mentor_id, "connectionId": "someone-else"},
            {"action": "subscribe", "mentorId": mentor_id, "padding": "x" * 4000},
        ):
            assert send(client, malformed) == {"type": "error", "code": "bad_request"}, malformed
        assert subscribe(client, "no-such-mentor") == {"type": "error", "code": "not_found"}
        assert subscribe(client, mentor_id) == {"type": "subscribed", "mentorId": mentor_id}  # still open


def test_the_21st_subscription_is_refused(stack):
    mentor_ids = [card["mentorId"] for card in requests.get(stack.url("/mentors?limit=21"), timeout=10).json()["items"]]
    assert len(mentor_ids) == 21
    with connect(socket_url(stack)) as client:
        assert [subscribe(client, mentor_id)["type"] for mentor_id in mentor_ids[:20]] == ["subscribed"] * 20
        assert subscribe(client, mentor_ids[20]) == {"type": "error", "code": "too_many_subscriptions"}
        assert send(client, {"action": "unsubscribe", "mentorId": mentor_ids[0]})["type"] == "unsubscribed"
        assert subscribe(client, mentor_ids[20])["type"] == "subscribed"
