"""End to end: `python -m local.stack` (what `make run` starts) as a subprocess, used over HTTP the
way a developer or a web client uses it, then stopped with Ctrl-C (SIGINT).

The stack starts once for the e2e session (tests/e2e/conftest.py; this module runs last). The last test stops it and checks that everything it
started (worker processes, the DynamoDB Local JVM) ended with it.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import jwt
import pytest
import requests

from tests.support import local_stack

pytestmark = pytest.mark.e2e

READY_TIMEOUT_SECONDS = local_stack.READY_TIMEOUT_SECONDS
STOP_TIMEOUT_SECONDS = local_stack.STOP_TIMEOUT_SECONDS
RunningStack = local_stack.RunningStack


def _children(pid: int) -> dict[int, str]:
    """Direct child processes of `pid` (Linux /proc), with their command lines."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            if parent == pid:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                children[int(entry.name)] = command.decode(errors="replace")
        except (OSError, ValueError):
            continue  # the process ended while we looked
    return children


def _alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def assert_error(response: requests.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    assert set(body["error"]) <= {"code", "message", "details"}, body
    return body["error"]


def token_for(stack: RunningStack, **claims: str) -> str:
    claims = {"sub": "e2e-user-1", "email": "e2e@example.com", "name": "E2E User", **claims}
    response = requests.post(stack.url("/_local/token"), json=claims, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def run_schedule(stack: RunningStack, function: str, body: dict) -> requests.Response:
    return requests.post(stack.url(f"/_local/schedules/{function}"), json=body, timeout=60)


def test_ready_within_90_seconds(stack):
    assert stack.ready_seconds < READY_TIMEOUT_SECONDS


def test_seeded_mentors_page_to_the_end(stack):
    first = requests.get(stack.url("/mentors"), timeout=10)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["count"] == len(body["items"]) > 0
    card = body["items"][0]
    assert {"mentorId", "name", "company", "jobTitle", "experienceLevel", "hourlyRate"} <= set(card)

    mentor_ids, cursor, pages = [], None, 0
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = requests.get(stack.url("/mentors"), params=params, timeout=10)
        assert page.status_code == 200, page.text
        payload = page.json()
        assert payload["count"] == len(payload["items"]) <= 7
        mentor_ids += [item["mentorId"] for item in payload["items"]]
        pages += 1
        cursor = payload["nextCursor"]
        if cursor is None:
            break
        assert pages < 50, "nextCursor never ended"
    assert len(mentor_ids) == len(set(mentor_ids)), "a mentor appeared on two pages"
    assert len(set(mentor_ids)) >= 20


def test_the_seed_makes_every_directory_filter_meaningful(stack):
    def count(**params):
        response = requests.get(stack.url("/mentors"), params={"limit": 100, **params}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["count"]

    everyone = count()
    for params in ({"availability": "week"}, {"availability": "month"}, {"experienceLevel": "junior"},
                   {"experienceLevel": "staff"}, {"jobFamily": "engineer"}, {"minRate": 15000}, {"maxRate": 8000}):
        assert 0 < count(**params) < everyone, params
    assert count(availability="today") <= count(availability="week") <= count(availability="month")


def test_protected_route_needs_a_token(stack):
    error = assert_error(requests.get(stack.url("/me/bookings"), timeout=10), 401, "unauthorized")
    assert "Authorization" in error["message"] or "token" in error["message"]


def test_a_token_signed_with_another_secret_is_refused(stack):
    now = int(time.time())
    forged = jwt.encode(
        {"sub": "intruder", "email": "x@example.com", "name": "X", "iat": now, "exp": now + 600},
        "a-different-secret-of-at-least-32-bytes",
        algorithm="HS256",
    )
    response = requests.get(stack.url("/me/bookings"), headers=bearer(forged), timeout=10)
    assert_error(response, 401, "unauthorized")


def test_a_local_token_opens_protected_routes(stack):
    token = token_for(stack, zoneinfo="Europe/Berlin")
    response = requests.get(stack.url("/me/bookings"), headers=bearer(token), timeout=10)
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "nextCursor": None}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "bad_request"),
        (b'["sub", "email", "name"]', 400, "bad_request"),
        (b'{"email": "a@example.com", "name": "A"}', 422, "validation_error"),
        (b'{"sub": "", "email": "a@example.com", "name": "A"}', 422, "validation_error"),
        (b'{"sub": "a", "email": "a@example.com", "name": "A", "admin": true}', 422, "validation_error"),
        (b'{"sub": "a", "email": "a@example.com", "name": "A", "zoneinfo": 5}', 422, "validation_error"),
    ],
)
def test_the_token_endpoint_refuses_bad_bodies(stack, body, status, code):
    response = requests.post(
        stack.url("/_local/token"), data=body, headers={"Content-Type": "application/json"}, timeout=10
    )
    error = assert_error(response, status, code)
    if status == 422:
        assert error["details"] and all(detail["field"].startswith("body.") for detail in error["details"])


def test_the_outbox_starts_empty(stack):
    response = requests.get(stack.url("/_local/outbox"), timeout=10)
    assert response.status_code == 200, response.text
    assert response.json() == {"messages": []}


def test_a_schedule_runs_on_demand_at_the_given_time(stack):
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    instant = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    response = run_schedule(stack, "RemindersFunction", {"time": instant})
    assert response.status_code == 200, response.text
    assert response.json()["result"]["now"] == instant

    # Any offset is accepted; the event carries the instant in UTC.
    local = at.astimezone(timezone(timedelta(hours=-5))).isoformat()  # 2026-11-24T09:00:00-05:00
    response = run_schedule(stack, "RemindersFunction", {"time": local})
    assert response.json()["result"]["now"] == instant


def test_a_schedule_with_a_bad_time_or_function_is_refused(stack):
    no_offset = run_schedule(stack, "RemindersFunction", {"time": "2030-01-01T10:00:00"})
    assert assert_error(no_offset, 422, "validation_error")["details"][0]["field"] == "body.time"
    assert_error(run_schedule(stack, "RemindersFunction", {"when": "now"}), 422, "validation_error")
    assert_error(run_schedule(stack, "NoSuchFunction", {}), 404, "not_found")


def test_a_confirm_answers_at_once_and_its_emails_follow_from_the_stream(stack):
    """The confirm writes the booking and its outbox and answers; the StreamFunction, fed by the
    local poller of DynamoDB Local's stream, sends both emails within seconds. The directory
    snapshot the schedule writes (once the stack has run a minute, or now) is binary and goes down
    the same stream first: CI saw a stack whose stream stopped at such a record."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    compacted = run_schedule(stack, "DirectoryFunction", {"time": now})
    assert compacted.status_code == 200, compacted.text
    mentor_id = requests.get(stack.url("/mentors?limit=1&availability=month"), timeout=10).json()["items"][0]["mentorId"]
    slots = requests.get(stack.url(f"/mentors/{mentor_id}/availability"), timeout=10).json()["slots"]
    start = next(slot["start"] for slot in slots if slot["available"])
    headers = bearer(token_for(stack, sub="e2e-stream", email="stream@example.com"))
    booking_id = stack.hold(headers, mentor_id, start, "Streams, end to end")
    outbox = stack.url("/_local/outbox")
    before = len(requests.get(outbox, timeout=10).json()["messages"])
    confirmed = requests.post(
        stack.url(f"/bookings/{booking_id}/confirm"), json={"paymentMethod": "pm_card_visa"}, headers=headers, timeout=30
    )
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed"), confirmed.text

    deadline = time.monotonic() + 10
    new = []
    while time.monotonic() < deadline:
        new = requests.get(outbox, timeout=10).json()["messages"][before:]
        if len(new) >= 2:
            break
        time.sleep(0.2)
    assert len(new) == 2, f"the confirmation emails did not arrive within 10 s:\n{stack.log_tail()}"
    assert ["stream@example.com"] in [message["destinations"] for message in new]


def test_a_released_hold_is_offered_to_the_mentee_waiting_for_it_within_seconds(stack):
    """Waitlist: Dee holds a slot, Eve waits for it; Dee lets it go and the StreamFunction, fed by
    the local poller of DynamoDB Local's stream, makes Eve a 30-minute hold with an inbox entry."""
    mentor_id = requests.get(stack.url("/mentors?limit=1&availability=month"), timeout=10).json()["items"][0]["mentorId"]
    slots = requests.get(stack.url(f"/mentors/{mentor_id}/availability"), timeout=10).json()["slots"]
    slot = next(slot for slot in slots if slot["available"])
    dee = bearer(token_for(stack, sub="e2e-waitlist-dee", email="dee@example.com"))
    eve = bearer(token_for(stack, sub="e2e-waitlist-eve", email="eve@example.com"))
    held = stack.hold(dee, mentor_id, slot["start"], "Holding it for a moment")
    joined = requests.post(
        stack.url(f"/mentors/{mentor_id}/waitlist"),
        json={"from": slot["start"], "to": slot["end"], "durationMinutes": 30, "topic": "Waiting for this slot"},
        headers=eve,
        timeout=30,
    )
    assert (joined.status_code, joined.json()["status"]) == (201, "waiting"), joined.text
    released = requests.post(stack.url(f"/bookings/{held}/cancel"), json={}, headers=dee, timeout=30)
    assert (released.status_code, released.json()["status"]) == (200, "released"), released.text

    deadline, entry = time.monotonic() + 10, {}
    while time.monotonic() < deadline:
        (entry,) = requests.get(stack.url("/me/waitlist"), headers=eve, timeout=10).json()["items"]
        if entry["status"] == "offered":
            break
        time.sleep(0.2)
    assert entry["status"] == "offered", f"no offer within 10 s:\n{stack.log_tail()}"
    offer = requests.get(stack.url(f"/bookings/{entry['bookingId']}"), headers=eve, timeout=10).json()
    assert (offer["status"], offer["start"]) == ("held", slot["start"])
    inbox = requests.get(stack.url("/me/notifications"), headers=eve, timeout=10).json()["items"]
    assert [n["url"] for n in inbox if n["type"] == "waitlist_offer"] == [f"/bookings/{entry['bookingId']}"]


def test_unknown_routes_and_methods_are_404(stack):
    assert_error(requests.get(stack.url("/no/such/route"), timeout=10), 404, "not_found")
    assert_error(requests.delete(stack.url("/mentors"), timeout=10), 404, "not_found")


def test_cors_preflight_is_answered_for_a_local_web_client(stack):
    response = requests.options(
        stack.url("/me/bookings"),
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
        timeout=10,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()


def test_docs_are_served_offline(stack):
    page = requests.get(stack.url("/docs"), timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="(/docs/[^"]+)"', page.text)
    assert "/docs/swagger-ui-bundle.js" in assets
    assert not re.search(r'(?:src|href)="https?://', page.text), "the page must not load anything from a CDN"
    for asset in assets:
        response = requests.get(stack.url(asset), timeout=10)
        assert response.status_code == 200, asset
        assert len(response.content) > 0
    document = requests.get(stack.url("/openapi.json"), timeout=60)
    assert document.status_code == 200, document.text
    assert "/mentors" in document.json()["paths"]


def test_a_mentor_connects_calendars_on_loopback_and_subscribes_to_the_feed(stack, radicale, ics_feeds):
    """The local stack allows calendar servers on 127.0.0.1 (AWS does not), seals the CalDAV
    password with KMS (moto), lets busy times block published slots, and serves the feed."""
    from tests.support.calendar_servers import vcalendar, vevent

    headers = bearer(token_for(stack, sub="e2e-mentor-cal", name="Cal Endar"))
    profile = {
        "company": "Acme", "jobTitle": "Engineer", "bio": "Calendars.", "specialties": ["caldav"],
        "yearsOfExperience": 5, "hourlyRate": {"amount": 10_000, "currency": "USD"}, "timezone": "Europe/Berlin",
    }
    assert requests.put(stack.url("/mentors/me"), json=profile, headers=headers, timeout=10).status_code == 200
    schedule = {"timezone": "Europe/Berlin", "weekly": [{"day": "monday", "start": "09:00", "end": "12:00"}]}
    answer = requests.put(stack.url("/mentors/me/schedule"), json=schedule, headers=headers, timeout=10)
    assert answer.status_code == 200 and answer.json()["weekly"] == schedule["weekly"], answer.text
    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    window = {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}
    assert requests.post(stack.url("/mentors/me/availability"), json=window, headers=headers, timeout=10).status_code == 201
    busy = vevent("busy", f"DTSTART:{start:%Y%m%dT%H%M%SZ}", f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}")
    url = radicale.calendar("e2e-busy", [vcalendar(busy)])
    body = {"type": "caldav", "url": url, "username": radicale.username, "password": radicale.password}
    connected = requests.post(stack.url("/mentors/me/calendars"), json=body, headers=headers, timeout=30)
    assert connected.status_code == 201, connected.text
    assert connected.json()["status"] == "ok" and radicale.password not in connected.text
    feed = ics_feeds.serve("/e2e.ics", vcalendar())
    assert requests.post(stack.url("/mentors/me/calendars"), json={"type": "ics", "url": feed}, headers=headers, timeout=30).status_code == 201
    slots = requests.get(
        stack.url("/mentors/e2e-mentor-cal/availability"),
        params={"from": window["start"], "to": window["end"]}, timeout=10,
    ).json()["slots"]
    assert [slot["available"] for slot in slots] == [False, False, True, True]  # the busy hour, then free
    assert radicale.password not in stack.log_tail(10**7)
    feed_url = requests.get(stack.url("/me/calendar-feed"), headers=headers, timeout=10).json()["url"]
    served = requests.get(feed_url, timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("text/calendar")
    assert served.text.startswith("BEGIN:VCALENDAR")


def test_ctrl_c_stops_everything_it_started(stack):
    children = _children(stack.process.pid)
    java = {pid: cmd for pid, cmd in children.items() if "DynamoDBLocal" in cmd}
    workers = {pid: cmd for pid, cmd in children.items() if "lambda_runtime" in cmd}
    assert len(java) == 1, children
    assert len(workers) >= 3, children  # at least one per function
    (java_command,) = java.values()
    dynamodb_port = re.search(r"-port (\d+)", java_command).group(1)

    stack.process.send_signal(signal.SIGINT)
    try:
        stack.process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the stack did not stop within {STOP_TIMEOUT_SECONDS}s of SIGINT:\n{stack.log_tail()}")
    assert stack.process.returncode == 0, stack.log_tail()

    deadline = time.monotonic() + 3
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if _alive(pid)], f"left running: {children}"
    leftover = subprocess.run(
        ["pgrep", "-f", f"DynamoDBLocal.jar.*-port {dynamodb_port}"], capture_output=True, text=True
    )
    assert leftover.stdout.strip() == "", f"DynamoDB Local still running: {leftover.stdout}"
