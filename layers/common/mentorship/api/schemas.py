"""Base shapes of the HTTP contract: camelCase JSON, unknown request fields refused, errors."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic.alias_generators import to_camel

from mentorship.domain.instants import format_utc, parse_instant, resolve_zone
from mentorship.store.models import Review as ReviewItem

# An RFC 3339 instant with an offset (any offset; none is a 422), as an aware UTC datetime.
Instant = Annotated[
    datetime,
    BeforeValidator(parse_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2026-11-24T14:00:00Z"}),
]



def _known_zone(name: str) -> str:
    resolve_zone(name)  # UnknownTimeZone is a ValueError: pydantic reports it on the field
    return name


# An IANA time zone name.
ZoneName = Annotated[str, Field(max_length=64, examples=["America/Chicago"]), AfterValidator(_known_zone)]


class ApiModel(BaseModel):
    """camelCase on the wire; an unknown field is a 422, so a client can never set what only
    the server may set by adding a field. Validators are built on first use (`defer_build`): a
    cold start builds those of the route it serves, not every model's."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True
    )


class Money(ApiModel):
    amount: Annotated[int, Field(description="Integer minor units: 12000 USD is $120.00")]
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")] = "USD"


class Review(ApiModel):
    review_id: str
    rating: int = Field(ge=1, le=5)
    comment: str
    author_name: str
    created_at: str

    @classmethod
    def from_item(cls, item: ReviewItem) -> "Review":
        return cls(
            review_id=item.review_id,
            rating=int(item.rating),
            comment=item.comment,
            author_name=item.author_name,
            created_at=format_utc(item.created_at),
        )


class ErrorDetail(ApiModel):
    field: str
    issue: str


class ErrorBody(ApiModel):
    code: Annotated[str, Field(description="snake_case error code, e.g. slot_unavailable")]
    message: str
    details: list[ErrorDetail] | None = None


class ErrorResponse(ApiModel):
    error: ErrorBody


def responses(
    success_model: type[BaseModel] | None, *error_statuses: int, status: int = 200, description: str = "OK"
) -> dict[int, dict[str, Any]]:
    """OpenAPI `responses` of a route: its success answer and the error statuses it can give
    (Powertools documents only what is listed once any response is listed)."""
    success: dict[str, Any] = {"description": description}
    if success_model is not None:
        success["content"] = {"application/json": {"model": success_model}}
    return {status: success, **_error_responses(tuple(sorted({*error_statuses, 500, 503})))}


def _error_responses(statuses: tuple[int, ...]) -> dict[int, dict[str, Any]]:
    descriptions = {
        400: "Body is not JSON or not an object",
        401: "Missing or invalid bearer token",
        402: "Payment declined",
        403: "Authenticated but not allowed",
        404: "Not found (or not a participant)",
        409: "Conflicts with the current state",
        410: "Hold expired",
        422: "Validation error",
        429: "Too many active holds",
        500: "Unexpected error on our side (logged with the request id)",
        503: "Temporarily unavailable; retry after the Retry-After header",
    }
    return {
        status: {
            "description": descriptions[status],
            "content": {"application/json": {"model": ErrorResponse}},
        }
        for status in statuses
    }
