"""The mentor's weekly schedule and external calendars (authenticated, mentors only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from mentors_api.access import mentor_caller
from mentors_api.schemas import CalendarIn, CalendarList, CalendarOut, ScheduleIn, ScheduleOut
from mentorship import clock
from mentorship.api.resolver import BEARER
from mentorship.api.schemas import responses
from mentorship.errors import FieldIssue, ValidationFailed
from mentorship.services import calendars, schedules

router = APIGatewayHttpRouter()


def _override_dates(body: ScheduleIn) -> list[date]:
    dates, issues = [], []
    for index, override in enumerate(body.overrides):
        try:
            dates.append(date.fromisoformat(override.date))
        except ValueError:
            issues.append(FieldIssue(f"body.overrides[{index}].date", "not a valid date (YYYY-MM-DD)"))
    if issues:
        raise ValidationFailed("this schedule cannot be saved", issues)
    return dates


@router.put(
    "/mentors/me/schedule",
    summary="Set my weekly schedule",
    description="Weekly intervals and per-date overrides as wall-clock times in `timezone` (an override "
    "replaces that local date's weekly intervals; `[]` offers nothing that day). Times fall on :00/:30; "
    "`24:00` may end a day. A DST day offers what exists of it: nothing in a skipped hour, both "
    "occurrences of a repeated one. `bufferMinutes` (0, 30, 60) is kept free around every held or "
    "confirmed session, no slot starts sooner than `minimumNoticeMinutes` or later than `horizonDays` "
    "after now, and a local day with `maxSessionsPerDay` sessions offers nothing more. Replaces the "
    "whole schedule; answers it as stored.",
    responses=responses(ScheduleOut, 400, 401, 403, 422),
    security=BEARER,
    tags=["Mentor self-service"],
)
def put_schedule(body: ScheduleIn) -> ScheduleOut:
    caller = mentor_caller(router.current_event, "a schedule")
    dates = _override_dates(body)
    draft = schedules.ScheduleDraft(
        timezone=body.timezone,
        weekly=[(row.day, row.start, row.end) for row in body.weekly],
        overrides=[(day, [(i.start, i.end) for i in row.intervals]) for day, row in zip(dates, body.overrides)],
        buffer_minutes=body.buffer_minutes,
        minimum_notice_minutes=body.minimum_notice_minutes,
        horizon_days=body.horizon_days,
        max_sessions_per_day=body.max_sessions_per_day,
    )
    return ScheduleOut.from_schedule(schedules.save_schedule(caller.user_id, draft, clock.now()))


@router.get(
    "/mentors/me/schedule",
    summary="My weekly schedule",
    description="404 `not_found` until a schedule has been set.",
    responses=responses(ScheduleOut, 401, 403, 404),
    security=BEARER,
    tags=["Mentor self-service"],
)
def get_schedule() -> ScheduleOut:
    caller = mentor_caller(router.current_event, "a schedule")
    return ScheduleOut.from_schedule(schedules.schedule_of(caller.user_id))


@router.post(
    "/mentors/me/calendars",
    summary="Connect an external calendar",
    description="A CalDAV calendar (`url` of the calendar or of the account, with `username` and `password`) "
    "or an ICS feed URL. The calendar is read once before the answer: 422 `calendar_unreachable` with the "
    "reason if it cannot be. Only http(s) URLs on public addresses (422 on `body.url` otherwise). Busy "
    "events then block the slots they overlap (transparent and cancelled ones do not; all-day events block "
    "the whole local day); while a calendar cannot be read, the mentor's slots are not offered. The "
    "password is stored encrypted and never returned. At most 5 calendars.",
    responses=responses(CalendarOut, 400, 401, 403, 422, status=201, description="Connected"),
    security=BEARER,
    tags=["Mentor self-service"],
)
def connect_calendar(body: CalendarIn) -> Response[CalendarOut]:
    caller = mentor_caller(router.current_event, "calendars")
    if body.type == "ics" and (body.username or body.password):
        raise ValidationFailed.on("body.password", "an ICS feed takes no credentials: use its secret URL")
    calendar = calendars.connect_calendar(caller.user_id, body.type, body.url, body.username, body.password, clock.now())
    return Response(status_code=201, content_type="application/json", body=CalendarOut.from_calendar(calendar))


@router.get(
    "/mentors/me/calendars",
    summary="My external calendars",
    description="Each with `status` `ok`, or `error` and the reason it cannot be read.",
    responses=responses(CalendarList, 401, 403),
    security=BEARER,
    tags=["Mentor self-service"],
)
def list_calendars() -> CalendarList:
    caller = mentor_caller(router.current_event, "calendars")
    return CalendarList(items=[CalendarOut.from_calendar(c) for c in calendars.calendars_of(caller.user_id)])


@router.delete(
    "/mentors/me/calendars/<calendarId>",
    summary="Disconnect an external calendar",
    responses=responses(None, 401, 403, 404, status=204, description="Removed"),
    security=BEARER,
    tags=["Mentor self-service"],
)
def remove_calendar(calendar_id: Annotated[str, Path(alias="calendarId", min_length=1, max_length=64)]) -> Response[None]:
    caller = mentor_caller(router.current_event, "calendars")
    calendars.remove_calendar(caller.user_id, calendar_id, clock.now())
    return Response(status_code=204)
