"""Which slots a batch of changes touches, per mentor (live availability's coalescing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mentorship.services.live_availability import changed_slots
from mentorship.services.realtime import parse_message
from mentorship.services.stream import Change
from mentorship.store.models import BookingItem, Review
from mentorship.store.slots import new_lock, new_slot

START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def booking(start: datetime, status: str, minutes: int = 60) -> BookingItem:
    return BookingItem(booking_id="b1", mentor_id="grace", status=status, start=start, duration_minutes=minutes)


def change(old, new) -> Change:
    return Change("MODIFY" if old and new else "INSERT" if new else "REMOVE", old, new, "1")


def test_locks_slots_and_reschedules_coalesce_per_mentor():
    lock = new_lock("grace", START, booking_id="b1", holder_id="ada", booked=False, hold_expires_at=1)
    moved = START + timedelta(days=1)
    changes = [
        change(None, lock),
        change(lock, None),  # the same slot again: one entry
        change(None, new_slot("linus", START)),
        change(booking(START, "confirmed"), booking(moved, "confirmed")),  # a reschedule frees and takes
        change(None, Review(mentor_id="grace")),  # nothing to do with availability
    ]
    assert changed_slots(changes) == {
        "grace": {START, START + timedelta(minutes=30), moved, moved + timedelta(minutes=30)},
        "linus": {START},
    }


def test_a_confirm_moves_no_slot_by_itself():
    assert changed_slots([change(booking(START, "held"), booking(START, "confirmed"))]) == {}


def test_only_the_two_actions_with_a_mentor_id_and_nothing_else_parse():
    assert parse_message('{"action": "subscribe", "mentorId": "grace"}').mentorId == "grace"
    for body in (None, "", "[]", "null", '{"action": "subscribe"}', '{"action": "subscribe", "mentorId": "grace", "x": 1}',
                 '{"action": "unsubscribe", "mentorId": ""}', '{"action": "subscribe", "mentorId": "' + "a" * 2000 + '"}'):
        assert parse_message(body) is None, body


def test_head_changes_keep_the_first_old_image_of_each_schedule_and_calendar_per_mentor():
    from mentorship.services.live_availability import head_changes
    from mentorship.store.models import CalendarConnection, MentorSchedule

    first = MentorSchedule(mentor_id="grace", timezone="UTC")
    second = MentorSchedule(mentor_id="grace", timezone="Europe/Berlin")
    third = MentorSchedule(mentor_id="grace", timezone="Asia/Tokyo")
    calendar = CalendarConnection(mentor_id="linus", calendar_id="cal-1")
    heads = head_changes(
        [
            change(first, second),
            change(second, third),  # the batch's later change: the mentor before it is `first`
            change(None, calendar),  # a calendar connected in the batch: before, it was not there
            change(None, new_slot("grace", START)),  # a slot change names its slot: not a head change
        ]
    )
    assert set(heads) == {"grace", "linus"}
    assert heads["grace"].schedule is first and heads["grace"].calendars == {}
    assert heads["linus"].calendars == {"cal-1": None}
