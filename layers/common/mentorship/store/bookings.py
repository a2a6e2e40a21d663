"""Bookings by participant (AP6, AP7) and a mentor's paid sessions by start (AP19)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator

from mentorship.domain import bookings as domain
from mentorship.domain.calendar import Party
from mentorship.domain.commitments import Money, policy_of
from mentorship.domain.instants import epoch_seconds, format_utc, from_epoch_seconds
from mentorship.domain.mentors import session_price
from mentorship.store.binding import ensure_bound
from mentorship.store.due_work import make_due
from mentorship.store.models import BookingItem, booking_pk
from mentorship.store.paging import Page, starting_after, take_page, to_start_key

LONGEST_SESSION = timedelta(minutes=90)


def participant_sort_key(start: datetime, booking_id: str) -> str:
    return f"{format_utc(start)}#{booking_id}"


def new_booking(
    booking_id: str,
    *,
    mentor: Party,
    mentee: Party,
    start: datetime,
    minutes: int,
    hourly_rate: int,
    currency: str,
    topic: str,
    status: str,
    now: datetime,
    hold_expires_at: datetime | None = None,
    meeting_url: str | None = None,
    cancellation_policy: str | None = None,
    waitlist_id: str | None = None,
) -> BookingItem:
    """A booking item with what follows from its parts (end, price, its place in ByMentee and
    ByMentor). A hold (`hold_expires_at` given) is also in DueWork, due when it expires, so the
    scheduled run tidies it up if it is neither confirmed nor released by then."""
    booking = BookingItem(
        pk=booking_pk(booking_id),
        sk="BOOKING",
        booking_id=booking_id,
        status=status,
        mentor_id=mentor.user_id,
        mentor_name=mentor.name,
        mentor_email=mentor.email,
        mentor_timezone=mentor.timezone,
        mentee_id=mentee.user_id,
        mentee_name=mentee.name,
        mentee_email=mentee.email,
        mentee_timezone=mentee.timezone,
        start=start,
        end=start + timedelta(minutes=minutes),
        duration_minutes=minutes,
        price_amount=session_price(hourly_rate, minutes),
        currency=currency,
        topic=topic,
        calendar_sequence=0,
        created_at=now,
        updated_at=now,
        meeting_url=meeting_url,
        cancellation_policy=cancellation_policy,
        waitlist_id=waitlist_id,
    )
    if hold_expires_at is not None:
        booking.hold_expires_at = epoch_seconds(hold_expires_at)
        make_due(booking, from_epoch_seconds(int(booking.hold_expires_at)))
    assign_participant_keys(booking)
    return booking


def as_written(booking: BookingItem, **changes) -> BookingItem:
    """A copy of `booking` with `changes`: what a change leaves (its messages are built from it)
    or what a transaction just wrote, without reading it back."""
    written = BookingItem.from_raw_data(booking.serialize())
    for name, value in changes.items():
        setattr(written, name, value)
    return written


def booking_of(item: BookingItem) -> domain.Booking:
    """The domain's booking, read from its row."""
    return domain.Booking(
        booking_id=item.booking_id,
        status=item.status,
        mentor_id=item.mentor_id,
        mentor_name=item.mentor_name,
        mentee_id=item.mentee_id,
        mentee_name=item.mentee_name,
        start=item.start,
        end=item.end,
        duration_minutes=int(item.duration_minutes),
        price=Money(int(item.price_amount), item.currency),
        topic=item.topic,
        created_at=item.created_at,
        cancellation_policy=policy_of(item.cancellation_policy),
        hold_expires_at=from_epoch_seconds(item.hold_expires_at) if item.hold_expires_at is not None else None,
        meeting_url=item.meeting_url,
        cancelled_by=item.cancelled_by,
        absent=item.absent,
        refund_amount=int(item.refund_amount) if item.refund_amount is not None else None,
        refund_state=item.refund_state,
        refund_attempts=int(item.refund_attempts or 0),
        waitlist_id=item.waitlist_id,
    )


def mentee_partition(mentee_id: str) -> str:
    return f"MENTEE#{mentee_id}"


def mentor_partition(mentor_id: str) -> str:
    return f"MENTOR#{mentor_id}"


def assign_participant_keys(booking: BookingItem) -> None:
    """Put a booking into the ByMentee and ByMentor indexes, ordered by its start."""
    sort_key = participant_sort_key(booking.start, booking.booking_id)
    booking.mentee_pk, booking.mentee_sk = mentee_partition(booking.mentee_id), sort_key
    booking.mentor_pk, booking.mentor_sk = mentor_partition(booking.mentor_id), sort_key


def _is_a_session(now: datetime):
    """Bookings a participant's lists show: confirmed (or completed) and cancelled sessions, and
    holds still running. Holds that ended without payment (expired, released, declined) are not
    sessions and stay out of the lists."""
    return BookingItem.status.is_in("confirmed", "completed", "cancelled") | (
        (BookingItem.status == "held") & (BookingItem.hold_expires_at > epoch_seconds(now))
    )


def participant_key_fields(role: str) -> tuple[str, ...]:
    """Key attributes of a page position in the ByMentee or ByMentor index."""
    return ("pk", "sk", "mentee_pk", "mentee_sk") if role == "mentee" else ("pk", "sk", "mentor_pk", "mentor_sk")


class BookingStore:
    def __init__(self) -> None:
        ensure_bound()

    def get(self, booking_id: str) -> BookingItem | None:
        try:
            return BookingItem.get(booking_pk(booking_id), "BOOKING", consistent_read=True)
        except BookingItem.DoesNotExist:
            return None

    def participant_page(
        self,
        role: str,
        user_id: str,
        upcoming: bool,
        now: datetime,
        limit: int,
        start_after: dict[str, str] | None,
    ) -> Page[BookingItem]:
        """A user's bookings as mentee or mentor. Upcoming: not yet ended, ascending by start;
        past: ended, descending. Sessions last at most 90 minutes, so the key range starts
        90 minutes back and the filter on `end` drops what has already ended."""
        if role == "mentee":
            index, partition, sort_attr = BookingItem.by_mentee, mentee_partition(user_id), BookingItem.mentee_sk
        else:
            index, partition, sort_attr = BookingItem.by_mentor, mentor_partition(user_id), BookingItem.mentor_sk
        now_key = format_utc(now)
        if upcoming:
            range_condition = sort_attr >= format_utc(now - LONGEST_SESSION)
            filter_condition = (BookingItem.end > now) & _is_a_session(now)
        else:
            range_condition = sort_attr < f"{now_key}#~"  # '~' sorts after every id character
            filter_condition = (BookingItem.end <= now) & _is_a_session(now)
        results = index.query(
            partition,
            range_key_condition=range_condition,
            filter_condition=filter_condition,
            scan_index_forward=upcoming,
            limit=limit + 1,
            last_evaluated_key=to_start_key(start_after),
        )
        with starting_after(start_after):
            return take_page(results, limit, participant_key_fields(role))

    def mentor_paid_sessions(self, mentor_id: str, start: datetime, end: datetime, statuses: tuple[str, ...]) -> Iterator[BookingItem]:
        """A mentor's bookings in `statuses` starting in [start, end), ascending by start (AP19):
        one Query of ByMentor on the start-ordered key, paged by DynamoDB, filtered on status."""
        results = BookingItem.by_mentor.query(
            mentor_partition(mentor_id),
            # whole seconds in the key ('~' sorts after every id character); the exact bounds below
            range_key_condition=BookingItem.mentor_sk.between(format_utc(start), f"{format_utc(end)}#~"),
            filter_condition=BookingItem.status.is_in(*statuses),
        )
        return (booking for booking in results if start <= booking.start < end)
