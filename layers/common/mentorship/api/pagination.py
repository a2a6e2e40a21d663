"""Query parameters every paginated route takes (`limit` 1-100, default 20; opaque `cursor`)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

Limit = Annotated[int, Query(ge=1, le=100, description="Page size, 1-100")]
Cursor = Annotated[str | None, Query(max_length=2048, description="`nextCursor` of the previous page")]
TimeZoneName = Annotated[
    str | None,
    Query(max_length=64, description="IANA zone for localStart/localEnd; default: token's zoneinfo, else UTC"),
]
