"""Slots: mentors publish 30-minute slots on :00/:30; a booking needs 1-3 consecutive ones.

A slot is open at `now` when it starts after `now`, nobody booked it, and any hold on it has
expired. Holds are only ever compared with `now`; whether TTL has deleted an expired hold's
record yet makes no difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from mentorship.domain.instants import SLOT, SLOT_MINUTES, is_slot_aligned, require_utc
from mentorship.errors import FieldIssue, ValidationFailed

PUBLISH_HORIZON = timedelta(days=90)  # how far ahead a mentor may publish
LONGEST_PUBLISH_WINDOW = timedelta(days=14)  # one request publishes at most this much
LONGEST_AVAILABILITY_QUERY = timedelta(days=31)
PROFILE_CALENDAR = timedelta(days=30)
SESSION_MINUTES = (30, 60, 90)


@dataclass(frozen=True)
class SlotState:
    start: datetime
    booked: bool = False
    hold_expires_at: datetime | None = None

    @property
    def end(self) -> datetime:
        return self.start + SLOT

    def is_open(self, now: datetime) -> bool:
        if self.start <= now or self.booked:
            return False
        return self.hold_expires_at is None or self.hold_expires_at <= now

    def is_held(self, now: datetime) -> bool:
        return not self.booked and self.hold_expires_at is not None and self.hold_expires_at > now


def slot_starts(start: datetime, end: datetime) -> list[datetime]:
    """Every slot start in [start, end)."""
    starts, cursor = [], require_utc(start)
    while cursor < end:
        starts.append(cursor)
        cursor += SLOT
    return starts


def slots_for_session(start: datetime, minutes: int) -> list[datetime]:
    """The consecutive slots a session of `minutes` starting at `start` occupies."""
    if minutes not in SESSION_MINUTES:
        raise ValueError(f"sessions last {SESSION_MINUTES} minutes")
    return slot_starts(start, start + timedelta(minutes=minutes))


def check_publish_window(start: datetime, end: datetime, now: datetime) -> None:
    """A window a mentor may publish: aligned, in the future, at most 90 days ahead, at most
    14 days long, and not empty."""
    issues = []
    for field, moment in (("body.start", start), ("body.end", end)):
        if not is_slot_aligned(moment):
            issues.append(FieldIssue(field, f"must fall on :00 or :30 ({SLOT_MINUTES}-minute slots)"))
    if start <= now:
        issues.append(FieldIssue("body.start", "must be in the future"))
    if end <= start:
        issues.append(FieldIssue("body.end", "must be after start"))
    elif end - start > LONGEST_PUBLISH_WINDOW:
        issues.append(FieldIssue("body.end", "a window may span at most 14 days"))
    if end > now + PUBLISH_HORIZON:
        issues.append(FieldIssue("body.end", "availability may be published at most 90 days ahead"))
    if issues:
        raise ValidationFailed("this availability window cannot be published", issues)


def check_query_window(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationFailed.on("query.to", "must be after from")
    if end - start > LONGEST_AVAILABILITY_QUERY:
        raise ValidationFailed.on("query.to", "the range may span at most 31 days")


class AvailabilityFilter(StrEnum):
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"


def availability_window(choice: AvailabilityFilter, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[from, to) of slot starts the directory's availability filter asks about: until the end of
    today in the caller's zone, or the next 7 or 30 days."""
    now = require_utc(now)
    if choice is AvailabilityFilter.TODAY:
        local_now = now.astimezone(zone)
        local_midnight = datetime(local_now.year, local_now.month, local_now.day, tzinfo=zone) + timedelta(days=1)
        # Wall-clock midnight (fold 0); astimezone applies whichever offset holds at that instant.
        return now, require_utc(local_midnight)
    days = 7 if choice is AvailabilityFilter.WEEK else 30
    return now, now + timedelta(days=days)
