"""Public browsing routes: the directory, a mentor's profile, availability and reviews."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from mentors_api.schemas import Availability, MentorCard, MentorDetail, MentorList, ReviewList, ReviewView
from mentorship import clock
from mentorship.api.caching import DIRECTORY_MAX_AGE, NO_STORE, PROFILE_MAX_AGE, REVIEWS_MAX_AGE, public_for
from mentorship.api.caller import caller_zone, viewer_zone_claim
from mentorship.api.cursors import decode_cursor, encode_cursor
from mentorship.api.pagination import Cursor, Limit, TimeZoneName
from mentorship.api.schemas import Instant, Text, responses
from mentorship.domain.commitments import policy_of
from mentorship.domain.directory import DirectoryQuery, DirectorySort, valid_after_key
from mentorship.domain.instants import epoch_seconds
from mentorship.domain.mentors import ExperienceLevel
from mentorship.domain.slots import PROFILE_CALENDAR, AvailabilityFilter, availability_window, check_query_window
from mentorship.domain.search_text import fold, words
from mentorship.errors import NotFound, ValidationFailed
from mentorship.services.directory import read_model
from mentorship.store.mentors import MentorStore
from mentorship.store.models import MentorProfile
from mentorship.store.reviews import REVIEW_KEY_FIELDS, ReviewStore
from mentorship.services import offering

router = APIGatewayHttpRouter()

RECENT_REVIEWS = 10
MentorId = Annotated[str, Path(alias="mentorId", min_length=1, max_length=128)]
# No hourly rate exceeds this (PUT /mentors/me allows 10,000,000); a larger filter value could
# exceed the 38 significant digits a DynamoDB number holds, which the engine refuses.
MAX_RATE_FILTER = 100_000_000


def _zone(tz: str | None):
    return caller_zone(tz, viewer_zone_claim(router.current_event))


def _profile_or_404(mentor_id: str) -> MentorProfile:
    profile = MentorStore().get_profile(mentor_id)
    if profile is None:
        raise NotFound("no mentor with that id")
    return profile


@router.get(
    "/mentors",
    summary="Browse and search mentors",
    description=(
        "Every mentor matching all the given filters, a full page at a time. `q`: every word must start a "
        "word of the name, company, job title, specialties or bio (case and accents ignored). `specialty`: "
        "one of the mentor's specialties, exactly (case ignored). `jobFamily` is a case-insensitive substring "
        "of the job title; `minRate`/`maxRate` are inclusive minor units; `availability` asks for an open slot "
        "until the end of today in the caller's zone (`today`), or within 7 (`week`) or 30 (`month`) days. "
        "`sort`: `relevance` (the default with `q`), `name` (the default otherwise), `rating`, `price`, "
        "`-price`, `availability`; ties by mentorId. `total` counts every match; each facet counts with every "
        "filter but its own. Every page holds `limit` items unless it is the last. A cursor only works with "
        "the query it came from (else 422). Answers carry an ETag (304 on If-None-Match) and may be cached "
        f"for {DIRECTORY_MAX_AGE} s; a change to a profile shows within 60 s."
    ),
    responses=responses(MentorList, 422),
    tags=["Mentors"],
)
def list_mentors(
    q: Annotated[Text | None, Query(min_length=1, max_length=100, description="Free text; every word must match")] = None,
    specialty: Annotated[Text | None, Query(min_length=1, max_length=60)] = None,
    job_family: Annotated[Text | None, Query(alias="jobFamily", min_length=1, max_length=100)] = None,
    min_rate: Annotated[
        int | None, Query(alias="minRate", ge=0, le=MAX_RATE_FILTER, description="Minor units, inclusive")
    ] = None,
    max_rate: Annotated[
        int | None, Query(alias="maxRate", ge=0, le=MAX_RATE_FILTER, description="Minor units, inclusive")
    ] = None,
    experience_level: Annotated[ExperienceLevel | None, Query(alias="experienceLevel")] = None,
    availability: Annotated[AvailabilityFilter | None, Query()] = None,
    sort: Annotated[DirectorySort | None, Query(description="Default: relevance with q, else name")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    tz: TimeZoneName = None,
) -> Response[MentorList]:
    if min_rate is not None and max_rate is not None and min_rate > max_rate:
        raise ValidationFailed.on("query.minRate", "must not be greater than maxRate")
    query_words = tuple(words(q)) if q is not None else ()
    if q is not None and not query_words:
        raise ValidationFailed.on("query.q", "has no letter or digit to search for")
    if specialty is not None and not fold(specialty).strip():
        raise ValidationFailed.on("query.specialty", "must not be blank")
    sort = sort or (DirectorySort.RELEVANCE if q is not None else DirectorySort.NAME)
    _, zone = _zone(tz)
    now = clock.now()
    windows = {choice.value: _epoch_window(availability_window(choice, now, zone)) for choice in AvailabilityFilter}
    scope = "|".join(
        map(str, ("GET /mentors", q, specialty, job_family, min_rate, max_rate, experience_level, availability, sort, tz))
    )
    query = DirectoryQuery(
        words=query_words,
        specialty=fold(specialty).strip() if specialty is not None else None,
        job_family=job_family.casefold() if job_family else None,
        min_rate=min_rate,
        max_rate=max_rate,
        experience_level=experience_level.value if experience_level else None,
        open_between=windows[availability.value] if availability else None,
        facet_windows=windows,
        sort=sort,
        limit=limit,
        after=_after_key(cursor, scope, sort),
    )
    page = read_model().index(now).search(query)
    next_cursor = encode_cursor({"after": json.dumps(page.next_after)}, scope) if page.next_after else None
    body = MentorList.from_page(page, now, next_cursor)
    return Response(200, content_type="application/json", body=body, headers=public_for(DIRECTORY_MAX_AGE))


def _epoch_window(window: tuple[datetime, datetime]) -> tuple[int, int]:
    return epoch_seconds(window[0]), epoch_seconds(window[1])


def _after_key(cursor: str | None, scope: str, sort: DirectorySort) -> tuple | None:
    key = decode_cursor(cursor, scope, ("after",))
    if key is None:
        return None
    try:
        after = valid_after_key(sort, json.loads(key["after"]))
    except ValueError:
        after = None
    if after is None:
        raise ValidationFailed.on("query.cursor", "not a cursor this API issued")
    return after


@router.get(
    "/mentors/<mentorId>",
    summary="A mentor's profile",
    description="Card, bio, specialties, the 10 most recent reviews and the next 30 days of slots "
    "(in the caller's zone; held, booked or started slots have `available: false`).",
    responses=responses(MentorDetail, 404, 422),
    tags=["Mentors"],
)
def get_mentor(mentor_id: MentorId, tz: TimeZoneName = None) -> Response[MentorDetail]:
    zone_name, zone = _zone(tz)
    mentor = offering.read_mentor(mentor_id)
    profile = mentor.profile
    now = clock.now()
    slots = offering.offered_slots(mentor, now, now + PROFILE_CALENDAR, now)
    reviews = ReviewStore().newest(mentor_id, RECENT_REVIEWS).items
    detail = MentorDetail(
        **MentorCard.card_fields(profile, now),
        bio=profile.bio,
        timezone=profile.timezone,
        cancellation_policy=policy_of(profile.cancellation_policy),
        reviews=[ReviewView.from_review(review) for review in reviews],
        availability=Availability.offered(slots, zone_name, zone),
    )
    return Response(200, content_type="application/json", body=detail, headers=public_for(PROFILE_MAX_AGE))


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
) -> Response[Availability]:
    zone_name, zone = _zone(tz)
    now = clock.now()
    start = start or now
    end = end or start + timedelta(days=30)
    check_query_window(start, end)
    mentor = offering.read_mentor(mentor_id)
    slots = Availability.offered(offering.offered_slots(mentor, start, end, now), zone_name, zone)
    return Response(200, content_type="application/json", body=slots, headers=NO_STORE)


@router.get(
    "/mentors/<mentorId>/reviews",
    summary="A mentor's reviews, newest first",
    responses=responses(ReviewList, 404, 422),
    tags=["Mentors"],
)
def list_reviews(
    mentor_id: MentorId, limit: Limit = 20, cursor: Cursor = None
) -> Response[ReviewList]:
    scope = f"GET /mentors/{mentor_id}/reviews"
    start_after = decode_cursor(cursor, scope, REVIEW_KEY_FIELDS)
    _profile_or_404(mentor_id)
    page = ReviewStore().newest(mentor_id, limit, start_after)
    reviews = ReviewList(
        items=[ReviewView.from_review(review) for review in page.items], next_cursor=encode_cursor(page.last_key, scope)
    )
    return Response(200, content_type="application/json", body=reviews, headers=public_for(REVIEWS_MAX_AGE))
