"""The outbox records a booking change writes in its own transaction: the emails to both
parties, the reminders, and inbox notifications (which also go out on the push channel)."""

from __future__ import annotations

import uuid
from datetime import datetime

from mentorship.domain.calendar import InviteMethod, Party, SessionInvite
from mentorship.domain.emails import EmailKind, RenderedEmail, Terms, render_email
from mentorship.domain.instants import format_utc_precise
from mentorship.domain.sessions import reminders_due
from mentorship.store.due_work import due_shard_for
from mentorship.store.models import BookingItem, Notification, PendingEmail, Reminder, TableItem, reminder_sk, user_pk


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


def make_due(item: TableItem, due: datetime) -> TableItem:
    """Put `item` into DueWork, due at `due`."""
    item.due_shard = due_shard_for(item.pk + item.sk)
    item.due_at = format_utc_precise(due)
    return item


def pending_email(booking: BookingItem, rendered: RenderedEmail, key: str, now: datetime) -> PendingEmail:
    """An email to send, due now, stored as EMAIL#<key> in the booking's partition (a key that
    says what the email is for, so a retried write cannot add a second one)."""
    return make_due(
        PendingEmail(
            pk=booking.pk,
            sk=f"EMAIL#{key}",
            booking_id=booking.booking_id,
            recipient=rendered.recipient,
            subject=rendered.subject,
            raw_message=rendered.raw,
            created_at=now,
        ),
        now,
    )


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
    return [
        make_due(
            Reminder(
                pk=booking.pk,
                sk=reminder_sk(kind, role),
                booking_id=booking.booking_id,
                reminder_kind=kind,
                recipient_role=role,
                session_start=booking.start,
            ),
            due,
        )
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
    created = created_at or now
    notification_id = notification_id or uuid.uuid4().hex
    return make_due(
        Notification(
            pk=user_pk(user_id),
            sk=f"NOTIFICATION#{format_utc_precise(created)}#{notification_id}",
            notification_id=notification_id,
            user_id=user_id,
            notification_type=kind,
            title=title,
            body=body,
            url=f"/bookings/{booking_id}",
            booking_id=booking_id,
            created_at=created,
        ),
        now,
    )
