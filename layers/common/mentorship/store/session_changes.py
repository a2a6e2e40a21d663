"""Changes to a confirmed session, each one transaction: cancel, reschedule, review.

Every write is conditioned on the booking still being what the caller saw (confirmed, same
start), so two concurrent changes cannot both apply.
"""

from __future__ import annotations

from datetime import datetime

from mentorship.domain.instants import format_utc
from mentorship.errors import AlreadyReviewed, InvalidState, SlotUnavailable
from mentorship.store.binding import ensure_bound
from mentorship.store.directory import change_actions
from mentorship.store.bookings import participant_sort_key
from mentorship.store.models import Booking, MentorProfile, Review, Slot, SlotLock, TableItem, mentor_pk, slot_sk
from mentorship.store.slots import lock_is_free, lock_sk
from mentorship.store.transactions import ConditionsFailed, Transaction, retry_on_contention


def _booked_by(booking_id: str):
    return (SlotLock.booking_id == booking_id) & (SlotLock.booked == True)  # noqa: E712


def _unchanged(booking: Booking):
    """The booking is still confirmed at the start the caller read."""
    return (Booking.status == "confirmed") & (Booking.start == booking.start)


class SessionChanges:
    def __init__(self) -> None:
        ensure_bound()

    def cancel(
        self, booking: Booking, slot_starts: list[datetime], booking_actions: list, drop: list[TableItem], records: list[TableItem]
    ) -> None:
        """Free the booked slots, apply `booking_actions` (status, sequence, ...), delete `drop`
        (pending reminders), take the session off the mentor's count and record `records`."""
        partition = mentor_pk(booking.mentor_id)

        def attempt() -> None:
            transaction = Transaction()
            for start in slot_starts:
                lock = SlotLock(pk=partition, sk=lock_sk(format_utc(start)))
                transaction.delete(f"lock:{format_utc(start)}", lock, condition=_booked_by(booking.booking_id))
            transaction.update("booking", booking, actions=booking_actions, condition=_unchanged(booking))
            transaction.update(
                "mentor", MentorProfile(pk=partition, sk="PROFILE"), actions=[MentorProfile.total_sessions.add(-1)]
            )
            self._add(transaction, drop, records)
            transaction.commit()

        try:
            retry_on_contention(attempt)
        except ConditionsFailed:
            raise InvalidState("this booking changed meanwhile; read it again") from None

    def reschedule(
        self,
        booking: Booking,
        old_starts: list[datetime],
        new_starts: list[datetime],
        booking_actions: list,
        drop: list[TableItem],
        records: list[TableItem],
        now: datetime,
    ) -> None:
        """Take the new slots and free the old ones in one transaction (slots in both stay
        booked), move the booking, replace its reminders and record `records`.
        SlotUnavailable (nothing changed) if a new slot is not published or not free."""
        partition = mentor_pk(booking.mentor_id)
        old, new = set(old_starts), set(new_starts)

        def attempt() -> None:
            transaction = Transaction()
            for start in sorted(new - old):
                start_z = format_utc(start)
                transaction.condition_check(f"slot:{start_z}", Slot, partition, slot_sk(start_z), Slot.pk.exists())
                lock = SlotLock(
                    pk=partition, sk=lock_sk(start_z), mentor_id=booking.mentor_id, start=start,
                    booking_id=booking.booking_id, holder_id=booking.mentee_id, booked=True,
                )
                transaction.put(f"new:{start_z}", lock, condition=lock_is_free(now))
            for start in sorted(old - new):
                lock = SlotLock(pk=partition, sk=lock_sk(format_utc(start)))
                transaction.delete(f"old:{format_utc(start)}", lock, condition=_booked_by(booking.booking_id))
            for start in sorted(old & new):
                start_z = format_utc(start)
                transaction.condition_check(f"kept:{start_z}", SlotLock, partition, lock_sk(start_z), _booked_by(booking.booking_id))
            transaction.update("booking", booking, actions=booking_actions, condition=_unchanged(booking))
            self._add(transaction, drop, records)
            transaction.commit()

        try:
            retry_on_contention(attempt)
        except ConditionsFailed as failed:
            if any(name.startswith(("slot:", "new:")) for name in failed.names):
                raise SlotUnavailable("the new time is not available; the booking is unchanged") from None
            raise InvalidState("this booking changed meanwhile; read it again") from None

    def review(self, booking: Booking, review: Review) -> None:
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


def moved_index_keys(booking_id: str, start: datetime) -> list:
    """Update actions keeping the booking in the right place of ByMentee and ByMentor."""
    sort_key = participant_sort_key(start, booking_id)
    return [Booking.mentee_sk.set(sort_key), Booking.mentor_sk.set(sort_key)]
