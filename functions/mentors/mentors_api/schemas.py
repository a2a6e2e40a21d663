"""Request and response shapes of the mentor routes (the OpenAPI document is generated from these)."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field

from mentorship.api.schemas import ApiModel, EnumValue, Instant, Money, RequestModel, ReviewView, Text, ZoneName
from mentorship.domain.commitments import DEFAULT_POLICY, CancellationPolicy, policy_of
from mentorship.domain.directory import DirectoryCard, DirectoryPage
from mentorship.domain.instants import format_local, format_utc, from_epoch_seconds
from mentorship.domain.mentors import ExperienceLevel
from mentorship.domain.slots import SlotState
from mentorship.store.directory import card_from_profile
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
    specialties: list[str]
    next_available: str | None = Field(
        description="Start of the earliest open, unheld slot (UTC), null when none is published"
    )

    @staticmethod
    def card_fields(profile: MentorProfile, now: datetime) -> dict:
        """The card's fields of a stored profile (as the directory shows it), for the views that
        extend the card."""
        return dict(MentorCard.from_card(card_from_profile(profile), now))

    @classmethod
    def from_card(cls, card: DirectoryCard, now: datetime) -> "MentorCard":
        next_open = card.next_open_at
        return cls(
            mentor_id=card.mentor_id,
            name=card.name,
            avatar_url=card.avatar_url,
            company=card.company,
            job_title=card.job_title,
            years_of_experience=card.years_of_experience,
            experience_level=ExperienceLevel(card.experience_level),
            hourly_rate=Money(amount=card.hourly_rate, currency=card.currency),
            average_rating=card.average_rating,
            review_count=card.review_count,
            total_sessions=card.total_sessions,
            specialties=list(card.specialties),
            next_available=format_utc(from_epoch_seconds(next_open)) if next_open and next_open > now.timestamp() else None,
        )


class LevelCounts(ApiModel):
    junior: int
    mid: int
    senior: int
    staff: int


class AvailabilityCounts(ApiModel):
    today: int
    week: int
    month: int


class Facets(ApiModel):
    experience_level: LevelCounts = Field(description="Matches per level, with every filter but experienceLevel")
    availability: AvailabilityCounts = Field(description="Matches per availability choice, with every filter but availability")


class MentorList(ApiModel):
    items: list[MentorCard]
    count: int = Field(description="Number of items in this page")
    total: int = Field(description="Number of mentors matching the query, over every page")
    facets: Facets
    next_cursor: str | None

    @classmethod
    def from_page(cls, page: DirectoryPage, now: datetime, next_cursor: str | None) -> "MentorList":
        cards = [MentorCard.from_card(card, now) for card in page.cards]
        return cls(
            items=cards,
            count=len(cards),
            total=page.total,
            facets=Facets(
                experience_level=LevelCounts(**page.level_facets),
                availability=AvailabilityCounts(**page.availability_facets),
            ),
            next_cursor=next_cursor,
        )


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


POLICY_NOTE = (
    "Refunds when the mentee cancels: `flexible` full >= 2 h before the start; `moderate` full >= 24 h, "
    "half 2-24 h; `strict` full >= 72 h, half 24-72 h; otherwise nothing. A mentor's cancel refunds in full."
)


class MentorDetail(MentorCard):
    bio: str
    timezone: str = Field(description="The mentor's own zone")
    cancellation_policy: Annotated[CancellationPolicy, EnumValue] = Field(description=POLICY_NOTE)
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
    cancellation_policy: Annotated[CancellationPolicy, EnumValue] = Field(
        default=DEFAULT_POLICY, description=POLICY_NOTE + " Bookings keep the policy they were made under."
    )

class MentorProfileOut(MentorCard):
    bio: str
    timezone: str
    video_provider: VideoProvider
    manual_meeting_url: str | None
    cancellation_policy: CancellationPolicy

    @classmethod
    def from_profile(cls, profile: MentorProfile, now: datetime) -> "MentorProfileOut":
        return cls(
            **MentorCard.card_fields(profile, now),
            bio=profile.bio,
            timezone=profile.timezone,
            video_provider=VideoProvider(profile.video_provider),
            manual_meeting_url=profile.manual_meeting_url,
            cancellation_policy=policy_of(profile.cancellation_policy),
        )


class AvailabilityWindowIn(RequestModel):
    start: Instant
    end: Instant
