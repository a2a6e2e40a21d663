"""The booking use cases against the repository's in-memory fake and a payment gateway in
memory: what each answers and what it hands the repository, without DynamoDB. (The conditions
themselves, their races and transactions run on DynamoDB Local in tests/integration.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mentorship import gateways
from mentorship.domain.calendar import Party
from mentorship.domain.commitments import Role
from mentorship.errors import HoldExpired, InvalidState, NotFound, PaymentDeclined, SlotUnavailable, TooManyHolds
from mentorship.services import booking as bookings
from mentorship.services import sessions
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.store.booking_repository import use_booking_repository
from mentorship.store.models import Notification, PendingEmail, Reminder
from mentorship.store.offering import MentorHead
from tests.support.fakes import InMemoryBookingRepository, RecordingPayments

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
ADA = Party("mentee-ada", "Ada Lovelace", "ada@example.com", "Europe/Berlin")
TOPIC = "Moving from senior to staff engineer"


class OneMentor:
    """What the hold reads of the mentor (the directory's store is not this repository's)."""

    profile = build_profile(
        "mentor-grace",
        "Grace Hopper",
        "grace@example.com",
        ProfileFacts("Acme", "Engineer", "Mentors engineers.", 12, 12_000, "America/Chicago"),
        NOW,
    )

    def get_profile(self, mentor_id: str):
        return self.profile if mentor_id == self.profile.mentor_id else None

    @classmethod
    def head(cls, mentor_id: str) -> MentorHead:
        if mentor_id != cls.profile.mentor_id:
            raise NotFound("no mentor with that id")
        return MentorHead(cls.profile, None, [])


@pytest.fixture
def repository(monkeypatch):
    fake = InMemoryBookingRepository({"mentor-grace": [START + timedelta(minutes=30 * n) for n in range(6)]})
    payments = RecordingPayments()
    use_booking_repository(fake)
    gateways.use(payment=payments)
    monkeypatch.setattr(bookings, "MentorStore", OneMentor)
    monkeypatch.setattr(bookings, "read_mentor", OneMentor.head)
    fake.payments = payments
    yield fake
    use_booking_repository(None)
    gateways.use()


def hold(start=START, minutes=60, who=ADA, now=NOW):
    return bookings.hold_session(who, bookings.SessionRequest("mentor-grace", start, minutes, TOPIC), now)


def kinds(records) -> list[str]:
    return sorted(type(record).__name__ for record in records)


def test_a_confirm_answers_the_booking_as_written_with_every_message_it_owes(repository):
    held = hold()
    assert held.status == "held" and held.meeting_url  # chosen by the hold, shown once confirmed
    confirmed = bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW)
    assert (confirmed.status, confirmed.meeting_url) == ("confirmed", held.meeting_url)
    assert repository.get(held.booking_id).payment_reference == repository.payments.charges[held.booking_id][0]
    assert confirmed.status_at(NOW).value == "confirmed"
    assert kinds(repository.recorded) == ["Notification"] * 2 + ["PendingEmail"] * 2 + ["Reminder"] * 4 + ["WebhookEvent"] * 2
    emails = [r for r in repository.recorded if isinstance(r, PendingEmail)]
    assert sorted(email.recipient for email in emails) == ["ada@example.com", "grace@example.com"]
    assert sorted(n.user_id for n in repository.recorded if isinstance(n, Notification)) == ["mentee-ada", "mentor-grace"]
    assert {r.due_at for r in repository.recorded if isinstance(r, Reminder)} != set()


def test_a_declined_card_releases_the_hold_and_frees_the_slots(repository):
    held = hold()
    with pytest.raises(PaymentDeclined):
        bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_chargeDeclined", NOW)
    assert repository.get(held.booking_id).status == "payment_failed"
    assert [r.event_type for r in repository.recorded] == ["booking.held"]  # never booking.confirmed
    assert hold(who=Party("mentee-bob", "Bob", "bob@example.com", "UTC")).status == "held"


def test_a_confirm_after_the_hold_expired_charges_nothing(repository):
    held = hold()
    with pytest.raises(HoldExpired):
        bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW + timedelta(minutes=5))
    assert repository.payments.charges == {}


def test_a_confirm_that_loses_to_a_release_answers_409_and_refunds(repository):
    held = hold()

    class ReleasedMeanwhile(InMemoryBookingRepository):
        def confirm(self, booking, confirmation, now):
            repository.release(booking, "released", now)  # the cancel won the race
            return repository.confirm(booking, confirmation, now)

    racing = ReleasedMeanwhile()
    racing.get = repository.get
    use_booking_repository(racing)
    with pytest.raises(InvalidState):
        bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW)
    assert repository.payments.charges[held.booking_id][1] == "refunded"


def test_a_slot_held_by_another_is_unavailable_and_a_fourth_hold_is_refused(repository):
    hold(start=START, minutes=30)
    with pytest.raises(SlotUnavailable):
        hold(start=START, minutes=30, who=Party("mentee-bob", "Bob", None, "UTC"))
    hold(start=START + timedelta(minutes=30), minutes=30)
    hold(start=START + timedelta(minutes=60), minutes=30)
    with pytest.raises(TooManyHolds):
        hold(start=START + timedelta(minutes=90), minutes=30)


def test_a_cancel_answers_cancelled_and_owes_both_emails_and_one_notice(repository):
    held = hold()
    bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW)
    repository.recorded.clear()
    cancelled = sessions.cancel_booking(held.booking_id, "mentor-grace", "ill", NOW)
    assert (cancelled.status, cancelled.cancelled_by) == ("cancelled", "mentor")
    assert repository.get(held.booking_id).cancel_reason == "ill"  # stored, not shown
    assert kinds(repository.recorded) == ["Notification", "PendingEmail", "PendingEmail", "WebhookEvent"]
    (notice,) = [r for r in repository.recorded if isinstance(r, Notification)]
    assert notice.user_id == "mentee-ada"  # the other party


def test_a_reschedule_moves_the_booking_and_owes_new_reminders(repository):
    held = hold(minutes=30)
    bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW)
    repository.recorded.clear()
    moved = sessions.reschedule_booking(held.booking_id, ADA.user_id, START + timedelta(hours=2), NOW)
    assert (moved.start, moved.status) == (START + timedelta(hours=2), "confirmed")
    assert int(repository.get(held.booking_id).calendar_sequence) == 1
    assert kinds(repository.recorded).count("Reminder") == 4
    with pytest.raises(SlotUnavailable):  # not published
        sessions.reschedule_booking(held.booking_id, ADA.user_id, START + timedelta(days=3), NOW)


def event_booking(record, viewer: str = "mentee") -> dict:
    """The booking a webhook event shows `viewer` (its recorded data)."""
    return json.loads(record.mentee_data if viewer == "mentee" else record.mentor_data)


def test_each_change_states_its_messages_from_the_booking_as_the_change_leaves_it(repository):
    held = hold(minutes=30)
    (held_event,) = repository.recorded
    assert event_booking(held_event)["booking"]["status"] == "held" and event_booking(held_event)["booking"]["holdExpiresAt"]
    confirmed = bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW)
    (confirmed_event,) = [r for r in repository.recorded if getattr(r, "event_type", None) == "booking.confirmed"]
    assert event_booking(confirmed_event)["booking"]["meetingUrl"] == confirmed.meeting_url
    repository.recorded.clear()

    sessions.reschedule_booking(held.booking_id, ADA.user_id, START + timedelta(hours=1), NOW)
    emails = [r for r in repository.recorded if isinstance(r, PendingEmail)]
    assert {email.sk.split("#")[1] for email in emails} == {"0001"}  # the invite's SEQUENCE, raised once
    (moved_event,) = [r for r in repository.recorded if getattr(r, "event_type", None) == "booking.rescheduled"]
    assert event_booking(moved_event)["previousStart"] == "2026-11-26T15:00:00Z"
    assert event_booking(moved_event)["booking"]["start"] == "2026-11-26T16:00:00Z"
    repository.recorded.clear()

    cancelled = sessions.cancel_booking(held.booking_id, ADA.user_id, None, NOW)
    assert cancelled.refund_state == "pending"  # as written
    assert int(repository.get(held.booking_id).calendar_sequence) == 2
    emails = [r for r in repository.recorded if isinstance(r, PendingEmail)]
    assert {email.sk.split("#")[1] for email in emails} == {"0002"}
    (cancel_event,) = [r for r in repository.recorded if getattr(r, "event_type", None) == "booking.cancelled"]
    shown = event_booking(cancel_event, "mentor")["booking"]
    assert (shown["status"], shown["cancelledBy"], shown["refund"]["amount"]) == ("cancelled", "mentee", cancelled.refund_amount)
    assert shown["refundStatus"] == "pending"  # as the recipient's own GET shows it


def test_a_no_show_answers_who_was_absent_and_owes_the_refund_and_both_notices(repository):
    held = hold(minutes=30)
    bookings.confirm_booking(held.booking_id, ADA.user_id, "pm_card_visa", NOW)
    repository.recorded.clear()
    later = START + timedelta(minutes=15)
    reported = sessions.report_no_show(held.booking_id, ADA.user_id, Role.MENTOR, later)
    assert (reported.status, reported.absent, reported.refund_state) == ("no_show", "mentor", "pending")
    assert reported.refund_amount == held.price.amount  # the mentor absent: all of it back
    assert kinds(repository.recorded) == ["Notification", "Notification", "WebhookEvent"]
    (event,) = [r for r in repository.recorded if getattr(r, "event_type", None) == "booking.no_show"]
    assert (event_booking(event)["booking"]["absent"], event_booking(event)["booking"]["refundStatus"]) == ("mentor", "pending")
    with pytest.raises(InvalidState):  # once
        sessions.report_no_show(held.booking_id, ADA.user_id, Role.MENTOR, later)
