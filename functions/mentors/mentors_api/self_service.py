"""Mentor self-service: the caller's own profile and availability (authenticated)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from mentors_api.access import mentor_caller
from mentors_api.schemas import Availability, AvailabilityWindowIn, MentorProfileOut, ProfileIn, VideoProvider
from mentorship import clock
from mentorship.api.caller import Caller, caller_zone, require_caller
from mentorship.api.pagination import TimeZoneName
from mentorship.api.resolver import BEARER
from mentorship.api.schemas import responses
from mentorship.domain.instants import InvalidInstant, parse_instant
from mentorship.errors import NotFound, ValidationFailed
from mentorship.services import availability
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.store.mentors import MentorStore

router = APIGatewayHttpRouter()


def _mentor_caller() -> Caller:
    return mentor_caller(router.current_event, "availability")


@router.get(
    "/mentors/me",
    summary="My mentor profile",
    description="The caller's own profile with the settings only its owner sees (video provider, own "
    "meeting URL). 404 before the first PUT /mentors/me.",
    responses=responses(MentorProfileOut, 401, 404),
    security=BEARER,
    tags=["Mentor self-service"],
)
def get_profile() -> MentorProfileOut:
    caller = require_caller(router.current_event)
    profile = MentorStore().get_profile(caller.user_id)
    if profile is None:
        raise NotFound("you have no mentor profile yet: create it with PUT /mentors/me")
    return MentorProfileOut.from_profile(profile, clock.now())


@router.put(
    "/mentors/me",
    summary="Create or update my mentor profile",
    description="`mentorId` is the caller's `sub` and `name` comes from the token. Ratings, review and "
    "session counts are the server's and cannot be set.",
    responses=responses(MentorProfileOut, 400, 401, 422),
    security=BEARER,
    tags=["Mentor self-service"],
)
def put_profile(body: ProfileIn) -> MentorProfileOut:
    caller = require_caller(router.current_event)
    if body.video_provider is VideoProvider.MANUAL and not body.manual_meeting_url:
        raise ValidationFailed.on("body.manualMeetingUrl", "required when videoProvider is manual")
    facts = ProfileFacts(
        company=body.company.strip(),
        job_title=body.job_title.strip(),
        bio=body.bio.strip(),
        specialties=[specialty.strip() for specialty in body.specialties],
        years_of_experience=body.years_of_experience,
        hourly_rate=body.hourly_rate.amount,
        currency=body.hourly_rate.currency,
        timezone=body.timezone,
        avatar_url=body.avatar_url,
        video_provider=body.video_provider.value,
        manual_meeting_url=body.manual_meeting_url,
        cancellation_policy=body.cancellation_policy.value,
    )
    now = clock.now()
    profile = build_profile(caller.user_id, caller.name, caller.email, facts, now)
    return MentorProfileOut.from_profile(MentorStore().save_profile(profile), now)


@router.post(
    "/mentors/me/availability",
    summary="Publish availability",
    description="Cuts [start, end) into 30-minute slots. Both ends on :00/:30, in the future, at most "
    "90 days ahead and 14 days long. Slots that exist already are kept as they are. Answers every "
    "slot of the window, in the caller's zone.",
    responses=responses(Availability, 400, 401, 403, 422, status=201, description="Created"),
    security=BEARER,
    tags=["Mentor self-service"],
)
def publish_availability(body: AvailabilityWindowIn, tz: TimeZoneName = None) -> Response[Availability]:
    caller = _mentor_caller()
    zone_name, zone = caller_zone(tz, caller)
    now = clock.now()
    states = availability.publish_window(caller.user_id, body.start, body.end, now)
    result = Availability.build(states, zone_name, zone, now)
    return Response(status_code=201, content_type="application/json", body=result)


@router.delete(
    "/mentors/me/availability/<start>",
    summary="Remove an open slot",
    description="`start` is the slot's start (RFC 3339 with offset, URL-encoded). 409 if it is held or booked.",
    responses=responses(None, 401, 403, 404, 409, 422, status=204, description="Removed"),
    security=BEARER,
    tags=["Mentor self-service"],
)
def remove_slot(start: Annotated[str, Path(max_length=64)]) -> Response[None]:
    caller = _mentor_caller()
    try:
        slot_start = parse_instant(start)
    except InvalidInstant as error:
        raise ValidationFailed.on("path.start", str(error)) from None
    availability.remove_slot(caller.user_id, slot_start, clock.now())
    return Response(status_code=204)
