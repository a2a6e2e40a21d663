"""Response shapes of the mentor routes (the OpenAPI document is generated from these)."""

from __future__ import annotations

from pydantic import Field

from mentorship.api.schemas import ApiModel, Money
from mentorship.domain.mentors import ExperienceLevel
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

    @classmethod
    def from_profile(cls, profile: MentorProfile) -> "MentorCard":
        review_count = int(profile.review_count)
        return cls(
            mentor_id=profile.mentor_id,
            name=profile.name,
            avatar_url=profile.avatar_url,
            company=profile.company,
            job_title=profile.job_title,
            years_of_experience=int(profile.years_of_experience),
            experience_level=ExperienceLevel(profile.experience_level),
            hourly_rate=Money(amount=int(profile.hourly_rate), currency=profile.currency),
            average_rating=round(float(profile.rating_total) / review_count, 2) if review_count else None,
            review_count=review_count,
            total_sessions=int(profile.total_sessions),
        )


class MentorList(ApiModel):
    items: list[MentorCard]
    count: int = Field(description="Number of items in this page")
    next_cursor: str | None
