"""Base shapes of the HTTP contract: camelCase JSON, unknown request fields refused, errors."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, WithJsonSchema
from pydantic.alias_generators import to_camel

from mentorship.domain.instants import format_utc, parse_instant, resolve_zone
from mentorship.domain.reviews import Review
from mentorship.domain.text import CONTROL_CHARACTER_ISSUE, has_control_characters

# An RFC 3339 instant with an offset (any offset; none is a 422), as an aware UTC datetime,
# between 1970-01-01 and 2200-01-01 UTC (parse_instant bounds it).
Instant = Annotated[
    datetime,
    BeforeValidator(parse_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2026-11-24T14:00:00Z"}),
]



def _known_zone(name: str) -> str:
    resolve_zone(name)  # UnknownTimeZone is a ValueError: pydantic reports it on the field
    return name


# An IANA time zone a person could live in (domain.instants.zone_names says which).
ZoneName = Annotated[str, Field(max_length=64, examples=["America/Chicago"]), AfterValidator(_known_zone)]


def _refuse_control_characters(text: str) -> str:
    if has_control_characters(text):
        raise ValueError(CONTROL_CHARACTER_ISSUE)
    return text


# Free text from a client (topics, comments, reasons, bios, names, filters): stored, shown to
# other people, put in emails and invites, so no control character but newline and tab.
Text = Annotated[
    str,
    AfterValidator(_refuse_control_characters),
    Field(json_schema_extra={"pattern": r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"}),
]

# A URL the server itself fetches or posts to (external calendars, webhooks): http(s) here; the
# outbound guard decides at connect time whether its address may be reached.
OutboundUrl = Annotated[str, Field(min_length=8, max_length=2048, pattern=r"^https?://[^\s]+$")]


def _json_integer(value: Any) -> Any:
    if type(value) is not int:  # not a bool (an int subclass), a float such as 30.0, or a string
        raise ValueError("must be a JSON integer")
    return value


# A JSON integer and nothing else, for a field whose type is a Literal of integers (a Literal
# compares by equality, so 30.0 would pass where strict mode refuses it for a plain int).
JsonInteger = BeforeValidator(_json_integer)
# An enum field of a RequestModel: its JSON string value, as lax as an enum can be (strict mode
# would want an enum instance, which JSON cannot carry).
EnumValue = Strict(False)


class ApiModel(BaseModel):
    """camelCase on the wire; an unknown field is a 422, so a client can never set what only
    the server may set by adding a field. Validators are built on first use (`defer_build`): a
    cold start builds those of the route it serves, not every model's."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True
    )


class RequestModel(ApiModel):
    """A request body: strict JSON types (`"30"` or `true` is no integer, `4.5` or `5.0` no
    integer either, a number is no string). Enum fields say `EnumValue`; a Literal of integers
    says `JsonInteger`."""

    model_config = ConfigDict(strict=True)


class Money(ApiModel):
    amount: Annotated[int, Field(description="Integer minor units: 12000 USD is $120.00")]
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")] = "USD"


class ReviewView(ApiModel):
    review_id: str
    rating: int = Field(ge=1, le=5)
    comment: str
    author_name: str
    created_at: str

    @classmethod
    def from_review(cls, review: Review) -> "ReviewView":
        return cls(
            review_id=review.review_id,
            rating=review.rating,
            comment=review.comment,
            author_name=review.author_name,
            created_at=format_utc(review.created_at),
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
        400: "Body is not JSON, not an object, or nested deeper than 64 levels",
        401: "Missing or invalid bearer token",
        402: "Payment declined",
        403: "Authenticated but not allowed",
        404: "Not found (or not a participant)",
        409: "Conflicts with the current state",
        410: "Hold expired",
        422: "Validation error",
        429: "Too many (active holds, webhooks, waiting entries)",
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
