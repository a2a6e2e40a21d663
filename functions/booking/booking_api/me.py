"""The caller's own lists: `GET /me/bookings`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from booking_api.schemas import BookingList, BookingView, Notification, NotificationList
from mentorship import clock
from mentorship.api.caller import caller_zone, require_caller
from mentorship.api.cursors import decode_cursor, encode_cursor
from mentorship.api.pagination import Cursor, Limit, TimeZoneName
from mentorship.api.resolver import BEARER
from mentorship.api.schemas import responses
from mentorship.services import booking as bookings
from mentorship.store.bookings import participant_key_fields
from mentorship.store.notifications import NOTIFICATION_KEY_FIELDS, NotificationStore

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
    description="Upcoming sessions (not yet ended) ascending by start, past ones descending; as mentee or "
    "as mentor. Confirmed sessions (`completed` once ended), cancelled ones (with status `cancelled`) and "
    "holds still running are listed; holds that ended without payment are not.",
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
    page = bookings.participant_bookings(
        role, caller.user_id, upcoming=scope is Scope.UPCOMING, now=now, limit=limit, start_after=start_after
    )
    return BookingList(
        items=[BookingView.from_booking(booking, zone_name, zone, now, caller.user_id) for booking in page.items],
        next_cursor=encode_cursor(page.last_key, cursor_scope),
    )


@router.get(
    "/me/notifications",
    summary="My inbox",
    description="Notifications newest first (the same ones sent on the push channel).",
    responses=responses(NotificationList, 401, 422),
    security=BEARER,
    tags=["Sessions"],
)
def list_my_notifications(limit: Limit = 20, cursor: Cursor = None) -> NotificationList:
    caller = require_caller(router.current_event)
    scope = f"GET /me/notifications|{caller.user_id}"
    page = NotificationStore().newest(caller.user_id, limit, decode_cursor(cursor, scope, NOTIFICATION_KEY_FIELDS))
    return NotificationList(
        items=[Notification.from_item(item) for item in page.items], next_cursor=encode_cursor(page.last_key, scope)
    )
