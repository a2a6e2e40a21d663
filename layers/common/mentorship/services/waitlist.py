"""The waitlist (docs/decisions.md §26): joining, listing and leaving it (BookingFunction), and
turning freed time into offers (StreamFunction).

An offer is an ordinary hold (`services.booking.hold_session`, so the offering's rules, buffers,
cap and live calendars apply and the slot locks decide every race) made for the entry's mentee,
lasting 30 minutes, which claims the entry in its own transaction (the entry turns `offered` only
if it is still waiting) and records the `waitlist_offer` inbox entry and email with it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from mentorship.domain.bookings import Booking, BookingStatus
from mentorship.domain.calendar import Party
from mentorship.domain.commitments import policy_of
from mentorship.domain.emails import EmailKind, Terms, held_until_note, render_email, render_offer_notice
from mentorship.domain.instants import SLOT, from_epoch_seconds
from mentorship.domain.sessions import clean_topic
from mentorship.domain.slots import slots_for_session
from mentorship.domain.waitlist import MOST_WAITING, OFFER_HOLD, WaitlistStatus, check_window, effective_status
from mentorship.errors import (
    InvalidState,
    NotFound,
    ServiceUnavailable,
    SlotUnavailable,
    TooManyHolds,
    TooManyWaitlistEntries,
    ValidationFailed,
)
from mentorship.observability import logger
from mentorship.services.booking import OfferHold, SessionRequest, hold_session
from mentorship.services.offering import sessions_offered_in
from mentorship.services.outbox_records import notification_record, parties, pending_email, session_invite
from mentorship.services.stream import Change
from mentorship.settings import get_settings
from mentorship.store.mentors import MentorStore
from mentorship.store.models import BookingItem, MentorSchedule, Slot, TableItem, WaitlistEntry
from mentorship.store.offering import read_mentor_head
from mentorship.store.waitlist import RECHECK_EVERY, TooManyWaiting, new_entry, waitlist_repository

OFFER_NOTIFICATION = "waitlist_offer"
MOST_ENTRIES_PER_PASS = 10  # entries tried per freed range and batch; the rest wait for the next free
MOST_STARTS_PER_ENTRY = 3  # starts tried for one entry when others take them first
ENDED_HOLDS = {BookingStatus.RELEASED.value, BookingStatus.EXPIRED.value, BookingStatus.PAYMENT_FAILED.value}
FREEING = ENDED_HOLDS | {BookingStatus.CANCELLED.value}
SCHEDULE_REACH = timedelta(days=90)  # a schedule change may open time anywhere up to the longest horizon


# ---------------------------------------------------------------- the mentee's routes


def join_waitlist(
    mentee: Party, mentor_id: str, window_from: datetime, window_to: datetime, minutes: int, topic: str, now: datetime
) -> WaitlistEntry:
    """A waiting entry for a session of `minutes` in the window (422s as the rules say; NotFound
    for an unknown mentor; TooManyWaitlistEntries beyond 5 waiting)."""
    topic = clean_topic(topic)
    check_window(window_from, window_to, minutes, now)
    if mentor_id == mentee.user_id:
        raise ValidationFailed.on("path.mentorId", "you cannot wait for your own time")
    if MentorStore().get_profile(mentor_id) is None:
        raise NotFound("no mentor with that id")
    entry = new_entry(
        uuid.uuid4().hex, mentor_id=mentor_id, mentee=mentee, window_from=window_from, window_to=window_to,
        minutes=minutes, topic=topic, now=now,
    )
    try:
        waitlist_repository().add(entry, MOST_WAITING, now)
    except TooManyWaiting:
        raise TooManyWaitlistEntries(f"you can wait for at most {MOST_WAITING} sessions at once; leave one first") from None
    return entry


def waitlist_of(mentee_id: str) -> list[WaitlistEntry]:
    """The mentee's entries, newest first."""
    return sorted(waitlist_repository().entries_of(mentee_id), key=lambda e: (e.created_at, e.waitlist_id), reverse=True)


def status_of(entry: WaitlistEntry, now: datetime) -> WaitlistStatus:
    return effective_status(entry.status, entry.window_to, int(entry.duration_minutes), now)


def leave_waitlist(mentee_id: str, waitlist_id: str) -> None:
    """Remove the mentee's entry (an offer already made stays a hold they may pay or release)."""
    waitlist_repository().remove(mentee_id, waitlist_id)


# ---------------------------------------------------------------- offers


def _offer_messages(entry: WaitlistEntry, now: datetime):
    """What an offer's hold records for the mentee: the inbox entry (pushed) and the email."""

    def messages(booking: BookingItem) -> list[TableItem]:
        sender = get_settings().sender_email
        mentor, mentee = parties(booking)
        # No meeting link before it is paid for: the link is shown once confirmed.
        invite = replace(session_invite(booking, sender, now), meeting_url=None)
        held_until = from_epoch_seconds(int(booking.hold_expires_at))
        notice = render_offer_notice(invite, mentee, mentor, held_until)
        records: list[TableItem] = [
            notification_record(entry.mentee_id, OFFER_NOTIFICATION, notice.title, notice.body, booking.booking_id, now)
        ]
        if mentee.email:
            note = held_until_note(held_until, mentee.timezone, booking.booking_id)
            terms = Terms(policy_of(booking.cancellation_policy))
            rendered = render_email(EmailKind.WAITLIST_OFFER, invite, mentee, mentor, sender, terms, note=note)
            records.append(pending_email(booking, rendered, f"0000#{EmailKind.WAITLIST_OFFER.value}#mentee", now))
        return records

    return messages


def _offer_to(entry: WaitlistEntry, head, now: datetime) -> Booking | None:
    """Hold the earliest start the offering gives in the entry's window for its mentee; None when
    there is none, the mentee has 3 holds (skipped, still waiting), or the entry was offered by
    another pass meanwhile."""
    mentee = Party(entry.mentee_id, entry.mentee_name, entry.mentee_email, entry.mentee_timezone)
    minutes = int(entry.duration_minutes)
    offer = OfferHold(entry.waitlist_id, entry.wait_place, OFFER_HOLD, _offer_messages(entry, now))
    starts = sessions_offered_in(head, entry.window_from, entry.window_to, minutes, now)
    for _, start in zip(range(MOST_STARTS_PER_ENTRY), starts):
        try:
            return hold_session(mentee, SessionRequest(entry.mentor_id, start, minutes, entry.topic), now, head=head, offer=offer)
        except SlotUnavailable:
            continue  # taken meanwhile (by another offer or a mentee's own hold): the next start
        except TooManyHolds:
            return None  # an offer counts among the mentee's 3 holds: skipped this time
        except InvalidState:
            return None  # another pass offered this entry first
    return None


def offer_time(mentor_id: str, start: datetime, end: datetime, now: datetime) -> list[Booking]:
    """Time of the mentor's around [start, end) may have opened: offer it to the waiting entries
    whose window it touches, oldest first. One Query when nobody waits."""
    waiting = [
        entry
        for entry in waitlist_repository().waiting_for(mentor_id, start, end)
        if status_of(entry, now) is WaitlistStatus.WAITING
    ]
    if not waiting:
        return []
    head = read_mentor_head(mentor_id, consistent=True)
    if head.profile is None:
        return []
    offers = []
    for entry in waiting[:MOST_ENTRIES_PER_PASS]:
        try:
            booking = _offer_to(entry, head, now)
        except ServiceUnavailable:
            logger.warning("waitlist offer contended; left for the next free", extra={"waitlist_id": entry.waitlist_id})
            continue
        if booking is not None:
            offers.append(booking)
    return offers


def ended_offer(change: Change) -> BookingItem | None:
    """The booking of an offer whose hold just ended unpaid (released, lapsed, declined)."""
    old, new = change.old, change.new
    if not isinstance(new, BookingItem) or not isinstance(old, BookingItem) or not new.waitlist_id:
        return None
    if old.status == BookingStatus.HELD.value and new.status in ENDED_HOLDS:
        return new
    return None


def _span(starts: list[datetime]) -> tuple[datetime, datetime]:
    return min(starts), max(starts) + SLOT


def freed_time(changes: list[Change], now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """Per mentor, the span in which a batch of changes may have opened time: a hold ended or a
    session cancelled (its slots), a session moved (its old slots), slots published, a schedule
    set or changed (its whole reach), a new entry (its own window: time may be open already)."""
    spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for change in changes:
        old, new = change.old, change.new
        if isinstance(old, BookingItem) and isinstance(new, BookingItem):
            frees = old.status in (BookingStatus.HELD.value, BookingStatus.CONFIRMED.value) and new.status in FREEING
            moved = old.start != new.start
            if frees or moved:
                spans[new.mentor_id].append(_span(slots_for_session(old.start, int(old.duration_minutes))))
        elif isinstance(new, Slot) and old is None:
            spans[new.mentor_id].append((new.start, new.start + SLOT))
        elif isinstance(new, MentorSchedule):
            spans[new.mentor_id].append((now, now + SCHEDULE_REACH))
        elif isinstance(new, WaitlistEntry) and old is None and new.status == WaitlistStatus.WAITING.value:
            spans[new.mentor_id].append((new.window_from, new.window_to))
    freed = {}
    for mentor_id, found in spans.items():
        start, end = max(min(s for s, _ in found), now), max(e for _, e in found)
        if end > start:
            freed[mentor_id] = (start, end)
    return freed


class WaitlistOffers:
    """The StreamFunction's batch handler (functions/stream/app.py): ends lapsed offers, then
    offers the batch's freed time per mentor."""

    def __call__(self, changes: list[Change], now: datetime) -> None:
        repository = waitlist_repository()
        for change in changes:
            booking = ended_offer(change)
            if booking is not None:
                repository.expire_offer(booking.mentee_id, booking.waitlist_id, booking.booking_id, now)
        for mentor_id, (start, end) in freed_time(changes, now).items():
            try:
                offer_time(mentor_id, start, end, now)
            except Exception:  # noqa: BLE001 - one mentor's failure must not hold back the others
                logger.exception("waitlist offers failed", extra={"mentor_id": mentor_id})


def recheck_entry(item: WaitlistEntry, now: datetime) -> bool:
    """The per-minute run's safety net (DueWork): a waiting entry is looked at every 10 minutes,
    in case the stream missed time that opened in its window (its batch handler failed, a hold
    lapsed unwritten, a calendar event went away). Offers go oldest first, as from the stream."""
    repository = waitlist_repository()
    if status_of(item, now) is not WaitlistStatus.WAITING:
        repository.recheck_later(item, None)  # its window is over (an offered one left DueWork already)
        return True
    offers: list[Booking] = []
    try:
        offers = offer_time(item.mentor_id, max(item.window_from, now), item.window_to, now)
    finally:
        # An entry this pass offered left DueWork with its claim: only one still waiting is rescheduled.
        if not any(offer.waitlist_id == item.waitlist_id for offer in offers):
            repository.recheck_later(item, now + RECHECK_EVERY)
    return True
