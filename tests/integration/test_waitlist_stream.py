"""A cancel becomes a waitlist offer through the table's real stream on DynamoDB Local: the
cancel answers having written only the cancellation; the StreamFunction, handed the stream's
records as Lambda's event source mapping would, makes the offer (a 30-minute hold for the oldest
waiting entry); its inbox entry and email go out from the next records, once, even when Lambda
hands the whole stream over again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.calendar import Party
from mentorship.domain.instants import epoch_seconds
from mentorship.services import booking as bookings
from mentorship.services import sessions, waitlist
from mentorship.store.booking_repository import booking_repository
from mentorship.store.waitlist import waitlist_repository
from tests.support.factories import add_mentor, add_slots
from tests.support.streams import mapping_for, stream_function
from tooling.streams import StreamReader, lambda_record

pytestmark = pytest.mark.dynamodb_local

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
ADA = Party("mentee-ada", "Ada Lovelace", "ada@example.com", "Europe/Berlin")
BEN = Party("mentee-ben", "Ben Bitdiddle", "ben@example.com", "America/New_York")
CY = Party("mentee-cy", "Cy D. Fect", "cy@example.com", "Asia/Tokyo")


@pytest.fixture
def engine(local_table, dynamodb_local, clock, outbox):
    add_mentor("mentor-grace", "Grace Hopper", NOW)
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(2)], NOW)
    client, streams = dynamodb_local.client(), dynamodb_local.client("dynamodbstreams")
    table = local_table["MentorshipTable"]
    return mapping_for(client, streams, table), StreamReader(streams, client.describe_table(TableName=table)["Table"]["LatestStreamArn"])


def status_of(who: Party) -> tuple[str, str | None]:
    (entry,) = waitlist_repository().entries_of(who.user_id)
    return entry.status, entry.booking_id


def test_a_cancel_reaches_the_stream_and_becomes_an_offer_sent_once(engine, outbox):
    mapping, replay = engine
    held = bookings.hold_session(ADA, bookings.SessionRequest("mentor-grace", START, 60, "Streams and outboxes"), NOW)
    bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW)
    window = (START - timedelta(hours=1), START + timedelta(hours=2))
    waitlist.join_waitlist(BEN, "mentor-grace", *window, 60, "Waiting for Grace", NOW)
    waitlist.join_waitlist(CY, "mentor-grace", *window, 60, "Waiting for Grace too", NOW + timedelta(seconds=1))
    mapping.drain()  # the confirm's messages, and the new entries (all time is taken: no offer)
    assert status_of(BEN) == ("waiting", None) and status_of(CY) == ("waiting", None)

    sessions.cancel_booking(held.booking_id, ADA.user_id, None, NOW + timedelta(minutes=10))
    assert status_of(BEN) == ("waiting", None)  # the cancel itself offers nothing: the stream does

    mapping.drain()
    status, offer_id = status_of(BEN)
    assert status == "offered" and status_of(CY) == ("waiting", None)
    offer = booking_repository().get(offer_id)
    assert (offer.status, offer.mentee_id, offer.start, int(offer.duration_minutes)) == ("held", BEN.user_id, START, 60)
    assert offer.hold_expires_at == epoch_seconds(NOW + timedelta(minutes=30))  # the stream's clock (frozen)
    assert mapping.given_up == []
    # The offer's own records (written by the stream) come in its next read: one email, one push.
    mapping.drain()
    (email,) = [m for m in outbox.email.to(BEN.email) if "held for you" in m["Subject"]]
    (push,) = [p for p in outbox.push.published if p["userId"] == BEN.user_id]
    assert push["url"] == f"/bookings/{offer_id}"
    sent, pushed = len(outbox.email.sent), len(outbox.push.published)

    # Lambda may hand the whole stream over again: no second offer, nothing sent twice.
    records = [lambda_record(record, replay.stream_arn, "us-east-1") for record in replay.read()]
    assert stream_function({"Records": records}) == {"batchItemFailures": []}
    assert status_of(BEN) == ("offered", offer_id) and status_of(CY) == ("waiting", None)
    assert (len(outbox.email.sent), len(outbox.push.published)) == (sent, pushed)
