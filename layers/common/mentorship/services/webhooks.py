"""An integrator's webhooks: register (the secret shown once, stored sealed), list, remove, and
read a webhook's deliveries."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from mentorship import gateways
from mentorship.domain.webhooks import MOST_WEBHOOKS, EventType
from mentorship.errors import NotFound, TooManyWebhooks, ValidationFailed
from mentorship.services.webhook_delivery import secret_context
from mentorship.store.models import Webhook, WebhookDelivery
from mentorship.store.webhooks import TooManyWebhooksInStore, WebhookStore, webhook_item

SECRET_BYTES = 32
MOST_DELIVERIES_LISTED = 100


@dataclass(frozen=True)
class NewWebhook:
    webhook: Webhook
    secret: str  # `whsec_...`: this answer is the only place it is ever shown


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_destination(url: str) -> None:
    """The external calendars' URL rule: http(s), no credentials, a host whose every address is
    public (loopback only in the local stack); checked again at every connect. (Imported here: the
    booking routes' cold start loads no HTTP client.)"""
    from mentorship.gateways.outbound_http import BlockedDestination, check_url, default_policy, resolve_allowed

    policy = default_policy()
    try:
        check_url(url, policy)
        parts = urlsplit(url)
        resolve_allowed(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), policy)
    except BlockedDestination as refused:
        raise ValidationFailed.on("body.url", str(refused)) from None
    except OSError as unresolvable:
        raise ValidationFailed.on("body.url", str(unresolvable)) from None


def register_webhook(user_id: str, url: str, events: list[EventType], now: datetime) -> NewWebhook:
    check_destination(url)
    webhook_id = uuid.uuid4().hex
    secret = new_secret()
    webhook = webhook_item(
        user_id,
        webhook_id,
        url,
        events=[event.value for event in dict.fromkeys(events)],
        secret_sealed=gateways.secret_box().seal(secret, secret_context(user_id, webhook_id)),
        created_at=now,
    )
    try:
        WebhookStore().add(webhook, MOST_WEBHOOKS)
    except TooManyWebhooksInStore:
        raise TooManyWebhooks(f"you can have at most {MOST_WEBHOOKS} webhooks; delete one first") from None
    return NewWebhook(webhook, secret)


def webhooks_of(user_id: str) -> list[Webhook]:
    return sorted(WebhookStore().list(user_id), key=lambda w: (w.created_at, w.webhook_id))


def remove_webhook(user_id: str, webhook_id: str) -> None:
    WebhookStore().remove(user_id, webhook_id)


def deliveries_of(user_id: str, webhook_id: str) -> list[WebhookDelivery]:
    """The newest deliveries of the caller's webhook (NotFound for anyone else's)."""
    store = WebhookStore()
    if store.get(user_id, webhook_id) is None:
        raise NotFound("you have no webhook with that id")
    return store.deliveries(webhook_id, MOST_DELIVERIES_LISTED)
