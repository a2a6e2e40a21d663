"""Hold timers on the real DynamoDB Local engine and its real stream: the StreamFunction starts a
timer for each new hold; the timer, when it fires, writes the expiry through the booking
repository, and that write reaches the mentor's live subscribers like any release. A confirm and
the expiry racing each other have exactly one outcome (docs/decisions.md §27)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mentorship import gateways
from mentorship.domain.bookings import Booking
from mentorship.domain.calendar import Party
from mentorship.errors import HoldExpired
from mentorship.gateways.timers import HoldTimer
from mentorship.services import booking as bookings
from mentorship.services.hold_expiry import TimerOutcome, hold_timer_fired
from mentorship.services.live_availability import AvailabilityFanOut
from mentorship.store.booking_repository import booking_repository
from mentorship.store.slots import SlotStore
from mentorship.store.subscriptions import SubscriptionStore
from tests.support.factories import add_mentor, add_slots, use_connections_table
from tests.support.fakes import RecordingConnections, RecordingHoldTimers, RecordingPayments
from tests.support.lambda_helpers import LambdaContext
from tests.support.races import race
from tests.support.streams import mapping_for

pytestmark = pytest.mark.dynamodb_local

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
ADA = Party("mentee-ada", "Ada Lovelace", "ada@example.com", "Europe/Berlin")
RACES = 6


@pytest.fixture
def world(local_table, dynamodb_local, outbox, clock, monkeypatch):
    use_connections_table(monkeypatch, dynamodb_local.client(), local_table["ConnectionsTable"])
    add_mentor("mentor-grace", "Grace Hopper", NOW)
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(RACES)], NOW)
    timers, payments, connections = RecordingHoldTimers(), RecordingPayments(), RecordingConnections()
    gateways.use(hold_timers=timers, payment=payments)
    from functions.stream import app as stream_app

    monkeypatch.setattr(stream_app, "BATCH_HANDLERS", (AvailabilityFanOut(SubscriptionStore(), connections),))
    mapping = mapping_for(dynamodb_local.client(), dynamodb_local.client("dynamodbstreams"), local_table["MentorshipTable"])
    mapping.drain()
    SubscriptionStore().open_connection("conn-watcher", NOW)
    SubscriptionStore().subscribe("conn-watcher", "mentor-grace", NOW)
    return type("World", (), {"stream": mapping, "timers": timers, "payments": payments, "connections": connections})()


def hold(start: datetime = START, who: Party = ADA) -> Booking:
    return bookings.hold_session(who, bookings.SessionRequest("mentor-grace", start, 30, "Hold timers on DynamoDB Local"), NOW)


def timer_of(booking: Booking) -> HoldTimer:
    return HoldTimer(booking.booking_id, booking.hold_expires_at)


def slot_state(start: datetime, now: datetime):
    (state,) = SlotStore().window("mentor-grace", start, start + timedelta(minutes=30), consistent=True)
    return state


def test_a_hold_starts_its_timer_and_the_fired_timer_expires_it_and_announces_the_slot(world):
    held = hold()
    world.stream.drain()
    assert world.timers.started == [(timer_of(held), 300)]  # 5 minutes
    assert world.connections.to("conn-watcher")[-1]["slots"][0]["available"] is False

    fired_at = timer_of(held).hold_expires_at
    assert hold_timer_fired(timer_of(held), fired_at) is TimerOutcome.EXPIRED
    world.stream.drain()  # the expiry is a release like any other: the stream fans it out
    announced = world.connections.to("conn-watcher")[-1]
    assert announced["slots"] == [{"start": "2026-11-26T15:00:00Z", "end": "2026-11-26T15:30:00Z", "available": True}]
    assert booking_repository().get(held.booking_id).status == "expired"
    assert slot_state(START, fired_at).is_open(fired_at)
    assert len(world.timers.started) == 1  # the expiry's own write starts no timer

    # SQS delivers at least once, and the per-minute run may come after: nothing more happens
    assert hold_timer_fired(timer_of(held), fired_at) is TimerOutcome.NOTHING
    assert bookings.expire_hold(booking_repository().get(held.booking_id), fired_at + timedelta(minutes=1)) is False


def test_a_confirm_written_before_the_timer_stands_and_the_timer_changes_nothing(world):
    held = hold()
    end = timer_of(held).hold_expires_at
    bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", end - timedelta(seconds=1))
    assert hold_timer_fired(timer_of(held), end + timedelta(seconds=1)) is TimerOutcome.NOTHING
    assert booking_repository().get(held.booking_id).status == "confirmed"
    assert slot_state(START, end).booked
    assert world.payments.charges[held.booking_id][1] == "succeeded"


def test_a_confirm_arriving_after_the_expiry_is_a_410_and_nothing_is_charged(world):
    held = hold()
    end = timer_of(held).hold_expires_at
    assert hold_timer_fired(timer_of(held), end + timedelta(seconds=1)) is TimerOutcome.EXPIRED
    with pytest.raises(HoldExpired):
        bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", end - timedelta(milliseconds=500))
    assert held.booking_id not in world.payments.charges


def test_a_confirm_racing_the_timer_has_exactly_one_outcome(world):
    """Each round: a confirm decided before the end and the timer fired after it, released at the
    same instant. Either the confirm wins (booked, the timer did nothing, the charge stands) or
    the expiry does (the confirm answers 410 and its charge is given back); never both, never
    neither."""
    outcomes = []
    for n in range(RACES):
        mentee = Party(f"mentee-{n}", f"Mentee {n}", f"mentee{n}@example.com", "Europe/Berlin")
        held = hold(START + timedelta(minutes=30 * n), mentee)
        end = timer_of(held).hold_expires_at
        confirmed, fired = race(
            [
                lambda: bookings.confirm_booking(held.booking_id, mentee.user_id, "pm_card_visa", end - timedelta(milliseconds=200)),
                lambda: hold_timer_fired(timer_of(held), end + timedelta(seconds=1)),
            ]
        )
        stored = booking_repository().get(held.booking_id)
        state = slot_state(held.start, end)
        if isinstance(confirmed, Booking):
            assert fired is TimerOutcome.NOTHING
            assert (stored.status, state.booked) == ("confirmed", True)
            assert world.payments.charges[held.booking_id][1] == "succeeded"
        else:
            assert isinstance(confirmed, HoldExpired), confirmed
            assert fired is TimerOutcome.EXPIRED
            assert stored.status == "expired" and state.is_open(end + timedelta(seconds=1))
            assert world.payments.charges.get(held.booking_id, (None, "never charged"))[1] in ("refunded", "never charged")
        outcomes.append(stored.status)
    assert set(outcomes) <= {"confirmed", "expired"} and len(outcomes) == RACES


def test_the_hold_expiry_function_expires_a_lapsed_hold_from_its_sqs_event(world, clock):
    from functions.hold_expiry.app import lambda_handler

    held = hold()
    clock.moment = timer_of(held).hold_expires_at
    event = {"Records": [{"messageId": "m1", "body": timer_of(held).body(), "eventSource": "aws:sqs"}]}
    assert lambda_handler(event, LambdaContext()) == {"batchItemFailures": []}
    assert booking_repository().get(held.booking_id).status == "expired"
    assert json.loads(timer_of(held).body())["bookingId"] == held.booking_id
