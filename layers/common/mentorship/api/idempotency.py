"""`Idempotency-Key` for POSTs that change state (Powertools idempotency utility, DynamoDB).

The key is scoped to the caller and the route. A replay with the same key and body returns the
first answer, success or refusal, and does nothing else; the same key with another body is a
409 `idempotency_key_reused`. Answers that ask the client to retry (503) are not remembered.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Callable

from aws_lambda_powertools.event_handler import Response

from mentorship.api.errors import domain_error_response
from mentorship.errors import DomainError, IdempotencyInProgress, IdempotencyKeyReused, ServiceUnavailable, ValidationFailed
from mentorship.settings import get_settings

HEADER = "idempotency-key"
KEY_TTL_SECONDS = 24 * 3600
Outcome = tuple[int, dict | None]  # status and JSON body


@cache
def _runner():
    """Built on first use: the idempotency utility (and its DynamoDB client) is loaded only by
    requests that carry the header, not by every cold start."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(
        event_key_jmespath="[caller, route, key]",
        payload_validation_jmespath="body",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=KEY_TTL_SECONDS,
    )
    persistence = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table_name)

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
    def run(request: dict, compute: Callable[[], Outcome]) -> dict:
        try:
            status, body = compute()
        except ServiceUnavailable:
            raise  # not remembered: the client is asked to retry
        except DomainError as error:
            answer = domain_error_response(error)
            status, body = answer.status_code, json.loads(answer.body)
        return {"status": status, "body": body}

    return config, run


def idempotent(headers: dict[str, str], caller_id: str, route: str, body: dict, compute: Callable[[], Outcome], context) -> Response:
    """Run `compute` once per (caller, route, key); without the header, just run it."""
    key = next((value for name, value in (headers or {}).items() if name.lower() == HEADER), None)
    if key is None:
        status, payload = compute()
        return _response(status, payload)
    if not 1 <= len(key) <= 255:
        raise ValidationFailed.on("header.Idempotency-Key", "must be 1 to 255 characters")
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    config, run = _runner()
    if context is not None:
        config.register_lambda_context(context)
    try:
        stored = run(request={"caller": caller_id, "route": route, "key": key, "body": body}, compute=compute)
    except IdempotencyValidationError:
        raise IdempotencyKeyReused("this Idempotency-Key was used with another request body") from None
    except IdempotencyPersistenceLayerError as error:  # its table throttled or unreachable
        raise ServiceUnavailable("the service is busy; retry shortly") from error
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyInProgress("a request with this Idempotency-Key is still running; retry shortly") from None
    return _response(stored["status"], stored["body"])


def _response(status: int, body: dict | None) -> Response[dict]:
    """Bodies stay dicts: the route's response validation and serialization apply to them."""
    return Response(status_code=status, content_type="application/json", body=body)
