"""Exactly-once-as-far-as-possible delivery of outbox items (emails, reminders, pushes).

An item is pending while it sits in DueWork. A sender claims it with a conditional lease, sends,
then marks it done, which removes it from DueWork. Overlapping or repeated runs cannot both hold
the lease, so they never both send. A sender that crashes before sending leaves a lease that
expires and the item is sent later; only a crash between the provider accepting the message and
the mark can repeat a message (the provider has no idempotency key to close that gap).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from mentorship.domain.instants import epoch_seconds
from mentorship.store.due_work import done_actions, due_again_actions, due_by, is_due_work, make_due
from mentorship.store.models import PendingEmail, TableItem, booking_pk

LEASE = timedelta(minutes=2)
CONDITION_FAILED = "ConditionalCheckFailedException"
EMAIL_PREFIX = "EMAIL#"


def email_item(booking_id: str, key: str, recipient: str, subject: str, raw_message: str, now: datetime) -> PendingEmail:
    """An email to send, due now, stored as EMAIL#<key> in the booking's partition (a key that
    says what the email is for, so a retried write cannot add a second one)."""
    return make_due(
        PendingEmail(
            pk=booking_pk(booking_id),
            sk=f"{EMAIL_PREFIX}{key}",
            booking_id=booking_id,
            recipient=recipient,
            subject=subject,
            raw_message=raw_message,
            created_at=now,
        ),
        now,
    )


def claimable(item: TableItem, now: datetime, just_recorded: bool = False) -> bool:
    """What `claim`'s condition will say, as this image of the item shows it: pending (in
    DueWork), due by `now` unless `just_recorded`, and under nobody's lease."""
    if not is_due_work(item):
        return False
    if not just_recorded and not due_by(item, now):
        return False
    return item.claimed_until is None or int(item.claimed_until) < epoch_seconds(now)


def claim(item: TableItem, now: datetime) -> int | None:
    """Take the sending lease; the lease's expiry (its token) or None if pending no longer or
    someone else holds it."""
    lease_until = epoch_seconds(now + LEASE)
    model = type(item)
    try:
        item.update(
            actions=[model.claimed_until.set(lease_until), model.attempts.add(1)],
            condition=model.due_shard.exists()
            & (model.claimed_until.does_not_exist() | (model.claimed_until < epoch_seconds(now))),
        )
    except UpdateError as error:
        if error.cause_response_code == CONDITION_FAILED:
            return None
        raise
    return lease_until


def mark_done(item: TableItem, lease: int, extra_actions: list | None = None) -> bool:
    """Take the item out of DueWork (and apply `extra_actions`, e.g. sent=True) if our lease is
    still the one on it."""
    model = type(item)
    try:
        item.update(
            actions=[*done_actions(), model.claimed_until.remove(), *(extra_actions or [])],
            condition=model.claimed_until == lease,
        )
    except UpdateError as error:
        if error.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def mark_email_sent(email: PendingEmail, lease: int) -> bool:
    """`mark_done` for an email SES accepted: it is recorded as sent."""
    return mark_done(email, lease, [PendingEmail.sent.set(True)])


def retry_later(item: TableItem, lease: int, at: datetime, extra_actions: list | None = None) -> None:
    """Give the lease back and make the item due again at `at` (a failed send), applying
    `extra_actions` (e.g. the attempt's answer) with it."""
    model = type(item)
    try:
        item.update(
            actions=[model.claimed_until.remove(), *due_again_actions(at), *(extra_actions or [])],
            condition=model.claimed_until == lease,
        )
    except UpdateError as error:
        if error.cause_response_code != CONDITION_FAILED:
            raise
