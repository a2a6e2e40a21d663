"""Mentor profiles: the directory listing (AP2), profile reads and writes (AP1), and the
denormalized next open slot the availability filter reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import PutError, UpdateError

from mentorship.domain.instants import format_utc_precise
from mentorship.store.binding import ensure_bound
from mentorship.store.due_work import due_shard_for
from mentorship.store.models import DIRECTORY_PARTITION, MentorProfile, mentor_pk
from mentorship.store.paging import Page, starting_after, to_start_key

DIRECTORY_KEY_FIELDS = ("pk", "sk", "directory_pk", "directory_sk")
PROFILE_SK = "PROFILE"
# A filtered page stops after evaluating this many index items, returning what it found and a
# cursor to go on from there, so one request's cost stays bounded however selective the filter.
MAX_EVALUATED_PER_PAGE = 500
# Attributes only the server writes: a profile update from the mentor never touches them.
SERVER_OWNED = ("rating_total", "review_count", "total_sessions", "created_at", "next_open_at", "next_open_checked_at")


def directory_sort_key(name: str, mentor_id: str) -> str:
    """Directory order: name (case-insensitive), then id so equal names keep a stable order."""
    return f"{name.casefold()}#{mentor_id}"


@dataclass(frozen=True)
class DirectoryFilter:
    job_family: str | None = None  # case-insensitive substring of the job title
    min_rate: int | None = None  # minor units, inclusive
    max_rate: int | None = None
    experience_level: str | None = None
    open_between: tuple[datetime, datetime] | None = None  # an open slot starts in [from, to)

    def condition(self):
        parts = []
        if self.job_family:
            parts.append(MentorProfile.job_title_folded.contains(self.job_family.casefold()))
        if self.min_rate is not None:
            parts.append(MentorProfile.hourly_rate >= self.min_rate)
        if self.max_rate is not None:
            parts.append(MentorProfile.hourly_rate <= self.max_rate)
        if self.experience_level:
            parts.append(MentorProfile.experience_level == self.experience_level)
        if self.open_between:
            start, end = self.open_between
            parts.append((MentorProfile.next_open_at >= start) & (MentorProfile.next_open_at < end))
        condition = None
        for part in parts:
            condition = part if condition is None else condition & part
        return condition


class MentorStore:
    def __init__(self) -> None:
        ensure_bound()

    def directory_page(
        self, limit: int, start_after: dict[str, str] | None, filters: DirectoryFilter = DirectoryFilter()
    ) -> Page[MentorProfile]:
        """One page of the directory. Each request asks for no more items than the page can still
        use, so a page reads what it returns plus what the filters skip on the way (at most
        MAX_EVALUATED_PER_PAGE), and one extra match tells whether another page follows."""
        connection = MentorProfile._get_connection()
        condition = filters.condition()
        matches: list[MentorProfile] = []
        exclusive_start = to_start_key(start_after)
        evaluated = 0
        while True:
            batch = min(limit + 1 - len(matches), MAX_EVALUATED_PER_PAGE - evaluated)
            with starting_after(start_after):
                response = connection.query(
                    DIRECTORY_PARTITION,
                    index_name=MentorProfile.directory.Meta.index_name,
                    filter_condition=condition,
                    exclusive_start_key=exclusive_start,
                    limit=batch,
                )
            evaluated += response.get("ScannedCount", 0)
            matches += [MentorProfile.from_raw_data(raw) for raw in response.get("Items", [])]
            exclusive_start = response.get("LastEvaluatedKey")
            if len(matches) > limit:
                last = matches[limit - 1]
                return Page(matches[:limit], {field: getattr(last, field) for field in DIRECTORY_KEY_FIELDS})
            if exclusive_start is None:
                return Page(matches, None)
            if evaluated >= MAX_EVALUATED_PER_PAGE:
                return Page(matches, {name: value["S"] for name, value in exclusive_start.items()})

    def get_profile(self, mentor_id: str) -> MentorProfile | None:
        try:
            return MentorProfile.get(mentor_pk(mentor_id), PROFILE_SK)
        except MentorProfile.DoesNotExist:
            return None

    def save_profile(self, profile: MentorProfile) -> MentorProfile:
        """Create the profile, or update what the mentor owns on an existing one; the server's
        attributes (ratings, sessions, next open slot, creation time) are never overwritten."""
        profile.directory_pk = DIRECTORY_PARTITION
        profile.directory_sk = directory_sort_key(profile.name, profile.mentor_id)
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
        profile.update(actions=actions, condition=MentorProfile.pk.exists())
        return profile

    def record_next_open(self, mentor_id: str, start: datetime | None, recheck_at: datetime | None, checked_at: datetime) -> None:
        """Store a freshly computed next open slot unless a newer computation got there first;
        schedule a recheck through DueWork when the answer may change by itself."""
        actions = [
            MentorProfile.next_open_checked_at.set(checked_at),
            MentorProfile.next_open_at.set(start) if start else MentorProfile.next_open_at.remove(),
        ]
        if recheck_at is not None:
            actions += [
                MentorProfile.due_shard.set(due_shard_for(mentor_pk(mentor_id))),
                MentorProfile.due_at.set(format_utc_precise(recheck_at)),
            ]
        else:
            actions += [MentorProfile.due_shard.remove(), MentorProfile.due_at.remove()]
        condition = MentorProfile.pk.exists() & (
            MentorProfile.next_open_checked_at.does_not_exist() | (MentorProfile.next_open_checked_at <= checked_at)
        )
        try:
            MentorProfile(pk=mentor_pk(mentor_id), sk=PROFILE_SK).update(actions=actions, condition=condition)
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
