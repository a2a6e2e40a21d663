"""Webhook events out to integrators: fan-out, then one signed POST per delivery, retried.

Fan-out (the StreamFunction on the event's INSERT; the per-minute run if that failed): for each
participant, each of their webhooks that asked for the type gets a `WebhookDelivery` carrying the
`data` that participant may see (built with the change, see `webhook_events`), the event's
id as `webhook-id`, and due at once. Sending (the StreamFunction on the delivery's INSERT, the
per-minute run for every retry): one delivery per lease, so a slow or dead receiver holds up
only its own item, never a booking (those answered long before) or another webhook's delivery
(its own item, its own lease). A non-2xx or no answer makes the delivery due again after the
next delay of `domain.webhooks.RETRY_DELAYS`; once they are spent it is `failed`.
"""

from __future__ import annotations

import json
from datetime import datetime

from mentorship import gateways
from mentorship.domain.instants import format_utc
from mentorship.domain.webhooks import is_success, next_attempt_at
from mentorship.observability import logger
from mentorship.services.delivery import is_sendable
from mentorship.services.stream import Change
from mentorship.store.models import WebhookDelivery, WebhookEvent
from mentorship.store.outbox import claim, mark_done
from mentorship.store.webhooks import WebhookStore, delivery_item, finish_delivery, retry_delivery


def secret_context(user_id: str, webhook_id: str) -> dict[str, str]:
    """KMS encryption context: a sealed secret opens only for its own user and webhook."""
    return {"userId": user_id, "webhookId": webhook_id}


def event_body(event: WebhookEvent, recipient_id: str) -> str:
    """The JSON body `recipient_id` receives: their own `data`, written with the change."""
    data = event.mentee_data if recipient_id == event.mentee_id else event.mentor_data
    return (
        f'{{"id":{json.dumps(event.event_id)},"type":{json.dumps(event.event_type)},'
        f'"createdAt":{json.dumps(format_utc(event.created_at))},"data":{data}}}'
    )


def fan_out_event(event: WebhookEvent, now: datetime) -> bool:
    """DueWork handler: record a delivery for every subscribed webhook of each participant, then
    take the event out of DueWork. Safe to run twice (a delivery is put only if new)."""
    lease = claim(event, now)
    if lease is None:
        return False
    store = WebhookStore()
    for recipient_id in dict.fromkeys((event.mentee_id, event.mentor_id)):
        body = None
        for webhook in store.list(recipient_id):
            if event.event_type not in webhook.events:
                continue
            body = body or event_body(event, recipient_id)
            store.record_delivery(delivery_item(event, webhook, body, now))
    return mark_done(event, lease)


def send_delivery(delivery: WebhookDelivery, now: datetime) -> bool:
    """DueWork handler: one attempt at one delivery, under its lease."""
    lease = claim(delivery, now)
    if lease is None:
        return False
    webhook = WebhookStore().get(delivery.user_id, delivery.webhook_id)
    if webhook is None:  # removed since: nothing to send to
        return finish_delivery(delivery, lease, "failed")
    secret = gateways.secret_box().open(webhook.secret_sealed, secret_context(webhook.user_id, webhook.webhook_id))
    status_code = gateways.webhook_sender().send(webhook.url, delivery.event_id, delivery.body, secret)
    if is_success(status_code):
        return finish_delivery(delivery, lease, "delivered", now, status_code)
    attempts = int(delivery.attempts or 1)
    retry_at = next_attempt_at(attempts, now)
    log = {"webhookId": delivery.webhook_id, "eventId": delivery.event_id, "status": status_code, "attempts": attempts}
    if retry_at is None:
        logger.warning("webhook delivery given up", extra=log)
        finish_delivery(delivery, lease, "failed", now, status_code)
    else:
        logger.info("webhook delivery failed; will retry", extra={**log, "retryAt": format_utc(retry_at)})
        retry_delivery(delivery, lease, retry_at, now, status_code)
    return True


def fan_out_new_event(change: Change, now: datetime) -> None:
    """Stream handler: an event just written is fanned out at once."""
    if isinstance(change.new, WebhookEvent) and is_sendable(change, now):
        fan_out_event(change.new, now)


def send_new_delivery(change: Change, now: datetime) -> None:
    """Stream handler: a delivery just recorded goes out at once (retries are the run's)."""
    if isinstance(change.new, WebhookDelivery) and change.event_name == "INSERT" and is_sendable(change, now):
        send_delivery(change.new, now)
