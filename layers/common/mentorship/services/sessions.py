"""Managing a confirmed session: join, cancel, reschedule, review.

Cancel and reschedule read the booking and write one transaction (the booking, its slots, its
reminders and the messages it owes); the StreamFunction sends the messages and refreshes the
mentor's next open slot."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from mentorship.domain.bookings import BookingStatus
from mentorship.domain.emails import EmailKind
from mentorship.domain.sessions import check_session_request
from mentorship.domain.slots import slots_for_session
from mentorship.domain.webhooks import EventType
from mentorship.errors import Forbidden, InvalidState
from mentorship.services.booking import booking_for_participant, release_hold, status_of
from mentorship.services.outbox_records import email_records, notification_record, reminder_records
from mentorship.services.webhook_events import booking_event, review_event
from mentorship.settings import get_settings
from mentorship.store.models import Booking, Review
from mentorship.store.reviews import new_review
from mentorship.store.booking_repository import booking_repository
from mentorship.store.session_changes import Cancellation, Move


def _role(booking: Booking, user_id: str) -> str:
    return "mentee" if booking.mentee_id == user_id else "mentor"


def _other_party(booking: Booking, user_id: str) -> tuple[str, str]:
    """(id, name) of the participant who is not `user_id`."""
    if booking.mentee_id == user_id:
        return booking.mentor_id, booking.mentor_name
    return booking.mentee_id, booking.mentee_name


def _require_upcoming_confirmed(booking: Booking, now: datetime) -> None:
    status = status_of(booking, now)
    if status is not BookingStatus.CONFIRMED or booking.start <= now:
        raise InvalidState(f"only a confirmed session that has not started can be changed (this one is {status.value})")


def meeting_url_for(booking_id: str, user_id: str, now: datetime) -> str:
    booking = booking_for_participant(booking_id, user_id)
    status = status_of(booking, now)
    if status is not BookingStatus.CONFIRMED:
        raise InvalidState(f"there is no meeting to join: this booking is {status.value}")
    return booking.meeting_url


def _as_cancelled(booking: Booking) -> Booking:
    """The booking as a cancel leaves it (what its webhook event reports)."""
    cancelled = Booking.from_raw_data(booking.serialize())
    cancelled.status = BookingStatus.CANCELLED.value
    return cancelled


def cancel_booking(booking_id: str, user_id: str, reason: str | None, now: datetime) -> Booking:
    """Either party cancels: a hold is released; a confirmed session that has not started is
    cancelled, its slots open again, both parties get a CANCEL invite and the other is notified."""
    booking = booking_for_participant(booking_id, user_id)
    if status_of(booking, now) is BookingStatus.HELD:
        return release_hold(booking_id, user_id, now)
    _require_upcoming_confirmed(booking, now)
    booking.calendar_sequence = int(booking.calendar_sequence or 0) + 1
    sender = get_settings().sender_email
    other_id, _ = _other_party(booking, user_id)
    who = booking.mentee_name if _role(booking, user_id) == "mentee" else booking.mentor_name
    records = [
        *email_records(booking, EmailKind.CANCELLED, sender, now),
        notification_record(other_id, "booking_cancelled", "Session cancelled", f"{who} cancelled your session.", booking_id, now),
        booking_event(EventType.BOOKING_CANCELLED, _as_cancelled(booking), now),
    ]
    slot_starts = slots_for_session(booking.start, int(booking.duration_minutes))
    cancellation = Cancellation(by=_role(booking, user_id), reason=reason or None, messages=records)
    return booking_repository().cancel(booking, slot_starts, cancellation, now)


def reschedule_booking(booking_id: str, user_id: str, new_start: datetime, now: datetime) -> Booking:
    """Move a confirmed session that has not started to another start of the same mentor: same
    id, duration, invite UID and meeting URL; new slots taken and old ones freed atomically;
    reminders only for the new time; a REQUEST invite with a higher SEQUENCE to both."""
    booking = booking_for_participant(booking_id, user_id)
    _require_upcoming_confirmed(booking, now)
    minutes = int(booking.duration_minutes)
    check_session_request(new_start, minutes, now)
    if new_start == booking.start:
        raise InvalidState("the session already starts at that time")
    old_start = booking.start
    old_starts = slots_for_session(old_start, minutes)
    moved = Booking.from_raw_data(booking.serialize())  # the booking as it will read afterwards
    moved.start, moved.end = new_start, new_start + timedelta(minutes=minutes)
    moved.calendar_sequence = int(booking.calendar_sequence or 0) + 1
    sender = get_settings().sender_email
    other_id, _ = _other_party(booking, user_id)
    records = [
        *email_records(moved, EmailKind.RESCHEDULED, sender, now),
        *reminder_records(moved, now),
        notification_record(other_id, "booking_rescheduled", "Session moved", "Your session has a new time.", booking_id, now),
        booking_event(EventType.BOOKING_RESCHEDULED, moved, now, previous_start=old_start),
    ]
    move = Move(moved, old_starts, slots_for_session(new_start, minutes), records)
    return booking_repository().reschedule(booking, move, now)


def review_session(booking_id: str, user_id: str, rating: int, comment: str, now: datetime) -> Review:
    """The mentee reviews a confirmed session once it has ended; the mentor's aggregates change
    in the same transaction."""
    booking = booking_for_participant(booking_id, user_id)
    if booking.mentee_id != user_id:
        raise Forbidden("only the mentee of a session can review it")
    status = status_of(booking, now)
    if status is not BookingStatus.COMPLETED:
        if status is BookingStatus.CONFIRMED:
            raise InvalidState("a session can be reviewed once it has ended")
        raise InvalidState(f"only a session that took place can be reviewed (this one is {status.value})")
    review = new_review(
        booking.mentor_id,
        review_id=uuid.uuid4().hex,
        booking_id=booking_id,
        author_id=user_id,
        author_name=booking.mentee_name,
        rating=rating,
        comment=comment,
        created_at=now,
    )
    booking_repository().review(booking, review, events=[review_event(review, booking, now)])
    return review
