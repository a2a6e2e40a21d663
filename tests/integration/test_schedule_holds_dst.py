"""Holds through the hold path around DST transitions, with a pinned clock (moto: no races
here). A rule at the skipped or the repeated hour: the slot the offering gives is holdable, a
slot it does not give is a 409 `slot_unavailable`, whatever the wall clock says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.calendar import Party
from mentorship.errors import SlotUnavailable
from mentorship.services import booking as bookings
from tests.support.factories import add_mentor
from tests.support.schedules import give_schedule

TOPIC = "A career conversation"
MENTEE = Party("mentee-1", "Ada", "ada@example.com", "UTC")


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (zone, weekday of the transition, the rule's wall hours, offered UTC starts, a UTC start not offered)
CASES = [
    # Berlin springs forward on 28 March 2027 at 02:00 CET: 02:00-03:00 does not exist.
    ("Europe/Berlin", "sunday", ("01:00", "04:00"), ["2027-03-28T00:00", "2027-03-28T00:30", "2027-03-28T01:00", "2027-03-28T01:30"], "2027-03-28T02:00"),
    # ... and falls back on 31 October 2027 at 03:00 CEST: 02:00-03:00 happens twice.
    ("Europe/Berlin", "sunday", ("02:00", "03:00"), ["2027-10-31T00:00", "2027-10-31T00:30", "2027-10-31T01:00", "2027-10-31T01:30"], "2027-10-31T02:00"),
    # New York: 14 March 2027 skips 02:00-03:00 EST; 7 November 2027 repeats 01:00-02:00.
    ("America/New_York", "sunday", ("01:00", "03:00"), ["2027-03-14T06:00", "2027-03-14T06:30"], "2027-03-14T07:00"),
    ("America/New_York", "sunday", ("01:00", "02:00"), ["2027-11-07T05:00", "2027-11-07T05:30", "2027-11-07T06:00", "2027-11-07T06:30"], "2027-11-07T07:00"),
    # Sydney: 3 October 2027 skips 02:00-03:00 AEST; 4 April 2027 repeats 02:00-03:00.
    ("Australia/Sydney", "sunday", ("01:00", "03:00"), ["2027-10-02T15:00", "2027-10-02T15:30"], "2027-10-02T16:00"),
    ("Australia/Sydney", "sunday", ("02:00", "03:00"), ["2027-04-03T15:00", "2027-04-03T15:30", "2027-04-03T16:00", "2027-04-03T16:30"], "2027-04-03T17:00"),
]


@pytest.mark.parametrize("zone, weekday, hours, offered, not_offered", CASES)
def test_around_a_transition_exactly_the_offered_slots_are_holdable(moto_table, outbox, zone, weekday, hours, offered, not_offered):
    now = z(offered[0]) - timedelta(days=3)
    add_mentor("mentor-1", "Grace", now, timezone=zone)
    give_schedule("mentor-1", now, timezone=zone, hours=hours, days=(weekday,), horizon_days=30)
    with pytest.raises(SlotUnavailable):
        bookings.hold_session(MENTEE, bookings.SessionRequest("mentor-1", z(not_offered), 30, TOPIC), now)
    with pytest.raises(SlotUnavailable):  # the hour before the rule's first instant
        bookings.hold_session(MENTEE, bookings.SessionRequest("mentor-1", z(offered[0]) - timedelta(minutes=30), 30, TOPIC), now)
    for n, start in enumerate(offered):
        who = Party(f"mentee-{n}", "Ada", "ada@example.com", "UTC")
        held = bookings.hold_session(who, bookings.SessionRequest("mentor-1", z(start), 30, TOPIC), now)
        assert held.status == "held" and held.start == z(start)
