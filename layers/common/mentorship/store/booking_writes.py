"""The booking's conditional writes: hold, confirm and release, each one transaction.

Who holds a slot is decided only by these conditions, evaluated by DynamoDB at write time:
a hold puts a lock per slot on condition that the slot is free (no lock, or an expired unbooked
hold); confirm turns this booking's unexpired locks into booked ones; release deletes the locks
that are still this booking's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Sequence

from mentorship.domain.calendar import Party
from mentorship.domain.commitments import DEFAULT_POLICY, CancellationPolicy
from mentorship.domain.instants import epoch_seconds, format_utc, from_epoch_seconds
from mentorship.domain.schedules import LedgerDay
from mentorship.domain.slots import slots_for_session
from mentorship.errors import HoldExpired, InvalidState, ServiceUnavailable, SlotUnavailable, TooManyHolds
from mentorship.store.binding import ensure_bound
from mentorship.store.bookings import BookingStore, as_written, new_booking
from mentorship.store.directory import change_actions
from mentorship.store.due_work import done_actions
from mentorship.store.models import (
    BookingItem,
    MentorDay,
    MentorProfile,
    Slot,
    SlotLock,
    TableItem,
    UserHold,
    mentor_pk,
    slot_sk,
    user_pk,
)
from mentorship.store.slots import SlotStore, WindowView, day_sk, lock_is_free, lock_is_held_by, lock_sk, new_lock
from mentorship.store.waitlist import WaitlistClaim, claim_actions
from mentorship.store.transactions import ConditionsFailed, Transaction, retry_on_contention

MAX_ACTIVE_HOLDS = 3
# A hold races every other mentee for its slots: a few more tries than other writes (decisions §9).
HOLD_CONTENTION_ATTEMPTS = 6
HOLD_PLACE_PREFIX = "HOLD#"
# Expired locks and hold places linger this long before TTL may delete them (housekeeping only).
TTL_GRACE = timedelta(days=1)
# A ledger day is only read by holds of the days around it, so TTL may delete it once it is past.
LEDGER_KEPT = timedelta(days=3)


def hold_place_sk(place: int) -> str:
    return f"{HOLD_PLACE_PREFIX}{place}"


@dataclass(frozen=True)
class HoldPlan:
    """How a hold (or a reschedule's new time) on a mentor with a schedule checks the offering: read [read_from, read_to)
    (published slots, locks, ledger days: one Query), ask `offered`, and write conditioned on
    the ledger days' versions as read (decisions §19)."""

    read_from: datetime
    read_to: datetime
    offered: Callable[[WindowView], bool]
    ledger_days: tuple[LedgerDay, ...]


Messages = Callable[[BookingItem], list[TableItem]]
"""What a change owes (emails, reminders, inbox entries, its webhook event), built from the
booking as the change leaves it: the store makes that row and hands it over, so no caller edits
or copies one."""


def no_messages(booking: BookingItem) -> list[TableItem]:
    return []


@dataclass(frozen=True)
class NewHold:
    """A hold to write: the session (who, when, for how long, at what rate), until when it holds
    its slots, the meeting link and cancellation policy chosen from the profile the hold read,
    the waitlist entry it offers (if any), and what it owes (its event, an offer's messages)."""

    booking_id: str
    mentor: Party
    mentee: Party
    start: datetime
    minutes: int
    hourly_rate: int
    currency: str
    topic: str
    expires_at: datetime
    meeting_url: str
    policy: CancellationPolicy
    waitlist_id: str | None = None
    messages: Messages = no_messages


@dataclass(frozen=True)
class Confirmation:
    """What a confirm writes besides the state: the charge that paid, the meeting link, the
    cancellation policy it snapshots, and the messages owed (emails, reminders, inbox entries,
    its event), recorded with it, all or nothing."""

    charge_id: str
    meeting_url: str
    policy: CancellationPolicy
    messages: Messages


def held_row(hold: NewHold, now: datetime) -> BookingItem:
    """The booking item a hold writes (in DueWork until its expiry)."""
    return new_booking(
        hold.booking_id,
        mentor=hold.mentor,
        mentee=hold.mentee,
        start=hold.start,
        minutes=hold.minutes,
        hourly_rate=hold.hourly_rate,
        currency=hold.currency,
        topic=hold.topic,
        status="held",
        now=now,
        hold_expires_at=hold.expires_at,
        meeting_url=hold.meeting_url,
        cancellation_policy=hold.policy.value,
        waitlist_id=hold.waitlist_id,
    )


def released_row(booking: BookingItem, new_status: str, now: datetime) -> BookingItem:
    """`booking` as the end of its hold writes it (released, payment_failed, expired)."""
    return as_written(booking, status=new_status, updated_at=now, hold_expires_at=None, due_shard=None, due_at=None)


def confirmed_row(booking: BookingItem, confirmation: Confirmation, now: datetime) -> BookingItem:
    """`booking` as a confirm writes it: its hold over, as any end of a hold leaves it, and
    confirmed with the charge, meeting link and policy."""
    return as_written(
        released_row(booking, "confirmed", now),
        cancellation_policy=confirmation.policy.value,
        meeting_url=confirmation.meeting_url,
        payment_reference=confirmation.charge_id,
    )


def session_slots(booking: BookingItem) -> list[datetime]:
    """The slots the booking's session takes."""
    return slots_for_session(booking.start, int(booking.duration_minutes))


class PolicyChanged(Exception):
    """The mentor's cancellation policy is no longer the one the confirm was about to snapshot:
    the mentor changed it during the hold. Nothing was written; confirm again with the current one."""


def new_hold_place(
    user_id: str, place: int, booking_id: str, hold_expires_at: int, expires_at: datetime | None = None
) -> UserHold:
    """One of the user's hold places, taken by `booking_id` until `hold_expires_at` (epoch s)."""
    return UserHold(
        pk=user_pk(user_id),
        sk=hold_place_sk(place),
        user_id=user_id,
        booking_id=booking_id,
        hold_expires_at=hold_expires_at,
        expires_at=expires_at,
    )


def place_is_free(now: datetime):
    return UserHold.pk.does_not_exist() | (UserHold.hold_expires_at <= epoch_seconds(now))


class BookingWrites:
    def __init__(self) -> None:
        ensure_bound()

    def free_hold_places(self, user_id: str, now: datetime) -> list[int]:
        """Which of the user's hold places are free at `now` (strongly consistent)."""
        taken = {
            int(place.sk.removeprefix(HOLD_PLACE_PREFIX))
            for place in UserHold.query(
                user_pk(user_id), UserHold.sk.startswith(HOLD_PLACE_PREFIX), consistent_read=True
            )
            if int(place.hold_expires_at) > epoch_seconds(now)
        }
        return [place for place in range(MAX_ACTIVE_HOLDS) if place not in taken]

    def hold(
        self,
        hold: NewHold,
        now: datetime,
        plan: HoldPlan | None = None,
        attempts: int = 4,
        claim: WaitlistClaim | None = None,
    ) -> BookingItem:
        """Write the hold's booking and lock every slot for it until the hold expires, in one
        transaction, together with one of the mentee's hold places and the messages it owes; the
        booking as written. SlotUnavailable if any slot is missing, taken or (with a
        `plan`) not offered; TooManyHolds if the mentee already has three active holds. With a
        `claim` (a waitlist offer), its entry turns offered in the same transaction, or nothing
        is written: InvalidState when the entry is no longer waiting.

        With a plan, the window is read and offered first; a slot that is published keeps its
        `slot:` existence check, one the rules give has none (the rules were just checked), and
        the ledger days are written or checked at the versions read: when another hold changed
        one meanwhile, the window is read and checked again."""
        booking = held_row(hold, now)
        slot_starts = slots_for_session(hold.start, hold.minutes)
        events = hold.messages(booking)
        ledger_changed = False
        for _ in range(attempts):
            view = offered_window(booking.mentor_id, plan)
            places = self.free_hold_places(booking.mentee_id, now)
            if not places:
                raise TooManyHolds(f"you already hold {MAX_ACTIVE_HOLDS} slots; confirm or release one first")
            try:
                retry_on_contention(
                    lambda: self._hold_once(booking, slot_starts, places[0], now, plan, view, events, claim),
                    attempts=HOLD_CONTENTION_ATTEMPTS,
                    settled=lambda: self._refuse_if_taken(booking, slot_starts, now),
                )
                return booking
            except ConditionsFailed as failed:
                if any(name.startswith("claim:") for name in failed.names):
                    raise InvalidState("that waitlist entry is no longer waiting") from None
                if any(name.startswith(("slot:", "lock:")) for name in failed.names):
                    raise SlotUnavailable("that time is no longer available") from None
                # Another hold changed a ledger day (read again and recheck), or only the hold
                # place was taken meanwhile (a concurrent hold of the same user): retry.
                ledger_changed = any(name.startswith("day:") for name in failed.names)
        if ledger_changed:
            raise ledger_busy()
        raise TooManyHolds(f"you already hold {MAX_ACTIVE_HOLDS} slots; confirm or release one first")

    @staticmethod
    def _refuse_if_taken(booking: BookingItem, slot_starts: list[datetime], now: datetime) -> None:
        """After a conflict: SlotUnavailable if another booking now holds or booked one of the
        slots (the race is decided; retrying could only fail its condition). One consistent Query
        of the session's locks, on the contended path only."""
        partition = mentor_pk(booking.mentor_id)
        first, last = lock_sk(format_utc(slot_starts[0])), lock_sk(format_utc(slot_starts[-1]))
        for lock in SlotLock.query(partition, SlotLock.sk.between(first, last), consistent_read=True):
            if not isinstance(lock, SlotLock) or lock.booking_id == booking.booking_id:
                continue
            if lock.booked or int(lock.hold_expires_at or 0) > epoch_seconds(now):
                raise SlotUnavailable("that time is no longer available")

    def _hold_once(
        self,
        booking: BookingItem,
        slot_starts: list[datetime],
        place: int,
        now: datetime,
        plan: HoldPlan | None,
        view: WindowView | None,
        events: Sequence[TableItem],
        claim: WaitlistClaim | None = None,
    ) -> None:
        expires = int(booking.hold_expires_at)
        cleanup_after = from_epoch_seconds(expires) + TTL_GRACE
        booking.hold_place = place
        transaction = Transaction()
        partition = mentor_pk(booking.mentor_id)
        for start in slot_starts:
            start_z = format_utc(start)
            require_published(transaction, partition, start, view)
            lock = new_lock(
                booking.mentor_id,
                start,
                booking_id=booking.booking_id,
                holder_id=booking.mentee_id,
                booked=False,
                hold_expires_at=expires,
                expires_at=cleanup_after,
            )
            transaction.put(f"lock:{start_z}", lock, condition=lock_is_free(now))
        ledger_actions(transaction, booking.mentor_id, plan, view)
        place_item = new_hold_place(booking.mentee_id, place, booking.booking_id, expires, cleanup_after)
        transaction.put("place", place_item, condition=place_is_free(now))
        transaction.put("booking", booking, condition=BookingItem.pk.does_not_exist())
        for index, event in enumerate(events):
            transaction.put(f"event:{index}", event, condition=TableItem.pk.does_not_exist())
        if claim is not None:
            claim_actions(transaction, claim)
        transaction.commit()

    def confirm(self, booking: BookingItem, confirmation: Confirmation, now: datetime) -> BookingItem:
        """Turn this booking's unexpired holds into booked slots, confirm the booking with its
        charge and meeting link, free the mentee's hold place, count the session on the mentor
        and record the messages, all or nothing; the booking as written.
        The confirmation's `policy` is snapshotted, on condition that it is still the
        mentor's (the profile is in this transaction anyway, for `total_sessions`): so the
        policy kept is the one current when the confirm commits, at no extra request.
        HoldExpired if any lock is no longer this booking's unexpired hold; InvalidState if the
        booking is no longer held; PolicyChanged if the mentor's policy is another one now."""
        policy = confirmation.policy
        slot_starts = session_slots(booking)
        confirmed = confirmed_row(booking, confirmation, now)
        messages = confirmation.messages(confirmed)
        booking_actions = [
            BookingItem.status.set("confirmed"),
            BookingItem.cancellation_policy.set(policy.value),
            BookingItem.meeting_url.set(confirmation.meeting_url),
            BookingItem.payment_reference.set(confirmation.charge_id),
            BookingItem.hold_expires_at.remove(),
            *done_actions(),
            BookingItem.updated_at.set(now),
        ]

        def attempt() -> None:
            transaction = Transaction()
            partition = mentor_pk(booking.mentor_id)
            for start in slot_starts:
                lock = SlotLock(pk=partition, sk=lock_sk(format_utc(start)))
                transaction.update(
                    f"lock:{format_utc(start)}",
                    lock,
                    actions=[SlotLock.booked.set(True), SlotLock.hold_expires_at.remove(), SlotLock.expires_at.remove()],
                    condition=lock_is_held_by(booking.booking_id, now),
                )
            transaction.update("booking", booking, actions=booking_actions, condition=BookingItem.status == "held")
            transaction.delete("place", self._place_of(booking), condition=UserHold.booking_id == booking.booking_id)
            transaction.update(
                "mentor",
                MentorProfile(pk=partition, sk="PROFILE"),
                actions=[MentorProfile.total_sessions.add(1), *change_actions(booking.mentor_id, now)],
                condition=MentorProfile.pk.exists() & _policy_is(policy),
            )
            for index, record in enumerate(messages):
                transaction.put(f"record:{index}", record, condition=TableItem.pk.does_not_exist())
            transaction.commit()

        def settled() -> None:  # a concurrent confirm (or release) of this booking got there first
            current = BookingStore().get(booking.booking_id)
            if current is None or current.status != "held":
                raise InvalidState("this booking is no longer held")

        try:
            retry_on_contention(attempt, settled=settled)
        except ConditionsFailed as failed:
            if "booking" in failed.names:
                raise InvalidState("this booking is no longer held") from None
            if any(name.startswith("lock:") for name in failed.names) or "place" in failed.names:
                raise HoldExpired("the 5-minute hold has expired; hold the slot again") from None
            if "mentor" in failed.names:
                raise PolicyChanged(booking.booking_id) from None
            raise
        return confirmed

    @staticmethod
    def _place_of(booking: BookingItem) -> UserHold:
        return UserHold(pk=user_pk(booking.mentee_id), sk=hold_place_sk(int(booking.hold_place)))

    def release(self, booking: BookingItem, new_status: str, now: datetime, attempts: int = 3) -> BookingItem:
        """End a held booking (released, payment_failed, expired): its slots are free at once.
        Only locks and the hold place that are still this booking's are deleted; the booking as
        written. While the hold runs nobody else can take its locks or its place, so the first
        attempt deletes them without reading; after its expiry (or when that attempt finds one
        gone) it reads which are still ours."""
        partition = mentor_pk(booking.mentor_id)
        slot_starts = session_slots(booking)
        hold_running = booking.hold_expires_at is not None and int(booking.hold_expires_at) > epoch_seconds(now)
        for attempt in range(attempts):
            if attempt == 0 and hold_running:
                lock_keys = [lock_sk(format_utc(start)) for start in slot_starts]
                place_is_ours = booking.hold_place is not None
            else:
                lock_keys = [
                    lock.sk
                    for lock in SlotLock.query(
                        partition,
                        SlotLock.sk.between(lock_sk(format_utc(slot_starts[0])), lock_sk(format_utc(slot_starts[-1]))),
                        consistent_read=True,
                    )
                    if isinstance(lock, SlotLock) and lock.booking_id == booking.booking_id and not lock.booked
                ]
                place = self._place_of(booking)
                place_is_ours = bool(
                    UserHold.count(place.pk, UserHold.sk == place.sk, UserHold.booking_id == booking.booking_id, consistent_read=True)
                )
            transaction = Transaction()
            for sk in lock_keys:
                transaction.delete(f"lock:{sk}", SlotLock(pk=partition, sk=sk), condition=SlotLock.booking_id == booking.booking_id)
            transaction.update(
                "booking",
                booking,
                actions=[
                    BookingItem.status.set(new_status),
                    BookingItem.updated_at.set(now),
                    BookingItem.hold_expires_at.remove(),
                    *done_actions(),
                ],
                condition=BookingItem.status == "held",
            )
            if place_is_ours:
                transaction.delete("place", self._place_of(booking), condition=UserHold.booking_id == booking.booking_id)
            try:
                retry_on_contention(transaction.commit)
            except ConditionsFailed as failed:
                if "booking" in failed.names:
                    raise InvalidState("this booking is no longer held") from None
                continue  # a lock or the hold place changed hands (or was gone): read, then again
            return released_row(booking, new_status, now)
        raise InvalidState("this booking's hold changed while it was being released; try again")


def _policy_is(policy: CancellationPolicy):
    """The profile's policy is `policy` (a profile from before policies reads as the default)."""
    stated = MentorProfile.cancellation_policy == policy.value
    return stated | MentorProfile.cancellation_policy.does_not_exist() if policy is DEFAULT_POLICY else stated


def ledger_busy() -> ServiceUnavailable:
    """Every attempt found a ledger day changed by another hold meanwhile (a 503 to retry)."""
    return ServiceUnavailable("this mentor's calendar is changing fast; try again")


def offered_window(mentor_id: str, plan: HoldPlan | None) -> WindowView | None:
    """With a plan, the window as one strongly consistent Query reads it, if the offering offers
    the session there (SlotUnavailable if not); None without one."""
    if plan is None:
        return None
    view = SlotStore().window_view(mentor_id, plan.read_from, plan.read_to, consistent=True)
    if not plan.offered(view):
        raise SlotUnavailable("that time is not available")
    return view


def require_published(transaction: Transaction, partition: str, start: datetime, view: WindowView | None) -> None:
    """A published slot keeps its existence check (`slot:<start>`); one that only the rules give
    has none: the offering was just asked, over the window read (`view`). Without a view (no
    schedule) every slot must be published."""
    if view is None or start in view.published:
        start_z = format_utc(start)
        transaction.condition_check(f"slot:{start_z}", Slot, partition, slot_sk(start_z), Slot.pk.exists())


def ledger_actions(transaction: Transaction, mentor_id: str, plan: HoldPlan | None, view: WindowView | None) -> None:
    """The plan's ledger days, bumped or checked at the versions `view` read (decisions §19)."""
    if plan is None or view is None:
        return
    for ledger_day in plan.ledger_days:
        _ledger_action(transaction, mentor_id, ledger_day, view.day_versions.get(ledger_day.start))


def _ledger_action(transaction: Transaction, mentor_id: str, ledger_day: LedgerDay, seen: int | None) -> None:
    """Bump the day's version, or only check it, on condition that it is still `seen`."""
    name, sk = f"day:{format_utc(ledger_day.start)}", day_sk(ledger_day.start)
    unchanged = MentorDay.pk.does_not_exist() if seen is None else MentorDay.version == seen
    if ledger_day.bump:
        item = MentorDay(
            pk=mentor_pk(mentor_id),
            sk=sk,
            mentor_id=mentor_id,
            day=ledger_day.day.isoformat(),
            version=(seen or 0) + 1,
            expires_at=ledger_day.start + LEDGER_KEPT,
        )
        transaction.put(name, item, condition=unchanged)
    else:
        transaction.condition_check(name, MentorDay, mentor_pk(mentor_id), sk, unchanged)
