"""The booking aggregate's repository: the one door services write bookings through.

Services hand it typed intents (a `NewHold`, a `Confirmation`, a release to a final state, a
`Cancellation`, a `NoShow`, a `Move`, a review), each with the messages the change owes as a
function of the booking as the change leaves it, and get back the booking as written, as the
domain's `Booking` (converted here, once): the row is built and changed only here (the row a
service read is handed back as read, never edited, so a write need not read it again). Key formats, index membership (ByMentee, ByMentor, DueWork) and each
transaction stay behind it (`store.booking_writes`, `store.session_changes`, `store.bookings`).
`use_booking_repository(fake)` swaps it, so the use cases get fast unit tests without DynamoDB
(tests/support/fakes.py); races and transactions are tested on DynamoDB Local.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, Sequence

from mentorship.domain.bookings import Booking
from mentorship.domain.reviews import Review
from mentorship.store.booking_writes import BookingWrites, Confirmation, HoldPlan, NewHold
from mentorship.store.bookings import BookingStore, booking_of
from mentorship.store.reviews import review_row
from mentorship.store.models import BookingItem, TableItem
from mentorship.store.waitlist import WaitlistClaim
from mentorship.store.session_changes import Cancellation, Move, NoShow, SessionChanges


class BookingRepository(Protocol):
    def get(self, booking_id: str) -> BookingItem | None:
        """The booking's row (strongly consistent), or None: what a change is handed back, and
        what the stream-side adapters (reminders, timers) read; services read it through
        `services.booking` and answer with `booking_of` of it."""

    def hold(
        self, hold: NewHold, now: datetime, plan: HoldPlan | None = None, claim: WaitlistClaim | None = None
    ) -> Booking:
        """Write the new held booking, lock its slots and take a hold place, recording its messages
        (its webhook event, an offer's) with it (SlotUnavailable, TooManyHolds); with a plan,
        only if the offering offers them, serialized with other holds by the ledger; with a
        claim, only while that waitlist entry is waiting (InvalidState)."""

    def confirm(self, booking: BookingItem, confirmation: Confirmation, now: datetime) -> Booking:
        """Book the held slots with the charge, link, policy and messages (HoldExpired,
        InvalidState, PolicyChanged)."""

    def release(self, booking: BookingItem, new_status: str, now: datetime) -> Booking:
        """End a hold (released, payment_failed, expired) and free its slots (InvalidState)."""

    def cancel(self, booking: BookingItem, cancellation: Cancellation, now: datetime) -> Booking:
        """Cancel a confirmed session, free its slots, drop its reminders, record the messages."""

    def no_show(self, booking: BookingItem, report: NoShow, now: datetime) -> Booking:
        """Mark a confirmed session no_show, once, with the refund owed (InvalidState)."""

    def reschedule(self, booking: BookingItem, move: Move, now: datetime) -> Booking:
        """Move a confirmed session (SlotUnavailable, InvalidState)."""

    def review(self, booking: BookingItem, review: Review, events: Sequence[TableItem] = ()) -> None:
        """Record the review, the mentor's aggregates and `events`, once (AlreadyReviewed)."""

    def refund_settled(self, booking: BookingItem, now: datetime) -> bool:
        """The pending refund was given back: mark it so, once (False if it was already)."""

    def refund_failed(self, booking: BookingItem, retry_at: datetime) -> None:
        """A refund attempt failed: count it and try again at `retry_at`."""


class DynamoBookingRepository:
    """The repository on the table."""

    def __init__(self) -> None:
        self._reads, self._writes, self._sessions = BookingStore(), BookingWrites(), SessionChanges()

    def get(self, booking_id: str) -> BookingItem | None:
        return self._reads.get(booking_id)

    def hold(
        self, hold: NewHold, now: datetime, plan: HoldPlan | None = None, claim: WaitlistClaim | None = None
    ) -> Booking:
        return booking_of(self._writes.hold(hold, now, plan, claim=claim))

    def confirm(self, booking: BookingItem, confirmation: Confirmation, now: datetime) -> Booking:
        return booking_of(self._writes.confirm(booking, confirmation, now))

    def release(self, booking: BookingItem, new_status: str, now: datetime) -> Booking:
        return booking_of(self._writes.release(booking, new_status, now))

    def cancel(self, booking: BookingItem, cancellation: Cancellation, now: datetime) -> Booking:
        return booking_of(self._sessions.cancel(booking, cancellation, now))

    def no_show(self, booking: BookingItem, report: NoShow, now: datetime) -> Booking:
        return booking_of(self._sessions.no_show(booking, report, now))

    def reschedule(self, booking: BookingItem, move: Move, now: datetime) -> Booking:
        return booking_of(self._sessions.reschedule(booking, move, now))

    def review(self, booking: BookingItem, review: Review, events: Sequence[TableItem] = ()) -> None:
        self._sessions.review(booking, review_row(review), events)

    def refund_settled(self, booking: BookingItem, now: datetime) -> bool:
        return self._sessions.refund_settled(booking, now)

    def refund_failed(self, booking: BookingItem, retry_at: datetime) -> None:
        self._sessions.refund_failed(booking, retry_at)


_override: BookingRepository | None = None


def booking_repository() -> BookingRepository:
    return _override or DynamoBookingRepository()


def use_booking_repository(repository: BookingRepository | None) -> None:
    """Swap the repository (a fake in unit tests); None restores the table's."""
    global _override
    _override = repository
