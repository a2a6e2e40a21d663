"""Holds ask the offering (decisions §19): a slot the weekly rules give is holdable without a
published slot item, a slot they do not offer is a 409, and buffers and the daily cap hold
when mentees race, on the DynamoDB Local engine (conditional writes are what decides there).
Time is passed in, never waited for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.calendar import Party
from mentorship.domain.instants import format_utc
from mentorship.errors import SlotUnavailable
from mentorship.services import booking as bookings
from mentorship.store.models import Slot, SlotLock, mentor_pk
from mentorship.store.schedules import ScheduleStore
from mentorship.store.slots import lock_sk
from tests.support.races import race
from tests.support.races import winners as count_winners
from tests.support.factories import add_mentor
from tests.support.factories import numbered_mentee as mentee
from tests.support.schedules import give_schedule

pytestmark = pytest.mark.dynamodb_local

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
DAY = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # a Thursday
TOPIC = "Preparing a promotion packet"
ROUNDS = 20


def hold_call(who: Party, start: datetime, minutes: int = 30, now: datetime = NOW):
    return lambda: bookings.hold_session(who, bookings.SessionRequest("mentor-1", start, minutes, TOPIC), now)


def winners(outcomes) -> int:
    return count_winners(outcomes, losing=SlotUnavailable)


@pytest.fixture
def mentor(local_table, outbox):
    add_mentor("mentor-1", "Grace", NOW)


def test_a_rule_only_slot_is_held_without_a_published_slot_item(mentor):
    give_schedule("mentor-1", NOW, hours=("09:00", "17:00"))
    start = DAY.replace(hour=10)
    booking = bookings.hold_session(mentee(1), bookings.SessionRequest("mentor-1", start, 60, TOPIC), NOW)
    assert booking.status == "held"
    assert not any(isinstance(item, Slot) for item in Slot.query(mentor_pk("mentor-1"), Slot.sk.startswith("SLOT#")))
    lock = SlotLock.get(mentor_pk("mentor-1"), lock_sk(format_utc(start + timedelta(minutes=30))), consistent_read=True)
    assert lock.booking_id == booking.booking_id
    with pytest.raises(SlotUnavailable):  # the same time again
        hold_call(mentee(2), start)()


@pytest.mark.parametrize(
    "start, why",
    [
        (DAY.replace(hour=8, minute=30), "before the rule's hours"),
        (DAY.replace(hour=16, minute=30) + timedelta(minutes=0), "the session runs past the rule's end"),
        (NOW + timedelta(minutes=30), "inside the minimum notice"),
        (DAY + timedelta(days=20, hours=10), "beyond the horizon"),
    ],
)
def test_a_slot_the_rules_do_not_offer_is_refused(mentor, start, why):
    give_schedule("mentor-1", NOW, hours=("09:00", "17:00"), minimum_notice_minutes=120, horizon_days=14)
    with pytest.raises(SlotUnavailable):
        hold_call(mentee(1), start, 60)()


def test_a_rule_slot_the_mentor_blocked_is_refused(mentor):
    give_schedule("mentor-1", NOW, hours=("09:00", "17:00"))
    ScheduleStore().block_slot("mentor-1", DAY.replace(hour=11), NOW)
    with pytest.raises(SlotUnavailable):
        hold_call(mentee(1), DAY.replace(hour=10, minute=30), 60)()
    assert bookings.hold_session(mentee(2), bookings.SessionRequest("mentor-1", DAY.replace(hour=12), 30, TOPIC), NOW)


def test_the_daily_cap_and_the_buffer_apply_to_sequential_holds(mentor):
    give_schedule("mentor-1", NOW, hours=("09:00", "17:00"), buffer_minutes=30, max_sessions_per_day=2)
    hold_call(mentee(1), DAY.replace(hour=9))()
    with pytest.raises(SlotUnavailable):  # 09:30 is inside the buffer after 09:00-09:30
        hold_call(mentee(2), DAY.replace(hour=9, minute=30))()
    hold_call(mentee(3), DAY.replace(hour=10))()
    with pytest.raises(SlotUnavailable):  # the day is at its cap
        hold_call(mentee(4), DAY.replace(hour=15))()
    hold_call(mentee(5), DAY.replace(hour=15) + timedelta(days=1))()  # the next day is not


def test_two_mentees_racing_for_the_last_session_of_a_capped_day_never_both_win(mentor):
    give_schedule("mentor-1", NOW, hours=("09:00", "17:00"), max_sessions_per_day=2)
    for round_ in range(ROUNDS):
        day = DAY + timedelta(days=round_)
        hold_call(mentee(1000 + round_), day.replace(hour=9))()  # one of the two sessions is taken
        outcomes = race([hold_call(mentee(2 * round_), day.replace(hour=11)), hold_call(mentee(2 * round_ + 1), day.replace(hour=15))])
        assert winners(outcomes) == 1, (round_, outcomes)


def test_two_mentees_racing_for_slots_a_buffer_apart_never_both_win(mentor):
    """Half the rounds on one day, half across midnight (the buffer reaches into the next day)."""
    give_schedule("mentor-1", NOW, buffer_minutes=30)
    for round_ in range(ROUNDS):
        day = DAY + timedelta(days=round_)
        first = day.replace(hour=10) if round_ % 2 == 0 else day.replace(hour=23, minute=30)
        outcomes = race([hold_call(mentee(2 * round_), first), hold_call(mentee(2 * round_ + 1), first + timedelta(minutes=30))])
        assert winners(outcomes) == 1, (round_, outcomes)
        # An hour apart is clear of the 30-minute buffer: both are held.
        assert winners(race([hold_call(mentee(500 + 2 * round_), first + timedelta(hours=3)),
                             hold_call(mentee(501 + 2 * round_), first + timedelta(hours=4))])) == 2


def test_the_directory_hint_follows_holds_on_rule_slots(mentor):
    """`next_open_at` comes from the same offering: a held rule slot is no longer next."""
    from mentorship.services.offering import next_offered

    give_schedule("mentor-1", NOW, hours=("09:00", "10:00"))
    tomorrow = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert next_offered("mentor-1", NOW).start == tomorrow
    held = bookings.hold_session(mentee(1), bookings.SessionRequest("mentor-1", tomorrow, 60, TOPIC), NOW)
    hint = next_offered("mentor-1", NOW)
    assert hint.start == tomorrow + timedelta(days=1)
    assert hint.recheck_at == held.hold_expires_at  # the hold may expire
