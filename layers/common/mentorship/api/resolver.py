"""Builds the Powertools HTTP resolver both API functions use, so they share one configuration."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths

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


def build_resolver() -> APIGatewayHttpResolver:
    # A response outside its documented shape is our bug: raised (not answered as a 422) so the
    # error map logs it and answers 500.
    app = APIGatewayHttpResolver(enable_validation=True, response_validation_error_http_code=500)
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
