"""Mentor profiles: the directory listing (AP2) and profile reads (AP1)."""

from __future__ import annotations

from mentorship.store.binding import ensure_bound
from mentorship.store.models import DIRECTORY_PARTITION, MentorProfile, mentor_pk
from mentorship.store.paging import Page, take_page, to_start_key

DIRECTORY_KEY_FIELDS = ("pk", "sk", "directory_pk", "directory_sk")


def directory_sort_key(name: str, mentor_id: str) -> str:
    """Directory order: name (case-insensitive), then id so equal names keep a stable order."""
    return f"{name.casefold()}#{mentor_id}"


class MentorStore:
    def __init__(self) -> None:
        ensure_bound()

    def directory_page(self, limit: int, start_after: dict[str, str] | None) -> Page[MentorProfile]:
        results = MentorProfile.directory.query(
            DIRECTORY_PARTITION,
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=to_start_key(start_after),
        )
        return take_page(results, limit, DIRECTORY_KEY_FIELDS)

    def get_profile(self, mentor_id: str) -> MentorProfile | None:
        try:
            return MentorProfile.get(mentor_pk(mentor_id), "PROFILE")
        except MentorProfile.DoesNotExist:
            return None

    def save_profile(self, profile: MentorProfile) -> None:
        profile.directory_pk = DIRECTORY_PARTITION
        profile.directory_sk = directory_sort_key(profile.name, profile.mentor_id)
        profile.save()
