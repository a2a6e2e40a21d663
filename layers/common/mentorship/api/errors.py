"""The one place that turns failures into HTTP answers of the contract's shape:

    {"error": {"code": "<snake_case>", "message": "<for humans>", "details": [...]}}

Domain errors map by class (never by message text); Powertools' request validation errors
become 400 (body not JSON / not an object) or 422 (field errors); DynamoDB throttling becomes
503 with Retry-After; anything unexpected is logged and answered as a bare 500.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError, ResponseValidationError
from mentorship import errors
from mentorship.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.PaymentDeclined: 402,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.HoldExpired: 410,
    errors.ValidationFailed: 422,
    errors.TooManyHolds: 429,
    errors.TooManyWebhooks: 429,
    errors.TooManyWaitlistEntries: 429,
    errors.ServiceUnavailable: 503,
}

def error_body(code: str, message: str, details: list[dict[str, str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(error_body(code, message, details)),
        headers=headers,
    )


def status_for(error: errors.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def domain_error_response(error: errors.DomainError) -> Response:
    headers = None
    if error.retry_after_seconds is not None:
        headers = {"Retry-After": str(error.retry_after_seconds)}
    details = [{"field": d.field, "issue": d.issue} for d in error.details]
    return error_response(status_for(error), error.code, error.message, details, headers)


def domain_error_result(error: errors.DomainError) -> dict[str, Any]:
    """The same answer as a Lambda proxy result, for refusals made before the resolver runs."""
    response = domain_error_response(error)
    return {
        "statusCode": response.status_code,
        "headers": {"Content-Type": "application/json", **(response.headers or {})},
        "body": response.body,
        "isBase64Encoded": False,
    }


def _field_name(location: tuple | list) -> str:
    return ".".join(str(part) for part in location)


def validation_error_response(error: RequestValidationError) -> Response:
    problems = error.errors()
    for problem in problems:
        location = tuple(problem.get("loc") or ())
        kind = problem.get("type")
        if kind == "json_invalid":
            return domain_error_response(errors.BadRequest("the request body is not valid JSON"))
        if location == ("body",) and kind in {"model_attributes_type", "dict_type", "missing", "model_type"}:
            return domain_error_response(errors.BadRequest("the request body must be a JSON object"))
    details = [
        errors.FieldIssue(_field_name(problem.get("loc") or ()), str(problem.get("msg", "invalid"))) for problem in problems
    ]
    return domain_error_response(errors.ValidationFailed("the request has invalid fields", details))


def register_error_handlers(app: "APIGatewayHttpResolver") -> None:
    @app.exception_handler(errors.DomainError)
    def _domain(error: errors.DomainError) -> Response:
        return domain_error_response(error)

    @app.exception_handler(RequestValidationError)
    def _validation(error: RequestValidationError) -> Response:
        return validation_error_response(error)

    @app.exception_handler(ResponseValidationError)
    def _bad_response(error: ResponseValidationError) -> Response:
        logger.error("a route answered outside its documented shape", extra={"errors": str(error.errors())[:2000]})
        return _internal_error()

    @app.not_found
    def _not_found(_: NotFoundError) -> Response:
        return domain_error_response(errors.NotFound("no such route"))

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        if _is_storage_error(error):
            return _storage_error_response(error)
        logger.exception("unhandled error")
        return _internal_error()


def _is_storage_error(error: Exception) -> bool:
    """A pynamodb error, told without importing pynamodb: a function's cold start imports the
    store with the route that uses it (decisions §13), and no store, no storage error."""
    storage = sys.modules.get("pynamodb.exceptions")
    return storage is not None and isinstance(error, storage.PynamoDBException)


def _storage_error_response(error: Exception) -> Response:
    code = getattr(error, "cause_response_code", None)
    if code in errors.RETRYABLE_AWS_ERROR_CODES:
        logger.warning("storage throttled", extra={"code": code})
        return domain_error_response(errors.ServiceUnavailable("the service is busy; retry shortly"))
    logger.exception("storage error")
    return _internal_error()


def _internal_error() -> Response:
    return error_response(500, "internal_error", "something went wrong on our side")
