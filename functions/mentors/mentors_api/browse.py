"""Public browsing routes: the directory, a mentor's profile, availability and reviews."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from mentors_api.schemas import Availability, MentorCard, MentorDetail, MentorList, Review, ReviewList
from mentorship import clock
from mentorship.api.caller import caller_zone, viewer_zone_claim
from mentorship.api.cursors import decode_cursor, encode_cursor
from mentorship.api.pagination import Cursor, Limit, TimeZoneName
from mentorship.api.schemas import Instant, responses
from mentorship.domain.mentors import ExperienceLevel
from mentorship.domain.slots import PROFILE_CALENDAR, AvailabilityFilter, availability_window, check_query_window
from mentorship.errors import NotFound, ValidationFailed
from mentorship.store.mentors import DIRECTORY_KEY_FIELDS, DirectoryFilter, MentorStore
from mentorship.store.models import MentorProfile
from mentorship.store.reviews import REVIEW_KEY_FIELDS, ReviewStore
from mentorship.services import offering

router = APIGatewayHttpRouter()

RECENT_REVIEWS = 10
MentorId = Annotated[str, Path(alias="mentorId", min_length=1, max_length=128)]
Rate = Annotated[int | None, Query(ge=0, le=100_000_000, description="Minor units, inclusive")]


def _zone(tz: str | None):
    return caller_zone(tz, viewer_zone_claim(router.current_event))


def _profile_or_404(mentor_id: str) -> MentorProfile:
    profile = MentorStore().get_profile(mentor_id)
    if profile is None:
        raise NotFound("no mentor with that id")
    return profile


@router.get(
    "/mentors",
    summary="Browse mentors",
    description=(
        "Mentors ordered by name (case-insensitive), then id. Filters combine with AND: `jobFamily` is a "
        "case-insensitive substring of the job title; `minRate`/`maxRate` are inclusive minor units; "
        "`availability` asks for at least one open slot until the end of today in the caller's zone "
        "(`today`), or within 7 (`week`) or 30 (`month`) days. A page may hold fewer than `limit` items "
        "when filters skip many mentors; follow `nextCursor` until it is null. A cursor only works with "
        "the filters it came from (else 422)."
    ),
    responses=responses(MentorList, 422),
    tags=["Mentors"],
)
def list_mentors(
    job_family: Annotated[str | None, Query(alias="jobFamily", min_length=1, max_length=100)] = None,
    min_rate: Annotated[int | None, Query(alias="minRate", ge=0, description="Minor units, inclusive")] = None,
    max_rate: Annotated[int | None, Query(alias="maxRate", ge=0, description="Minor units, inclusive")] = None,
    experience_level: Annotated[ExperienceLevel | None, Query(alias="experienceLevel")] = None,
    availability: Annotated[AvailabilityFilter | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    tz: TimeZoneName = None,
) -> MentorList:
    if min_rate is not None and max_rate is not None and min_rate > max_rate:
        raise ValidationFailed.on("query.minRate", "must not be greater than maxRate")
    _, zone = _zone(tz)
    now = clock.now()
    filters = DirectoryFilter(
        job_family=job_family,
        min_rate=min_rate,
        max_rate=max_rate,
        experience_level=experience_level.value if experience_level else None,
        open_between=availability_window(availability, now, zone) if availability else None,
    )
    scope = f"GET /mentors|{job_family}|{min_rate}|{max_rate}|{experience_level}|{availability}|{tz}"
    page = MentorStore().directory_page(limit, decode_cursor(cursor, scope, DIRECTORY_KEY_FIELDS), filters)
    cards = [MentorCard.from_profile(profile) for profile in page.items]
    return MentorList(items=cards, count=len(cards), next_cursor=encode_cursor(page.last_key, scope))


@router.get(
    "/mentors/<mentorId>",
    summary="A mentor's profile",
    description="Card, bio, specialties, the 10 most recent reviews and the next 30 days of slots "
    "(in the caller's zone; held, booked or started slots have `available: false`).",
    responses=responses(MentorDetail, 404, 422),
    tags=["Mentors"],
)
def get_mentor(mentor_id: MentorId, tz: TimeZoneName = None) -> MentorDetail:
    zone_name, zone = _zone(tz)
    mentor = offering.read_mentor(mentor_id)
    profile = mentor.profile
    now = clock.now()
    slots = offering.offered_slots(mentor, now, now + PROFILE_CALENDAR, now)
    reviews = ReviewStore().newest(mentor_id, RECENT_REVIEWS).items
    return MentorDetail(
        **MentorCard.card_fields(profile),
        bio=profile.bio,
        specialties=list(profile.specialties or []),
        timezone=profile.timezone,
        reviews=[Review.from_item(review) for review in reviews],
        availability=Availability.offered(slots, zone_name, zone),
    )


@router.get(
    "/mentors/<mentorId>/availability",
    summary="A mentor's slots in a range",
    description="Slots starting in [from, to), at most 31 days; `from` defaults to now and `to` to "
    "`from` + 30 days. Times without an offset are a 422.",
    responses=responses(Availability, 404, 422),
    tags=["Mentors"],
)
def get_availability(
    mentor_id: MentorId,
    start: Annotated[Instant | None, Query(alias="from")] = None,
    end: Annotated[Instant | None, Query(alias="to")] = None,
    tz: TimeZoneName = None,
) -> Availability:
    zone_name, zone = _zone(tz)
    now = clock.now()
    start = start or now
    end = end or start + timedelta(days=30)
    check_query_window(start, end)
    mentor = offering.read_mentor(mentor_id)
    return Availability.offered(offering.offered_slots(mentor, start, end, now), zone_name, zone)


@router.get(
    "/mentors/<mentorId>/reviews",
    summary="A mentor's reviews, newest first",
    responses=responses(ReviewList, 404, 422),
    tags=["Mentors"],
)
def list_reviews(
    mentor_id: MentorId, limit: Limit = 20, cursor: Cursor = None
) -> ReviewList:
    scope = f"GET /mentors/{mentor_id}/reviews"
    start_after = decode_cursor(cursor, scope, REVIEW_KEY_FIELDS)
    _profile_or_404(mentor_id)
    page = ReviewStore().newest(mentor_id, limit, start_after)
    return ReviewList(
        items=[Review.from_item(review) for review in page.items], next_cursor=encode_cursor(page.last_key, scope)
    )
