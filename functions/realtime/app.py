"""RealtimeFunction: the WebSocket API's routes ($connect, $disconnect, subscribe, unsubscribe,
$default) and `GET /realtime`, the URL to connect to (public).

One function for both APIs: WebSocket events carry `requestContext.connectionId`, HTTP API events
do not. Answers to messages are the routes' responses (the template gives subscribe, unsubscribe
and $default a route response), so they go back on the sender's connection only. The WebSocket
side (its store and subscriptions) is imported by the first WebSocket event, so `GET /realtime`'s
cold start does not load it; SnapStart's priming does.
"""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from mentorship import clock, snapstart
from mentorship.api.caching import public_for
from mentorship.api.resolver import build_resolver, http_handler
from mentorship.api.schemas import responses
from mentorship.observability import logger, metrics, tracer
from mentorship.settings import get_settings

if TYPE_CHECKING:  # annotations only: the cold start loads neither the typing package nor the store
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from mentorship.services.realtime import RealtimeRoutes

WEBSOCKET_MODULE = "mentorship.services.realtime"

router = APIGatewayHttpRouter()
REALTIME_URL_MAX_AGE = 300  # the URL changes only with a deployment


class RealtimeEndpoint(BaseModel):
    url: str


@router.get(
    "/realtime",
    summary="The WebSocket URL for live availability",
    description="Connect, then send `{\"action\": \"subscribe\", \"mentorId\"}`; see CONTRACT's \"Live availability\".",
    responses=responses(RealtimeEndpoint),
    tags=["Realtime"],
)
def realtime_endpoint() -> Response[RealtimeEndpoint]:
    endpoint = RealtimeEndpoint(url=get_settings().realtime_url)
    return Response(200, content_type="application/json", body=endpoint, headers=public_for(REALTIME_URL_MAX_AGE))


app = build_resolver()
app.include_router(router)
_http = http_handler(app)
_routes: RealtimeRoutes | None = None


def _websocket(event: dict) -> dict:
    global _routes
    context = event["requestContext"]
    connection_id, route_key = context["connectionId"], context.get("routeKey", "$default")
    if _routes is None:
        _routes = importlib.import_module(WEBSOCKET_MODULE).RealtimeRoutes()
    if route_key == "$connect":
        _routes.connect(connection_id, clock.now())
        return {"statusCode": 200}
    if route_key == "$disconnect":
        _routes.disconnect(connection_id)
        return {"statusCode": 200}
    answer = _routes.message(connection_id, route_key, event.get("body"), clock.now())
    return {"statusCode": 200, "body": json.dumps(answer)}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def _websocket_handler(event: dict, context: LambdaContext) -> dict:
    return _websocket(event)


def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if "connectionId" in (event.get("requestContext") or {}):
        return _websocket_handler(event, context)
    return _http(event, context)


snapstart.register(app, WEBSOCKET_MODULE)  # runtime hooks, when SnapStart is on (mentorship/snapstart.py)
