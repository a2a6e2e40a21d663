"""Delivery off the request path, on the real DynamoDB Local engine and its real stream: a confirm
writes the booking and its outbox and answers; the StreamFunction, handed the stream's records as
Lambda's event source mapping would, sends each message exactly once, also when a batch fails
part way and is retried, and when Lambda hands the whole batch over again."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.calendar import Party
from mentorship.errors import ServiceUnavailable
from mentorship.services import booking as bookings
from mentorship.store.directory import CHUNK_SK, chunk_pk
from mentorship.store.models import DirectorySnapshotChunk, MentorProfile, Notification, PendingEmail, booking_pk, mentor_pk, user_pk
from tests.support.factories import add_mentor, add_slots
from tests.support.streams import mapping_for, stream_function
from tooling.streams import StreamReader, lambda_record

pytestmark = pytest.mark.dynamodb_local

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
ADA = Party("mentee-ada", "Ada Lovelace", "ada@example.com", "Europe/Berlin")


@pytest.fixture
def engine(local_table, dynamodb_local, clock, outbox):
    add_mentor("mentor-grace", "Grace Hopper", NOW)
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(4)], NOW)
    client = dynamodb_local.client()
    streams = dynamodb_local.client("dynamodbstreams")
    return client, streams, local_table["MentorshipTable"]


def confirmed_booking() -> str:
    """Hold and confirm through the services (nothing reads the stream meanwhile)."""
    held = bookings.hold_session(ADA, bookings.SessionRequest("mentor-grace", START, 60, "Streams and outboxes"), NOW)
    confirmed = bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW)
    assert confirmed.status == "confirmed"
    return held.booking_id


def pending_emails(booking_id: str) -> list[PendingEmail]:
    found = PendingEmail.query(booking_pk(booking_id), PendingEmail.sk.startswith("EMAIL#"), consistent_read=True)
    return [email for email in found if not email.sent]


def test_the_confirm_answers_before_anything_is_sent_and_the_stream_sends_it(engine, outbox):
    client, streams, table = engine
    booking_id = confirmed_booking()
    assert outbox.email.sent == [] and outbox.push.published == []
    assert len(pending_emails(booking_id)) == 2

    mapping_for(client, streams, table).drain()
    assert sorted(d[0] for d, _ in outbox.email.sent) == ["ada@example.com", "mentor-grace@example.com"]
    assert sorted(p["userId"] for p in outbox.push.published) == ["mentee-ada", "mentor-grace"]
    assert pending_emails(booking_id) == []
    inbox = list(Notification.query(user_pk("mentee-ada"), Notification.sk.startswith("NOTIFICATION#")))
    assert [entry.pushed for entry in inbox] == [True]
    # The hold took the mentor's next open slot away; the stream refreshed it, not the request.
    profile = MentorProfile.get(mentor_pk("mentor-grace"), "PROFILE", consistent_read=True)
    assert profile.next_open_at == START + timedelta(minutes=60)


def test_a_batch_that_fails_part_way_is_retried_from_the_failed_record_and_sends_nothing_twice(
    engine, outbox, monkeypatch
):
    client, streams, table = engine
    confirmed_booking()
    from mentorship.services import delivery

    real_claim = delivery.claim
    claims = []

    def claim_throttled_once(item, now):
        claims.append(item.sk)
        if len(claims) == 2:  # the second message of the batch: DynamoDB throttles its lease
            raise ServiceUnavailable("throttled")
        return real_claim(item, now)

    monkeypatch.setattr(delivery, "claim", claim_throttled_once)
    mapping = mapping_for(client, streams, table)
    mapping.pump()  # the first batch stops at the throttled record and reports it
    assert len(outbox.email.sent) + len(outbox.push.published) == 1
    mapping.drain()  # Lambda hands the batch over again from that record
    assert sorted(d[0] for d, _ in outbox.email.sent) == ["ada@example.com", "mentor-grace@example.com"]
    assert sorted(p["userId"] for p in outbox.push.published) == ["mentee-ada", "mentor-grace"]
    assert mapping.given_up == []

    # Lambda may hand over a whole batch again (a timeout, a bisected half): still nothing twice.
    reader = StreamReader(streams, client.describe_table(TableName=table)["Table"]["LatestStreamArn"])
    every_record = [lambda_record(record, reader.stream_arn, "us-east-1") for record in reader.read()]
    assert stream_function({"Records": every_record}) == {"batchItemFailures": []}
    assert len(outbox.email.sent) == 2 and len(outbox.push.published) == 2


def test_a_record_that_keeps_failing_goes_to_the_on_failure_destination_and_the_run_sends_it(
    engine, outbox, monkeypatch, clock
):
    client, streams, table = engine
    booking_id = confirmed_booking()
    from mentorship.services import delivery

    real_claim, throttled = delivery.claim, [True]

    def claim_while_throttled(item, now):
        if throttled[0]:
            raise ServiceUnavailable("throttled")
        return real_claim(item, now)

    monkeypatch.setattr(delivery, "claim", claim_while_throttled)
    mapping = mapping_for(client, streams, table)
    for _ in range(mapping.source.maximum_retry_attempts + 2):
        mapping.pump()
    assert mapping.given_up, "records past MaximumRetryAttempts go to the on-failure destination"
    assert outbox.email.sent == []
    throttled[0] = False

    # The per-minute run is the safety net: it finds the emails still pending in DueWork.
    from functions.reminders.app import lambda_handler as scheduled_run
    from tests.support.lambda_helpers import LambdaContext

    scheduled_run({"time": (NOW + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}, LambdaContext())
    assert sorted(d[0] for d, _ in outbox.email.sent) == ["ada@example.com", "mentor-grace@example.com"]
    assert pending_emails(booking_id) == []


def test_a_binary_item_reaches_the_function_as_base64_text_in_a_json_event_and_delivery_goes_on(engine, outbox):
    """A directory snapshot chunk is binary. Lambda's event carries it as base64 text; the local
    stack passes the event to its workers as JSON, and a bytes value there once stopped the whole
    stream (every later record waited behind the batch that could not be sent)."""
    client, streams, table = engine
    chunk = bytes(range(256)) * 4
    DirectorySnapshotChunk(pk=chunk_pk("snapshot-1", 0), sk=CHUNK_SK, data=chunk).save()
    booking_id = confirmed_booking()

    events = []

    def invoke_over_json(event: dict) -> dict:
        wire = json.dumps(event)  # what the local stack's worker channel carries
        events.append(json.loads(wire))
        return stream_function(json.loads(wire))

    mapping_for(client, streams, table, invoke=invoke_over_json).drain()
    images = [record["dynamodb"].get("NewImage", {}) for event in events for record in event["Records"]]
    [chunk_image] = [image for image in images if image.get("kind", {}).get("S") == "DirectorySnapshotChunk"]
    assert base64.b64decode(chunk_image["data"]["B"]) == chunk
    assert pending_emails(booking_id) == []
    assert len(outbox.email.sent) == 2
