"""Changes to a confirmed session, each one transaction: cancel, reschedule, review.

Every write is conditioned on the booking still being what the caller saw (confirmed, same
start), so two concurrent changes cannot both apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from mentorship.domain.instants import format_utc
from mentorship.errors import AlreadyReviewed, InvalidState, SlotUnavailable
from mentorship.store.binding import ensure_bound
from mentorship.domain.sessions import REMINDER_LEADS
from mentorship.store.directory import change_actions
from mentorship.store.bookings import participant_sort_key
from mentorship.store.models import (
    Booking,
    MentorProfile,
    Reminder,
    Review,
    Slot,
    SlotLock,
    TableItem,
    mentor_pk,
    reminder_sk,
    slot_sk,
)
from mentorship.store.slots import lock_is_free, lock_sk, new_lock
from mentorship.store.transactions import ConditionsFailed, Transaction, retry_on_contention


@dataclass(frozen=True)
class Cancellation:
    """Who cancelled ("mentee" | "mentor"), why (optional), and the messages the cancel owes."""

    by: str
    reason: str | None
    messages: list[TableItem]


@dataclass(frozen=True)
class Move:
    """A reschedule: the booking as it will read (new start, end, calendar sequence), the slots
    it leaves and takes, and the messages it owes (new reminders among them)."""

    moved: Booking
    old_starts: list[datetime]
    new_starts: list[datetime]
    messages: list[TableItem]


def _all_reminders(booking: Booking) -> list[Reminder]:
    return [
        Reminder(pk=booking.pk, sk=reminder_sk(kind, role)) for kind in REMINDER_LEADS for role in ("mentee", "mentor")
    ]


def _booked_by(booking_id: str):
    return (SlotLock.booking_id == booking_id) & (SlotLock.booked == True)  # noqa: E712


def _unchanged(booking: Booking):
    """The booking is still confirmed at the start the caller read."""
    return (Booking.status == "confirmed") & (Booking.start == booking.start)


class SessionChanges:
    def __init__(self) -> None:
        ensure_bound()

    def cancel(self, booking: Booking, slot_starts: list[datetime], cancellation: Cancellation, now: datetime) -> Booking:
        """Free the booked slots, cancel the booking (its calendar sequence as given), delete its
        pending reminders, take the session off the mentor's count and record the messages; the
        booking as written."""
        partition = mentor_pk(booking.mentor_id)
        actions = [
            Booking.status.set("cancelled"),
            Booking.calendar_sequence.set(int(booking.calendar_sequence)),
            Booking.cancelled_by.set(cancellation.by),
            Booking.updated_at.set(now),
        ]
        if cancellation.reason:
            actions.append(Booking.cancel_reason.set(cancellation.reason))

        def attempt() -> None:
            transaction = Transaction()
            for start in slot_starts:
                lock = SlotLock(pk=partition, sk=lock_sk(format_utc(start)))
                transaction.delete(f"lock:{format_utc(start)}", lock, condition=_booked_by(booking.booking_id))
            transaction.update("booking", booking, actions=actions, condition=_unchanged(booking))
            transaction.update(
                "mentor", MentorProfile(pk=partition, sk="PROFILE"), actions=[MentorProfile.total_sessions.add(-1)]
            )
            self._add(transaction, _all_reminders(booking), cancellation.messages)
            transaction.commit()

        try:
            retry_on_contention(attempt)
        except ConditionsFailed:
            raise InvalidState("this booking changed meanwhile; read it again") from None
        written = Booking.from_raw_data(booking.serialize())
        written.status, written.cancelled_by, written.updated_at = "cancelled", cancellation.by, now
        if cancellation.reason:
            written.cancel_reason = cancellation.reason
        return written

    def reschedule(self, booking: Booking, move: Move, now: datetime) -> Booking:
        """Move `booking` to `move.moved`'s start (and calendar sequence): take the new slots and free
        the old ones in one transaction (slots in both stay booked), keep its place in ByMentee
        and ByMentor, replace its reminders (those among the messages) and record the messages; the
        booking as written. SlotUnavailable (nothing changed) if a new slot is not published or
        not free."""
        partition = mentor_pk(booking.mentor_id)
        moved, messages = move.moved, move.messages
        old, new = set(move.old_starts), set(move.new_starts)
        sort_key = participant_sort_key(moved.start, booking.booking_id)
        actions = [
            Booking.start.set(moved.start),
            Booking.end.set(moved.end),
            Booking.calendar_sequence.set(int(moved.calendar_sequence)),
            Booking.updated_at.set(now),
            Booking.mentee_sk.set(sort_key),
            Booking.mentor_sk.set(sort_key),
        ]
        replaced = {message.sk for message in messages if isinstance(message, Reminder)}
        drop = [reminder for reminder in _all_reminders(booking) if reminder.sk not in replaced]

        def attempt() -> None:
            transaction = Transaction()
            for start in sorted(new - old):
                start_z = format_utc(start)
                transaction.condition_check(f"slot:{start_z}", Slot, partition, slot_sk(start_z), Slot.pk.exists())
                lock = new_lock(booking.mentor_id, start, booking_id=booking.booking_id, holder_id=booking.mentee_id, booked=True)
                transaction.put(f"new:{start_z}", lock, condition=lock_is_free(now))
            for start in sorted(old - new):
                lock = SlotLock(pk=partition, sk=lock_sk(format_utc(start)))
                transaction.delete(f"old:{format_utc(start)}", lock, condition=_booked_by(booking.booking_id))
            for start in sorted(old & new):
                start_z = format_utc(start)
                transaction.condition_check(f"kept:{start_z}", SlotLock, partition, lock_sk(start_z), _booked_by(booking.booking_id))
            transaction.update("booking", booking, actions=actions, condition=_unchanged(booking))
            self._add(transaction, drop, messages)
            transaction.commit()

        try:
            retry_on_contention(attempt)
        except ConditionsFailed as failed:
            if any(name.startswith(("slot:", "new:")) for name in failed.names):
                raise SlotUnavailable("the new time is not available; the booking is unchanged") from None
            raise InvalidState("this booking changed meanwhile; read it again") from None
        written = Booking.from_raw_data(moved.serialize())
        written.mentee_sk = written.mentor_sk = sort_key
        written.updated_at = now
        return written

    def review(self, booking: Booking, review: Review, events: Sequence[TableItem] = ()) -> None:
        """Write the review, mark the booking reviewed and update the mentor's aggregates together,
        so averageRating and reviewCount stay exact under concurrent reviews."""

        def attempt() -> None:
            transaction = Transaction()
            transaction.put("review", review, condition=Review.pk.does_not_exist())
            transaction.update(
                "booking",
                booking,
                actions=[Booking.reviewed.set(True)],
                condition=(Booking.status == "confirmed") & Booking.reviewed.does_not_exist(),
            )
            transaction.update(
                "mentor",
                MentorProfile(pk=mentor_pk(booking.mentor_id), sk="PROFILE"),
                actions=[
                    MentorProfile.rating_total.add(int(review.rating)),
                    MentorProfile.review_count.add(1),
                    *change_actions(booking.mentor_id, review.created_at),
                ],
                condition=MentorProfile.pk.exists(),
            )
            for index, event in enumerate(events):
                transaction.put(f"event:{index}", event)
            transaction.commit()

        try:
            retry_on_contention(attempt, attempts=8)
        except ConditionsFailed as failed:
            if "booking" in failed.names:
                raise AlreadyReviewed("this session has been reviewed already") from None
            raise

    @staticmethod
    def _add(transaction: Transaction, drop: list[TableItem], records: list[TableItem]) -> None:
        for index, item in enumerate(drop):
            transaction.delete(f"drop:{index}", item)
        for index, record in enumerate(records):
            transaction.put(f"record:{index}", record)

