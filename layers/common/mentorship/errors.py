"""Domain errors: named failures that every ring may raise and `api.errors` maps to HTTP.

Each carries the contract's snake_case `code`; the HTTP status lives only in the error map,
so no ring below the edge knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldIssue:
    field: str  # where, as the contract spells it: "body.topic", "query.limit"
    issue: str  # for humans


# AWS error codes that mean "busy, try again shortly" (throttling, a transaction in the way):
# the store retries them a few times; what remains is answered 503 with Retry-After.
RETRYABLE_AWS_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)


class DomainError(Exception):
    code = "error"
    retry_after_seconds: int | None = None  # set where the client should retry after a pause

    def __init__(self, message: str, details: list[FieldIssue] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class BadRequest(DomainError):
    code = "bad_request"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class SlotUnavailable(Conflict):
    code = "slot_unavailable"


class InvalidState(Conflict):
    code = "invalid_state"


class AlreadyReviewed(Conflict):
    code = "already_reviewed"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


class IdempotencyInProgress(Conflict):
    """The first request with this Idempotency-Key has not answered yet."""

    code = "idempotency_in_progress"
    retry_after_seconds = 1


class HoldExpired(DomainError):
    code = "hold_expired"


class PaymentDeclined(DomainError):
    code = "payment_declined"


class TooManyHolds(DomainError):
    code = "too_many_holds"


class TooManyWebhooks(DomainError):
    code = "too_many_webhooks"


class TooManyWaitlistEntries(DomainError):
    code = "too_many_waitlist_entries"


class ValidationFailed(DomainError):
    code = "validation_error"

    @classmethod
    def on(cls, field: str, issue: str) -> "ValidationFailed":
        return cls(issue, [FieldIssue(field, issue)])


class CalendarUnreachable(ValidationFailed):
    """An external calendar could not be read when it was connected (422, with the reason)."""

    code = "calendar_unreachable"


class ServiceUnavailable(DomainError):
    """A dependency is throttling or unreachable; the client should retry after a pause."""

    code = "service_unavailable"

    def __init__(self, message: str, retry_after_seconds: int = 1):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
