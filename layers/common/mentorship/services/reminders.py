"""Session reminders, 24 hours and 10 minutes before the start, to both parties: an email and an
inbox entry that also goes out on the push channel. Exactly once per booking, party and kind.

`deliver_reminder` is the scheduled run's DueWork handler for Reminder items (written by
`outbox_records.reminder_records` when a booking is confirmed, due at start - lead):

1. **claim** the reminder's sending lease (`store.outbox.claim`). Of overlapping or repeated
   runs that read the same item, one gets the lease; the others leave it alone.
2. **decide** from the booking as it is now (strongly consistent read). A reminder whose booking
   is no longer confirmed (cancelled, ...), was moved (its start is no longer the reminder's
   `session_start`) or has already started is retired without sending anything. A reminder
   missed while the scheduler was down is still sent, late, while the session has not started.
3. **record** (`store.reminders.record_sent`), in ONE transaction: mark the reminder sent
   (which takes it out of DueWork) on condition that our lease is still on it; put the email (a PendingEmail) and the inbox entry
   (a Notification), both in DueWork and due now, on condition that they do not exist yet (their
   keys derive from the reminder, so no retry can record them twice); check that the booking is
   still confirmed at that start (a cancel or reschedule racing with the run wins). A commit
   cancelled only by contention is tried again a few times, then left for the next run.
4. **deliver**: the StreamFunction sees both INSERTs and sends them at once through
   `services.delivery` (their own lease each). A send that fails leaves its item pending, and a
   later run retries it.

So a crash or failure never sends twice and never loses a reminder: before step 3 commits
nothing is recorded and the lease expires (`store.outbox.LEASE`), so a later run does it all;
after it, what is recorded is the outbox's to send. The only duplicate the design cannot close
is the outbox's own (a crash between SES accepting a message and its sent mark).

Return value (the run report counts True as done): True when this run retired the reminder,
whether it recorded the messages or dropped it as no longer wanted; False when another run has
it (the lease or the mark went to someone else) or DynamoDB was too contended to decide now (the
reminder stays due and the next run tries again).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from mentorship.domain.bookings import BookingStatus
from mentorship.domain.emails import EmailKind, render_email, render_reminder_notice
from mentorship.domain.instants import format_utc
from mentorship.domain.sessions import REMINDER_LEADS
from mentorship.errors import ServiceUnavailable
from mentorship.observability import logger
from mentorship.services.outbox_records import notification_record, parties, pending_email, session_invite
from mentorship.settings import get_settings
from mentorship.store.booking_repository import booking_repository
from mentorship.store.bookings import booking_of
from mentorship.store.models import BookingItem, Reminder, TableItem
from mentorship.store.outbox import claim, mark_done, retry_later
from mentorship.store.reminders import REMINDER_IDS, Recorded, mark_sent, record_sent

EMAIL_KINDS = {"24h": EmailKind.REMINDER_24H, "10m": EmailKind.REMINDER_10M}
COMMIT_ATTEMPTS = 3


def deliver_reminder(item: Reminder, now: datetime) -> bool:
    """DueWork handler for a Reminder (see the module's docstring)."""
    lease = claim(item, now)
    if lease is None:
        return False  # another run holds it, or it is done already
    booking = booking_repository().get(item.booking_id)
    reason = _stale_reason(item, booking, now)
    if reason is not None:
        logger.info("reminder no longer wanted; retired unsent", extra=_log_fields(item, reason=reason))
        return mark_done(item, lease)

    records = reminder_messages(item, booking, now)
    try:
        recorded = record_sent(item, lease, booking, records, attempts=COMMIT_ATTEMPTS)
    except ServiceUnavailable:
        retry_later(item, lease, now)  # contended throughout (e.g. a cancel at this instant): next run
        return False
    if recorded is Recorded.LEASE_LOST:
        return False  # the lease ran out and another run took it over, or a cancel deleted it
    if recorded is Recorded.BOOKING_CHANGED:
        logger.info("booking changed meanwhile; reminder retired unsent", extra=_log_fields(item))
        return mark_done(item, lease)
    if recorded is Recorded.ALREADY_RECORDED:
        # This reminder's messages are recorded already (cannot happen while they and the mark
        # share one transaction; kept safe): mark it sent rather than record them again.
        logger.error("reminder messages already recorded", extra=_log_fields(item))
        return mark_sent(item, lease)
    return True


def _stale_reason(item: Reminder, booking: BookingItem | None, now: datetime) -> str | None:
    """Why the reminder must not go out any more, or None if it should."""
    if booking is None:
        return "booking_missing"
    if item.reminder_kind not in EMAIL_KINDS:
        return "unknown_reminder_kind"
    status = booking_of(booking).status_at(now)
    if status is not BookingStatus.CONFIRMED:
        return f"booking_{status.value}"
    if booking.start != item.session_start:
        return "booking_moved"
    if now >= booking.start:
        return "session_started"
    return None


def reminder_messages(item: Reminder, booking: BookingItem, now: datetime) -> list[TableItem]:
    """The email (if the recipient has an address) and the inbox entry of one reminder, in the
    recipient's zone alongside the other party's, both in DueWork and due now. Their keys derive
    from the reminder (booking, kind, role) and the session it announces (the booking's calendar
    sequence and start), so the same reminder always yields the same keys, while the reminder of
    a moved session yields new ones."""
    kind = EMAIL_KINDS[item.reminder_kind]
    role = item.recipient_role
    mentor, mentee = parties(booking)
    recipient, other = (mentee, mentor) if role == "mentee" else (mentor, mentee)
    sender = get_settings().sender_email
    invite = session_invite(booking, sender, now)
    sequence = int(booking.calendar_sequence or 0)
    session = format_utc(item.session_start)
    records: list[TableItem] = []
    if recipient.email:
        rendered = render_email(kind, invite, recipient, other, sender)
        records.append(pending_email(booking, rendered, f"{sequence:04d}#{kind.value}#{session}#{role}", now))
    notice = render_reminder_notice(invite, recipient, other)
    # The inbox orders by creation: the entry is dated when the reminder fell due (derived, so a
    # retry cannot make a second entry under another key), which a late send leaves in the past.
    identity = f"{booking.booking_id}|{kind.value}|{role}|{sequence}|{session}"
    records.append(
        notification_record(
            recipient.user_id,
            kind.value,
            notice.title,
            notice.body,
            booking.booking_id,
            now,
            created_at=item.session_start - REMINDER_LEADS[item.reminder_kind],
            notification_id=uuid.uuid5(REMINDER_IDS, identity).hex,
        )
    )
    return records


def _log_fields(item: Reminder, **extra: object) -> dict:
    return {"booking_id": item.booking_id, "reminder": item.sk, **extra}
