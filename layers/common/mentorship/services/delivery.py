"""Sending what the outbox holds: emails through SES, notifications on the push channel.

Called right after the change that recorded them (so messages go out at once) and by the
scheduled run for whatever is still pending (a failed or interrupted send). The lease in
`store.outbox` keeps two senders from sending the same item.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from mentorship import gateways
from mentorship.gateways.errors import DeliveryFailed
from mentorship.observability import logger
from mentorship.store.models import Notification, PendingEmail, TableItem
from mentorship.store.outbox import claim, mark_done, retry_later

RETRY_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
MAX_ATTEMPTS = 12


def _deliver(item: TableItem, now: datetime, send: Callable[[], None], done_actions: list) -> bool:
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
    return mark_done(item, lease, done_actions)


def deliver_email(item: PendingEmail, now: datetime) -> bool:
    return _deliver(
        item, now, lambda: gateways.email_sender().send_raw([item.recipient], item.raw_message), [PendingEmail.sent.set(True)]
    )


def deliver_push(item: Notification, now: datetime) -> bool:
    return _deliver(
        item,
        now,
        lambda: gateways.push_sender().publish(item.user_id, item.notification_id, item.title, item.body, item.url),
        [Notification.pushed.set(True)],
    )


def deliver_now(records: list[TableItem], now: datetime) -> None:
    """Best effort right after a change; anything that fails stays pending for the scheduled run."""
    for record in records:
        if isinstance(record, PendingEmail):
            deliver_email(record, now)
        elif isinstance(record, Notification):
            deliver_push(record, now)
