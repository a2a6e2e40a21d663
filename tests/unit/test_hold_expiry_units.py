"""Hold timers without AWS: when a timer fires, which booking changes start one, what a fired
timer does with the booking as it is now, the HoldExpiryFunction's batch answer, and the local
stack's SQS mapping (moto, with its real message timers)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from mentorship import gateways
from mentorship.domain.calendar import Party
from mentorship.domain.commitments import CancellationPolicy
from mentorship.domain.instants import epoch_seconds
from mentorship.gateways.timers import MAX_TIMER_SECONDS, HoldTimer
from mentorship.services import booking as bookings
from mentorship.services.hold_expiry import TimerOutcome, hold_started, hold_timer_fired, start_hold_timer
from mentorship.services.stream import Change
from mentorship.store.booking_repository import use_booking_repository
from mentorship.store.booking_writes import NewHold
from mentorship.store.bookings import new_booking
from tests.support.fakes import InMemoryBookingRepository, RecordingHoldTimers, RecordingPayments

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
ENDS = NOW + timedelta(minutes=5)
ADA = Party("mentee-ada", "Ada Lovelace", "ada@example.com", "Europe/Berlin")
GRACE = Party("mentor-grace", "Grace Hopper", "grace@example.com", "America/New_York")


def booking(status: str = "held", hold_expires_at: datetime | None = ENDS, booking_id: str = "b1"):
    item = new_booking(
        booking_id, mentor=GRACE, mentee=ADA, start=START, minutes=30, hourly_rate=100, currency="EUR",
        topic="Hold timers", status=status, now=NOW,
    )
    item.hold_expires_at = epoch_seconds(hold_expires_at) if hold_expires_at else None
    item.meeting_url = "https://meet.example/b1"
    return item


def held_in(repository) -> HoldTimer:
    """A 5-minute hold from NOW, written through the repository; the timer it starts."""
    hold = NewHold(
        "b1", GRACE, ADA, START, 30, 100, "EUR", "Hold timers", ENDS, "https://meet.example/b1", CancellationPolicy.MODERATE
    )
    repository.hold(hold, NOW)
    return HoldTimer("b1", ENDS)


@pytest.fixture
def timers():
    recording = RecordingHoldTimers()
    gateways.use(hold_timers=recording)
    yield recording
    gateways.use()


@pytest.fixture
def repository():
    fake = InMemoryBookingRepository(published={"mentor-grace": [START]})
    use_booking_repository(fake)
    payments = RecordingPayments()
    gateways.use(payment=payments)
    yield fake
    use_booking_repository(None)
    gateways.use()


# ---------------------------------------------------------------- the timer itself


def test_a_timer_fires_when_the_hold_ends_rounded_up_to_whole_seconds():
    timer = HoldTimer("b1", ENDS)
    assert timer.delay_seconds(NOW) == 300
    assert timer.delay_seconds(NOW + timedelta(milliseconds=200)) == 300  # 299.8 s, rounded up: never early
    assert timer.delay_seconds(ENDS + timedelta(seconds=5)) == 0  # late: at once, never negative


def test_a_hold_longer_than_sqs_longest_timer_is_capped_at_900_seconds():
    assert HoldTimer("b1", NOW + timedelta(minutes=30)).delay_seconds(NOW) == MAX_TIMER_SECONDS == 900


def test_the_message_body_carries_the_booking_and_the_end_it_was_started_for():
    timer = HoldTimer("b1", ENDS)
    assert json.loads(timer.body()) == {"bookingId": "b1", "holdExpiresAt": epoch_seconds(ENDS)}
    assert HoldTimer.from_body(timer.body()) == timer


# ---------------------------------------------------------------- which changes start one


def test_a_new_hold_starts_a_timer_and_other_booking_changes_do_not():
    assert hold_started(Change("INSERT", None, booking(), "1")) == HoldTimer("b1", ENDS)
    assert hold_started(Change("MODIFY", booking(), booking(), "2")) is None  # same hold, same end
    assert hold_started(Change("MODIFY", booking(), booking("confirmed", None), "3")) is None
    assert hold_started(Change("MODIFY", booking(), booking("expired", None), "4")) is None
    later = ENDS + timedelta(minutes=25)  # a hold whose end moved (a waitlist offer) is timed anew
    assert hold_started(Change("MODIFY", booking(), booking(hold_expires_at=later), "5")) == HoldTimer("b1", later)


def test_the_stream_starts_the_timer_and_a_failing_queue_never_fails_the_record(timers):
    start_hold_timer(Change("INSERT", None, booking(), "1"), NOW)
    assert timers.started == [(HoldTimer("b1", ENDS), 300)]

    class Down:
        def start(self, timer, now):
            raise ConnectionError("SQS unreachable")

    gateways.use(hold_timers=Down())
    start_hold_timer(Change("INSERT", None, booking(booking_id="b2"), "2"), NOW)  # logged, not raised


# ---------------------------------------------------------------- a timer that comes back


def test_a_due_timer_expires_the_hold_and_a_second_delivery_or_the_run_changes_nothing(repository):
    timer = held_in(repository)
    assert hold_timer_fired(timer, ENDS) is TimerOutcome.EXPIRED
    assert repository.get("b1").status == "expired"
    assert repository._lock_is_free("mentor-grace", START, ENDS)
    # the same timer again (SQS delivers at least once), or the per-minute run after it: nothing
    assert hold_timer_fired(timer, ENDS) is TimerOutcome.NOTHING
    assert bookings.expire_hold(repository.get("b1"), ENDS) is False


def test_a_timer_never_expires_a_hold_before_its_end(repository, timers):
    timer = held_in(repository)
    assert hold_timer_fired(timer, ENDS - timedelta(seconds=3)) is TimerOutcome.RESTARTED  # back early: sent again
    assert repository.get("b1").status == "held"
    assert timers.started == [(timer, 3)]


def test_a_confirmed_or_unknown_booking_or_another_end_is_left_alone(repository):
    timer = held_in(repository)
    assert hold_timer_fired(HoldTimer("no-such-booking", ENDS), ENDS) is TimerOutcome.NOTHING
    assert hold_timer_fired(HoldTimer("b1", ENDS - timedelta(minutes=1)), ENDS) is TimerOutcome.NOTHING
    assert repository.get("b1").status == "held"  # a stale timer expired nothing
    bookings.confirm_booking("b1", ADA.user_id, "pm_card_visa", NOW + timedelta(minutes=1))
    assert hold_timer_fired(timer, ENDS) is TimerOutcome.NOTHING
    assert repository.get("b1").status == "confirmed"


def test_a_timer_back_early_is_sent_again_with_what_remains(repository, timers):
    long_end = NOW + timedelta(minutes=30)
    fired = NOW + timedelta(seconds=MAX_TIMER_SECONDS)
    assert hold_timer_fired(HoldTimer("b1", long_end), fired) is TimerOutcome.RESTARTED
    assert timers.started == [(HoldTimer("b1", long_end), 900)]
    assert hold_timer_fired(HoldTimer("b1", long_end), long_end - timedelta(milliseconds=300)) is TimerOutcome.RESTARTED
    assert timers.started[-1][1] == 1  # the rest, rounded up: never before the end


# ---------------------------------------------------------------- the function's batch answer


def test_the_function_names_only_the_failed_timer_and_drops_unreadable_ones(monkeypatch, lambda_context):
    from functions.hold_expiry import app

    seen = []

    def fired(timer, now):
        seen.append(timer.booking_id)
        if timer.booking_id == "b-fails":
            raise ConnectionError("DynamoDB unreachable")
        return TimerOutcome.EXPIRED

    monkeypatch.setattr(app, "hold_timer_fired", fired)
    records = [
        {"messageId": "m1", "body": HoldTimer("b-ok", ENDS).body()},
        {"messageId": "m2", "body": "not json"},
        {"messageId": "m3", "body": HoldTimer("b-fails", ENDS).body()},
    ]
    assert app.lambda_handler({"Records": records}, lambda_context) == {"batchItemFailures": [{"itemIdentifier": "m3"}]}
    assert seen == ["b-ok", "b-fails"]


# ---------------------------------------------------------------- the local stack's SQS mapping


class Invoked:
    def __init__(self, failing: set[str] = frozenset()) -> None:
        self.events: list[dict] = []
        self.failing = failing

    def __call__(self, function, event):
        from local.workers import Invocation

        self.events.append(event)
        failures = [{"itemIdentifier": r["messageId"]} for r in event["Records"] if json.loads(r["body"])["bookingId"] in self.failing]
        return Invocation(function, "request", 1.0, payload={"batchItemFailures": failures})


TIMER_DELAY = 4  # seconds


@mock_aws
def test_the_local_mapping_delivers_a_timer_when_it_is_due_and_keeps_the_ones_that_failed(monkeypatch):
    from local.queues import QueueMapping
    from tooling.template import queue_sources

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="HoldExpiryQueue")["QueueUrl"]
    (source,) = queue_sources()
    invoked = Invoked(failing={"b-fails"})
    mapping = QueueMapping(source, url, sqs, invoked)

    # A delay no loaded machine overruns between the send and the first receive (with 1 s, CI
    # once received the timer in the first pump); then wait until it is due.
    sent = time.monotonic()
    sqs.send_message(QueueUrl=url, MessageBody=HoldTimer("b-ok", ENDS).body(), DelaySeconds=TIMER_DELAY)
    sqs.send_message(QueueUrl=url, MessageBody=HoldTimer("b-fails", ENDS).body())
    assert mapping.pump() == 0  # the failed one only; the timer has not run yet
    assert time.monotonic() - sent < TIMER_DELAY, "the first receive came too late to show the delay"
    assert [json.loads(r["body"])["bookingId"] for r in invoked.events[0]["Records"]] == ["b-fails"]
    assert invoked.events[0]["Records"][0]["eventSource"] == "aws:sqs"
    time.sleep(max(0.0, TIMER_DELAY + 0.1 - (time.monotonic() - sent)))
    assert mapping.pump() == 1
    assert [json.loads(r["body"])["bookingId"] for r in invoked.events[-1]["Records"]] == ["b-ok"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"  # the failed one comes back later


# ---------------------------------------------------------------- how long a hold lasts

REQUIRED_ENVIRONMENT = {"TABLE_NAME": "t", "IDEMPOTENCY_TABLE_NAME": "i", "SENDER_EMAIL": "s@example.com", "PUSH_TOPIC_ARN": "arn"}


@pytest.mark.parametrize(("value", "seconds"), [(None, 300), ("8", 8), ("1800", 1800)])
def test_a_hold_lasts_5_minutes_unless_the_local_stack_says_otherwise(value, seconds):
    from mentorship.settings import Settings

    environ = REQUIRED_ENVIRONMENT | ({"HOLD_SECONDS": value} if value else {})
    assert Settings.from_environ(environ).hold_seconds == seconds


@pytest.mark.parametrize("value", ["4", "1801", "five"])
def test_a_hold_length_outside_5_seconds_to_30_minutes_is_refused(value):
    from mentorship.settings import ConfigurationError, Settings

    with pytest.raises(ConfigurationError):
        Settings.from_environ(REQUIRED_ENVIRONMENT | {"HOLD_SECONDS": value})
