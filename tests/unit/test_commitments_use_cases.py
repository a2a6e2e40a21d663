"""Cancellation policy and refunds through the use cases, on the repository's in-memory fake and
a payment gateway in memory (its failures included): what a cancel records as owed, how the
refund is given back once, retried when the gateway fails, and what the emails say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.policy import default

import pytest

from mentorship import gateways
from mentorship.domain.calendar import Party
from mentorship.errors import InvalidState, NotFound
from mentorship.services import booking as bookings
from mentorship.services import refunds, sessions
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.store.booking_repository import use_booking_repository
from mentorship.store.models import PendingEmail
from mentorship.store.offering import MentorHead
from tests.support.fakes import InMemoryBookingRepository, RecordingPayments

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 49 h after NOW
ADA = Party("mentee-ada", "Ada Lovelace", "ada@example.com", "Europe/Berlin")
PRICE = 12_001  # the 60-minute price at the hourly rate below: odd, so half of it rounds
FAR_START = NOW + timedelta(days=5)  # far enough for strict's 72-hour boundary


def _profile(policy: str):
    facts = ProfileFacts("Acme", "Engineer", "Mentors engineers.", 12, PRICE, "America/Chicago", cancellation_policy=policy)
    return build_profile("mentor-grace", "Grace Hopper", "grace@example.com", facts, NOW)


class Mentors:
    """What the hold reads of the mentor; `policy` is the profile's current one."""

    policy = "moderate"

    def get_profile(self, mentor_id: str, consistent: bool = False):
        return _profile(Mentors.policy) if mentor_id == "mentor-grace" else None

    @staticmethod
    def head(mentor_id: str) -> MentorHead:
        if mentor_id != "mentor-grace":
            raise NotFound("no mentor with that id")
        return MentorHead(_profile(Mentors.policy), None, [])


@pytest.fixture
def repository(monkeypatch):
    published = {"mentor-grace": [base + timedelta(minutes=30 * n) for base in (START, FAR_START) for n in range(8)]}
    fake = InMemoryBookingRepository(published, mentor_policy=lambda mentor_id: Mentors.policy)
    fake.payments = RecordingPayments()
    use_booking_repository(fake)
    gateways.use(payment=fake.payments)
    Mentors.policy = "moderate"
    monkeypatch.setattr(bookings, "MentorStore", Mentors)
    monkeypatch.setattr(bookings, "read_mentor", Mentors.head)
    yield fake
    use_booking_repository(None)
    gateways.use()


def booked(policy="moderate", start=START):
    Mentors.policy = policy
    held = bookings.hold_session(ADA, bookings.SessionRequest("mentor-grace", start, 60, "Staff engineer growth"), NOW)
    return bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW)


def emails(repository, kind):
    return {
        record.recipient: message_from_string(record.raw_message, policy=default).get_body(("plain",)).get_content()
        for record in repository.recorded
        if isinstance(record, PendingEmail) and f"#{kind}#" in record.sk
    }


def test_the_booking_takes_the_policy_current_at_its_confirm_and_keeps_it_through_a_reschedule(repository):
    Mentors.policy = "moderate"
    held = bookings.hold_session(ADA, bookings.SessionRequest("mentor-grace", START, 60, "Staff engineer growth"), NOW)
    assert held.cancellation_policy == "moderate"  # what the mentee is shown while paying
    Mentors.policy = "strict"  # the mentor changes it during the hold
    confirmed = bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW + timedelta(minutes=2))
    assert confirmed.cancellation_policy == "strict"
    assert repository.get(held.booking_id).cancellation_policy == "strict"
    confirmation_emails = emails(repository, "confirmed")
    assert len(confirmation_emails) == 2  # written once, with the policy it was confirmed under
    assert all("Cancellation policy: strict." in text for text in confirmation_emails.values())
    assert repository.payments.amounts == {held.booking_id: PRICE} and repository.payments.refunds == {}  # charged once
    Mentors.policy = "flexible"  # and changes it again: the booking keeps strict, moved or not
    moved = sessions.reschedule_booking(held.booking_id, "mentor-grace", START + timedelta(hours=2), NOW + timedelta(minutes=3))
    assert (moved.start, moved.cancellation_policy) == (START + timedelta(hours=2), "strict")
    cancelled = sessions.cancel_booking(held.booking_id, ADA.user_id, None, START + timedelta(hours=2) - timedelta(hours=30))
    assert (cancelled.cancellation_policy, cancelled.refund_amount) == ("strict", 6_001)  # strict's half


SECOND = timedelta(seconds=1)
BOUNDARIES = [  # policy, notice before the start, refund: exactly at each boundary and a second inside it
    ("flexible", timedelta(hours=2), PRICE), ("flexible", timedelta(hours=2) - SECOND, 0),
    ("moderate", timedelta(hours=24), PRICE), ("moderate", timedelta(hours=24) - SECOND, 6_001),
    ("moderate", timedelta(hours=2), 6_001), ("moderate", timedelta(hours=2) - SECOND, 0),
    ("strict", timedelta(hours=72), PRICE), ("strict", timedelta(hours=72) - SECOND, 6_001),
    ("strict", timedelta(hours=24), 6_001), ("strict", timedelta(hours=24) - SECOND, 0),
]


@pytest.mark.parametrize(("policy", "notice", "refund"), BOUNDARIES, ids=[f"{p}-{n}" for p, n, _ in BOUNDARIES])
def test_a_mentee_cancel_at_each_boundary_owes_what_the_table_says(repository, policy, notice, refund):
    """The whole cancel path with the clock pinned to the boundary (the domain's table is
    tested on its own in test_cancellation_policy.py)."""
    booking = booked(policy, FAR_START)
    cancelled = sessions.cancel_booking(booking.booking_id, ADA.user_id, None, FAR_START - notice)
    assert (cancelled.cancellation_policy, cancelled.refund_amount) == (policy, refund)
    assert cancelled.refund_state == ("pending" if refund else None)


def test_the_booking_keeps_the_policy_it_was_confirmed_under(repository):
    booking = booked("strict")
    Mentors.policy = "flexible"  # the mentor relaxes later: this booking keeps strict
    cancelled = sessions.cancel_booking(booking.booking_id, ADA.user_id, None, START - timedelta(hours=30))
    assert cancelled.cancellation_policy == "strict"
    assert (cancelled.refund_amount, cancelled.refund_state) == (6_001, "pending")  # half, rounded half-up


def test_a_mentee_cancel_owes_the_policy_refund_and_the_gateway_gives_it_back_once(repository):
    booking = booked("moderate")
    cancelled = sessions.cancel_booking(booking.booking_id, ADA.user_id, None, START - timedelta(hours=3))
    assert (cancelled.cancelled_by, cancelled.refund_amount) == ("mentee", 6_001)
    assert repository.payments.refunds == {}  # owed, not yet given: the cancel stands on its own
    later = NOW + timedelta(seconds=5)
    assert refunds.settle_refund(repository.get(booking.booking_id), later) is True
    assert repository.payments.refunds == {booking.booking_id: 6_001}
    assert repository.get(booking.booking_id).refund_state == "refunded"
    # the stream delivered twice, the per-minute run, and a retried cancel: nothing more is given
    assert refunds.settle_refund(repository.get(booking.booking_id), later) is False
    assert refunds.booking_fell_due(repository.get(booking.booking_id), later) is False
    with pytest.raises(InvalidState):
        sessions.cancel_booking(booking.booking_id, ADA.user_id, None, later)
    assert repository.payments.refunds == {booking.booking_id: 6_001}
    assert repository.payments.charges[booking.booking_id][1] == "refunded"


def test_a_mentor_cancel_refunds_in_full_even_at_the_last_minute(repository):
    booking = booked("strict")
    cancelled = sessions.cancel_booking(booking.booking_id, "mentor-grace", "ill", START - timedelta(minutes=1))
    assert (cancelled.cancelled_by, cancelled.refund_amount, cancelled.refund_state) == ("mentor", PRICE, "pending")


def test_a_cancel_inside_the_no_refund_window_owes_nothing_and_settles_nothing(repository):
    booking = booked("flexible")
    cancelled = sessions.cancel_booking(booking.booking_id, ADA.user_id, None, START - timedelta(hours=2) + timedelta(seconds=1))
    assert (cancelled.refund_amount, cancelled.refund_state) == (0, None)
    assert refunds.settle_refund(cancelled, NOW) is False
    assert repository.payments.charges[booking.booking_id][1] == "succeeded"


def test_a_failing_gateway_leaves_the_cancel_standing_and_the_refund_pending_until_a_retry(repository):
    booking = booked("flexible")
    at = START - timedelta(hours=5)
    sessions.cancel_booking(booking.booking_id, ADA.user_id, None, at)
    repository.payments.failing_refunds = 2
    assert refunds.settle_refund(repository.get(booking.booking_id), at) is False
    assert refunds.settle_refund(repository.get(booking.booking_id), at + timedelta(minutes=1)) is False
    pending = repository.get(booking.booking_id)
    assert (pending.status, pending.refund_state, pending.refund_attempts) == ("cancelled", "pending", 2)
    assert repository.refund_retries[booking.booking_id] == at + timedelta(minutes=1) + refunds.retry_delay(2)
    assert refunds.booking_fell_due(pending, at + timedelta(minutes=4)) is True  # the per-minute run's retry
    assert repository.payments.refunds == {booking.booking_id: PRICE}
    assert repository.get(booking.booking_id).refund_state == "refunded"


def test_retry_delays_grow_and_are_capped():
    assert [refunds.retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert refunds.retry_delay(30) == timedelta(hours=1)


def test_the_confirmation_email_states_the_policy_deadlines_in_both_zones(repository):
    booked("moderate")
    sent = emails(repository, "confirmed")
    to_ada, to_grace = sent["ada@example.com"], sent["grace@example.com"]
    assert "Cancellation policy: moderate." in to_ada and "Cancellation policy: moderate." in to_grace
    # 24 h before 15:00 UTC on the 26th: 16:00 in Berlin, 09:00 in Chicago; both in each email
    assert "Wed 25 Nov 2026, 16:00 (Europe/Berlin) gets a full refund" in to_ada
    assert "Grace Hopper's time: Wed 25 Nov 2026, 09:00 (America/Chicago)" in to_ada
    assert "Wed 25 Nov 2026, 09:00 (America/Chicago) gets a full refund" in to_grace
    assert "gets a 50% refund" in to_ada and "a mentor's cancellation always refunds in full" in to_grace


def test_the_cancellation_email_states_the_policy_and_refund_to_both_in_both_zones(repository):
    booking = booked("strict")
    sessions.cancel_booking(booking.booking_id, ADA.user_id, None, START - timedelta(hours=30, minutes=5))
    sent = emails(repository, "cancelled")
    for text in sent.values():
        assert "Cancellation policy: strict." in text
        assert "Cancelled by the mentee; refund to Ada Lovelace: USD 60.01." in text
        assert "30 h 05 min before the start." in text
    # cancelled at 08:55 UTC on the 25th: 09:55 in Berlin, 02:55 in Chicago; each email gives both
    assert "Cancelled at Wed 25 Nov 2026, 09:55 (Europe/Berlin) (Grace Hopper's time: Wed 25 Nov 2026, 02:55 (America/Chicago))" in sent["ada@example.com"]
    assert "Cancelled at Wed 25 Nov 2026, 02:55 (America/Chicago) (Ada Lovelace's time: Wed 25 Nov 2026, 09:55 (Europe/Berlin))" in sent["grace@example.com"]
    for text in sent.values():  # and the session's own time, in both zones
        assert "Thu 26 Nov 2026, 16:00–17:00 (Europe/Berlin" in text and "Thu 26 Nov 2026, 09:00–10:00 (America/Chicago" in text


def test_a_mentee_may_reschedule_only_while_a_cancel_would_refund_in_full(repository):
    booking = booked("moderate")
    later = START + timedelta(hours=2)
    with pytest.raises(InvalidState, match="moderate policy"):
        sessions.reschedule_booking(booking.booking_id, ADA.user_id, later, START - timedelta(hours=24) + timedelta(seconds=1))
    moved = sessions.reschedule_booking(booking.booking_id, "mentor-grace", later, START - timedelta(hours=3))  # the mentor may
    assert (moved.start, moved.cancellation_policy) == (later, "moderate")  # the policy travels with it
    back = sessions.reschedule_booking(booking.booking_id, ADA.user_id, START, later - timedelta(hours=24))  # exactly 24 h: full still
    assert back.start == START
