"""Session reminders: the Reminder items a confirmed booking puts in DueWork (one per kind and
party, in the booking's partition), and the one transaction that retires a reminder while
recording the messages it owes (see `services.reminders` for the whole protocol)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import Enum

from mentorship.domain.bookings import BookingStatus
from mentorship.store.due_work import done_actions, make_due
from mentorship.store.models import BookingItem, Reminder, TableItem, booking_pk, reminder_sk
from mentorship.store.outbox import mark_done
from mentorship.store.transactions import ConditionsFailed, Transaction, retry_on_contention

# Namespace of the ids derived from a reminder (inbox entry ids, transaction tokens).
REMINDER_IDS = uuid.UUID("6f1c2a43-8f0e-4d55-9a7e-2b1d0c9e7a51")


class Recorded(Enum):
    """How `record_sent` ended."""

    RECORDED = "recorded"  # the reminder is sent and its messages are in the outbox
    LEASE_LOST = "lease_lost"  # the lease ran out and another run took it over, or a cancel deleted it
    BOOKING_CHANGED = "booking_changed"  # no longer confirmed at the reminder's start: nothing written
    ALREADY_RECORDED = "already_recorded"  # a message of it exists already: nothing written


def reminder_item(booking_id: str, kind: str, role: str, session_start: datetime, due: datetime) -> Reminder:
    """The reminder of `kind` ("24h" | "10m") to `role` ("mentee" | "mentor") of the session
    at `session_start`, in DueWork at `due`. Its key is the booking's, kind and role: a
    reschedule's reminder replaces the old session's."""
    return make_due(
        Reminder(
            pk=booking_pk(booking_id),
            sk=reminder_sk(kind, role),
            booking_id=booking_id,
            reminder_kind=kind,
            recipient_role=role,
            session_start=session_start,
        ),
        due,
    )


def record_sent(
    reminder: Reminder, lease: int, booking: BookingItem, messages: Sequence[TableItem], attempts: int
) -> Recorded:
    """Mark `reminder` sent (which takes it out of DueWork) on condition that `lease` is still on
    it, and put its `messages` on condition that they are new, all in one transaction that also
    checks the booking is still confirmed at the reminder's session start. A commit cancelled
    by contention is tried up to `attempts` times (then ServiceUnavailable). Each try has its own
    request token, so a resent request (the SDK's retry after a lost answer) does not write twice."""
    tries = itertools.count()
    try:
        retry_on_contention(lambda: _commit(reminder, lease, booking, messages, next(tries)), attempts=attempts)
    except ConditionsFailed as failed:
        if "reminder" in failed.names:
            return Recorded.LEASE_LOST
        if "booking" in failed.names:
            return Recorded.BOOKING_CHANGED
        return Recorded.ALREADY_RECORDED
    return Recorded.RECORDED


def _commit(reminder: Reminder, lease: int, booking: BookingItem, messages: Sequence[TableItem], attempt: int) -> None:
    token = f"{reminder.pk}|{reminder.sk}|{lease}|{attempt}"
    transaction = Transaction(client_request_token=str(uuid.uuid5(REMINDER_IDS, token)))
    transaction.update(
        "reminder",
        reminder,
        actions=[
            *done_actions(),
            Reminder.claimed_until.remove(),
            Reminder.sent.set(True),
        ],
        condition=Reminder.claimed_until == lease,
    )
    transaction.condition_check(
        "booking",
        BookingItem,
        booking.pk,
        booking.sk,
        (BookingItem.status == BookingStatus.CONFIRMED.value) & (BookingItem.start == reminder.session_start),
    )
    for message in messages:
        transaction.put(type(message).__name__, message, condition=TableItem.pk.does_not_exist())
    transaction.commit()


def mark_sent(reminder: Reminder, lease: int) -> bool:
    """`mark_done` for a reminder whose messages are recorded already."""
    return mark_done(reminder, lease, [Reminder.sent.set(True)])
