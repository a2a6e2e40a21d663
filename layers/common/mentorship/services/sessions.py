"""Managing a confirmed session: join, cancel, reschedule, review.

Cancel reads the booking and writes one transaction (the booking, its slots, its reminders and
the messages it owes). Reschedule also asks the offering about the new time, as a hold does
(decisions §19): it reads the booking, the mentor (AP13), the new time's window ± 27 hours
(AP3, with a schedule only) and writes one transaction, and reads each connected calendar live.
The StreamFunction sends the messages and refreshes the mentor's next open slot."""

from __future__ import annotations

import uuid
from datetime import datetime

from mentorship.domain.bookings import Booking, BookingStatus
from mentorship.domain.commitments import Role, full_refund_stands, no_show_refund, no_show_window_open
from mentorship.domain.emails import EmailKind, Terms
from mentorship.domain.reviews import Review
from mentorship.domain.sessions import check_session_request
from mentorship.domain.webhooks import EventType
from mentorship.errors import Forbidden, InvalidState
from mentorship.services.booking import booking_for_participant, move_plan, participant_row, release_read_hold
from mentorship.services.outbox_records import email_records, notification_record, reminder_records
from mentorship.services.webhook_events import booking_event, review_event
from mentorship.settings import get_settings
from mentorship.store.booking_repository import booking_repository
from mentorship.store.models import BookingItem, TableItem
from mentorship.store.session_changes import Cancellation, Move, NoShow


def _role(booking: Booking, user_id: str) -> Role:
    return Role.MENTEE if booking.mentee_id == user_id else Role.MENTOR


def _other_party(booking: Booking, user_id: str) -> tuple[str, str]:
    """(id, name) of the participant who is not `user_id`."""
    if booking.mentee_id == user_id:
        return booking.mentor_id, booking.mentor_name
    return booking.mentee_id, booking.mentee_name


def _require_upcoming_confirmed(booking: Booking, now: datetime) -> None:
    status = booking.status_at(now)
    if status is not BookingStatus.CONFIRMED or booking.start <= now:
        raise InvalidState(f"only a confirmed session that has not started can be changed (this one is {status.value})")


def meeting_url_for(booking_id: str, user_id: str, now: datetime) -> str:
    booking = booking_for_participant(booking_id, user_id)
    status = booking.status_at(now)
    if status is not BookingStatus.CONFIRMED:
        raise InvalidState(f"there is no meeting to join: this booking is {status.value}")
    return booking.meeting_url


def cancel_booking(booking_id: str, user_id: str, reason: str | None, now: datetime) -> Booking:
    """Either party cancels: a hold is released; a confirmed session that has not started is
    cancelled, its slots open again, both parties get a CANCEL invite stating the refund and the
    other is notified. The refund the booking's policy gives is recorded as owed in the same
    transaction and given back through the gateway from the stream (services/refunds.py), so a
    retried cancel finds the booking cancelled (409) and never refunds twice."""
    row, booking = participant_row(booking_id, user_id)
    if booking.status_at(now) is BookingStatus.HELD:
        return release_read_hold(row, booking, now)
    _require_upcoming_confirmed(booking, now)
    role = _role(booking, user_id)
    refund = booking.refund_if_cancelled(role, now)
    sender = get_settings().sender_email
    other_id, _ = _other_party(booking, user_id)
    who = booking.mentee_name if role is Role.MENTEE else booking.mentor_name
    terms = Terms(booking.cancellation_policy, refund=refund, cancelled_by=role, cancelled_at=now)

    def owed(cancelled: BookingItem) -> list[TableItem]:
        return [
            *email_records(cancelled, EmailKind.CANCELLED, sender, now, terms),
            notification_record(other_id, "booking_cancelled", "Session cancelled", f"{who} cancelled your session.", booking_id, now),
            booking_event(EventType.BOOKING_CANCELLED, cancelled, now),
        ]

    cancellation = Cancellation(by=role.value, reason=reason or None, refund=refund.amount, messages=owed)
    return booking_repository().cancel(row, cancellation, now)


def report_no_show(booking_id: str, user_id: str, absent: Role, now: datetime) -> Booking:
    """The participant who was there reports the other absent, from 10 minutes after the start
    until 48 hours after the end, once. The mentor absent refunds the mentee in full; the mentee
    absent refunds nothing. Both are told in their inbox."""
    row, booking = participant_row(booking_id, user_id)
    if _role(booking, user_id) is absent:
        raise Forbidden("only the other participant can report someone absent")
    status = booking.status_at(now)
    if status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        raise InvalidState(f"only a confirmed session can be reported as a no-show (this one is {status.value})")
    if not no_show_window_open(booking.start, booking.end, now):
        raise InvalidState("a no-show can be reported from 10 minutes after the start until 48 hours after the end")
    refund = no_show_refund(absent, booking.price)
    absent_id, _ = _other_party(booking, user_id)
    reporter = booking.mentee_name if absent is Role.MENTOR else booking.mentor_name

    def owed(reported: BookingItem) -> list[TableItem]:
        return [
            notification_record(absent_id, "booking_no_show", "Marked absent", f"{reporter} reported you absent from your session.", booking_id, now),
            notification_record(user_id, "booking_no_show", "No-show recorded", "The session is recorded as a no-show.", booking_id, now),
            booking_event(EventType.BOOKING_NO_SHOW, reported, now),
        ]

    return booking_repository().no_show(row, NoShow(absent=absent.value, refund=refund.amount, messages=owed), now)


def reschedule_booking(booking_id: str, user_id: str, new_start: datetime, now: datetime) -> Booking:
    """Move a confirmed session that has not started to another start of the same mentor: same
    id, duration, invite UID and meeting URL; new slots taken and old ones freed atomically;
    reminders only for the new time; a REQUEST invite with a higher SEQUENCE to both.

    The new time must be one the mentor offers, by the rule a hold obeys (weekly rules or a
    published slot; notice, horizon, buffers, daily cap, calendars read live), with the session's
    own slots set aside; else SlotUnavailable and nothing changes."""
    row, booking = participant_row(booking_id, user_id)
    _require_upcoming_confirmed(booking, now)
    policy = booking.cancellation_policy
    if _role(booking, user_id) is Role.MENTEE and not full_refund_stands(policy, booking.start, now):
        raise InvalidState(
            f"under the {policy.value} policy a mentee can move a session only while cancelling it "
            "would refund in full; cancel it, or ask the mentor to move it"
        )
    check_session_request(new_start, booking.duration_minutes, now)
    if new_start == booking.start:
        raise InvalidState("the session already starts at that time")
    plan = move_plan(booking, new_start, now)
    sender = get_settings().sender_email
    other_id, _ = _other_party(booking, user_id)

    def owed(moved: BookingItem) -> list[TableItem]:
        return [
            *email_records(moved, EmailKind.RESCHEDULED, sender, now, Terms(policy)),
            *reminder_records(moved, now),
            notification_record(other_id, "booking_rescheduled", "Session moved", "Your session has a new time.", booking_id, now),
            booking_event(EventType.BOOKING_RESCHEDULED, moved, now, previous_start=booking.start),
        ]

    return booking_repository().reschedule(row, Move(new_start, owed, plan), now)


def review_session(booking_id: str, user_id: str, rating: int, comment: str, now: datetime) -> Review:
    """The mentee reviews a confirmed session once it has ended, or one the mentor missed (a
    mentee recorded absent cannot); the mentor's aggregates change in the same transaction."""
    row, booking = participant_row(booking_id, user_id)
    if booking.mentee_id != user_id:
        raise Forbidden("only the mentee of a session can review it")
    status = booking.status_at(now)
    if status is BookingStatus.NO_SHOW and booking.absent == Role.MENTEE:
        raise InvalidState("you were recorded absent from this session, so it cannot be reviewed")
    if status is not BookingStatus.COMPLETED and status is not BookingStatus.NO_SHOW:
        if status is BookingStatus.CONFIRMED:
            raise InvalidState("a session can be reviewed once it has ended")
        raise InvalidState(f"only a session that took place can be reviewed (this one is {status.value})")
    review = Review(
        mentor_id=booking.mentor_id,
        review_id=uuid.uuid4().hex,
        booking_id=booking_id,
        author_id=user_id,
        author_name=booking.mentee_name,
        rating=rating,
        comment=comment,
        created_at=now,
    )
    booking_repository().review(row, review, events=[review_event(review, row, now)])
    return review
