"""AP17/AP18: integrators' webhooks and their deliveries.

Adding a webhook raises the user's `WebhookCount` on condition that it is below the limit, in
the same transaction as the webhook, so concurrent adds never pass the limit; removing one lowers
it with the delete. Deliveries are keyed by webhook and (event time, event id): putting one twice
(a stream record handed over again) is a no-op, and a Query in descending order lists them
newest first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from mentorship.domain.instants import format_utc_precise
from mentorship.errors import NotFound
from mentorship.store.binding import ensure_bound
from mentorship.store.due_work import make_due
from mentorship.store.models import (
    TableItem,
    Webhook,
    WebhookCount,
    WebhookDelivery,
    WebhookEvent,
    booking_pk,
    user_pk,
)
from mentorship.store.outbox import mark_done, retry_later
from mentorship.store.transactions import ConditionsFailed, Transaction, retry_on_contention

WEBHOOK_PREFIX = "WEBHOOK#"
COUNT_SK = "WEBHOOKS"
DELIVERY_PREFIX = "DELIVERY#"
EVENT_PREFIX = "EVENT#"
DELIVERY_RETENTION = timedelta(days=30)  # TTL housekeeping for finished deliveries
CONDITION_FAILED = "ConditionalCheckFailedException"


class TooManyWebhooksInStore(Exception):
    """The user already has the most webhooks allowed."""


def webhook_partition(webhook_id: str) -> str:
    return f"{WEBHOOK_PREFIX}{webhook_id}"


def delivery_sk(created_at: str, event_id: str) -> str:
    return f"{DELIVERY_PREFIX}{created_at}#{event_id}"


def webhook_item(
    user_id: str, webhook_id: str, url: str, events: list[str], secret_sealed: str, created_at: datetime
) -> Webhook:
    """A user's webhook, in the user's partition (listed with their other webhooks)."""
    return Webhook(
        pk=user_pk(user_id),
        sk=f"{WEBHOOK_PREFIX}{webhook_id}",
        webhook_id=webhook_id,
        user_id=user_id,
        url=url,
        events=events,
        secret_sealed=secret_sealed,
        created_at=created_at,
    )


def event_item(
    event_id: str,
    event_type: str,
    booking_id: str,
    mentee_id: str,
    mentor_id: str,
    mentee_data: str,
    mentor_data: str,
    now: datetime,
) -> WebhookEvent:
    """A booking's event for integrators, in the booking's partition, due now in DueWork (the
    per-minute run fans it out if the stream could not)."""
    event = WebhookEvent(
        pk=booking_pk(booking_id),
        sk=f"{EVENT_PREFIX}{format_utc_precise(now)}#{event_id}",
        event_id=event_id,
        event_type=event_type,
        booking_id=booking_id,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        mentee_data=mentee_data,
        mentor_data=mentor_data,
        created_at=now,
    )
    return make_due(event, now)


def delivery_item(event: WebhookEvent, webhook: Webhook, body: str, now: datetime) -> WebhookDelivery:
    """`event` to `webhook` (whose owner sees `body`), pending and due now. Keyed by webhook,
    event time and event id, so a fan-out run twice records it once."""
    delivery = WebhookDelivery(
        pk=webhook_partition(webhook.webhook_id),
        sk=delivery_sk(format_utc_precise(event.created_at), event.event_id),
        webhook_id=webhook.webhook_id,
        user_id=webhook.user_id,
        event_id=event.event_id,
        event_type=event.event_type,
        body=body,
        status="pending",
        attempts=0,
        created_at=event.created_at,
        expires_at=delivery_expiry(event.created_at),
    )
    return make_due(delivery, now)


def finish_delivery(
    delivery: WebhookDelivery, lease: int, status: str, attempted_at: datetime | None = None, status_code: int | None = None
) -> bool:
    """Take the delivery out of DueWork as `status` ("delivered" | "failed") if our lease is still
    on it, with the last attempt's time and answer (when there was an attempt, and an answer)."""
    return mark_done(delivery, lease, [*_attempt_actions(attempted_at, status_code), WebhookDelivery.status.set(status)])


def retry_delivery(delivery: WebhookDelivery, lease: int, retry_at: datetime, attempted_at: datetime, status_code: int | None) -> None:
    """Make the delivery due again at `retry_at`, recording the failed attempt's time and answer."""
    retry_later(delivery, lease, retry_at, _attempt_actions(attempted_at, status_code))


def _attempt_actions(attempted_at: datetime | None, status_code: int | None) -> list:
    actions = [] if attempted_at is None else [WebhookDelivery.last_attempt_at.set(attempted_at)]
    if status_code is not None:
        actions.append(WebhookDelivery.last_status_code.set(status_code))
    return actions


class WebhookStore:
    def __init__(self) -> None:
        ensure_bound()

    def add(self, webhook: Webhook, most: int) -> None:
        """Write the webhook if the user has fewer than `most` (TooManyWebhooksInStore otherwise)."""
        counter = WebhookCount(pk=webhook.pk, sk=COUNT_SK)

        def attempt() -> None:
            transaction = Transaction()
            transaction.update(
                "count",
                counter,
                actions=[WebhookCount.count.add(1)],
                condition=WebhookCount.count.does_not_exist() | (WebhookCount.count < most),
            )
            transaction.put("webhook", webhook, condition=Webhook.pk.does_not_exist())
            transaction.commit()

        try:
            retry_on_contention(attempt)
        except ConditionsFailed as failed:
            if "count" in failed.names:
                raise TooManyWebhooksInStore() from None
            raise

    def list(self, user_id: str) -> list[Webhook]:
        found = Webhook.query(user_pk(user_id), Webhook.sk.startswith(WEBHOOK_PREFIX), consistent_read=True)
        return [item for item in found if isinstance(item, Webhook)]

    def get(self, user_id: str, webhook_id: str) -> Webhook | None:
        try:
            item = Webhook.get(user_pk(user_id), f"{WEBHOOK_PREFIX}{webhook_id}", consistent_read=True)
        except Webhook.DoesNotExist:
            return None
        return item if isinstance(item, Webhook) else None

    def remove(self, user_id: str, webhook_id: str) -> None:
        """Delete the user's webhook and count it off (NotFound if the user has none by that id)."""
        webhook = Webhook(pk=user_pk(user_id), sk=f"{WEBHOOK_PREFIX}{webhook_id}")

        def attempt() -> None:
            transaction = Transaction()
            transaction.delete("webhook", webhook, condition=Webhook.pk.exists())
            transaction.update(
                "count", WebhookCount(pk=webhook.pk, sk=COUNT_SK), actions=[WebhookCount.count.add(-1)]
            )
            transaction.commit()

        try:
            retry_on_contention(attempt)
        except ConditionsFailed:
            raise NotFound("you have no webhook with that id") from None

    def record_delivery(self, delivery: WebhookDelivery) -> bool:
        """Put a new delivery; False if it was recorded already (the fan-out ran twice)."""
        try:
            delivery.save(condition=TableItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == CONDITION_FAILED:
                return False
            raise
        return True

    def deliveries(self, webhook_id: str, limit: int) -> list[WebhookDelivery]:
        found = WebhookDelivery.query(
            webhook_partition(webhook_id),
            WebhookDelivery.sk.startswith(DELIVERY_PREFIX),
            scan_index_forward=False,
            limit=limit,
        )
        return [item for item in found if isinstance(item, WebhookDelivery)]


def delivery_expiry(created_at: datetime) -> datetime:
    return created_at + DELIVERY_RETENTION
