"""Email and push failures never lose a booking; what failed is sent once by a later run."""

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from functions.reminders.app import lambda_handler as scheduled_run
from mentorship.gateways.email import SesEmailSender
from mentorship.gateways.errors import DeliveryFailed
from mentorship.gateways.push import SnsPushSender
from mentorship.store.models import PendingEmail, booking_pk
from tests.integration.test_booking_flow import confirm, hold
from tests.integration.test_booking_races import race
from tests.support.factories import add_mentor, add_slots
from tests.support.lambda_helpers import LambdaContext

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def mentor(table, clock, outbox):
    add_mentor("mentor-grace", "Grace Hopper", NOW)
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(4)], NOW)


def run_at(moment: datetime) -> dict:
    return scheduled_run({"time": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}, LambdaContext())


def pending(booking_id: str) -> list[PendingEmail]:
    return [e for e in PendingEmail.query(booking_pk(booking_id), PendingEmail.sk.startswith("EMAIL#")) if not e.sent]


def test_ses_throttling_keeps_the_booking_and_a_later_run_sends_each_email_once(mentor, booking_api, outbox, clock):
    _, held = hold(booking_api)
    outbox.email.failure = DeliveryFailed("Throttling", retryable=True)
    status, booking = confirm(booking_api, held["bookingId"])
    assert (status, booking["status"]) == (200, "confirmed")
    assert len(pending(held["bookingId"])) == 2 and outbox.email.sent == []

    outbox.email.failure = None
    run_at(NOW + timedelta(seconds=30))  # too early: the retry waits a minute
    assert outbox.email.sent == []
    clock.advance(minutes=1, seconds=5)
    report = run_at(clock.moment)
    assert report["done"] >= 2
    assert sorted(d[0] for d, _ in outbox.email.sent) == ["ada@example.com", "mentor-grace@example.com"]
    assert pending(held["bookingId"]) == []
    clock.advance(minutes=10)
    run_at(clock.moment)
    assert len(outbox.email.sent) == 2  # never twice


def test_a_rejected_email_is_given_up_without_touching_the_booking(mentor, booking_api, outbox, clock):
    _, held = hold(booking_api)
    outbox.email.failure = DeliveryFailed("MessageRejected", retryable=False)
    status, booking = confirm(booking_api, held["bookingId"])
    assert (status, booking["status"]) == (200, "confirmed")
    clock.advance(minutes=2)
    outbox.email.failure = None
    run_at(clock.moment)
    assert outbox.email.sent == []  # not retried: SES refused the message itself


def test_push_failure_is_retried_by_the_scheduled_run(mentor, booking_api, outbox, clock):
    _, held = hold(booking_api)
    outbox.push.failure = DeliveryFailed("push outage", retryable=True)
    confirm(booking_api, held["bookingId"])
    assert outbox.push.published == []
    outbox.push.failure = None
    clock.advance(minutes=2)
    run_at(clock.moment)
    assert sorted(p["userId"] for p in outbox.push.published) == ["mentee-ada", "mentor-grace"]


@pytest.mark.dynamodb_local
def test_overlapping_runs_send_each_pending_email_once(local_table, clock, outbox, booking_api):
    add_mentor("mentor-grace", "Grace Hopper", NOW)
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(4)], NOW)
    outbox.email.failure = DeliveryFailed("Throttling", retryable=True)
    for offset in (0, 60):
        _, held = hold(booking_api, start=START + timedelta(minutes=offset), minutes=30)
        confirm(booking_api, held["bookingId"])
    outbox.email.failure = None
    clock.advance(minutes=2)
    from mentorship.services.scheduled import run_due_work
    from mentorship.store.due_work import DueWorkStore
    from functions.reminders.app import DUE_WORK_HANDLERS

    race([lambda: run_due_work(clock.moment, DueWorkStore().due(clock.moment), DUE_WORK_HANDLERS) for _ in range(4)])
    recipients = sorted(d[0] for d, _ in outbox.email.sent)
    assert recipients == sorted(["ada@example.com", "mentor-grace@example.com"] * 2)


def test_the_real_gateways_send_through_ses_and_sns(monkeypatch):
    with mock_aws():
        ses = boto3.client("ses", region_name="us-east-1")
        ses.verify_email_identity(EmailAddress="bookings@example.com")
        topic = boto3.client("sns", region_name="us-east-1").create_topic(Name="push")["TopicArn"]
        monkeypatch.setenv("PUSH_TOPIC_ARN", topic)
        from mentorship.settings import get_settings

        get_settings.cache_clear()
        raw = "From: bookings@example.com\r\nTo: ada@example.com\r\nSubject: hi\r\n\r\nhello\r\n"
        assert SesEmailSender().send_raw(["ada@example.com"], raw)
        assert SnsPushSender().publish("u1", "n1", "title", "body", "/bookings/b1")
        from moto.backends import get_backend

        sent = get_backend("ses")["123456789012"]["us-east-1"].sent_messages
        assert len(sent) == 1 and set(sent[0].destinations) == {"ada@example.com"}  # moto lists To: twice
        ses.delete_identity(Identity="bookings@example.com")
        with pytest.raises(DeliveryFailed) as refused:
            SesEmailSender().send_raw(["ada@example.com"], raw)
        assert refused.value.retryable is False
        get_settings.cache_clear()
