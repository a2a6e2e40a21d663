"""Shared fixtures.

Two storage backends, both with tables built from template.yaml (never hand-written here):
  * `moto_table`: fast, single-threaded tests (moto is not safe under concurrency);
  * `local_table`: the real DynamoDB Local engine, for conditional writes, transactions,
    races and TTL. One engine per test session; each test gets fresh, uniquely named tables.
"""

from __future__ import annotations

import copy
import json
import os
import uuid

import pytest

from tests.support.lambda_helpers import LambdaContext, load_event
from tests.support.network_guard import install_loopback_guard, off_loopback_attempts
from tests.support.streams import MotoStreams, close_stream, deliver, open_stream

# The functions read these from the environment (once, lazily); tests give them dummy values
# before any function module is imported. No real AWS account is ever reached.
TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "TABLE_NAME": "MentorshipTable",
    "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "SENDER_EMAIL": "bookings@example.com",
    "PUSH_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:mentor-booking-push-test",
    "POWERTOOLS_SERVICE_NAME": "tests",
    "POWERTOOLS_METRICS_NAMESPACE": "MentorBookingTests",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    # Each request reads the directory's changes (tests of the freshness bound set their own).
    "DIRECTORY_SYNC_SECONDS": "0",
}
os.environ.update(TEST_ENVIRONMENT)
os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
os.environ.pop("AWS_PROFILE", None)


# Network traffic in tests goes to this machine only (tests/support/network_guard.py).
install_loopback_guard()


@pytest.fixture(autouse=True)
def _only_loopback_traffic():
    """Fail the test that tried to connect off the loopback, even if its code caught the error."""
    off_loopback_attempts(clear=True)
    yield
    attempts = off_loopback_attempts(clear=True)
    if attempts:
        pytest.fail(f"this test tried to connect off the loopback: {', '.join(attempts)}", pytrace=False)

@pytest.fixture(scope="session")
def dynamodb_local():
    from tooling.dynamodb_local import DynamoDBLocal

    with DynamoDBLocal() as engine:
        yield engine


def _bind(table_name: str, host: str | None) -> None:
    """Point the models at the test's table and drop what a function caches per instance
    (settings, the idempotency store's client), as a fresh Lambda instance would."""
    from mentorship.api import idempotency
    from mentorship.settings import get_settings
    from mentorship.store.binding import bind_table

    get_settings.cache_clear()
    idempotency._runner.cache_clear()
    bind_table(table_name, "us-east-1", host=host)


@pytest.fixture
def local_table(dynamodb_local, monkeypatch):
    """Fresh template tables in DynamoDB Local, with the models bound to them; TTL off, as the
    tests' clocks are frozen in the machine's past (tooling.dynamodb_local.create_template_tables)."""
    from tooling.dynamodb_local import create_template_tables

    client = dynamodb_local.client()
    names = create_template_tables(client, name_prefix=f"t{uuid.uuid4().hex[:10]}-", ttl=False)
    monkeypatch.setenv("TABLE_NAME", names["MentorshipTable"])
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", names["IdempotencyTable"])
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_local.endpoint)
    _bind(names["MentorshipTable"], dynamodb_local.endpoint)
    open_stream(client, dynamodb_local.client("dynamodbstreams"), names["MentorshipTable"])
    yield names
    close_stream()
    for table_name in names.values():
        client.delete_table(TableName=table_name)


@pytest.fixture
def moto_table(monkeypatch):
    """Template tables in moto (in-process), with the models bound to them."""
    from moto import mock_aws

    from tooling.template import table_definitions

    with mock_aws():
        import boto3

        client = boto3.client("dynamodb", region_name="us-east-1")
        names = {}
        for logical_id, definition in table_definitions().items():
            definition = dict(definition)
            ttl_attribute = definition.pop("TimeToLive")
            client.create_table(TableName=logical_id, **definition)
            if ttl_attribute:
                client.update_time_to_live(
                    TableName=logical_id,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute},
                )
            names[logical_id] = logical_id
        _bind(names["MentorshipTable"], None)
        open_stream(client, MotoStreams(), names["MentorshipTable"])
        yield names
        close_stream()


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext()


@pytest.fixture
def http_event():
    """Build an HTTP API v2 event from the sample in events/ (what `sam local invoke -e` takes)."""

    def build(
        method: str,
        path: str,
        query: dict[str, str] | None = None,
        body: str | dict | None = None,
        claims: dict[str, str] | None = None,
        route_key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict:
        event = copy.deepcopy(load_event("mentors_list.json"))
        event["routeKey"] = event["requestContext"]["routeKey"] = route_key or f"{method} {path}"
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["requestContext"]["http"]["method"] = method
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in (query or {}).items())
        event["headers"].update(headers or {})
        if body is not None:
            event["body"] = body if isinstance(body, str) else json.dumps(body)
            event["headers"]["content-type"] = "application/json"
        if claims is not None:
            event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
        return event

    return build


@pytest.fixture(params=["moto", pytest.param("dynamodb_local", marks=pytest.mark.dynamodb_local)])
def table(request):
    """Runs a test once on moto and once on the real DynamoDB Local engine."""
    return request.getfixturevalue("moto_table" if request.param == "moto" else "local_table")


class FrozenClock:
    """What `mentorship.clock.now()` answers in a test; move it with `advance`."""

    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment

    def advance(self, **delta):
        from datetime import timedelta

        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    from datetime import UTC, datetime

    from mentorship import clock as clock_module

    frozen = FrozenClock(datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
    monkeypatch.setattr(clock_module, "now", frozen.now)
    return frozen


@pytest.fixture
def mentors_api(http_event):
    """Call MentorsFunction: mentors_api("GET", "/mentors/m1", query=..., body=..., claims=...)."""
    from functions.mentors.app import lambda_handler

    from tests.support.lambda_helpers import invoke_http

    def call(method, path, *, route_key=None, **kwargs):
        return invoke_http(lambda_handler, http_event(method, path, route_key=route_key, **kwargs))

    return call


@pytest.fixture
def outbox():
    """Swap the email and push gateways for recording fakes; restore the real ones after."""
    from mentorship import gateways

    from tests.support.fakes import RecordingEmailSender, RecordingPushSender

    email, push = RecordingEmailSender(), RecordingPushSender()
    gateways.use(email=email, push=push)
    yield type("Outbox", (), {"email": email, "push": push})()
    gateways.use()


@pytest.fixture
def booking_api(http_event):
    """Call BookingFunction: booking_api("POST", "/bookings", body=..., claims=..., headers=...);
    then the StreamFunction processes what the call wrote (emails, pushes, next open slot), as it
    would a moment after the answer."""
    from functions.booking.app import lambda_handler

    from tests.support.lambda_helpers import invoke_http

    def call(method, path, *, route_key=None, **kwargs):
        answer = invoke_http(lambda_handler, http_event(method, path, route_key=route_key, **kwargs))
        deliver()
        return answer

    return call


@pytest.fixture
def sealing_key(moto_table, monkeypatch):
    """A KMS key in moto for sealing calendar passwords, named in the settings as in AWS."""
    import boto3

    from mentorship import gateways
    from mentorship.settings import get_settings

    key_id = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("SECRETS_KEY_ID", key_id)
    get_settings.cache_clear()
    gateways._kms_box.cache_clear()
    yield key_id
    gateways._kms_box.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def loopback_calendars(sealing_key):
    """The real calendar reader with the local stack's outbound policy (loopback allowed), so
    tests can read the calendar servers they run on 127.0.0.1."""
    from mentorship import gateways
    from mentorship.gateways.calendars import HttpCalendarReader
    from mentorship.gateways.outbound_http import OutboundPolicy

    gateways.use(calendars=HttpCalendarReader(OutboundPolicy(allow_loopback=True, read_timeout=5, total_seconds=10)))
    yield
    gateways.use()


@pytest.fixture(scope="session")
def radicale():
    """A real CalDAV server (Radicale) on 127.0.0.1 for the whole session."""
    from tests.support.calendar_servers import RadicaleServer

    with RadicaleServer() as server:
        yield server


@pytest.fixture
def ics_feeds():
    """A plain HTTP server on 127.0.0.1 serving ICS feeds the test puts in it."""
    from tests.support.calendar_servers import IcsFeedServer

    with IcsFeedServer() as feeds:
        yield feeds
