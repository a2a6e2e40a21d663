"""The outbox records a booking change writes in its own transaction: the emails to both
parties, the reminders, and inbox notifications (which also go out on the push channel).

This module decides which messages a change owes and renders them; the store builds the items
(their keys and their place in DueWork: `store.outbox`, `store.reminders`, `store.notifications`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from mentorship.domain.calendar import InviteMethod, Party, SessionInvite
from mentorship.domain.emails import EmailKind, RenderedEmail, Terms, render_email
from mentorship.domain.sessions import reminders_due
from mentorship.store.models import BookingItem, Notification, PendingEmail, Reminder
from mentorship.store.notifications import notification_item
from mentorship.store.outbox import email_item
from mentorship.store.reminders import reminder_item


def parties(booking: BookingItem) -> tuple[Party, Party]:
    """(mentor, mentee) as the emails and invites see them."""
    mentor = Party(booking.mentor_id, booking.mentor_name, booking.mentor_email, booking.mentor_timezone)
    mentee = Party(booking.mentee_id, booking.mentee_name, booking.mentee_email, booking.mentee_timezone)
    return mentor, mentee


def session_invite(booking: BookingItem, sender: str, now: datetime, method: InviteMethod = InviteMethod.REQUEST) -> SessionInvite:
    mentor, mentee = parties(booking)
    return SessionInvite(
        booking_id=booking.booking_id,
        sequence=int(booking.calendar_sequence or 0),
        method=method,
        start=booking.start,
        end=booking.end,
        topic=booking.topic,
        meeting_url=booking.meeting_url,
        mentor=mentor,
        mentee=mentee,
        organizer_email=sender,
        stamp=now,
    )


def pending_email(booking: BookingItem, rendered: RenderedEmail, key: str, now: datetime) -> PendingEmail:
    """An email to send, due now; `key` says what it is for (so a retried write cannot add a
    second one)."""
    return email_item(booking.booking_id, key, rendered.recipient, rendered.subject, rendered.raw, now)


def email_records(
    booking: BookingItem, kind: EmailKind, sender: str, now: datetime, terms: Terms | None = None
) -> list[PendingEmail]:
    """One email to each party that has an address, each in its recipient's zone (stating the
    commitment `terms` when given)."""
    invite = session_invite(booking, sender, now)
    mentor, mentee = parties(booking)
    records = []
    for role, recipient, other in (("mentee", mentee, mentor), ("mentor", mentor, mentee)):
        if not recipient.email:
            continue
        rendered = render_email(kind, invite, recipient, other, sender, terms)
        key = f"{int(booking.calendar_sequence or 0):04d}#{kind.value}#{role}"
        records.append(pending_email(booking, rendered, key, now))
    return records


def reminder_records(booking: BookingItem, confirmed_at: datetime) -> list[Reminder]:
    """Both parties' reminders of each kind still ahead of the session, each due when it falls due."""
    return [
        reminder_item(booking.booking_id, kind, role, booking.start, due)
        for kind, due in reminders_due(booking.start, confirmed_at).items()
        for role in ("mentee", "mentor")
    ]


def notification_record(
    user_id: str,
    kind: str,
    title: str,
    body: str,
    booking_id: str,
    now: datetime,
    *,
    created_at: datetime | None = None,
    notification_id: str | None = None,
) -> Notification:
    """An inbox entry, due on the push channel now. `created_at` orders the inbox (default now);
    a given `notification_id` makes the key deterministic."""
    return notification_item(
        user_id,
        kind,
        title,
        body,
        url=f"/bookings/{booking_id}",
        booking_id=booking_id,
        created_at=created_at or now,
        notification_id=notification_id or uuid.uuid4().hex,
        due=now,
    )
