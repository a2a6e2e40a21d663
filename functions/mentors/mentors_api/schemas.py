"""Request and response shapes of the mentor routes (the OpenAPI document is generated from these)."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field

from mentorship.api.schemas import ApiModel, EnumValue, Instant, Money, RequestModel, ReviewView, Text, ZoneName
from mentorship.domain.instants import format_local, format_utc
from mentorship.domain.mentors import ExperienceLevel
from mentorship.domain.slots import SlotState
from mentorship.store.models import MentorProfile


class MentorCard(ApiModel):
    mentor_id: str
    name: str
    avatar_url: str | None
    company: str
    job_title: str
    years_of_experience: int = Field(ge=0)
    experience_level: ExperienceLevel
    hourly_rate: Money
    average_rating: float | None = Field(description="Mean of all ratings, null before the first review")
    review_count: int
    total_sessions: int

    @staticmethod
    def card_fields(profile: MentorProfile) -> dict:
        review_count = int(profile.review_count)
        return {
            "mentor_id": profile.mentor_id,
            "name": profile.name,
            "avatar_url": profile.avatar_url,
            "company": profile.company,
            "job_title": profile.job_title,
            "years_of_experience": int(profile.years_of_experience),
            "experience_level": ExperienceLevel(profile.experience_level),
            "hourly_rate": Money(amount=int(profile.hourly_rate), currency=profile.currency),
            "average_rating": round(float(profile.rating_total) / review_count, 2) if review_count else None,
            "review_count": review_count,
            "total_sessions": int(profile.total_sessions),
        }

    @classmethod
    def from_profile(cls, profile: MentorProfile) -> "MentorCard":
        return cls(**cls.card_fields(profile))


class MentorList(ApiModel):
    items: list[MentorCard]
    count: int = Field(description="Number of items in this page")
    next_cursor: str | None


class Slot(ApiModel):
    start: str = Field(description="UTC, RFC 3339 with Z")
    end: str
    local_start: str = Field(description="`start` in the response's `timezone`, with its offset")
    local_end: str
    available: bool = Field(description="false when held, booked or already started")

    @classmethod
    def from_state(cls, state: SlotState, zone: ZoneInfo, now: datetime) -> "Slot":
        return cls(
            start=format_utc(state.start),
            end=format_utc(state.end),
            local_start=format_local(state.start, zone),
            local_end=format_local(state.end, zone),
            available=state.is_open(now),
        )


class Availability(ApiModel):
    timezone: str = Field(description="The zone of localStart/localEnd (the caller's)")
    slots: list[Slot]

    @classmethod
    def build(cls, states: list[SlotState], zone_name: str, zone: ZoneInfo, now: datetime) -> "Availability":
        return cls(timezone=zone_name, slots=[Slot.from_state(state, zone, now) for state in states])


class ReviewList(ApiModel):
    items: list[ReviewView]
    next_cursor: str | None


class MentorDetail(MentorCard):
    bio: str
    specialties: list[str]
    timezone: str = Field(description="The mentor's own zone")
    reviews: list[ReviewView] = Field(description="The 10 most recent, newest first")
    availability: Availability = Field(description="The next 30 days, in the caller's zone")


class VideoProvider(StrEnum):
    GENERATED = "generated"
    MANUAL = "manual"


HttpsUrl = Annotated[str, Field(max_length=2048, pattern=r"^https://[^\s\x00-\x1f\x7f-\x9f]+$")]
ShortText = Annotated[Text, Field(min_length=1, max_length=120)]


class RateIn(RequestModel):
    amount: Annotated[int, Field(ge=100, le=10_000_000, description="Hourly rate in minor units")]
    currency: Annotated[str, Field(pattern="^USD$")] = "USD"


class ProfileIn(RequestModel):
    company: ShortText
    job_title: ShortText
    bio: Annotated[Text, Field(min_length=1, max_length=5000)]
    specialties: Annotated[list[Annotated[Text, Field(min_length=1, max_length=60)]], Field(max_length=20)]
    years_of_experience: Annotated[int, Field(ge=0, le=70)]
    hourly_rate: RateIn
    timezone: ZoneName
    avatar_url: HttpsUrl | None = None
    video_provider: Annotated[VideoProvider, EnumValue] = VideoProvider.GENERATED
    manual_meeting_url: HttpsUrl | None = None

class MentorProfileOut(MentorCard):
    bio: str
    specialties: list[str]
    timezone: str
    video_provider: VideoProvider
    manual_meeting_url: str | None

    @classmethod
    def from_profile(cls, profile: MentorProfile) -> "MentorProfileOut":
        return cls(
            **MentorCard.card_fields(profile),
            bio=profile.bio,
            specialties=list(profile.specialties or []),
            timezone=profile.timezone,
            video_provider=VideoProvider(profile.video_provider),
            manual_meeting_url=profile.manual_meeting_url,
        )


class AvailabilityWindowIn(RequestModel):
    start: Instant
    end: Instant
