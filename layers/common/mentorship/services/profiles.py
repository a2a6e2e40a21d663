"""Mentor profiles: building one from what a mentor states about themself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mentorship.domain.commitments import DEFAULT_POLICY, CancellationPolicy
from mentorship.domain.instants import resolve_zone
from mentorship.domain.mentors import experience_level
from mentorship.store.mentors import profile_item
from mentorship.store.models import MentorProfile


@dataclass(frozen=True)
class ProfileFacts:
    """What a mentor says about themself; everything else on a profile is the server's."""

    company: str
    job_title: str
    bio: str
    years_of_experience: int
    hourly_rate: int  # minor units
    timezone: str
    specialties: list[str] = field(default_factory=list)
    avatar_url: str | None = None
    video_provider: str = "generated"
    manual_meeting_url: str | None = None
    currency: str = "USD"
    cancellation_policy: str = DEFAULT_POLICY.value


def build_profile(mentor_id: str, name: str, email: str | None, facts: ProfileFacts, now: datetime) -> MentorProfile:
    """A new profile item; the derived fields (level, policy) come from the facts."""
    resolve_zone(facts.timezone)  # refuse an unknown zone before anything is stored
    return profile_item(
        mentor_id,
        name,
        email,
        avatar_url=facts.avatar_url,
        company=facts.company,
        job_title=facts.job_title,
        bio=facts.bio,
        specialties=facts.specialties,
        years_of_experience=facts.years_of_experience,
        experience_level=experience_level(facts.years_of_experience).value,
        hourly_rate=facts.hourly_rate,
        currency=facts.currency,
        timezone=facts.timezone,
        video_provider=facts.video_provider,
        manual_meeting_url=facts.manual_meeting_url,
        cancellation_policy=CancellationPolicy(facts.cancellation_policy).value,
        now=now,
    )
