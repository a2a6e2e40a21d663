"""The waitlist's pure rules (domain.waitlist) and which stream changes free time
(services.waitlist.freed_time, ended_offer): no storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.waitlist import (
    WaitlistStatus,
    candidate_starts,
    check_window,
    effective_status,
    offerable_starts,
    oldest_first,
)
from mentorship.domain.calendar import Party
from mentorship.errors import ValidationFailed
from mentorship.services.stream import Change
from mentorship.services.waitlist import ended_offer, freed_time
from mentorship.store.models import BookingItem, MentorSchedule, Slot
from mentorship.store.waitlist import new_entry

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
T = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def fields(error: ValidationFailed) -> list[str]:
    return [detail.field for detail in error.details]


def test_a_window_of_exactly_14_days_is_fine_and_one_slot_more_is_not():
    check_window(T, T + timedelta(days=14), 90, NOW)
    with pytest.raises(ValidationFailed) as refused:
        check_window(T, T + timedelta(days=14, minutes=30), 90, NOW)
    assert fields(refused.value) == ["body.to"]


@pytest.mark.parametrize(
    "start, end, minutes, field",
    [
        (NOW, NOW + timedelta(hours=2), 30, "body.from"),  # now is not the future
        (NOW - timedelta(days=1), NOW + timedelta(hours=2), 30, "body.from"),
        (T, T, 30, "body.to"),
        (T, T - timedelta(hours=1), 30, "body.to"),
        (T, T + timedelta(minutes=60), 90, "body.to"),  # shorter than the session
        (T, T + timedelta(hours=2), 45, "body.durationMinutes"),
    ],
)
def test_windows_that_cannot_be_waited_for(start, end, minutes, field):
    with pytest.raises(ValidationFailed) as refused:
        check_window(start, end, minutes, NOW)
    assert field in fields(refused.value)


def test_a_window_exactly_as_long_as_the_session_is_fine():
    check_window(T, T + timedelta(minutes=90), 90, NOW)
    assert candidate_starts(T, T + timedelta(minutes=90), 90, NOW) == [T]


def test_candidate_starts_are_slot_boundaries_from_now_on_whose_session_ends_in_the_window():
    window_from, window_to = T + timedelta(minutes=10), T + timedelta(hours=2, minutes=10)
    # 15:30-16:30 and 16:00-17:00 fit in 15:10-17:10; 16:30-17:30 does not.
    assert candidate_starts(window_from, window_to, 60, NOW) == [T + timedelta(minutes=30), T + timedelta(minutes=60)]
    # Part of the window already passed: only what is still ahead.
    assert candidate_starts(window_from, window_to, 60, T + timedelta(minutes=45)) == [T + timedelta(minutes=60)]
    # Exactly on a boundary: that boundary has passed (a session cannot start now).
    assert candidate_starts(T, T + timedelta(hours=1), 30, T) == [T + timedelta(minutes=30)]


def test_a_waiting_entry_whose_window_can_no_longer_hold_its_session_reads_expired():
    end = T + timedelta(hours=2)
    assert effective_status("waiting", end, 60, T + timedelta(minutes=59)) is WaitlistStatus.WAITING
    assert effective_status("waiting", end, 60, T + timedelta(minutes=61)) is WaitlistStatus.EXPIRED
    assert effective_status("offered", end, 60, T + timedelta(days=3)) is WaitlistStatus.OFFERED


def entry(waitlist_id: str, created: datetime, start: datetime = T, end: datetime | None = None, minutes: int = 60):
    return new_entry(
        waitlist_id,
        mentor_id="mentor-grace",
        mentee=Party(f"mentee-{waitlist_id}", "Someone", None, "UTC"),
        window_from=start,
        window_to=end or start + timedelta(hours=3),
        minutes=minutes,
        topic="A topic long enough",
        now=created,
    )


def test_first_come_first_served_by_creation_then_id():
    a, b, c = entry("b", NOW), entry("a", NOW), entry("c", NOW - timedelta(seconds=1))
    assert [e.waitlist_id for e in oldest_first([a, b, c])] == ["c", "a", "b"]


def test_offerable_starts_need_every_slot_open_and_the_offering_to_offer_the_session():
    open_slots = {T, T + timedelta(minutes=30), T + timedelta(minutes=90), T + timedelta(minutes=120)}
    asked = []

    def offered(start, minutes):
        asked.append(start)
        return start != T  # say a buffer rules out the first

    starts = offerable_starts(T, T + timedelta(hours=3), 60, NOW, open_slots.__contains__, offered)
    assert next(starts) == T + timedelta(minutes=90)
    assert asked == [T, T + timedelta(minutes=90)]  # lazily: nothing asked beyond the first found


def booking(status: str, start: datetime = T, minutes: int = 60, waitlist_id: str | None = None) -> BookingItem:
    item = BookingItem(
        pk="BOOKING#b1", sk="BOOKING", booking_id="b1", status=status, mentor_id="mentor-grace", mentor_name="Grace",
        mentor_timezone="UTC", mentee_id="mentee-ben", mentee_name="Ben", mentee_timezone="UTC", start=start,
        end=start + timedelta(minutes=minutes), duration_minutes=minutes, price_amount=100, topic="A topic long enough",
        created_at=NOW, updated_at=NOW,
    )
    item.waitlist_id = waitlist_id
    return item


def change(old, new) -> Change:
    return Change("MODIFY" if old is not None and new is not None else "INSERT", old, new, "1")


@pytest.mark.parametrize("ended", ["released", "expired", "payment_failed", "cancelled"])
def test_a_hold_or_session_that_ends_frees_its_slots(ended):
    before = "confirmed" if ended == "cancelled" else "held"
    assert freed_time([change(booking(before), booking(ended))], NOW) == {"mentor-grace": (T, T + timedelta(hours=1))}


def test_a_new_hold_and_a_confirm_free_nothing():
    assert freed_time([change(None, booking("held")), change(booking("held"), booking("confirmed"))], NOW) == {}


def test_a_reschedule_frees_the_old_slots_and_spans_are_merged_per_mentor():
    moved = change(booking("confirmed"), booking("confirmed", start=T + timedelta(days=1)))
    published = change(None, Slot(pk="MENTOR#mentor-grace", sk="SLOT#x", mentor_id="mentor-grace", start=T + timedelta(hours=5)))
    assert freed_time([moved, published], NOW) == {"mentor-grace": (T, T + timedelta(hours=5, minutes=30))}


def test_a_schedule_change_may_open_time_anywhere_ahead_and_a_new_entry_its_own_window():
    schedule = MentorSchedule(pk="MENTOR#m2", sk="PROFILE#SCHEDULE", mentor_id="m2")
    new = entry("e1", NOW)
    freed = freed_time([change(None, schedule), change(None, new)], NOW)
    assert freed == {"m2": (NOW, NOW + timedelta(days=90)), "mentor-grace": (T, T + timedelta(hours=3))}


def test_freed_time_already_past_is_nothing_and_a_span_starting_before_now_starts_now():
    past = booking("confirmed", start=NOW - timedelta(hours=2))
    assert freed_time([change(past, booking("cancelled", start=NOW - timedelta(hours=2)))], NOW) == {}
    running = booking("held", start=NOW - timedelta(minutes=30), minutes=90)
    ended = booking("released", start=NOW - timedelta(minutes=30), minutes=90)
    assert freed_time([change(running, ended)], NOW) == {"mentor-grace": (NOW, NOW + timedelta(hours=1))}


def test_an_ended_offer_is_only_a_waitlist_hold_that_ended_unpaid():
    assert ended_offer(change(booking("held", waitlist_id="w1"), booking("released", waitlist_id="w1"))) is not None
    assert ended_offer(change(booking("held", waitlist_id="w1"), booking("expired", waitlist_id="w1"))) is not None
    assert ended_offer(change(booking("held", waitlist_id="w1"), booking("confirmed", waitlist_id="w1"))) is None
    assert ended_offer(change(booking("held"), booking("released"))) is None  # an ordinary hold
    assert ended_offer(change(booking("confirmed", waitlist_id="w1"), booking("cancelled", waitlist_id="w1"))) is None
