"""Builds the Powertools HTTP resolver the API functions use, so they share one configuration,
with their route modules imported on the first request that needs each (decisions §13)."""

from __future__ import annotations

import base64
import importlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.api_gateway import Route
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from mentorship.api.caching import conditional_get
from mentorship.api.errors import domain_error_result, register_error_handlers
from mentorship.api.json_input import JsonInputError, decode_json
from mentorship.errors import BadRequest
from mentorship.observability import logger, metrics, tracer

if TYPE_CHECKING:  # an annotation only: the cold start does not load the typing package
    from aws_lambda_powertools.utilities.typing import LambdaContext


SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Cognito ID token in AWS; POST /_local/token locally",
    }
}


@dataclass(frozen=True)
class RouteModule:
    """A module whose `router` serves routes that all lie under `prefixes` (whole path segments:
    "/me/webhooks" covers "/me/webhooks" and "/me/webhooks/..."), so a request can be routed to
    it before it is imported. A test checks every route of the module against its prefixes."""

    name: str
    prefixes: tuple[str, ...]

    def covers(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self.prefixes)


class HttpResolver(APIGatewayHttpResolver):
    """The validating resolver, its route modules imported on first use: a request imports the
    modules whose prefixes cover its path (every module when none does), so a cold start pays
    for the routes it serves, not for every route of the function.

    Routing is the same as with every module included up front: the modules that could hold a
    route matching the path are all included before it is resolved, and the route lists are kept
    in the order the modules are listed (Powertools tries static routes, then dynamic ones, each
    in the order they were added). Everything that reads the whole route table (the OpenAPI
    document, SnapStart's priming) includes every module first."""

    def __init__(self, route_modules: Sequence[RouteModule] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.route_modules = tuple(route_modules)
        self._pending = {module.name: module for module in route_modules}
        self._rank = {module.name: rank for rank, module in enumerate(route_modules)}
        self._including = threading.Lock()

    def include_routes_for(self, path: str | None) -> None:
        """Include the modules whose prefixes cover `path`; every module when none does (or when
        the path is not known): a path no module claims gets the full table's answer."""
        if self._pending:
            covering = [module for module in self.route_modules if path is not None and module.covers(path)]
            self._include(covering or list(self._pending.values()))  # the included ones are skipped

    def include_all_routes(self) -> None:
        if self._pending:
            self._include(list(self._pending.values()))

    def _include(self, modules: list[RouteModule]) -> None:
        with self._including:
            new = [module for module in modules if module.name in self._pending]
            for module in new:  # an import that fails leaves its module pending, as at a cold start
                self.include_router(importlib.import_module(module.name).router)
                del self._pending[module.name]
            if new:  # stable sorts: the routes of a module (or of the app itself, ranked first) keep their order
                self._static_routes.sort(key=self._route_rank)
                self._dynamic_routes.sort(key=self._route_rank)

    def _route_rank(self, route: Route) -> int:
        return self._rank.get(route.func.__module__, -1)

    def resolve(self, event: Any, context: Any) -> dict[str, Any]:
        if self._pending:
            raw = getattr(event, "raw_event", event)  # Powertools also takes its event classes
            self.include_routes_for(APIGatewayProxyEventV2(raw).path if isinstance(raw, dict) else None)
        return super().resolve(event, context)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        self.include_all_routes()
        return super().get_openapi_schema(*args, **kwargs)


def build_resolver(route_modules: Sequence[RouteModule] = ()) -> HttpResolver:
    """`route_modules` in the order they would be included (see HttpResolver)."""
    # A response outside its documented shape is our bug: raised (not answered as a 422) so the
    # error map logs it and answers 500.
    app = HttpResolver(route_modules, enable_validation=True, response_validation_error_http_code=500)
    app.configure_openapi(security_schemes=SECURITY_SCHEMES)
    register_error_handlers(app)
    return app


# OpenAPI security requirement for routes behind the JWT authorizer.
BEARER = [{"bearerAuth": []}]


def http_handler(app: APIGatewayHttpResolver) -> Callable[[dict, LambdaContext], dict]:
    """The Lambda entry point of an HTTP function: the resolver under the observability decorators
    (correlation id from the API Gateway request id, traces, metrics flushed per invocation), its
    cacheable answers given an ETag (and a 304 when the client holds that version)."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict, context: LambdaContext) -> dict:
        event, refusal = _with_json_body(event)
        return refusal if refusal is not None else conditional_get(event, app.resolve(event, context))

    return lambda_handler


def _with_json_body(event: dict) -> tuple[dict, dict | None]:
    """A request body must be UTF-8 JSON sent as JSON (contract: else 400 `bad_request`).
    Powertools refuses other content types and undecodable bytes before any of our code runs,
    with errors that would read as a 500, so the body is checked here first, by the decoder
    that bounds nesting (`json_input`): what passes is safe for Powertools' own `json.loads`.
    A body without a Content-Type is taken as JSON if it parses as JSON."""
    body = event.get("body")
    if not body:
        return event, None
    headers = {name: value for name, value in (event.get("headers") or {}).items() if name.lower() != "content-type"}
    declared = next((v for k, v in (event.get("headers") or {}).items() if k.lower() == "content-type"), "")
    media_type = declared.split(";")[0].strip().lower()
    if media_type and media_type != "application/json" and not media_type.endswith("+json"):
        return event, _bad_request(f"send the body as JSON (Content-Type: application/json), not {media_type[:60]}")
    try:
        text = base64.b64decode(body).decode("utf-8") if event.get("isBase64Encoded") else body
        decode_json(text)
    except JsonInputError as refusal:
        return event, _bad_request(f"the request body is not JSON this API takes: {refusal}")
    except (ValueError, UnicodeDecodeError):
        return event, _bad_request("the request body is not valid UTF-8 JSON")
    return {**event, "headers": {**headers, "content-type": "application/json"}, "body": text, "isBase64Encoded": False}, None


def _bad_request(message: str) -> dict:
    return domain_error_result(BadRequest(message))
