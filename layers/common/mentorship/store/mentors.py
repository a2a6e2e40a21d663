"""Mentor profiles: reads and writes (AP1), their place in the Directory index (AP2, read only to
build the directory's first snapshot), and the denormalized next open slot the directory's
availability filter and order read. Every write that changes what the directory shows marks the
profile in DirectoryChanges (store/directory.py)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError, UpdateError

from mentorship.store.binding import ensure_bound
from mentorship.store.directory import change_actions, mark_changed
from mentorship.store.due_work import due_actions, done_actions
from mentorship.store.models import DIRECTORY_PARTITION, MentorProfile, mentor_pk

PROFILE_SK = "PROFILE"
# Attributes only the server writes: a profile update from the mentor never touches them.
SERVER_OWNED = (
    "rating_total", "review_count", "total_sessions", "created_at", "next_open_at", "next_open_checked_at", "change_seq"
)


def profile_item(
    mentor_id: str,
    name: str,
    email: str | None,
    *,
    avatar_url: str | None,
    company: str,
    job_title: str,
    bio: str,
    specialties: list[str],
    years_of_experience: int,
    experience_level: str,
    hourly_rate: int,
    currency: str,
    timezone: str,
    video_provider: str,
    manual_meeting_url: str | None,
    cancellation_policy: str,
    now: datetime,
) -> MentorProfile:
    """A mentor's profile item, created and updated `now` (its directory place and change mark
    are `save_profile`'s); the job title is also kept case-folded for the directory's search."""
    return MentorProfile(
        pk=mentor_pk(mentor_id),
        sk=PROFILE_SK,
        mentor_id=mentor_id,
        name=name,
        email=email,
        avatar_url=avatar_url,
        company=company,
        job_title=job_title,
        job_title_folded=job_title.casefold(),
        bio=bio,
        specialties=list(specialties),
        years_of_experience=years_of_experience,
        experience_level=experience_level,
        hourly_rate=hourly_rate,
        currency=currency,
        timezone=timezone,
        video_provider=video_provider,
        manual_meeting_url=manual_meeting_url,
        cancellation_policy=cancellation_policy,
        created_at=now,
        updated_at=now,
    )


def directory_sort_key(name: str, mentor_id: str) -> str:
    """Directory order: name (case-insensitive), then id so equal names keep a stable order."""
    return f"{name.casefold()}#{mentor_id}"


class MentorStore:
    def __init__(self) -> None:
        ensure_bound()

    def get_profile(self, mentor_id: str, consistent: bool = False) -> MentorProfile | None:
        try:
            return MentorProfile.get(mentor_pk(mentor_id), PROFILE_SK, consistent_read=consistent)
        except MentorProfile.DoesNotExist:
            return None

    def save_profile(self, profile: MentorProfile) -> MentorProfile:
        """Create the profile, or update what the mentor owns on an existing one; the server's
        attributes (ratings, sessions, next open slot, creation time) are never overwritten."""
        profile.directory_pk = DIRECTORY_PARTITION
        profile.directory_sk = directory_sort_key(profile.name, profile.mentor_id)
        mark_changed(profile, profile.updated_at)
        profile.change_seq = 1
        try:
            profile.save(condition=MentorProfile.pk.does_not_exist())
            return profile
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
        owned = [
            name
            for name, attribute in MentorProfile.get_attributes().items()
            if name not in SERVER_OWNED and name not in ("pk", "sk", "kind") and not attribute.is_hash_key
        ]
        actions = []
        for name in owned:
            value = getattr(profile, name)
            attribute = getattr(MentorProfile, name)
            actions.append(attribute.remove() if value is None else attribute.set(value))
        actions.append(MentorProfile.change_seq.add(1))
        profile.update(actions=actions, condition=MentorProfile.pk.exists())
        return profile

    def record_next_open(self, mentor_id: str, start: datetime | None, recheck_at: datetime | None, checked_at: datetime) -> None:
        """Store a freshly computed next open slot unless a newer computation got there first;
        schedule a recheck through DueWork when the answer may change by itself."""
        actions = [
            MentorProfile.next_open_checked_at.set(checked_at),
            MentorProfile.next_open_at.set(start) if start else MentorProfile.next_open_at.remove(),
            *change_actions(mentor_id, checked_at),
        ]
        profile = MentorProfile(pk=mentor_pk(mentor_id), sk=PROFILE_SK)
        actions += due_actions(profile, recheck_at) if recheck_at is not None else done_actions()
        condition = MentorProfile.pk.exists() & (
            MentorProfile.next_open_checked_at.does_not_exist() | (MentorProfile.next_open_checked_at <= checked_at)
        )
        try:
            profile.update(actions=actions, condition=condition)
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
