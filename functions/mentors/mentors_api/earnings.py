"""A mentor's earnings over a window (authenticated, mentors only)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from mentors_api.access import mentor_profile
from mentors_api.schemas import EarningsOut
from mentorship import clock
from mentorship.api.caller import caller_zone
from mentorship.api.cursors import decode_cursor, encode_cursor
from mentorship.api.pagination import Cursor, Limit, TimeZoneName
from mentorship.api.resolver import BEARER
from mentorship.api.schemas import Instant, responses
from mentorship.domain.earnings import EarningsWindow, earnings_window
from mentorship.domain.instants import InvalidInstant, format_utc_precise, parse_instant
from mentorship.errors import ValidationFailed
from mentorship.services.earnings import mentor_earnings

router = APIGatewayHttpRouter()

# The cursor carries the window it pages through, so a defaulted window ("the last 30 days")
# is continued as it was on the first page, not moved along with the clock.
CURSOR_FIELDS = ("after", "from", "to")


@router.get(
    "/mentors/me/earnings",
    summary="My earnings",
    description="The caller's paid sessions whose start is in [from, to) (at most 366 days; without either, "
    "the last 30 days; `from` alone, the 30 days after it; `to` alone, the 30 days before it): confirmed, "
    "completed, cancelled (always paid, since only a confirmed booking can be cancelled) and no_show. "
    "`gross` adds their prices, `refunded` what their cancels and no-shows gave back (as decided; a refund "
    "still on its way through the payment gateway shows `refundStatus: pending` on its session), `net` = "
    "gross - refunded exactly. Totals cover the whole window on every page; `items` are the sessions behind "
    "them, ascending by start, paginated. Amounts are per currency (`byCurrency`), never converted. "
    "403 for a caller without a mentor profile.",
    responses=responses(EarningsOut, 401, 403, 422),
    security=BEARER,
    tags=["Mentor self-service"],
)
def get_earnings(
    start: Annotated[Instant | None, Query(alias="from")] = None,
    end: Annotated[Instant | None, Query(alias="to")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    tz: TimeZoneName = None,
) -> EarningsOut:
    caller, profile = mentor_profile(router.current_event, "earnings")
    zone_name, zone = caller_zone(tz, caller)
    query = router.current_event.query_string_parameters or {}
    scope = f"GET /mentors/me/earnings?from={query.get('from')}&to={query.get('to')}"
    position = decode_cursor(cursor, scope, CURSOR_FIELDS)
    now = clock.now()
    window = _window_of(position) if position else earnings_window(start, end, now)
    earnings = mentor_earnings(caller.user_id, profile.currency, window, now, limit, position and position["after"])
    next_key = None
    if earnings.next_after is not None:
        next_key = {"after": earnings.next_after, "from": format_utc_precise(window.start), "to": format_utc_precise(window.end)}
    return EarningsOut.build(earnings, zone_name, zone, encode_cursor(next_key, scope))


def _window_of(position: dict[str, str]) -> EarningsWindow:
    """The window a cursor continues (checked again: the fingerprint is no signature)."""
    try:
        start, end = parse_instant(position["from"]), parse_instant(position["to"])
    except InvalidInstant:
        raise ValidationFailed.on("query.cursor", "not a cursor this API issued") from None
    return earnings_window(start, end, start)
