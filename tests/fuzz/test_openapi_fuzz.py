"""Fuzzing the HTTP API from its own generated OpenAPI document (schemathesis), against the running
local stack, as three callers: nobody (no token), a seeded mentee and a seeded mentor.

For every operation in `GET /openapi.json`, schemathesis sends the document's examples, its
coverage cases (boundaries, each constraint broken in turn, unexpected methods) and hypothesis-
generated input (valid and invalid), and checks every answer:

  * never a 5xx (`not_a_server_error`): bad input is never a server error (CONTRACT.md);
  * the answer is in the document: status code listed, content type, body schema, headers;
  * input the document forbids is refused with a 4xx (`negative_data_rejection`);
  * a protected operation does not work without a valid token (`ignored_auth`), and, without a
    token, answers 401 `unauthorized` (`anonymous_is_unauthorized` below);
  * every 4xx/5xx body has the contract's error shape `{"error": {"code", "message", "details"?}}`
    (`error_has_the_contract_shape` below).

Checks deliberately left off, each because it asks for something the contract does not:

  * `unsupported_method` / `allow_header_conformance` want 405 + Allow for a method a path does
    not declare. API Gateway HTTP APIs answer an unmatched route (method included) with 404, and
    the local stack does the same with the contract's error shape (tests/e2e asserts it). The
    unexpected methods are still sent (coverage phase), so a 5xx or a wrong shape for them fails.
  * `positive_data_acceptance` wants every schema-valid input accepted. Much of the API's
    validation cannot be written in JSON Schema: an opaque cursor this API issued, an IANA zone
    name, `from` < `to`, a slot in the future and on :00/:30, "10-1,000 characters after
    trimming", a mentor profile before publishing availability. A 422 for those is the contract.
  * `use_after_free`, `ensure_resource_availability`, `object_level_authorization`: stateful
    checks (links between operations, two identities per scenario); the document has no links.

Bounded for CI (< 5 minutes on 2 cores including the stack's start): `MAX_EXAMPLES` generated
cases per operation and caller, a fixed seed and `derandomize=True`, so a run is reproducible
and a failure replays with the same input. Real values are mixed into the generated input (seeded
mentors, two bookings made here, open slots, valid topics) through schemathesis dictionaries,
so cases reach the code behind the 404s and 422s as well as the 404s and 422s themselves; so
are values at the edge of each format (instants at and past 1970..2200 UTC with extreme offsets,
pseudo-zones, text with control characters), which must be refused with a 4xx, never a 5xx.
test_input_rules.py replays each case of issue 17 over HTTP, and the local server's own limits.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings

from local.seed import DEMO_MENTEES, DEMO_MENTORS, MENTORS

# `e2e` too: like tests/e2e it starts the local stack, so `make test-fast` leaves it out.
pytestmark = [pytest.mark.fuzz, pytest.mark.e2e]

MAX_EXAMPLES = 50  # generated cases per operation and caller in the fuzzing phase
SEED = 20261124
IDENTITIES = ("anonymous", "mentee", "mentor")
MENTEE = DEMO_MENTEES[0]
# A mentor with a weekly rhythm: open slots from tomorrow for the next 30 days.
MENTOR = next(user for user, seed in zip(DEMO_MENTORS, MENTORS) if seed.availability == "weekly")
OTHER_MENTOR_IDS = [user.sub for user in DEMO_MENTORS[:3] if user.sub != MENTOR.sub]
TOPIC = "Fuzzing the booking API for robustness"
# Values at and past the edges of what each format allows (CONTRACT.md, "Input rules made
# explicit"), mixed into generated input: instants at and beyond 1970..2200 UTC with extreme
# offsets, zone names that are files but not places, text with control characters and bidi
# overrides, and strings shaped like other formats.
EDGE_INSTANTS = [
    "9999-12-31T23:30:00-12:00",
    "0001-01-01T00:00:00+14:00",
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2200-01-01T00:00:00Z",
    "2200-01-01T00:00:00.000001Z",
    "2026-11-24T14:00:00+23:59",
    "2026-11-24T14:00:00.123456789-00:00",
    "2026-02-29T14:00:00Z",
    "2026-11-24T14:00:00",
]
EDGE_ZONES = ["localtime", "posixrules", "Factory", "posix/Europe/Berlin", "right/UTC", "Europe/Berlin", "UTC",
              "Etc/GMT+12", "Pacific/Kiritimati", "America/Argentina/Buenos_Aires", "EST5EDT", "../../etc/passwd"]
EDGE_TEXTS = [
    "A topic with a NUL \x00 in the middle of it",
    "A topic that rings the bell \x07 twice \x07",
    "Line one\r\nBcc: everyone@example.com",
    "Escape \x1b[31m sequences in a topic",
    "Right-to-left \u202e override inside a topic",
    "Emoji \U0001F600 and astral \U00010348 characters",
    "  Newlines\n\tand tabs are fine in a topic  ",
    "[" * 70 + "]" * 70,
]
FUZZED_UNEXPECTED_METHODS = ("get", "put", "post", "delete", "options", "patch", "trace", "query")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _plus_an_hour(instant: str) -> str:
    moment = datetime.strptime(instant, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + timedelta(hours=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def known_data(stack) -> dict:
    """Real ids for the fuzzer to mix in: a held and a confirmed booking of MENTEE with MENTOR,
    and MENTOR's open slot starts."""
    mentee_token = stack.token(MENTEE.claims())
    now = datetime.now(UTC)
    window = {"from": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "to": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    answer = requests.get(stack.url(f"/mentors/{MENTOR.sub}/availability"), params=window, timeout=10)
    assert answer.status_code == 200, answer.text
    open_starts = [slot["start"] for slot in answer.json()["slots"] if slot["available"]]
    assert len(open_starts) >= 6, open_starts

    def hold(start: str) -> str:
        body = {"mentorId": MENTOR.sub, "start": start, "durationMinutes": 30, "topic": TOPIC}
        response = requests.post(stack.url("/bookings"), json=body, headers=_bearer(mentee_token), timeout=10)
        assert response.status_code == 201, response.text
        return response.json()["bookingId"]

    held = hold(open_starts[0])
    confirmed = hold(open_starts[2])
    response = requests.post(
        stack.url(f"/bookings/{confirmed}/confirm"),
        json={"paymentMethod": "pm_card_visa"},
        headers=_bearer(mentee_token),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {
        "booking_ids": [held, confirmed],
        "mentor_ids": [MENTOR.sub, *OTHER_MENTOR_IDS],
        "slot_starts": open_starts[4:20],
        # an hour after each: an availability window the mentor may publish
        "slot_ends": [_plus_an_hour(start) for start in open_starts[4:20]],
    }


@pytest.fixture(params=IDENTITIES)
def identity(request) -> str:
    return request.param


@pytest.fixture
def api_schema(stack, known_data, identity):
    """The document the stack serves, configured for one caller."""
    token = None
    if identity == "mentee":
        token = stack.token(MENTEE.claims())
    elif identity == "mentor":
        token = stack.token(MENTOR.claims())
    config: dict = {
        "seed": SEED,
        "cache": {"enabled": False},  # no replay of an earlier run's failures: every run is the same
        "request-timeout": 30,
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True, "unexpected-methods": list(FUZZED_UNEXPECTED_METHODS)},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "negative_data_rejection": {"enabled": True},
            "missing_required_header": {"enabled": True},
            "ignored_auth": {"enabled": True},
            # Left off on purpose; the module docstring says why.
            "positive_data_acceptance": {"enabled": False},
            "unsupported_method": {"enabled": False},
            "allow_header_conformance": {"enabled": False},
            "use_after_free": {"enabled": False},
            "ensure_resource_availability": {"enabled": False},
            "object_level_authorization": {"enabled": False},
        },
        "dictionaries": {
            "booking_ids": {"values": known_data["booking_ids"]},
            "mentor_ids": {"values": known_data["mentor_ids"]},
            # Real slot starts twice as often as edge instants: both the code behind a valid start
            # and the refusal of a wild one get exercised.
            "slot_starts": {"values": known_data["slot_starts"] + EDGE_INSTANTS},
            "slot_ends": {"values": known_data["slot_ends"] + EDGE_INSTANTS},
            "instants": {"values": known_data["slot_starts"][:4] + EDGE_INSTANTS},
            "zones": {"values": EDGE_ZONES},
            "topics": {"values": [TOPIC, "  Preparing for a system design interview  ", *EDGE_TEXTS]},
            "texts": {"values": ["Acme", "Staff engineer", *EDGE_TEXTS]},
        },
        "parameters": {
            "path.bookingId": {"dictionary": "booking_ids", "probability": 0.5},
            "path.mentorId": {"dictionary": "mentor_ids", "probability": 0.5},
            "path.start": {"dictionary": "slot_starts", "probability": 0.4},
            "body.mentorId": {"dictionary": "mentor_ids", "probability": 0.5},
            "body.start": {"dictionary": "slot_starts", "probability": 0.5},
            "body.end": {"dictionary": "slot_ends", "probability": 0.5},
            "query.from": {"dictionary": "instants", "probability": 0.4},
            "query.to": {"dictionary": "instants", "probability": 0.4},
            "query.tz": {"dictionary": "zones", "probability": 0.3},
            "body.timezone": {"dictionary": "zones", "probability": 0.4},
            "body.topic": {"dictionary": "topics", "probability": 0.5},
            "body.comment": {"dictionary": "texts", "probability": 0.3},
            "body.reason": {"dictionary": "texts", "probability": 0.3},
            "body.bio": {"dictionary": "texts", "probability": 0.3},
            "body.company": {"dictionary": "texts", "probability": 0.3},
            "query.jobFamily": {"dictionary": "texts", "probability": 0.3},
        },
    }
    if token:
        config["auth"] = {"openapi": {"bearerAuth": {"bearer": token}}}
    return schemathesis.openapi.from_url(stack.url("/openapi.json"), config=schemathesis.Config.from_dict(config))


schema = schemathesis.pytest.from_fixture("api_schema")


def _is_protected(case) -> bool:
    operation = case.operation.definition.raw
    return bool(operation.get("security"))


def error_has_the_contract_shape(ctx, response, case) -> None:
    """Every 4xx/5xx: JSON `{"error": {"code": snake_case, "message": non-empty, "details"?}}`."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), (
        f"{response.status_code} answered with Content-Type {content_type!r}, not the JSON error shape: "
        f"{response.text[:300]!r}"
    )
    try:
        body = json.loads(response.text)
    except ValueError:
        raise AssertionError(f"{response.status_code} body is not JSON: {response.text[:300]!r}") from None
    assert isinstance(body, dict) and set(body) == {"error"}, f"not the error shape: {body!r}"
    error = body["error"]
    assert isinstance(error, dict) and {"code", "message"} <= set(error) <= {"code", "message", "details"}, (
        f"not the error shape: {body!r}"
    )
    assert isinstance(error["code"], str) and SNAKE_CASE.match(error["code"]), f"code is not snake_case: {body!r}"
    assert isinstance(error["message"], str) and error["message"], f"no message: {body!r}"
    if "details" in error:
        assert isinstance(error["details"], list), f"details is not a list: {body!r}"
        for detail in error["details"]:
            assert isinstance(detail, dict) and set(detail) == {"field", "issue"}, f"bad detail: {body!r}"
    return None


def anonymous_is_unauthorized(ctx, response, case) -> None:
    """Without a (valid) token, a protected route is 401 `unauthorized`, whatever the input."""
    if not _is_protected(case) or case.method.upper() != case.operation.method.upper():
        return None  # public, or a method the path does not declare (no route: 404, checked above)
    assert response.status_code == 401, (
        f"{case.method} {case.formatted_path} without a valid token answered {response.status_code}, not 401: "
        f"{response.text[:300]!r}"
    )
    assert json.loads(response.text)["error"]["code"] == "unauthorized", response.text[:300]
    return None


@settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
@schema.parametrize()
def test_every_operation_answers_as_documented(case, identity):
    checks = [error_has_the_contract_shape]
    if identity == "anonymous":
        checks.append(anonymous_is_unauthorized)
    response = case.call()
    if response.status_code == 204:
        assert response.content == b"", f"a 204 has a body: {response.content[:200]!r}"
    case.validate_response(response, additional_checks=checks)


# ---------------------------------------------------------------------------------------------
# Exact reproductions of what the fuzzer found, one test per root cause, so a fix has a precise
# target. They run against the same stack, in well under a second each.
# ---------------------------------------------------------------------------------------------

BODY_ROUTES = [
    ("POST", "/bookings"),
    ("POST", "/bookings/{bookingId}/confirm"),
    ("POST", "/bookings/{bookingId}/cancel"),
    ("POST", "/bookings/{bookingId}/reschedule"),
    ("POST", "/bookings/{bookingId}/review"),
    ("PUT", "/mentors/me"),
    ("POST", "/mentors/me/availability"),
]
NOT_JSON_BODIES = {
    # (Content-Type, raw body bytes)
    "text/plain": ("text/plain", b'{"paymentMethod": "pm_card_visa"}'),
    "multipart-without-boundary": ("multipart/form-data", b'{"paymentMethod": "pm_card_visa"}'),
    "json-not-utf8": ("application/json", b"\xff\xfe("),
}


def assert_contract_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, f"{response.status_code}: {response.text[:300]}"
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body


def _wrong_answers(responses: dict[str, requests.Response], status: int, code: str) -> list[str]:
    wrong = []
    for label, response in responses.items():
        try:
            assert_contract_error(response, status, code)
        except (AssertionError, ValueError):
            wrong.append(f"{label} -> {response.status_code} {response.text[:160]}")
    return wrong


@pytest.mark.parametrize("kind", sorted(NOT_JSON_BODIES))
def test_a_body_that_is_not_json_is_a_400(stack, known_data, kind):
    """CONTRACT.md: 400 `bad_request` when the body is not JSON; bad input is never a 5xx. Every
    route that takes a body, called by a mentor (so no route refuses the caller before reading it).
    Found by schemathesis (coverage phase: undeclared Content-Type; fuzzing: non-UTF-8 bytes)."""
    content_type, raw = NOT_JSON_BODIES[kind]
    headers = {**_bearer(stack.token(MENTOR.claims())), "Content-Type": content_type}
    responses = {
        f"{method} {path}": requests.request(
            method,
            stack.url(path.replace("{bookingId}", known_data["booking_ids"][1])),
            data=raw,
            headers=headers,
            timeout=30,
        )
        for method, path in BODY_ROUTES
    }
    wrong = _wrong_answers(responses, 400, "bad_request")
    assert not wrong, f"Content-Type {content_type}, body {raw!r}:\n" + "\n".join(wrong)


def test_integer_fields_refuse_booleans_and_strings(stack):
    """The document says `"type": "integer"`; JSON `false` or `"5"` is not one, and a client that
    sends it has a bug we should tell it about (422), not store as 0 or 5. Found by schemathesis
    (`negative_data_rejection`: PUT /mentors/me with `"yearsOfExperience": false` answered 200)."""
    claims = {"sub": f"fuzz-profile-{uuid.uuid4().hex[:8]}", "email": "p@example.com", "name": "Pat"}
    token = stack.token(claims)
    valid = {
        "company": "Acme",
        "jobTitle": "Engineer",
        "bio": "Mentors engineers.",
        "specialties": [],
        "yearsOfExperience": 4,
        "hourlyRate": {"amount": 12000},
        "timezone": "UTC",
    }
    changes = {
        "yearsOfExperience: false": {"yearsOfExperience": False},
        "yearsOfExperience: true": {"yearsOfExperience": True},
        'yearsOfExperience: "5"': {"yearsOfExperience": "5"},
        'hourlyRate.amount: "12000"': {"hourlyRate": {"amount": "12000"}},
    }
    responses = {
        f"PUT /mentors/me with {label}": requests.put(
            stack.url("/mentors/me"), json={**valid, **change}, headers=_bearer(token), timeout=30
        )
        for label, change in changes.items()
    }
    wrong = _wrong_answers(responses, 422, "validation_error")
    assert not wrong, "\n".join(wrong)


def _documented_paths(stack) -> dict[str, set[str]]:
    document = requests.get(stack.url("/openapi.json"), timeout=10).json()
    return {path: {method.upper() for method in operations} for path, operations in document["paths"].items()}


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "PROPFIND", "FOO"])
def test_undeclared_methods_are_404_with_the_error_shape(stack, known_data, method):
    """Every path answers a method it does not declare with 404 `not_found` in the contract's
    shape (what tests/e2e asserts for DELETE /mentors; API Gateway answers an unmatched route 404).
    Found by schemathesis (coverage phase, unexpected methods): the local server answered TRACE and
    QUERY, and still answered any method it had no `do_` handler for, with `501 Unsupported
    method` and an HTML page, before the gateway was consulted."""
    for path in _documented_paths(stack):
        concrete = path.replace("{bookingId}", known_data["booking_ids"][0]).replace(
            "{mentorId}", MENTOR.sub
        ).replace("{start}", "2026-11-24T14:00:00Z")
        response = requests.request(method, stack.url(concrete), timeout=10)
        assert response.status_code < 500, f"{method} {concrete}: {response.status_code} {response.text[:200]!r}"
        assert_contract_error(response, 404, "not_found")
