"""Sending what the outbox holds: emails through SES, notifications on the push channel.

The StreamFunction sends each one as soon as the change that recorded it is committed (it sees
the item's INSERT); the scheduled run sends whatever is still pending (a failed send waiting for
its retry, or anything the stream could not do). The lease in `store.outbox` keeps two senders
(a stream retry, an overlapping run) from sending the same item.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from mentorship import gateways
from mentorship.gateways.errors import DeliveryFailed
from mentorship.observability import logger
from mentorship.services.stream import Change
from mentorship.store.models import Notification, PendingEmail, TableItem
from mentorship.store.notifications import mark_pushed
from mentorship.store.outbox import claim, claimable, mark_done, mark_email_sent, retry_later

RETRY_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
MAX_ATTEMPTS = 12


def _deliver[ItemT: TableItem](item: ItemT, now: datetime, send: Callable[[], None], mark_sent: Callable[[ItemT, int], bool]) -> bool:
    lease = claim(item, now)
    if lease is None:
        return False
    try:
        send()
    except DeliveryFailed as failure:
        attempts = int(item.attempts or 1)
        if failure.retryable and attempts < MAX_ATTEMPTS:
            backoff = RETRY_BACKOFF[min(attempts - 1, len(RETRY_BACKOFF) - 1)]
            logger.warning("delivery failed; will retry", extra={"pk": item.pk, "sk": item.sk, "error": str(failure)})
            retry_later(item, lease, now + backoff)
        else:
            logger.error("delivery given up", extra={"pk": item.pk, "sk": item.sk, "error": str(failure)})
            mark_done(item, lease)
        return False
    return mark_sent(item, lease)


def deliver_email(item: PendingEmail, now: datetime) -> bool:
    return _deliver(
        item, now, lambda: gateways.email_sender().send_raw([item.recipient], item.raw_message), mark_email_sent
    )


def deliver_push(item: Notification, now: datetime) -> bool:
    return _deliver(
        item,
        now,
        lambda: gateways.push_sender().publish(item.user_id, item.notification_id, item.title, item.body, item.url),
        mark_pushed,
    )


def is_sendable(change: Change, now: datetime) -> bool:
    """Pending (in DueWork) and under nobody's lease, as the record's image shows it, and either
    just recorded (every message is recorded due at once: a run replayed for a later minute
    records them due then, and they go out now) or made due again by `now`. The stream's own
    records of a claim, a mark or a retry for later fail this, so they cost no request; the
    claim's condition decides anyway."""
    return change.new is not None and claimable(change.new, now, just_recorded=change.event_name == "INSERT")


def send_due_email(change: Change, now: datetime) -> None:
    """Stream handler: an email just recorded (or made due again) goes out now."""
    if isinstance(change.new, PendingEmail) and is_sendable(change, now):
        deliver_email(change.new, now)


def push_due_notification(change: Change, now: datetime) -> None:
    """Stream handler: an inbox entry just recorded (or made due again) goes out on the push channel now."""
    if isinstance(change.new, Notification) and is_sendable(change, now):
        deliver_push(change.new, now)
