"""An integrator's webhooks: `/me/webhooks` (the caller's own only; anyone else's is a 404)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import Field

from mentorship import clock
from mentorship.api.caller import require_caller
from mentorship.api.resolver import BEARER
from mentorship.api.schemas import ApiModel, EnumValue, OutboundUrl, RequestModel, responses
from mentorship.domain.instants import format_utc
from mentorship.domain.webhooks import EventType
from mentorship.services import webhooks
from mentorship.store.models import Webhook as WebhookItem
from mentorship.store.models import WebhookDelivery as DeliveryItem

router = APIGatewayHttpRouter()

WebhookId = Annotated[str, Path(alias="webhookId", min_length=1, max_length=64)]


class WebhookIn(RequestModel):
    url: OutboundUrl
    events: Annotated[list[Annotated[EventType, EnumValue]], Field(min_length=1, max_length=6)]


class WebhookOut(ApiModel):
    webhook_id: str
    url: str
    events: list[str]

    @classmethod
    def from_item(cls, item: WebhookItem) -> "WebhookOut":
        return cls(webhook_id=item.webhook_id, url=item.url, events=list(item.events))


class NewWebhookOut(WebhookOut):
    secret: str = Field(description="`whsec_` + base64 of 32 random bytes; shown only in this answer")


class WebhookList(ApiModel):
    items: list[WebhookOut]


class DeliveryOut(ApiModel):
    event_id: str
    type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_attempt_at: str | None

    @classmethod
    def from_item(cls, item: DeliveryItem) -> "DeliveryOut":
        return cls(
            event_id=item.event_id,
            type=item.event_type,
            status=item.status,
            attempts=int(item.attempts or 0),
            last_status_code=int(item.last_status_code) if item.last_status_code is not None else None,
            last_attempt_at=format_utc(item.last_attempt_at) if item.last_attempt_at is not None else None,
        )


class DeliveryList(ApiModel):
    items: list[DeliveryOut]


@router.post(
    "/me/webhooks",
    summary="Add a webhook",
    description="Events about your bookings (as mentee or mentor) are POSTed to `url`, signed as Standard "
    "Webhooks says (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the `secret` of this answer, "
    "which is never shown again. Only http(s) URLs on public addresses (422 on `body.url` otherwise). "
    "At most 5 webhooks: 429 `too_many_webhooks`.",
    responses=responses(NewWebhookOut, 400, 401, 422, 429, status=201, description="Added"),
    security=BEARER,
    tags=["Webhooks"],
)
def add_webhook(body: WebhookIn) -> Response[NewWebhookOut]:
    caller = require_caller(router.current_event)
    added = webhooks.register_webhook(caller.user_id, body.url, body.events, clock.now())
    answer = NewWebhookOut(**WebhookOut.from_item(added.webhook).model_dump(), secret=added.secret)
    return Response(status_code=201, content_type="application/json", body=answer)


@router.get(
    "/me/webhooks",
    summary="My webhooks",
    description="Without their secrets.",
    responses=responses(WebhookList, 401),
    security=BEARER,
    tags=["Webhooks"],
)
def list_webhooks() -> WebhookList:
    caller = require_caller(router.current_event)
    return WebhookList(items=[WebhookOut.from_item(item) for item in webhooks.webhooks_of(caller.user_id)])


@router.delete(
    "/me/webhooks/<webhookId>",
    summary="Remove a webhook",
    description="Deliveries still pending for it are not sent.",
    responses=responses(None, 401, 404, status=204, description="Removed"),
    security=BEARER,
    tags=["Webhooks"],
)
def remove_webhook(webhook_id: WebhookId) -> Response[None]:
    caller = require_caller(router.current_event)
    webhooks.remove_webhook(caller.user_id, webhook_id)
    return Response(status_code=204)


@router.get(
    "/me/webhooks/<webhookId>/deliveries",
    summary="A webhook's deliveries",
    description="The newest 100, newest first: each event's status (`pending` while retries remain), "
    "attempts, and the last answer's status code (null when none came, e.g. a timeout).",
    responses=responses(DeliveryList, 401, 404),
    security=BEARER,
    tags=["Webhooks"],
)
def list_deliveries(webhook_id: WebhookId) -> DeliveryList:
    caller = require_caller(router.current_event)
    return DeliveryList(items=[DeliveryOut.from_item(item) for item in webhooks.deliveries_of(caller.user_id, webhook_id)])
