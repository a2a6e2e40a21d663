"""The waitlist's use cases on the repositories' in-memory fakes (booking and waitlist): joining,
first come first served, a mentee with three holds skipped, an entry claimed by another pass,
a start taken meanwhile, what an offer records, and a lapsed offer passing on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.calendar import Party
from mentorship.domain.instants import epoch_seconds
from mentorship.errors import NotFound, TooManyWaitlistEntries, ValidationFailed
from mentorship.services import booking as bookings
from mentorship.services import waitlist
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.services.stream import Change
from mentorship.store.booking_repository import use_booking_repository
from mentorship.store.models import Notification, PendingEmail
from mentorship.store.offering import MentorHead
from mentorship.store.waitlist import use_waitlist_repository
from tests.support.fakes import InMemoryBookingRepository, InMemoryWaitlistRepository

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
BEN = Party("mentee-ben", "Ben Bitdiddle", "ben@example.com", "America/New_York")
CY = Party("mentee-cy", "Cy D. Fect", None, "Asia/Tokyo")
DEE = Party("mentee-dee", "Dee Fault", "dee@example.com", "UTC")
TOPIC = "Staff engineer growth"


def _head() -> MentorHead:
    facts = ProfileFacts("Acme", "Engineer", "Mentors engineers.", 12, 10_000, "America/Chicago")
    return MentorHead(build_profile("mentor-grace", "Grace Hopper", "grace@example.com", facts, NOW), None, [])


class Mentors:
    def get_profile(self, mentor_id):
        return _head().profile if mentor_id == "mentor-grace" else None


@pytest.fixture
def fakes(monkeypatch):
    slots = InMemoryBookingRepository({"mentor-grace": [START + timedelta(minutes=30 * n) for n in range(4)]})
    entries = InMemoryWaitlistRepository()
    slots.waitlist = entries
    use_booking_repository(slots)
    use_waitlist_repository(entries)
    monkeypatch.setattr(waitlist, "MentorStore", Mentors)
    monkeypatch.setattr(waitlist, "read_mentor_head", lambda mentor_id, consistent=False: _head())

    def sessions_offered_in(head, window_from, window_to, minutes, now):
        """The offering of published slots and the fake's locks (services.offering reads the table)."""
        from mentorship.domain.waitlist import offerable_starts

        open_slots = {
            start for start in slots.published["mentor-grace"] if slots._lock_is_free("mentor-grace", start, now)
        }
        return offerable_starts(window_from, window_to, minutes, now, open_slots.__contains__, lambda s, m: True)

    monkeypatch.setattr(waitlist, "sessions_offered_in", sessions_offered_in)
    yield slots, entries
    use_booking_repository(None)
    use_waitlist_repository(None)


def join(who: Party, created: datetime = NOW, start: datetime = START, hours: int = 2, minutes: int = 60):
    return waitlist.join_waitlist(who, "mentor-grace", start, start + timedelta(hours=hours), minutes, TOPIC, created)


def hold(who: Party, start: datetime, minutes: int = 60, now: datetime = NOW):
    return bookings.hold_session(who, bookings.SessionRequest("mentor-grace", start, minutes, "Holding it"), now, head=_head())


def test_joining_refuses_unknown_mentors_own_time_and_a_sixth_waiting_entry(fakes):
    with pytest.raises(NotFound):
        waitlist.join_waitlist(BEN, "nobody", START, START + timedelta(hours=2), 60, TOPIC, NOW)
    grace = Party("mentor-grace", "Grace", None, "UTC")
    with pytest.raises(ValidationFailed) as own:
        join(grace)
    assert own.value.details[0].field == "path.mentorId"
    for n in range(5):
        join(BEN, NOW + timedelta(seconds=n))
    with pytest.raises(TooManyWaitlistEntries):
        join(BEN)
    # An entry whose window can no longer be offered frees its place.
    later = START + timedelta(hours=1, seconds=1)
    join(BEN, later, start=START + timedelta(days=1))


def test_freed_time_goes_to_the_oldest_entry_as_a_30_minute_hold_with_inbox_and_email(fakes):
    slots, entries = fakes
    taken = hold(DEE, START)
    hold(DEE, START + timedelta(hours=1))
    cy = join(CY, NOW + timedelta(seconds=2))
    ben = join(BEN, NOW + timedelta(seconds=1))
    slots.release(taken, "released", NOW)

    (offer,) = waitlist.offer_time("mentor-grace", START, START + timedelta(hours=1), NOW + timedelta(seconds=3))
    assert offer.mentee_id == BEN.user_id and offer.start == START and offer.waitlist_id == ben.waitlist_id
    assert offer.hold_expires_at == NOW + timedelta(seconds=3) + timedelta(minutes=30)
    assert entries.entries[(BEN.user_id, ben.waitlist_id)].status == "offered"
    assert entries.entries[(BEN.user_id, ben.waitlist_id)].booking_id == offer.booking_id
    assert entries.entries[(CY.user_id, cy.waitlist_id)].status == "waiting"
    (notice,) = [r for r in slots.recorded if isinstance(r, Notification)]
    assert (notice.user_id, notice.notification_type, notice.url) == (BEN.user_id, "waitlist_offer", f"/bookings/{offer.booking_id}")
    assert "09:30 (America/New_York)" in notice.body  # held until, in Ben's zone
    (email,) = [r for r in slots.recorded if isinstance(r, PendingEmail)]
    assert email.recipient == BEN.email


def test_a_mentee_with_three_holds_is_skipped_and_keeps_waiting(fakes):
    slots, entries = fakes
    far = START + timedelta(days=3)
    slots.published["mentor-grace"] |= {far + timedelta(hours=n) for n in range(3)}
    for n in range(3):
        hold(BEN, far + timedelta(hours=n), 30)
    ben, cy = join(BEN, NOW), join(CY, NOW + timedelta(seconds=1))

    (offer,) = waitlist.offer_time("mentor-grace", START, START + timedelta(hours=2), NOW + timedelta(seconds=2))
    assert offer.mentee_id == CY.user_id
    assert entries.entries[(BEN.user_id, ben.waitlist_id)].status == "waiting"


def test_each_entry_gets_its_own_slot_when_enough_time_frees(fakes):
    slots, entries = fakes
    ben, cy = join(BEN, NOW, minutes=60), join(CY, NOW + timedelta(seconds=1), minutes=60)
    offers = waitlist.offer_time("mentor-grace", START, START + timedelta(hours=2), NOW + timedelta(seconds=2))
    assert [(o.mentee_id, o.start) for o in offers] == [(BEN.user_id, START), (CY.user_id, START + timedelta(hours=1))]


def test_an_entry_another_pass_offered_first_is_left_alone(fakes):
    slots, entries = fakes
    ben = join(BEN, NOW)
    stale = entries.waiting_for("mentor-grace", START, START + timedelta(hours=2))
    first = waitlist.offer_time("mentor-grace", START, START + timedelta(hours=2), NOW)
    assert len(first) == 1
    # A second pass that read Ben as waiting before the first claimed him: the claim refuses.
    entries.waiting_for = lambda *args: stale
    assert waitlist.offer_time("mentor-grace", START, START + timedelta(hours=2), NOW) == []
    assert sum(1 for b in slots.bookings.values() if b.mentee_id == BEN.user_id) == 1


def test_a_start_taken_meanwhile_moves_on_to_the_next(fakes, monkeypatch):
    slots, entries = fakes
    join(BEN, NOW)
    real_hold = slots.hold

    def someone_else_first(hold, now, plan=None, claim=None):
        if claim is not None and hold.start == START:
            # Dee's own hold lands on that start between the offering's read and the offer's hold.
            slots.locks[("mentor-grace", START)] = ("dee-1", False, epoch_seconds(now + timedelta(minutes=5)))
        return real_hold(hold, now, plan, claim)

    monkeypatch.setattr(slots, "hold", someone_else_first)
    (offer,) = waitlist.offer_time("mentor-grace", START, START + timedelta(hours=2), NOW)
    assert offer.start == START + timedelta(minutes=30)


def test_a_lapsed_offer_is_expired_and_its_time_passes_to_the_next_entry(fakes):
    slots, entries = fakes
    hold(DEE, START + timedelta(hours=1))  # only the first hour is open
    ben, cy = join(BEN, NOW), join(CY, NOW + timedelta(seconds=1))
    (offer,) = waitlist.offer_time("mentor-grace", START, START + timedelta(hours=1), NOW)
    later = NOW + timedelta(minutes=31)
    held = slots.get(offer.booking_id)
    slots.release(held, "expired", later)
    expired = slots.get(offer.booking_id)  # the row as the stream's image shows it

    waitlist.WaitlistOffers()([Change("MODIFY", held, expired, "1")], later)
    assert entries.entries[(BEN.user_id, ben.waitlist_id)].status == "expired"
    assert entries.entries[(CY.user_id, cy.waitlist_id)].status == "offered"
    cy_offer = slots.get(entries.entries[(CY.user_id, cy.waitlist_id)].booking_id)
    assert (cy_offer.mentee_id, cy_offer.start) == (CY.user_id, START)


def test_nobody_waiting_costs_nothing_but_the_lookup(fakes, monkeypatch):
    monkeypatch.setattr(waitlist, "read_mentor_head", lambda *a, **k: pytest.fail("read without anyone waiting"))
    assert waitlist.offer_time("mentor-grace", START, START + timedelta(hours=2), NOW) == []


def test_the_per_minute_recheck_offers_what_is_open_and_looks_again_later_until_the_window_is_over(fakes):
    slots, entries = fakes
    ben = join(BEN, NOW)
    stored = entries.entries[(BEN.user_id, ben.waitlist_id)]
    later = NOW + timedelta(minutes=10)
    hold(DEE, START, 60, now=later)
    hold(DEE, START + timedelta(hours=1), 60, now=later)  # everything taken: nothing to offer
    assert waitlist.recheck_entry(stored, later) is True
    assert stored.status == "waiting" and stored.due_at == (later + timedelta(minutes=10)).isoformat()

    after_window = START + timedelta(hours=1, minutes=1)
    assert waitlist.recheck_entry(stored, after_window) is True
    assert stored.due_at is None  # out of DueWork: its window can no longer hold the session
