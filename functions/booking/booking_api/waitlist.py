"""The waitlist: `POST /mentors/{mentorId}/waitlist`, `GET /me/waitlist`, `DELETE /me/waitlist/{waitlistId}`
(the caller's own entries only; anyone else's is a 404)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import Field

from mentorship import clock
from mentorship.api.caller import caller_zone, require_caller
from mentorship.api.pagination import TimeZoneName
from mentorship.api.resolver import BEARER
from mentorship.api.schemas import ApiModel, Instant, JsonInteger, RequestModel, Text, responses
from mentorship.domain.calendar import Party
from mentorship.domain.instants import format_local, format_utc
from mentorship.services import waitlist
from mentorship.store.models import WaitlistEntry

router = APIGatewayHttpRouter()

MentorId = Annotated[str, Path(alias="mentorId", min_length=1, max_length=128)]
WaitlistId = Annotated[str, Path(alias="waitlistId", min_length=1, max_length=64)]


class WaitlistIn(RequestModel):
    from_: Instant = Field(alias="from", description="Earliest start you would take (in the future)")
    to: Instant = Field(description="The session must end by then; at most 14 days after `from`")
    duration_minutes: Annotated[Literal[30, 60, 90], JsonInteger]
    topic: Annotated[Text, Field(max_length=5000, description="10-1,000 characters after trimming")]


class Waitlist(ApiModel):
    waitlist_id: str
    mentor_id: str
    from_: str = Field(alias="from")
    to: str
    local_from: str
    local_to: str
    timezone: str
    duration_minutes: int
    topic: str
    status: Literal["waiting", "offered", "expired"] = Field(
        description="`offered`: a hold was made for you (`bookingId`; confirm it as any other, within its "
        "`holdExpiresAt`); it stays `offered` once paid. `expired`: the offer lapsed or was released, or "
        "the window passed"
    )
    booking_id: str | None = Field(description="The offer's booking, once offered")
    created_at: str

    @classmethod
    def from_item(cls, item: WaitlistEntry, zone_name: str, zone, now) -> "Waitlist":
        return cls(
            waitlist_id=item.waitlist_id,
            mentor_id=item.mentor_id,
            from_=format_utc(item.window_from),
            to=format_utc(item.window_to),
            local_from=format_local(item.window_from, zone),
            local_to=format_local(item.window_to, zone),
            timezone=zone_name,
            duration_minutes=int(item.duration_minutes),
            topic=item.topic,
            status=waitlist.status_of(item, now).value,
            booking_id=item.booking_id,
            created_at=format_utc(item.created_at),
        )


class WaitlistList(ApiModel):
    items: list[Waitlist]


@router.post(
    "/mentors/<mentorId>/waitlist",
    summary="Wait for a mentor's time",
    description="Wait for a session of `durationMinutes` anywhere in [`from`, `to`) (in the future, at most "
    "14 days). When such time opens (a cancel, a hold that ends, new availability, a schedule change), the "
    "earliest waiting entry is offered it: a hold made for you on the earliest start, for 30 minutes, with "
    "a `waitlist_offer` inbox entry and an email; pay as for any hold. An offer counts among your 3 holds "
    "(with 3, you are skipped that time). At most 5 waiting entries: 429 `too_many_waitlist_entries`. "
    "Unknown mentor: 404; your own time: 422.",
    responses=responses(Waitlist, 400, 401, 404, 422, 429, status=201, description="Waiting"),
    security=BEARER,
    tags=["Waitlist"],
)
def join_waitlist(mentor_id: MentorId, body: WaitlistIn, tz: TimeZoneName = None) -> Response[Waitlist]:
    caller = require_caller(router.current_event)
    zone_name, zone = caller_zone(tz, caller)
    now = clock.now()
    mentee = Party(caller.user_id, caller.name, caller.email, zone_name)
    entry = waitlist.join_waitlist(mentee, mentor_id, body.from_, body.to, body.duration_minutes, body.topic, now)
    return Response(status_code=201, content_type="application/json", body=Waitlist.from_item(entry, zone_name, zone, now))


@router.get(
    "/me/waitlist",
    summary="My waitlist",
    description="Every entry, newest first: waiting, offered (with `bookingId`) and expired ones "
    "(kept 30 days after their window).",
    responses=responses(WaitlistList, 401, 422),
    security=BEARER,
    tags=["Waitlist"],
)
def list_my_waitlist(tz: TimeZoneName = None) -> WaitlistList:
    caller = require_caller(router.current_event)
    zone_name, zone = caller_zone(tz, caller)
    now = clock.now()
    return WaitlistList(items=[Waitlist.from_item(item, zone_name, zone, now) for item in waitlist.waitlist_of(caller.user_id)])


@router.delete(
    "/me/waitlist/<waitlistId>",
    summary="Leave a waitlist",
    description="The entry is gone; an offer already made stays a hold you may pay for or release.",
    responses=responses(None, 401, 404, status=204, description="Removed"),
    security=BEARER,
    tags=["Waitlist"],
)
def leave_waitlist(waitlist_id: WaitlistId) -> Response[None]:
    caller = require_caller(router.current_event)
    waitlist.leave_waitlist(caller.user_id, waitlist_id)
    return Response(status_code=204)
