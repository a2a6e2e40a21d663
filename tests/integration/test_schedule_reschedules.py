"""A reschedule's new time obeys the rule a hold obeys (decisions §19), and ending a session or a
hold frees its day for the daily cap, on the DynamoDB Local engine (conditional writes decide
there). Time is passed in, never waited for.

Races: 20 rounds each of a reschedule racing a hold for the same new slot, for the last session
of a capped day, and for slots a buffer apart: never both win."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.calendar import Party
from mentorship.domain.instants import format_utc
from mentorship.errors import SlotUnavailable
from mentorship.services import booking as bookings
from mentorship.services import sessions
from mentorship.store.booking_repository import booking_repository
from mentorship.store.models import Slot, SlotLock, mentor_pk
from mentorship.store.slots import lock_sk
from tests.support.factories import add_mentor, add_slots
from tests.support.factories import numbered_mentee as mentee
from tests.support.races import race
from tests.support.races import winners as count_winners
from tests.support.schedules import give_schedule

pytestmark = pytest.mark.dynamodb_local

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
DAY = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # a Thursday
LATER = DAY + timedelta(days=30)  # where the sessions that move start from
TOPIC = "Preparing a promotion packet"
ROUNDS = 20
MENTOR = "mentor-1"


def hold(who: Party, start: datetime, minutes: int = 30, now: datetime = NOW):
    return bookings.hold_session(who, bookings.SessionRequest(MENTOR, start, minutes, TOPIC), now)


def booked(who: Party, start: datetime, minutes: int = 30, now: datetime = NOW):
    held = hold(who, start, minutes, now)
    return bookings.confirm_booking(held.booking_id, who.user_id, "pm_card_visa", now)


def move(booking, new_start: datetime, now: datetime = NOW):
    """The mentor moves it (a mentee may only while a cancel would refund in full)."""
    return sessions.reschedule_booking(booking.booking_id, MENTOR, new_start, now)


def lock_of(start: datetime) -> SlotLock | None:
    try:
        return SlotLock.get(mentor_pk(MENTOR), lock_sk(format_utc(start)), consistent_read=True)
    except SlotLock.DoesNotExist:
        return None


def winners(outcomes) -> int:
    return count_winners(outcomes, losing=SlotUnavailable)


@pytest.fixture
def mentor(local_table, outbox):
    add_mentor(MENTOR, "Grace", NOW)


# ---------------------------------------------------------------- one at a time


def test_a_reschedule_onto_a_rule_only_slot_moves_the_locks(mentor):
    give_schedule(MENTOR, NOW, hours=("09:00", "17:00"), horizon_days=60)
    session = booked(mentee(1), LATER.replace(hour=10), 60)
    moved = move(session, DAY.replace(hour=13))
    assert (moved.start, moved.status) == (DAY.replace(hour=13), "confirmed")
    published = [item for item in Slot.query(mentor_pk(MENTOR), Slot.sk.startswith("SLOT#")) if isinstance(item, Slot)]
    assert published == []  # nothing was materialized for the rules
    for start in (DAY.replace(hour=13), DAY.replace(hour=13, minute=30)):
        assert (lock_of(start).booking_id, lock_of(start).booked) == (session.booking_id, True)
    assert lock_of(LATER.replace(hour=10)) is None and lock_of(LATER.replace(hour=10, minute=30)) is None
    assert booking_repository().get(session.booking_id).start == DAY.replace(hour=13)


@pytest.mark.parametrize(
    "new_start, publish, why",
    [
        (DAY.replace(hour=8, minute=30), False, "before the rule's hours"),
        (DAY.replace(hour=16, minute=30), False, "the session runs past the rule's end"),
        # Published explicitly as well: the old reschedule took any free published slot.
        (NOW + timedelta(hours=1), True, "inside the minimum notice"),
        (NOW + timedelta(days=21), True, "beyond the horizon"),
        (DAY.replace(hour=11, minute=30), True, "inside the buffer after another session"),
        (DAY.replace(hour=10), True, "inside the buffer before another session"),
        (DAY.replace(hour=11), False, "on another session"),
    ],
)
def test_a_reschedule_to_a_time_not_offered_is_refused_and_changes_nothing(mentor, new_start, publish, why):
    give_schedule(MENTOR, NOW, hours=("09:00", "17:00"), buffer_minutes=30, minimum_notice_minutes=180, horizon_days=20)
    booked(mentee(2), DAY.replace(hour=11))  # 11:00-11:30: buffered 10:30-12:00
    session = booked(mentee(1), DAY.replace(hour=15) + timedelta(days=2), 60)
    if publish:
        add_slots(MENTOR, [new_start, new_start + timedelta(minutes=30)], NOW)
    before = booking_repository().get(session.booking_id)
    with pytest.raises(SlotUnavailable):
        move(session, new_start)
    after = booking_repository().get(session.booking_id)
    assert (after.start, after.status, after.calendar_sequence) == (session.start, "confirmed", before.calendar_sequence)
    assert lock_of(session.start).booking_id == session.booking_id


def test_a_reschedule_into_a_full_day_is_refused_and_one_out_of_it_reopens_it(mentor):
    give_schedule(MENTOR, NOW, max_sessions_per_day=2)
    booked(mentee(1), DAY.replace(hour=9))
    second = booked(mentee(2), DAY.replace(hour=12))
    elsewhere = booked(mentee(3), LATER.replace(hour=9))
    with pytest.raises(SlotUnavailable):  # the day has its two sessions
        move(elsewhere, DAY.replace(hour=15))
    moved = move(second, DAY.replace(hour=18))  # within its own day: its own session is not counted twice
    assert moved.start == DAY.replace(hour=18)
    move(moved, LATER.replace(hour=15))  # out of the day: the day re-opens at once
    assert hold(mentee(4), DAY.replace(hour=20)).status == "held"


def test_a_reschedule_overlapping_itself_ignores_its_own_buffer(mentor):
    give_schedule(MENTOR, NOW, buffer_minutes=60, max_sessions_per_day=1)
    session = booked(mentee(1), DAY.replace(hour=10), 60)
    moved = move(session, DAY.replace(hour=10, minute=30))
    assert lock_of(DAY.replace(hour=10)) is None
    assert lock_of(DAY.replace(hour=11)).booking_id == session.booking_id
    assert moved.end == DAY.replace(hour=11, minute=30)


def test_a_published_slot_outside_the_rules_is_offered_to_a_reschedule_too(mentor):
    give_schedule(MENTOR, NOW, hours=("09:00", "17:00"), buffer_minutes=30)
    add_slots(MENTOR, [DAY.replace(hour=20), DAY.replace(hour=20, minute=30)], NOW)
    session = booked(mentee(1), DAY.replace(hour=10), 60)
    assert move(session, DAY.replace(hour=20)).start == DAY.replace(hour=20)
    assert lock_of(DAY.replace(hour=20, minute=30)).booking_id == session.booking_id


def test_a_mentor_without_a_schedule_still_moves_only_onto_published_slots(mentor):
    add_slots(MENTOR, [DAY.replace(hour=9) + timedelta(minutes=30 * n) for n in range(4)], NOW)
    session = booked(mentee(1), DAY.replace(hour=9))
    with pytest.raises(SlotUnavailable):
        move(session, DAY.replace(hour=13))  # not published, no rules
    assert move(session, DAY.replace(hour=10)).start == DAY.replace(hour=10)


# ---------------------------------------------------------------- releases free the day


@pytest.mark.parametrize("ending", ["released", "declined", "expired", "cancelled", "cancelled by the mentee"])
def test_a_capped_day_reopens_when_its_session_or_hold_ends(mentor, ending):
    """The ledger keeps only versions; the count is taken over the locks, which every ending
    deletes (or, for an expired hold, leaves inactive), so the day offers again at once."""
    give_schedule(MENTOR, NOW, max_sessions_per_day=1)
    taken = hold(mentee(1), DAY.replace(hour=9))
    now = NOW
    if ending == "released":
        bookings.release_hold(taken.booking_id, mentee(1).user_id, NOW)
    elif ending == "declined":
        with pytest.raises(Exception, match="declined"):
            bookings.confirm_booking(taken.booking_id, mentee(1).user_id, "pm_card_chargeDeclined", NOW)
    elif ending == "expired":
        now = NOW + timedelta(minutes=5)
        assert bookings.expire_hold(booking_repository().get(taken.booking_id), now)
    else:
        bookings.confirm_booking(taken.booking_id, mentee(1).user_id, "pm_card_visa", NOW)
        with pytest.raises(SlotUnavailable):  # the day is full while the session stands
            hold(mentee(2), DAY.replace(hour=15))
        who = mentee(1).user_id if ending.endswith("mentee") else MENTOR
        assert sessions.cancel_booking(taken.booking_id, who, None, NOW).status == "cancelled"
    again = hold(mentee(3), DAY.replace(hour=15), now=now)
    assert again.status == "held"
    with pytest.raises(SlotUnavailable):  # and it is full again
        hold(mentee(4), DAY.replace(hour=18), now=now)


def test_an_expired_hold_stops_counting_before_anything_deletes_it(mentor):
    give_schedule(MENTOR, NOW, max_sessions_per_day=1)
    hold(mentee(1), DAY.replace(hour=9))
    with pytest.raises(SlotUnavailable):
        hold(mentee(2), DAY.replace(hour=15))
    assert hold(mentee(2), DAY.replace(hour=15), now=NOW + timedelta(minutes=5)).status == "held"


# ---------------------------------------------------------------- races


def test_a_reschedule_and_a_hold_racing_for_the_same_new_slot_never_both_win(mentor):
    give_schedule(MENTOR, NOW)  # no buffer, no cap: the slot locks alone decide
    tally = []
    for round_ in range(ROUNDS):
        session = booked(mentee(1000 + round_), LATER.replace(hour=9) + timedelta(hours=round_), 60)
        target = DAY.replace(hour=1) + timedelta(hours=round_)
        outcomes = race([lambda: move(session, target), lambda: hold(mentee(round_), target, 60)])
        assert winners(outcomes) == 1, (round_, outcomes)
        holder = lock_of(target).booking_id
        won = next(o for o in outcomes if not isinstance(o, Exception))
        assert holder == won.booking_id
        tally.append("reschedule" if holder == session.booking_id else "hold")
    print("winners:", {side: tally.count(side) for side in set(tally)})


def test_a_reschedule_and_a_hold_racing_for_the_last_session_of_a_capped_day_never_both_win(mentor):
    give_schedule(MENTOR, NOW, max_sessions_per_day=2)
    for round_ in range(ROUNDS):
        day = DAY + timedelta(days=round_)
        booked(mentee(2000 + round_), day.replace(hour=9))  # one of the day's two sessions
        session = booked(mentee(1000 + round_), LATER.replace(hour=9) + timedelta(days=round_))
        outcomes = race([lambda: move(session, day.replace(hour=11)), lambda: hold(mentee(round_), day.replace(hour=15))])
        assert winners(outcomes) == 1, (round_, outcomes)
        active = _locks_on(day)
        assert len({lock.booking_id for lock in active}) == 2, (round_, active)


def test_a_reschedule_and_a_hold_racing_for_slots_a_buffer_apart_never_both_win(mentor):
    """Half the rounds on one day, half across midnight (the buffer reaches into the next day)."""
    give_schedule(MENTOR, NOW, buffer_minutes=30)
    for round_ in range(ROUNDS):
        day = DAY + timedelta(days=round_)
        first = day.replace(hour=10) if round_ % 2 == 0 else day.replace(hour=23, minute=30)
        session = booked(mentee(1000 + round_), LATER.replace(hour=9) + timedelta(days=round_))
        outcomes = race([lambda: move(session, first), lambda: hold(mentee(round_), first + timedelta(minutes=30))])
        assert winners(outcomes) == 1, (round_, outcomes)


def _locks_on(day: datetime) -> list[SlotLock]:
    """Locks of sessions starting on `day` (UTC: the test mentor's zone) that hold or book now."""
    return [
        item
        for item in SlotLock.query(
            mentor_pk(MENTOR),
            SlotLock.sk.between(f"SLOT#{format_utc(day)}", f"SLOT#{format_utc(day + timedelta(days=1))}"),
            consistent_read=True,
        )
        if isinstance(item, SlotLock) and (item.booked or int(item.hold_expires_at or 0) > NOW.timestamp())
    ]
