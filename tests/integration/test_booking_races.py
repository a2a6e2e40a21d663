"""Slot locks under real concurrency, on the DynamoDB Local engine (moto is not safe here).

Threads call the booking services directly (a Lambda instance serves one event at a time, so
concurrency in AWS is many instances calling DynamoDB at once, which is what this reproduces).
Time is passed in, never waited for: expiry is tested by moving `now`, not by TTL deletion.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.calendar import Party
from mentorship.domain.instants import format_utc
from mentorship.errors import HoldExpired, InvalidState, SlotUnavailable, TooManyHolds
from mentorship.services import booking as bookings
from mentorship.store.models import Charge, SlotLock, booking_pk, mentor_pk
from mentorship.store.slots import lock_sk
from tests.support.races import race
from tests.support.factories import add_mentor, add_slots

pytestmark = pytest.mark.dynamodb_local

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
FIRST_SLOT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TOPIC = "Negotiating a staff engineer offer"
ROUNDS = 20
CONTENDERS = 50


def mentee(n: int) -> Party:
    """A distinct mentee per number (rounds use fresh ones, so nobody reaches three active holds)."""
    return Party(f"mentee-{n:04d}", f"Mentee {n}", f"mentee{n}@example.com", "UTC")


@pytest.fixture
def mentor(local_table, outbox):
    add_mentor("mentor-1", "Grace", NOW)
    add_slots("mentor-1", [FIRST_SLOT + timedelta(minutes=30 * n) for n in range(48 * 2)], NOW)


def hold_call(who: Party, start: datetime, minutes: int, now: datetime = NOW):
    return lambda: bookings.hold_session(who, bookings.SessionRequest("mentor-1", start, minutes, TOPIC), now)


def test_fifty_concurrent_holds_on_one_slot_have_exactly_one_winner_every_round(mentor):
    results = []
    for round_number in range(ROUNDS):
        start = FIRST_SLOT + timedelta(hours=round_number)
        outcomes = race([hold_call(mentee(round_number * 100 + n), start, 30) for n in range(CONTENDERS)])
        winners = [o for o in outcomes if not isinstance(o, Exception)]
        losers = [o for o in outcomes if isinstance(o, Exception)]
        assert len(winners) == 1, f"round {round_number}: {len(winners)} winners"
        assert all(isinstance(o, SlotUnavailable) for o in losers), {type(o).__name__ for o in losers}
        lock = SlotLock.get(mentor_pk("mentor-1"), lock_sk(format_utc(start)), consistent_read=True)
        assert lock.booking_id == winners[0].booking_id
        results.append((round_number, len(winners), len(losers)))
    assert results == [(n, 1, CONTENDERS - 1) for n in range(ROUNDS)]


def test_overlapping_sessions_of_different_lengths_never_both_win(mentor):
    for round_number in range(ROUNDS):
        day = FIRST_SLOT + timedelta(hours=round_number * 2)
        long_session = [hold_call(mentee(round_number * 100 + n), day, 90) for n in range(5)]  # day .. day+90
        short_session = [hold_call(mentee(round_number * 100 + 10 + n), day + timedelta(hours=1), 30) for n in range(5)]
        outcomes = race(long_session + short_session)
        winners = [o for o in outcomes if not isinstance(o, Exception)]
        assert len(winners) == 1, f"round {round_number}: {[w.duration_minutes for w in winners]}"
        losers = [type(o).__name__ for o in outcomes if isinstance(o, Exception)]
        assert set(losers) == {"SlotUnavailable"}, losers


def test_a_hold_expired_by_one_second_is_free_while_its_record_still_exists(mentor):
    first = hold_call(mentee(1), FIRST_SLOT, 60)()
    later = NOW + timedelta(minutes=5, seconds=1)
    lock_key = (mentor_pk("mentor-1"), lock_sk(format_utc(FIRST_SLOT)))
    assert SlotLock.get(*lock_key, consistent_read=True).booking_id == first.booking_id  # not deleted

    second = hold_call(mentee(2), FIRST_SLOT, 60, now=later)()
    assert SlotLock.get(*lock_key, consistent_read=True).booking_id == second.booking_id

    with pytest.raises(HoldExpired):
        bookings.confirm_booking(first.booking_id, mentee(1).user_id, "pm_card_visa", later)
    assert Charge.count(booking_pk(first.booking_id)) == 0
    untouched = SlotLock.get(*lock_key, consistent_read=True)
    assert (untouched.booking_id, untouched.booked) == (second.booking_id, False)

    confirmed = bookings.confirm_booking(second.booking_id, mentee(2).user_id, "pm_card_visa", later)
    assert confirmed.status == "confirmed"


def test_a_hold_is_still_the_holders_one_second_before_it_expires(mentor):
    first = hold_call(mentee(1), FIRST_SLOT, 30)()
    almost = NOW + timedelta(minutes=4, seconds=59)
    with pytest.raises(SlotUnavailable):
        hold_call(mentee(2), FIRST_SLOT, 30, now=almost)()
    assert bookings.confirm_booking(first.booking_id, mentee(1).user_id, "pm_card_visa", almost).status == "confirmed"


def test_a_declined_payment_frees_the_slots_for_the_next_mentee(mentor):
    first = hold_call(mentee(1), FIRST_SLOT, 90)()
    with pytest.raises(Exception) as declined:
        bookings.confirm_booking(first.booking_id, mentee(1).user_id, "pm_card_chargeDeclined", NOW)
    assert declined.value.code == "payment_declined"
    second = hold_call(mentee(2), FIRST_SLOT + timedelta(minutes=30), 30)()
    assert second.status == "held"


def test_concurrent_confirms_of_one_booking_charge_and_book_once(mentor):
    held = hold_call(mentee(1), FIRST_SLOT, 60)()
    outcomes = race(
        [lambda: bookings.confirm_booking(held.booking_id, mentee(1).user_id, "pm_card_visa", NOW) for _ in range(8)]
    )
    confirmed = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(confirmed) == 1
    assert all(isinstance(o, InvalidState) for o in outcomes if isinstance(o, Exception)), outcomes
    assert Charge.get(booking_pk(held.booking_id), "CHARGE").outcome == "succeeded"  # one charge, not refunded


def test_one_mentee_racing_for_more_than_three_holds_gets_three(mentor):
    outcomes = race([hold_call(mentee(1), FIRST_SLOT + timedelta(hours=n), 30) for n in range(6)])
    held = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(held) == 3
    assert all(isinstance(o, (TooManyHolds, SlotUnavailable)) for o in outcomes if isinstance(o, Exception))
    assert sum(isinstance(o, TooManyHolds) for o in outcomes) == 3


def test_a_confirm_racing_a_cancel_answers_what_the_confirm_did(mentor):
    """Either the confirm won (it answers the confirmed booking, whatever the cancel did after)
    or the cancel released the hold first (the confirm answers 409 invalid_state and its charge
    is refunded); never a confirm that answers a cancelled or released booking."""
    from mentorship.services import sessions

    outcomes_seen = set()
    for round_number in range(ROUNDS):
        who = mentee(round_number)
        held = hold_call(who, FIRST_SLOT + timedelta(hours=round_number), 30)()
        confirmed, cancelled = race(
            [
                lambda: bookings.confirm_booking(held.booking_id, who.user_id, "pm_card_visa", NOW),
                lambda: sessions.cancel_booking(held.booking_id, who.user_id, None, NOW),
            ]
        )
        charge = Charge.get(booking_pk(held.booking_id), "CHARGE", consistent_read=True) if Charge.count(
            booking_pk(held.booking_id), consistent_read=True
        ) else None
        if isinstance(confirmed, Exception):
            assert isinstance(confirmed, InvalidState), repr(confirmed)
            assert cancelled.status == "released"
            assert charge is None or charge.outcome == "refunded"
            outcomes_seen.add("cancel won")
        else:
            assert confirmed.status == "confirmed" and confirmed.meeting_url
            assert confirmed.status_at(NOW).value == "confirmed"
            assert charge.outcome == "succeeded"
            # The cancel saw a hold and lost (409), or saw the confirmed session and cancelled it.
            assert isinstance(cancelled, InvalidState) or cancelled.status == "cancelled", repr(cancelled)
            outcomes_seen.add("confirm won")
    assert outcomes_seen, "no round ran"
