"""The caller's own lists: `GET /me/bookings`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from booking_api.schemas import Booking, BookingList
from mentorship import clock
from mentorship.api.caller import caller_zone, require_caller
from mentorship.api.cursors import decode_cursor, encode_cursor
from mentorship.api.pagination import Cursor, Limit, TimeZoneName
from mentorship.api.resolver import BEARER
from mentorship.api.schemas import responses
from mentorship.store.bookings import BookingStore, participant_key_fields

router = APIGatewayHttpRouter()


class Role(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"


class Scope(StrEnum):
    UPCOMING = "upcoming"
    PAST = "past"


@router.get(
    "/me/bookings",
    summary="My sessions",
    description="Upcoming sessions ascending by start, past ones descending; as mentee or as mentor.",
    responses=responses(BookingList, 401, 422),
    security=BEARER,
    tags=["Sessions"],
)
def list_my_bookings(
    role: Annotated[Role, Query()] = Role.MENTEE,
    scope: Annotated[Scope, Query()] = Scope.UPCOMING,
    limit: Limit = 20,
    cursor: Cursor = None,
    tz: TimeZoneName = None,
) -> BookingList:
    caller = require_caller(router.current_event)
    zone_name, zone = caller_zone(tz, caller)
    now = clock.now()
    cursor_scope = f"GET /me/bookings|{caller.user_id}|{role}|{scope}"
    start_after = decode_cursor(cursor, cursor_scope, participant_key_fields(role))
    page = BookingStore().participant_page(
        role, caller.user_id, upcoming=scope is Scope.UPCOMING, now=now, limit=limit, start_after=start_after
    )
    return BookingList(
        items=[Booking.from_item(item, zone_name, zone, now) for item in page.items],
        next_cursor=encode_cursor(page.last_key, cursor_scope),
    )
