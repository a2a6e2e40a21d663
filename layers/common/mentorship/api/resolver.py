"""Builds the Powertools HTTP resolver both API functions use, so they share one configuration."""

from __future__ import annotations

from typing import Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from mentorship.api.errors import register_error_handlers
from mentorship.observability import logger, metrics, tracer


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
    (correlation id from the API Gateway request id, traces, metrics flushed per invocation)."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict, context: LambdaContext) -> dict:
        return app.resolve(event, context)

    return lambda_handler
