"""Booking use cases: hold a session, confirm it with payment, release a hold, read a booking;
and the offering's question as holds and reschedules ask it (`offering_plan`).

On the request path a hold makes four DynamoDB requests (three for a mentor without a
schedule): it reads the mentor (profile, schedule, calendars), the session's window (slots, locks,
ledger days; decisions §19), the mentee's hold places, and writes one transaction (and each
connected calendar's live read is recorded on its item); the others
answer within three: a confirm reads the booking, records the charge
and writes one transaction (booking, locks, every message it owes, and the mentor's profile,
whose policy it checks is still the one it snapshots; a policy changed during the hold costs a
profile read and a second transaction); a release reads the
booking, writes one transaction and looks for a charge to refund. What follows from a change
(emails, pushes, the mentor's next open slot) is the StreamFunction's work.""" 

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from mentorship import gateways
from mentorship.domain.bookings import Booking, BookingStatus
from mentorship.domain.calendar import Party
from mentorship.domain.commitments import policy_of
from mentorship.domain.emails import EmailKind, Terms
from mentorship.domain.instants import resolve_zone
from mentorship.domain.sessions import check_session_request, clean_topic
from mentorship.domain.slots import SLOT, slots_for_session
from mentorship.domain.schedules import HOLD_READ_MARGIN, BusyTimes, OfferingInputs, hold_ledger_days, session_offered
from mentorship.domain.webhooks import EventType
from mentorship.errors import (
    Forbidden,
    HoldExpired,
    InvalidState,
    NotFound,
    PaymentDeclined,
    ServiceUnavailable,
    SlotUnavailable,
    ValidationFailed,
)
from mentorship.services.calendars import busy_live_of
from mentorship.services.offering import read_mentor
from mentorship.services.outbox_records import email_records, notification_record, reminder_records
from mentorship.services.webhook_events import booking_event
from mentorship.settings import get_settings
from mentorship.store.booking_repository import booking_repository
from mentorship.store.booking_writes import Confirmation, HoldPlan, Messages, NewHold, PolicyChanged
from mentorship.store.bookings import BookingStore, booking_of
from mentorship.store.mentors import MentorStore
from mentorship.store.models import BookingItem, TableItem
from mentorship.store.waitlist import WaitlistClaim
from mentorship.store.offering import MentorHead
from mentorship.store.paging import Page
from mentorship.store.slots import WindowView


# A confirm tries this many times when the mentor's policy changes under it (decisions §23).
POLICY_ATTEMPTS = 3


@dataclass(frozen=True)
class SessionRequest:
    mentor_id: str
    start: datetime
    duration_minutes: int
    topic: str


def participant_row(booking_id: str, user_id: str) -> tuple[BookingItem, Booking]:
    """The booking if `user_id` takes part in it, as its row (what a change hands back to the
    repository, so the write need not read it again) and as the domain reads it; NotFound
    otherwise (whether or not it exists)."""
    row = booking_repository().get(booking_id)
    if row is None or user_id not in (row.mentee_id, row.mentor_id):
        raise NotFound("no booking with that id")
    return row, booking_of(row)


def booking_for_participant(booking_id: str, user_id: str) -> Booking:
    """The booking if `user_id` takes part in it; NotFound otherwise (whether or not it exists)."""
    return participant_row(booking_id, user_id)[1]


def participant_bookings(
    role: str, user_id: str, upcoming: bool, now: datetime, limit: int, start_after: dict[str, str] | None
) -> Page[Booking]:
    """A page of the user's sessions as mentee or mentor (`BookingStore.participant_page`: which
    are listed, in what order), as the domain reads them; `last_key` continues after it."""
    return BookingStore().participant_page(role, user_id, upcoming, now, limit, start_after).map(booking_of)


@dataclass(frozen=True)
class OfferHold:
    """A hold made for a waitlist entry (services.waitlist): it lasts `hold_for`, claims the
    entry in the hold's own transaction, and records the offer's `messages` with it."""

    waitlist_id: str
    wait_place: int | None
    hold_for: timedelta
    messages: Messages  # built from the held booking, as the repository writes it


def hold_session(
    mentee: Party, request: SessionRequest, now: datetime, *, head: MentorHead | None = None, offer: OfferHold | None = None
) -> Booking:
    """Hold every slot the session needs for 5 minutes while the mentee pays (an offer: as long
    as it says). `head` is the mentor as just read, if the caller has it."""
    topic = clean_topic(request.topic)
    check_session_request(request.start, request.duration_minutes, now)
    if request.mentor_id == mentee.user_id:
        raise ValidationFailed.on("body.mentorId", "mentors cannot book themselves")
    head = head or read_mentor(request.mentor_id)
    mentor = head.profile

    def owed(held: BookingItem) -> list[TableItem]:
        return [booking_event(EventType.BOOKING_HELD, held, now), *(offer.messages(held) if offer else ())]

    hold = NewHold(
        booking_id=uuid.uuid4().hex,
        mentor=Party(mentor.mentor_id, mentor.name, mentor.email, mentor.timezone),
        mentee=mentee,
        start=request.start,
        minutes=request.duration_minutes,
        hourly_rate=int(mentor.hourly_rate),
        currency=mentor.currency,
        topic=topic,
        expires_at=now + (offer.hold_for if offer else timedelta(seconds=get_settings().hold_seconds)),
        # Chosen now, from the profile this hold reads anyway, so the confirm need not read it
        # again; no answer shows it before the booking is confirmed.
        meeting_url=_meeting_url(mentor.video_provider, mentor.manual_meeting_url),
        # The policy the mentee sees while paying; the confirm snapshots the mentor's policy as it
        # is then (the same one unless the mentor changed it during the hold), and the booking
        # keeps that through reschedules: a later change never alters a booking already made.
        policy=policy_of(mentor.cancellation_policy),
        waitlist_id=offer.waitlist_id if offer else None,
        messages=owed,
    )
    claim = WaitlistClaim(mentee.user_id, offer.waitlist_id, hold.booking_id, offer.wait_place, now) if offer else None
    plan = offering_plan(head, request.start, request.duration_minutes, now)
    return booking_repository().hold(hold, now, plan, claim=claim)


def offering_plan(
    head: MentorHead, start: datetime, minutes: int, now: datetime, moving: str | None = None
) -> HoldPlan | None:
    """The offering's question, as a hold or a reschedule asks it (decisions §19): is a session of
    `minutes` at `start` offered at `now`, with the calendars read live (one that cannot be read
    offers nothing)? `moving` names a booking being rescheduled: its own locks neither block its
    new time nor count towards its day's cap. Without a schedule only published slots are
    offered, and the transaction checks those itself, so the window need not be read (the
    session's own slots stand in for it): SlotUnavailable here, or None."""
    zone_name = head.schedule.timezone if head.schedule else head.profile.timezone
    busy = busy_live_of(head.calendars, resolve_zone(zone_name), now) if head.calendars else BusyTimes.none()
    slot_starts = slots_for_session(start, minutes)
    if head.schedule is None:
        inputs = OfferingInputs(zone=zone_name, schedule=None, published=tuple(slot_starts), locks=(), busy=busy)
        if not session_offered(inputs, start, minutes, now):
            raise SlotUnavailable("that time is not available")
        return None
    read_from, read_to = slot_starts[0] - HOLD_READ_MARGIN, slot_starts[-1] + SLOT + HOLD_READ_MARGIN

    def offered(view: WindowView) -> bool:
        others = tuple(lock for lock in view.locks if lock.session_id != moving)
        inputs = OfferingInputs(
            zone=zone_name, schedule=head.schedule, published=tuple(view.published), locks=others, busy=busy
        )
        return session_offered(inputs, start, minutes, now)

    ledger = hold_ledger_days(head.schedule, zone_name, read_from, read_to, start, minutes)
    return HoldPlan(read_from, read_to, offered, ledger)


def move_plan(booking: Booking, new_start: datetime, now: datetime) -> HoldPlan | None:
    """A reschedule's new time asks the offering exactly as a hold would (SlotUnavailable if it
    is not offered), its own slots set aside: reads the mentor (AP13) and their calendars live."""
    head = read_mentor(booking.mentor_id)
    return offering_plan(head, new_start, booking.duration_minutes, now, moving=booking.booking_id)


def _require_mentee(booking: Booking, user_id: str) -> None:
    if booking.mentee_id != user_id:
        raise Forbidden("only the mentee who holds this booking can pay for it")


def _meeting_url(video_provider: str | None, manual_meeting_url: str | None) -> str:
    if video_provider == "manual" and manual_meeting_url:
        return manual_meeting_url
    return f"{get_settings().meeting_base_url.rstrip('/')}/{secrets.token_urlsafe(18)}"


def confirm_booking(booking_id: str, user_id: str, payment_method: str, now: datetime) -> Booking:
    """Charge the mentee and turn the hold into a booking. A declined card frees the slots at
    once (PaymentDeclined); a hold that has expired changes nothing (HoldExpired)."""
    row, booking = participant_row(booking_id, user_id)
    _require_mentee(booking, user_id)
    status = booking.status_at(now)
    if status is BookingStatus.EXPIRED:
        raise HoldExpired("the 5-minute hold has expired; hold the slot again")
    if status is not BookingStatus.HELD:
        raise InvalidState(f"this booking is {status.value}, not held")
    payments = gateways.payment_gateway()
    charge = payments.charge(booking_id, booking.price.amount, booking.price.currency, payment_method, now)
    if not charge.succeeded:
        booking_repository().release(row, BookingStatus.PAYMENT_FAILED.value, now)
        raise PaymentDeclined("the card was declined; the slot has been released")

    meeting_url = booking.meeting_url
    if not meeting_url:  # a hold taken before holds chose the link
        mentor = MentorStore().get_profile(booking.mentor_id)
        meeting_url = _meeting_url(mentor and mentor.video_provider, mentor and mentor.manual_meeting_url)
    policy = booking.cancellation_policy
    for _ in range(POLICY_ATTEMPTS):
        confirmation = Confirmation(charge.charge_id, meeting_url, policy, _confirmation_messages(booking, now))
        try:
            return booking_repository().confirm(row, confirmation, now)
        except PolicyChanged:
            # The mentor changed their policy during the hold: the booking keeps the one current
            # at the confirm (contract), so its emails and event are written again with it.
            mentor = MentorStore().get_profile(booking.mentor_id, consistent=True)
            if mentor is None:
                break
            policy = policy_of(mentor.cancellation_policy)
        except (HoldExpired, InvalidState):
            current = booking_repository().get(booking_id)
            if current is not None and current.status == BookingStatus.CONFIRMED.value:
                # A concurrent confirm of this same booking won: its charge is the one that stands.
                raise InvalidState("this booking is already confirmed") from None
            # The hold ended (expired, released, cancelled, swept) between the check and the write.
            payments.refund(booking_id, now)
            if current is not None and current.status == BookingStatus.EXPIRED.value:
                # Its timer wrote the expiry first (decisions §27): the same answer as a lapsed lock.
                raise HoldExpired("the 5-minute hold has expired; hold the slot again") from None
            raise
    # The hold still stands and the charge is the booking's own: a retried confirm reuses it.
    raise ServiceUnavailable("this mentor's cancellation policy is changing; try again")


def _confirmation_messages(booking: Booking, now: datetime) -> Messages:
    """What a confirm owes, stating the policy the booking is being confirmed under (the
    confirmed row's, which the repository builds)."""
    sender = get_settings().sender_email

    def owed(confirmed: BookingItem) -> list[TableItem]:
        return [
            *email_records(confirmed, EmailKind.CONFIRMED, sender, now, Terms(policy_of(confirmed.cancellation_policy))),
            *reminder_records(confirmed, now),
            notification_record(
                booking.mentor_id,
                "booking_confirmed",
                "New session booked",
                f"{booking.mentee_name} booked {booking.duration_minutes} minutes with you.",
                booking.booking_id,
                now,
            ),
            notification_record(
                booking.mentee_id,
                "booking_confirmed",
                "Session confirmed",
                f"Your {booking.duration_minutes}-minute session with {booking.mentor_name} is booked.",
                booking.booking_id,
                now,
            ),
            booking_event(EventType.BOOKING_CONFIRMED, confirmed, now),  # in the confirm: only once paid
        ]

    return owed


def release_hold(booking_id: str, user_id: str, now: datetime) -> Booking:
    """Either party lets a held booking go; its slots are free at once."""
    return release_read_hold(*participant_row(booking_id, user_id), now)


def release_read_hold(row: BookingItem, booking: Booking, now: datetime) -> Booking:
    """`release_hold` of a booking its participant has just read (a cancel of a hold)."""
    status = booking.status_at(now)
    if status is not BookingStatus.HELD:
        raise InvalidState(f"this booking is {status.value}; only a held booking can be released here")
    released = booking_repository().release(row, BookingStatus.RELEASED.value, now)
    gateways.payment_gateway().refund(booking.booking_id, now)  # a confirm in flight may have charged already
    return released


def expire_hold(item: BookingItem, now: datetime) -> bool:
    """DueWork handler: a hold whose 5 minutes have passed. Its slots were free for everyone from
    that moment already (every condition compares with now); this records it as expired and
    deletes its locks."""
    if booking_of(item).status_at(now) is not BookingStatus.EXPIRED:
        return False
    try:
        booking_repository().release(item, BookingStatus.EXPIRED.value, now)
    except InvalidState:
        return False  # confirmed or released meanwhile
    gateways.payment_gateway().refund(item.booking_id, now)  # a confirm that crashed after charging
    return True
