"""Recording stand-ins for the email and push gateways (the real ones are tested against moto)."""

from __future__ import annotations

import threading
from email import message_from_string
from email.message import Message

from mentorship.gateways.errors import DeliveryFailed


class RecordingEmailSender:
    def __init__(self) -> None:
        self.sent: list[tuple[list[str], str]] = []
        self.failure: DeliveryFailed | None = None  # set to make every send fail
        self._lock = threading.Lock()

    def send_raw(self, destinations: list[str], raw: str) -> str:
        if self.failure is not None:
            raise self.failure
        with self._lock:
            self.sent.append((destinations, raw))
            return f"msg-{len(self.sent)}"

    def messages(self) -> list[Message]:
        return [message_from_string(raw) for _, raw in self.sent]

    def to(self, address: str) -> list[Message]:
        return [message_from_string(raw) for destinations, raw in self.sent if address in destinations]


class RecordingPushSender:
    def __init__(self) -> None:
        self.published: list[dict] = []
        self.failure: DeliveryFailed | None = None

    def publish(self, user_id: str, notification_id: str, title: str, body: str, url: str | None) -> str:
        if self.failure is not None:
            raise self.failure
        self.published.append({"userId": user_id, "notificationId": notification_id, "title": title, "url": url})
        return f"push-{len(self.published)}"


class InMemoryBookingRepository:
    """The booking repository's rules kept in memory, for unit tests of the use cases: published
    slots, who holds or booked each, the mentee's three hold places, and what each change
    recorded. (The real conditions run inside DynamoDB; their races are tested on DynamoDB Local.)"""

    MAX_ACTIVE_HOLDS = 3

    def __init__(self, published: dict[str, list] | None = None, mentor_policy=None) -> None:
        self.published = {mentor: set(starts) for mentor, starts in (published or {}).items()}
        # mentor id -> their cancellation policy now (the profile the confirm's transaction checks)
        self.mentor_policy = mentor_policy
        self.bookings: dict = {}
        self.locks: dict = {}  # (mentor_id, start) -> (booking_id, booked, hold_expires_at epoch or None)
        self.recorded: list = []  # messages, in the order the changes recorded them
        self.reviews: list = []
        self.refund_retries: dict = {}  # booking id -> when a failed refund is tried again
        self.waitlist: InMemoryWaitlistRepository | None = None  # what a waitlist offer's claim takes

    @staticmethod
    def _copy(booking):
        return type(booking).from_raw_data(booking.serialize())

    def _lock_is_free(self, mentor_id, start, now) -> bool:
        lock = self.locks.get((mentor_id, start))
        return lock is None or (not lock[1] and lock[2] <= now.timestamp())

    def get(self, booking_id):
        booking = self.bookings.get(booking_id)
        return self._copy(booking) if booking is not None else None

    @staticmethod
    def _written(booking):
        """A change answers with the domain's booking as written, as the real repository does."""
        from mentorship.store.bookings import booking_of

        return booking_of(booking)

    def _check_offered(self, mentor_id, plan) -> None:
        """A plan's question over everything this fake holds of the mentor (SlotUnavailable)."""
        from mentorship.domain.instants import from_epoch_seconds
        from mentorship.domain.schedules import Lock
        from mentorship.errors import SlotUnavailable
        from mentorship.store.slots import WindowView

        locks = [
            Lock(start, booking_id, booked, from_epoch_seconds(expires) if expires is not None else None)
            for (owner, start), (booking_id, booked, expires) in self.locks.items()
            if owner == mentor_id
        ]
        if not plan.offered(WindowView(sorted(self.published.get(mentor_id, set())), locks, {})):
            raise SlotUnavailable("that time is not available")

    def hold(self, hold, now, plan=None, claim=None):
        from mentorship.errors import SlotUnavailable, TooManyHolds
        from mentorship.store.booking_writes import held_row, session_slots

        booking = held_row(hold, now)  # the row the store writes, built as the store builds it
        slot_starts = session_slots(booking)
        events = hold.messages(booking)
        published = self.published.get(booking.mentor_id, set())
        if plan is not None:
            self._check_offered(booking.mentor_id, plan)
        if any(
            (plan is None and start not in published) or not self._lock_is_free(booking.mentor_id, start, now)
            for start in slot_starts
        ):
            raise SlotUnavailable("that time is no longer available")
        active = [
            b for b in self.bookings.values()
            if b.mentee_id == booking.mentee_id and b.status == "held" and b.hold_expires_at > now.timestamp()
        ]
        if len(active) >= self.MAX_ACTIVE_HOLDS:
            raise TooManyHolds("three holds already")
        if claim is not None:
            self.waitlist.claim(claim)  # InvalidState when the entry is no longer waiting: nothing written
        booking.hold_place = len(active)
        for start in slot_starts:
            self.locks[(booking.mentor_id, start)] = (booking.booking_id, False, int(booking.hold_expires_at))
        self.bookings[booking.booking_id] = self._copy(booking)
        self.recorded += list(events)
        return self._written(booking)

    def confirm(self, booking, confirmation, now):
        from mentorship.domain.commitments import policy_of
        from mentorship.errors import HoldExpired, InvalidState
        from mentorship.store.booking_writes import PolicyChanged, confirmed_row, session_slots

        stored = self.bookings[booking.booking_id]
        if stored.status != "held":
            raise InvalidState("this booking is no longer held")
        for start in session_slots(booking):
            lock = self.locks.get((booking.mentor_id, start))
            if lock is None or lock[0] != booking.booking_id or lock[1] or lock[2] <= now.timestamp():
                raise HoldExpired("the 5-minute hold has expired")
        if self.mentor_policy is not None and policy_of(self.mentor_policy(booking.mentor_id)) is not confirmation.policy:
            raise PolicyChanged(booking.booking_id)
        confirmed = confirmed_row(stored, confirmation, now)
        messages = confirmation.messages(confirmed)
        for start in session_slots(booking):
            self.locks[(booking.mentor_id, start)] = (booking.booking_id, True, None)
        self.bookings[booking.booking_id] = confirmed
        self.recorded += messages
        return self._written(confirmed)

    def release(self, booking, new_status, now):
        from mentorship.errors import InvalidState
        from mentorship.store.booking_writes import released_row, session_slots

        stored = self.bookings[booking.booking_id]
        if stored.status != "held":
            raise InvalidState("this booking is no longer held")
        for start in session_slots(booking):
            lock = self.locks.get((booking.mentor_id, start))
            if lock is not None and lock[0] == booking.booking_id and not lock[1]:
                del self.locks[(booking.mentor_id, start)]
        self.bookings[booking.booking_id] = released_row(stored, new_status, now)
        return self._written(self.bookings[booking.booking_id])

    def _unchanged(self, booking):
        from mentorship.errors import InvalidState

        stored = self.bookings[booking.booking_id]
        if stored.status != "confirmed" or stored.start != booking.start:
            raise InvalidState("this booking changed meanwhile; read it again")
        return stored

    def cancel(self, booking, cancellation, now):
        from mentorship.store.booking_writes import session_slots
        from mentorship.store.session_changes import cancelled_row

        stored = self._unchanged(booking)
        for start in session_slots(booking):
            self.locks.pop((booking.mentor_id, start), None)
        cancelled = cancelled_row(stored, cancellation)
        self.recorded += cancellation.messages(cancelled)
        cancelled.cancel_reason, cancelled.updated_at = cancellation.reason, now
        if cancellation.refund > 0:
            cancelled.refund_state = "pending"
        self.bookings[booking.booking_id] = cancelled
        return self._written(cancelled)

    def no_show(self, booking, report, now):
        from mentorship.store.session_changes import no_show_row

        reported = no_show_row(self._unchanged(booking), report)
        self.recorded += report.messages(reported)
        reported.updated_at = now
        if report.refund > 0:
            reported.refund_state = "pending"
        self.bookings[booking.booking_id] = reported
        return self._written(reported)

    def refund_settled(self, booking, now) -> bool:
        stored = self.bookings[booking.booking_id]
        if stored.refund_state != "pending":
            return False
        stored.refund_state, stored.updated_at = "refunded", now
        return True

    def refund_failed(self, booking, retry_at) -> None:
        stored = self.bookings[booking.booking_id]
        if stored.refund_state == "pending":
            stored.refund_attempts = int(stored.refund_attempts or 0) + 1
            self.refund_retries[booking.booking_id] = retry_at

    def reschedule(self, booking, move, now):
        from mentorship.errors import SlotUnavailable
        from mentorship.store.booking_writes import session_slots
        from mentorship.store.session_changes import moved_row

        stored = self._unchanged(booking)
        moved = moved_row(stored, move.new_start)
        old_starts, new_starts = session_slots(stored), session_slots(moved)
        if move.plan is not None:
            self._check_offered(booking.mentor_id, move.plan)
        for start in set(new_starts) - set(old_starts):
            unpublished = move.plan is None and start not in self.published.get(booking.mentor_id, set())
            if unpublished or not self._lock_is_free(booking.mentor_id, start, now):
                raise SlotUnavailable("the new time is not available; the booking is unchanged")
        for start in set(old_starts) - set(new_starts):
            self.locks.pop((booking.mentor_id, start), None)
        for start in new_starts:
            self.locks[(booking.mentor_id, start)] = (booking.booking_id, True, None)
        self.recorded += move.messages(moved)
        moved.updated_at = now
        self.bookings[booking.booking_id] = moved
        return self._written(moved)

    def review(self, booking, review, events=()) -> None:
        from mentorship.errors import AlreadyReviewed

        stored = self.bookings[booking.booking_id]
        if stored.reviewed:
            raise AlreadyReviewed("this session has been reviewed already")
        stored.reviewed = True
        self.reviews.append(review)
        self.recorded += list(events)


class InMemoryWaitlistRepository:
    """The waitlist repository's rules kept in memory, for unit tests of the waitlist use cases:
    at most `most` waiting entries per mentee, the entries of a mentor waiting around a time
    oldest first, an offer's claim only on a waiting entry. (Its races run on DynamoDB Local.)"""

    def __init__(self) -> None:
        self.entries: dict = {}  # (mentee_id, waitlist_id) -> entry

    @staticmethod
    def _copy(entry):
        return type(entry).from_raw_data(entry.serialize())

    def add(self, entry, most, now) -> None:
        from mentorship.domain.waitlist import last_start
        from mentorship.store.waitlist import TooManyWaiting

        waiting = [
            e for e in self.entries.values()
            if e.mentee_id == entry.mentee_id and e.status == "waiting" and last_start(e.window_to, int(e.duration_minutes)) > now
        ]
        if len(waiting) >= most:
            raise TooManyWaiting()
        self.entries[(entry.mentee_id, entry.waitlist_id)] = self._copy(entry)

    def entries_of(self, mentee_id):
        return [self._copy(e) for (mentee, _), e in self.entries.items() if mentee == mentee_id]

    def remove(self, mentee_id, waitlist_id) -> None:
        from mentorship.errors import NotFound

        if self.entries.pop((mentee_id, waitlist_id), None) is None:
            raise NotFound("you have no waitlist entry with that id")

    def waiting_for(self, mentor_id, start, end):
        from mentorship.domain.waitlist import oldest_first

        return oldest_first(
            self._copy(e) for e in self.entries.values()
            if e.mentor_id == mentor_id and e.status == "waiting" and e.window_from < end and e.window_to > start
        )

    def recheck_later(self, entry, at) -> None:
        stored = self.entries.get((entry.mentee_id, entry.waitlist_id))
        if stored is not None and stored.status == "waiting":
            stored.due_at = None if at is None else at.isoformat()

    def expire_offer(self, mentee_id, waitlist_id, booking_id, now) -> bool:
        entry = self.entries.get((mentee_id, waitlist_id))
        if entry is None or entry.status != "offered" or entry.booking_id != booking_id:
            return False
        entry.status, entry.updated_at = "expired", now
        return True

    def claim(self, claim) -> None:
        from mentorship.errors import InvalidState

        entry = self.entries.get((claim.mentee_id, claim.waitlist_id))
        if entry is None or entry.status != "waiting":
            raise InvalidState("that waitlist entry is no longer waiting")
        entry.status, entry.booking_id, entry.updated_at = "offered", claim.booking_id, claim.now
        entry.due_shard = entry.due_at = None


class RecordingPayments:
    """A payment gateway in memory: idempotent on its key like the mock one, and counting."""

    def __init__(self) -> None:
        self.charges: dict[str, tuple[str, str]] = {}  # key -> (charge id, outcome)
        self.amounts: dict[str, int] = {}  # key -> amount charged
        self.refunds: dict[str, int | None] = {}  # key -> amount refunded (None: all)
        self.failing_refunds = 0  # the next this many refunds raise, as an unreachable provider would

    def charge(self, key, amount, currency, payment_method, now):
        from mentorship.gateways.payment import ChargeResult, is_declined_card

        if key not in self.charges:
            outcome = "declined" if is_declined_card(payment_method) else "succeeded"
            self.charges[key] = (f"ch_{len(self.charges) + 1}", outcome)
            self.amounts[key] = amount
        charge_id, outcome = self.charges[key]
        return ChargeResult(charge_id=charge_id, succeeded=outcome == "succeeded")

    def refund(self, key, now, amount=None) -> bool:
        if self.failing_refunds:
            self.failing_refunds -= 1
            raise ConnectionError("payment provider unreachable")
        if self.charges.get(key, (None, None))[1] != "succeeded":
            return False
        self.charges[key] = (self.charges[key][0], "refunded")
        self.refunds[key] = amount
        return True


class ContextBoundSecretBox:
    """KMS's contract without KMS (for tests on DynamoDB Local, where moto's KMS cannot run beside
    the real engine): a sealed text opens only with the context it was sealed with."""

    def seal(self, plaintext: str, context: dict[str, str]) -> str:
        import base64
        import json

        return base64.b64encode(json.dumps({"context": context, "plaintext": plaintext}).encode()).decode()

    def open(self, sealed: str, context: dict[str, str]) -> str:
        import base64
        import json

        box = json.loads(base64.b64decode(sealed))
        if box["context"] != context:
            raise ValueError("the encryption context does not match")
        return box["plaintext"]


class RecordingConnections:
    """The WebSocket management API in memory: what was posted to which connection; the ids in
    `gone` answer as a closed connection does (410)."""

    def __init__(self, gone: set[str] | None = None) -> None:
        self.posted: list[tuple[str, dict]] = []
        self.gone = set(gone or ())

    def post(self, connection_id: str, data: bytes) -> bool:
        import json

        if connection_id in self.gone:
            return False
        self.posted.append((connection_id, json.loads(data)))
        return True

    def to(self, connection_id: str) -> list[dict]:
        return [message for target, message in self.posted if target == connection_id]


class RecordingHoldTimers:
    """The hold-timer queue in memory: which timers were started, when, with what delay."""

    def __init__(self) -> None:
        self.started: list[tuple] = []  # (timer, delay in seconds)

    def start(self, timer, now) -> None:
        self.started.append((timer, timer.delay_seconds(now)))

    @property
    def timers(self) -> list:
        return [timer for timer, _ in self.started]
