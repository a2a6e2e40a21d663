"""Changes to a confirmed session, each one transaction: cancel, reschedule, review.

Every write is conditioned on the booking still being what the caller saw (confirmed, same
start), so two concurrent changes cannot both apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from pynamodb.exceptions import UpdateError

from mentorship.domain.instants import format_utc
from mentorship.store.due_work import due_actions, due_again_actions, done_actions, make_due
from mentorship.errors import AlreadyReviewed, InvalidState, SlotUnavailable
from mentorship.store.binding import ensure_bound
from mentorship.domain.sessions import REMINDER_LEADS
from mentorship.store.directory import change_actions
from mentorship.store.bookings import as_written, participant_sort_key
from mentorship.store.models import (
    BookingItem,
    MentorProfile,
    Reminder,
    Review,
    SlotLock,
    TableItem,
    mentor_pk,
    reminder_sk,
)
from mentorship.store.booking_writes import (
    HoldPlan,
    Messages,
    ledger_actions,
    ledger_busy,
    offered_window,
    require_published,
    session_slots,
)
from mentorship.store.slots import WindowView, lock_is_free, lock_sk, new_lock
from mentorship.store.transactions import ConditionsFailed, Transaction, retry_on_contention


@dataclass(frozen=True)
class Cancellation:
    """Who cancelled ("mentee" | "mentor"), why (optional), the refund (minor units) the mentee
    is owed, and the messages the cancel owes; a refund above 0 is recorded as pending and put in
    DueWork, so it is given back even if every attempt until then fails."""

    by: str
    reason: str | None
    refund: int
    messages: Messages


@dataclass(frozen=True)
class NoShow:
    """Who was absent ("mentee" | "mentor"), the refund (minor units) that follows, and the
    messages the report owes."""

    absent: str
    refund: int
    messages: Messages


@dataclass(frozen=True)
class Move:
    """A reschedule: the new start (same duration), the messages it owes (new reminders among
    them), and how the new time is checked against the offering (a plan, as a hold's, for a
    mentor with a schedule; None: the new slots must be published)."""

    new_start: datetime
    messages: Messages
    plan: HoldPlan | None = None


def _next_sequence(booking: BookingItem) -> int:
    """Every change of a session's invite raises its iCalendar SEQUENCE."""
    return int(booking.calendar_sequence or 0) + 1


PENDING, REFUNDED = "pending", "refunded"


def _refund_owed(amount: int) -> dict:
    """The refund fields of a booking that owes `amount`: pending until the stream gives it back."""
    return {"refund_amount": amount, **({"refund_state": PENDING} if amount > 0 else {})}


def cancelled_row(booking: BookingItem, cancellation: Cancellation) -> BookingItem:
    """`booking` as a cancel leaves it, as its messages (and webhook bodies) state it: what the
    recipient's own GET shows, the refund owed and pending."""
    return as_written(
        booking,
        status="cancelled",
        calendar_sequence=_next_sequence(booking),
        cancelled_by=cancellation.by,
        **_refund_owed(cancellation.refund),
    )


def no_show_row(booking: BookingItem, report: NoShow) -> BookingItem:
    """`booking` as a no-show report leaves it, as its messages state it."""
    return as_written(booking, status="no_show", absent=report.absent, **_refund_owed(report.refund))


def moved_row(booking: BookingItem, new_start: datetime) -> BookingItem:
    """`booking` as a reschedule to `new_start` leaves it: same duration, the next invite sequence."""
    return as_written(
        booking,
        start=new_start,
        end=new_start + timedelta(minutes=int(booking.duration_minutes)),
        calendar_sequence=_next_sequence(booking),
    )


def _owe_refund(booking: BookingItem, amount: int, now: datetime) -> None:
    booking.refund_amount = amount
    if amount > 0:
        booking.refund_state = PENDING
        make_due(booking, now)


def refund_owed_actions(booking: BookingItem, amount: int, now: datetime) -> list:
    """The update actions that record `amount` as owed to the mentee (due at once when above 0)."""
    actions = [BookingItem.refund_amount.set(amount)]
    if amount > 0:
        actions += [BookingItem.refund_state.set(PENDING), *due_actions(booking, now)]
    return actions


def _update_while_pending(booking: BookingItem, actions: list) -> bool:
    """Apply `actions` if the booking still owes its refund; False if it no longer does."""
    try:
        booking.update(actions=actions, condition=BookingItem.refund_state == PENDING)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def _all_reminders(booking: BookingItem) -> list[Reminder]:
    return [
        Reminder(pk=booking.pk, sk=reminder_sk(kind, role)) for kind in REMINDER_LEADS for role in ("mentee", "mentor")
    ]


def _booked_by(booking_id: str):
    return (SlotLock.booking_id == booking_id) & (SlotLock.booked == True)  # noqa: E712


def _reviewable():
    """A session that took place, or one the mentor missed (the mentee's only recourse)."""
    return (BookingItem.status == "confirmed") | ((BookingItem.status == "no_show") & (BookingItem.absent == "mentor"))


def _unchanged(booking: BookingItem):
    """The booking is still confirmed at the start the caller read."""
    return (BookingItem.status == "confirmed") & (BookingItem.start == booking.start)


class SessionChanges:
    def __init__(self) -> None:
        ensure_bound()

    def cancel(self, booking: BookingItem, cancellation: Cancellation, now: datetime) -> BookingItem:
        """Free the booked slots, cancel the booking (its calendar sequence raised), delete its
        pending reminders, take the session off the mentor's count and record the messages; the
        booking as written."""
        left = cancelled_row(booking, cancellation)
        messages = cancellation.messages(left)
        actions = [
            BookingItem.status.set("cancelled"),
            BookingItem.calendar_sequence.set(int(left.calendar_sequence)),
            BookingItem.cancelled_by.set(cancellation.by),
            BookingItem.updated_at.set(now),
        ]
        if cancellation.reason:
            actions.append(BookingItem.cancel_reason.set(cancellation.reason))
        actions += refund_owed_actions(booking, cancellation.refund, now)

        self._end_session(booking, actions, session_slots(booking), uncount=True, messages=messages)
        written = as_written(left, updated_at=now)
        if cancellation.reason:
            written.cancel_reason = cancellation.reason
        _owe_refund(written, cancellation.refund, now)
        return written

    def refund_settled(self, booking: BookingItem, now: datetime) -> bool:
        """Mark a pending refund given back and take it out of DueWork; False if it was already."""
        done = [BookingItem.refund_state.set(REFUNDED), *done_actions(), BookingItem.updated_at.set(now)]
        return _update_while_pending(booking, done)

    def refund_failed(self, booking: BookingItem, retry_at: datetime) -> None:
        """Count a failed attempt (shown on the booking) and try again at `retry_at`."""
        _update_while_pending(booking, [BookingItem.refund_attempts.add(1), *due_again_actions(retry_at)])

    def _end_session(
        self, booking: BookingItem, actions: list, freed: list[datetime], *, uncount: bool, messages: list[TableItem]
    ) -> None:
        """One transaction: the booking's update (conditioned on it being as read), its `freed`
        slots' locks deleted, the session off the mentor's count if `uncount`, its reminders
        dropped and the messages recorded. InvalidState if the booking changed meanwhile."""
        partition = mentor_pk(booking.mentor_id)

        def attempt() -> None:
            transaction = Transaction()
            for start in freed:
                lock = SlotLock(pk=partition, sk=lock_sk(format_utc(start)))
                transaction.delete(f"lock:{format_utc(start)}", lock, condition=_booked_by(booking.booking_id))
            transaction.update("booking", booking, actions=actions, condition=_unchanged(booking))
            if uncount:
                profile = MentorProfile(pk=partition, sk="PROFILE")
                transaction.update("mentor", profile, actions=[MentorProfile.total_sessions.add(-1)])
            self._add(transaction, _all_reminders(booking), messages)
            transaction.commit()

        try:
            retry_on_contention(attempt)
        except ConditionsFailed:
            raise InvalidState("this booking changed meanwhile; read it again") from None

    def no_show(self, booking: BookingItem, report: NoShow, now: datetime) -> BookingItem:
        """Mark a confirmed session no_show with who was absent and the refund owed, once: its
        slots stay taken (the time has passed), its pending reminders go, and a session the
        mentor missed is taken off the mentor's count. InvalidState if it changed meanwhile
        (another report, a cancel)."""
        left = no_show_row(booking, report)
        actions = [BookingItem.status.set("no_show"), BookingItem.absent.set(report.absent), BookingItem.updated_at.set(now)]
        actions += refund_owed_actions(booking, report.refund, now)

        self._end_session(booking, actions, [], uncount=report.absent == "mentor", messages=report.messages(left))
        written = as_written(left, updated_at=now)
        _owe_refund(written, report.refund, now)
        return written

    def reschedule(self, booking: BookingItem, move: Move, now: datetime, attempts: int = 4) -> BookingItem:
        """Move `booking` to `move.new_start` (its calendar sequence raised): take the new slots and free
        the old ones in one transaction (slots in both stay booked), keep its place in ByMentee
        and ByMentor, replace its reminders (those among the messages) and record the messages; the
        booking as written. SlotUnavailable (nothing changed) if a new slot is not offered or not
        free.

        With a plan, the new time's window is read and offered first, as for a hold, and the
        ledger days around the new time are bumped or checked at the versions read, so a
        reschedule and a hold (or another reschedule) into the same capped day or buffer never
        both commit; when another change bumped one meanwhile, the window is read again. The old
        time's locks are deleted in the same transaction: its day's count and buffer are free at
        once (the ledger holds only versions, the counting is done over the locks)."""
        partition = mentor_pk(booking.mentor_id)
        moved = moved_row(booking, move.new_start)
        messages = move.messages(moved)
        old, new = set(session_slots(booking)), set(session_slots(moved))
        sort_key = participant_sort_key(moved.start, booking.booking_id)
        actions = [
            BookingItem.start.set(moved.start),
            BookingItem.end.set(moved.end),
            BookingItem.calendar_sequence.set(int(moved.calendar_sequence)),
            BookingItem.updated_at.set(now),
            BookingItem.mentee_sk.set(sort_key),
            BookingItem.mentor_sk.set(sort_key),
        ]
        replaced = {message.sk for message in messages if isinstance(message, Reminder)}
        drop = [reminder for reminder in _all_reminders(booking) if reminder.sk not in replaced]

        def attempt(view: WindowView | None) -> None:
            transaction = Transaction()
            for start in sorted(new - old):
                start_z = format_utc(start)
                require_published(transaction, partition, start, view)
                lock = new_lock(booking.mentor_id, start, booking_id=booking.booking_id, holder_id=booking.mentee_id, booked=True)
                transaction.put(f"new:{start_z}", lock, condition=lock_is_free(now))
            for start in sorted(old - new):
                lock = SlotLock(pk=partition, sk=lock_sk(format_utc(start)))
                transaction.delete(f"old:{format_utc(start)}", lock, condition=_booked_by(booking.booking_id))
            for start in sorted(old & new):
                start_z = format_utc(start)
                transaction.condition_check(f"kept:{start_z}", SlotLock, partition, lock_sk(start_z), _booked_by(booking.booking_id))
            ledger_actions(transaction, booking.mentor_id, move.plan, view)
            transaction.update("booking", booking, actions=actions, condition=_unchanged(booking))
            self._add(transaction, drop, messages)
            transaction.commit()

        for _ in range(attempts):
            view = offered_window(booking.mentor_id, move.plan)
            try:
                retry_on_contention(lambda: attempt(view))
                break
            except ConditionsFailed as failed:
                if any(name.startswith(("slot:", "new:")) for name in failed.names):
                    raise SlotUnavailable("the new time is not available; the booking is unchanged") from None
                if "booking" in failed.names or not any(name.startswith("day:") for name in failed.names):
                    raise InvalidState("this booking changed meanwhile; read it again") from None
                # Another change bumped a ledger day around the new time: read again, ask again.
        else:
            raise ledger_busy()
        return as_written(moved, mentee_sk=sort_key, mentor_sk=sort_key, updated_at=now)

    def review(self, booking: BookingItem, review: Review, events: Sequence[TableItem] = ()) -> None:
        """Write the review, mark the booking reviewed and update the mentor's aggregates together,
        so averageRating and reviewCount stay exact under concurrent reviews."""

        def attempt() -> None:
            transaction = Transaction()
            transaction.put("review", review, condition=Review.pk.does_not_exist())
            transaction.update(
                "booking",
                booking,
                actions=[BookingItem.reviewed.set(True)],
                condition=_reviewable() & BookingItem.reviewed.does_not_exist(),
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

