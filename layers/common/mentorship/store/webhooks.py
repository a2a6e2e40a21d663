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

from mentorship.errors import NotFound
from mentorship.store.binding import ensure_bound
from mentorship.store.models import TableItem, Webhook, WebhookCount, WebhookDelivery, user_pk
from mentorship.store.transactions import ConditionsFailed, Transaction, retry_on_contention

WEBHOOK_PREFIX = "WEBHOOK#"
COUNT_SK = "WEBHOOKS"
DELIVERY_PREFIX = "DELIVERY#"
DELIVERY_RETENTION = timedelta(days=30)  # TTL housekeeping for finished deliveries
CONDITION_FAILED = "ConditionalCheckFailedException"


class TooManyWebhooksInStore(Exception):
    """The user already has the most webhooks allowed."""


def webhook_partition(webhook_id: str) -> str:
    return f"{WEBHOOK_PREFIX}{webhook_id}"


def delivery_sk(created_at: str, event_id: str) -> str:
    return f"{DELIVERY_PREFIX}{created_at}#{event_id}"


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
