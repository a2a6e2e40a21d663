"""Live availability: what one slot change costs the StreamFunction's fan-out with 0, 10 and
1,000 subscribers of the changed mentor (on DynamoDB Local, posting over HTTP to a local
stand-in for the WebSocket management API), and the time from a hold over HTTP to the
`availability_changed` message on a real WebSocket client against the local stack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from statistics import quantiles

import requests

from bench import counting
from bench.dataset import NOW
from bench.invoke import BenchError
from bench.routes import table_stream
from bench.runner import RouteCost, fresh_tables, log
from mentorship.gateways.connections import ApiGatewayConnections
from mentorship.services.live_availability import AvailabilityFanOut
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.services.stream import change_of
from mentorship.store.mentors import MentorStore
from mentorship.store.slots import SlotStore, new_lock
from mentorship.store.subscriptions import SubscriptionStore
from tooling.dynamodb_local import DynamoDBLocal
from tooling.streams import lambda_record
from tooling.template import ROOT

DEFAULT_SUBSCRIBERS = (0, 10, 1_000)
DEFAULT_HOLDS = 50
START = NOW + timedelta(days=2)


@dataclass(frozen=True)
class FanOutCost:
    subscribers: int
    dynamodb: RouteCost
    posts: int
    ms: float


@dataclass(frozen=True)
class HoldToMessage:
    holds: int
    p50_ms: float
    p99_ms: float
    max_ms: float


class _AcceptingManagementApi:
    """Answers every PostToConnection with 200, and counts them."""

    def __init__(self) -> None:
        self.posts = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    outer.posts += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _add_mentor(mentor_id: str) -> None:
    facts = ProfileFacts("Bench", "Engineer", "Live availability bench.", 5, 10_000, "UTC")
    MentorStore().save_profile(build_profile(mentor_id, "Bench Mentor", f"{mentor_id}@example.com", facts, NOW))


def fan_out_costs(engine: DynamoDBLocal, subscriber_counts: tuple[int, ...] = DEFAULT_SUBSCRIBERS) -> list[FanOutCost]:
    management = _AcceptingManagementApi()
    results = []
    try:
        with fresh_tables(engine, "live") as (client, table):
            connections_table = table.removesuffix("MentorshipTable") + "ConnectionsTable"
            subscriptions = SubscriptionStore(client=client, table_name=connections_table)
            fan_out = AvailabilityFanOut(subscriptions, ApiGatewayConnections(endpoint_url=management.url))
            for count in subscriber_counts:
                mentor_id = f"bench-live-{count}"
                _add_mentor(mentor_id)  # the fan-out asks the offering, which starts from the profile
                SlotStore().add_slots(mentor_id, [START])
                _subscribe(subscriptions, mentor_id, count)
                reader = table_stream()
                new_lock(mentor_id, START, booking_id=uuid.uuid4().hex, holder_id="bench", booked=False,
                         hold_expires_at=int((NOW + timedelta(minutes=5)).timestamp())).save()
                changes = [change_of(lambda_record(r, reader.stream_arn, "us-east-1")) for r in reader.read()]
                if not changes:
                    raise BenchError("live availability: the lock did not reach the stream")
                posts_before = management.posts
                started = time.perf_counter()
                with counting.recording() as recorded:
                    fan_out(changes, NOW)
                ms = (time.perf_counter() - started) * 1000
                cost = RouteCost(recorded.count, recorded.items_read, recorded.scans, dict(recorded.operations()))
                results.append(FanOutCost(count, cost, management.posts - posts_before, ms))
                log(f"fan-out to {count} subscribers: {cost.requests} DynamoDB requests, {results[-1].posts} posts, {ms:.0f} ms")
    finally:
        management.close()
    return results


def _subscribe(subscriptions: SubscriptionStore, mentor_id: str, count: int) -> None:
    for n in range(count):
        connection_id = f"{mentor_id}-conn-{n}"
        subscriptions.open_connection(connection_id, NOW)
        subscriptions.subscribe(connection_id, mentor_id, NOW)


# ---------------------------------------------------------------- hold to message, local stack
def hold_to_message(holds: int = DEFAULT_HOLDS) -> HoldToMessage:
    """Start the local stack, subscribe a WebSocket client to mentors with open slots, and time
    `holds` holds over HTTP (each by a new mentee, released after) to their messages."""
    from websockets.sync.client import connect

    port = _free_port()
    log_path = ROOT / ".local-stack" / "bench-live.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "wb") as stack_log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local.stack", "--no-schedules"],
            cwd=ROOT, env={**os.environ, "PORT": str(port)}, stdout=stack_log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        targets = _open_slots(base, holds)
        timings = []
        with connect(requests.get(f"{base}/realtime", timeout=10).json()["url"]) as client:
            for mentor_id in sorted({mentor for mentor, _ in targets}):
                _subscribe_and_wait(client, mentor_id)
            for mentor_id, start in targets:
                timings.append(_time_one_hold(base, client, mentor_id, start))
        timings.sort()
        cuts = quantiles(timings, n=100, method="inclusive")
        result = HoldToMessage(len(timings), cuts[49], cuts[98], timings[-1])
        log(f"hold to message over {holds} holds: p50 {result.p50_ms:.0f} ms, p99 {result.p99_ms:.0f} ms")
        return result
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _subscribe_and_wait(client, mentor_id: str, timeout: float = 10) -> None:
    """Subscribe to `mentor_id` and wait for its acknowledgement; changes of mentors subscribed
    before may arrive in between (the stack's own holds and expiries), and are passed over."""
    client.send(json.dumps({"action": "subscribe", "mentorId": mentor_id}))
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        message = json.loads(client.recv(timeout=remaining))
        if message.get("type") == "subscribed" and message.get("mentorId") == mentor_id:
            return
        if message.get("type") != "availability_changed":
            raise BenchError(f"could not subscribe to {mentor_id}: {message}")
    raise BenchError(f"no acknowledgement of the subscription to {mentor_id} within {timeout:.0f} s")


def _time_one_hold(base: str, client, mentor_id: str, start: str) -> float:
    user = f"bench-live-{uuid.uuid4().hex[:8]}"
    token = requests.post(f"{base}/_local/token", json={"sub": user, "email": f"{user}@example.com", "name": "Bench"}, timeout=10).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    held = requests.post(
        f"{base}/bookings",
        json={"mentorId": mentor_id, "start": start, "durationMinutes": 30, "topic": "Live availability bench"},
        headers=headers, timeout=30,
    )
    if held.status_code != 201:
        raise BenchError(f"hold failed: {held.status_code} {held.text}")
    while True:
        remaining = 10 - (time.perf_counter() - started)
        if remaining <= 0:
            raise BenchError(f"no availability_changed for {mentor_id} {start} within 10 s")
        message = json.loads(client.recv(timeout=remaining))
        slots = {slot["start"]: slot["available"] for slot in message.get("slots") or []}
        if message.get("mentorId") == mentor_id and slots.get(start) is False:
            elapsed = (time.perf_counter() - started) * 1000
            break
    booking_id = held.json()["bookingId"]
    requests.post(f"{base}/bookings/{booking_id}/cancel", json={}, headers=headers, timeout=30)
    return elapsed


def _open_slots(base: str, holds: int) -> list[tuple[str, str]]:
    """`holds` (mentorId, start) pairs of open slots, spread over at most 20 mentors."""
    targets: list[tuple[str, str]] = []
    cards = requests.get(f"{base}/mentors?limit=20&availability=month", timeout=30).json()["items"]
    for card in cards:
        slots = requests.get(f"{base}/mentors/{card['mentorId']}/availability", timeout=30).json()["slots"]
        targets += [(card["mentorId"], slot["start"]) for slot in slots if slot["available"]][-5:]
        if len(targets) >= holds:
            return targets[:holds]
    raise BenchError(f"the seed offers fewer than {holds} open slots")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(base: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{base}/mentors?limit=1", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise BenchError("the local stack did not start (see .local-stack/bench-live.log)")


def live_section(costs: list[FanOutCost], latency: HoldToMessage | None) -> list[str]:
    lines = [
        "## Live availability",
        "",
        "One slot change (a hold's lock) through the StreamFunction's fan-out, by subscribers of the "
        "changed mentor: DynamoDB requests (one Query of the subscribers; only when someone listens, the "
        "offering's two reads: the mentor's head and the slot window) and PostToConnection calls (to a "
        "local stand-in answering 200 over HTTP).",
        "",
        "| subscribers | DynamoDB requests | by operation | posts | ms |",
        "|---:|---:|---|---:|---:|",
    ]
    for cost in costs:
        operations = ", ".join(f"{name} {n}" for name, n in sorted(cost.dynamodb.operations.items())) or "-"
        lines.append(f"| {cost.subscribers:,} | {cost.dynamodb.requests} | {operations} | {cost.posts:,} | {cost.ms:.0f} |")
    lines.append("")
    if latency:
        lines += [
            f"Hold to message on the local stack (POST /bookings until the WebSocket client has the "
            f"`availability_changed` naming that slot unavailable), {latency.holds} holds: "
            f"p50 {latency.p50_ms:.0f} ms, p99 {latency.p99_ms:.0f} ms, max {latency.max_ms:.0f} ms "
            "(the stream is polled 4 times a second, as Lambda polls a shard).",
            "",
        ]
    return lines
