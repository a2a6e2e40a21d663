"""The waitlist's rules, without storage: what window a mentee may wait for, which starts of a
window could be offered, an entry's status at a moment, and who comes first.

An entry waits for a session of `minutes` anywhere in [window_from, window_to): a start on a
slot boundary, not before the window (nor before now), whose session ends by the window's end.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Callable, Iterable, Iterator, Protocol

from mentorship.domain.instants import SLOT, require_utc
from mentorship.domain.slots import SESSION_MINUTES
from mentorship.errors import FieldIssue, ValidationFailed

LONGEST_WINDOW = timedelta(days=14)
MOST_WAITING = 5  # waiting entries per mentee
OFFER_HOLD = timedelta(minutes=30)  # how long an offer's hold lasts (a plain hold: 5 minutes)


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"  # a hold was made for the mentee (`bookingId`); it stays so once confirmed
    EXPIRED = "expired"  # the offer lapsed or was released, or the window passed unoffered


class Waiting(Protocol):
    """What the rules read of an entry."""

    window_from: datetime
    window_to: datetime
    duration_minutes: int | float
    created_at: datetime
    waitlist_id: str


def check_window(window_from: datetime, window_to: datetime, minutes: int, now: datetime) -> None:
    """A window a mentee may wait for: in the future, at most 14 days long, long enough for the
    session (ValidationFailed naming each field at fault)."""
    issues = []
    if minutes not in SESSION_MINUTES:
        issues.append(FieldIssue("body.durationMinutes", "must be 30, 60 or 90"))
    if window_from <= now:
        issues.append(FieldIssue("body.from", "must be in the future"))
    if window_to <= window_from:
        issues.append(FieldIssue("body.to", "must be after from"))
    elif window_to - window_from > LONGEST_WINDOW:
        issues.append(FieldIssue("body.to", "a waitlist window may span at most 14 days"))
    elif window_to - window_from < timedelta(minutes=minutes):
        issues.append(FieldIssue("body.to", "the window is shorter than the session"))
    if issues:
        raise ValidationFailed("this waitlist window cannot be used", issues)


def _first_boundary_at_or_after(moment: datetime) -> datetime:
    moment = require_utc(moment)
    floor = moment.replace(minute=moment.minute - moment.minute % 30, second=0, microsecond=0)
    return floor if floor == moment else floor + SLOT


def candidate_starts(window_from: datetime, window_to: datetime, minutes: int, now: datetime) -> list[datetime]:
    """Every start a session of `minutes` could have in the window from `now` on, earliest first."""
    start = _first_boundary_at_or_after(max(window_from, now + timedelta(microseconds=1)))
    length = timedelta(minutes=minutes)
    starts = []
    while start + length <= window_to:
        starts.append(start)
        start += SLOT
    return starts


def last_start(window_to: datetime, minutes: int) -> datetime:
    """The latest moment at which the window could still be offered."""
    return window_to - timedelta(minutes=minutes)


def effective_status(status: str, window_to: datetime, minutes: int, now: datetime) -> WaitlistStatus:
    """A waiting entry whose window can no longer hold its session is expired, written or not."""
    current = WaitlistStatus(status)
    if current is WaitlistStatus.WAITING and not candidate_starts(now, window_to, minutes, now):
        return WaitlistStatus.EXPIRED
    return current


def oldest_first(entries: Iterable[Waiting]) -> list:
    """First come, first served: by when the entry was made, the id breaking ties."""
    return sorted(entries, key=lambda entry: (entry.created_at, entry.waitlist_id))


def offerable_starts(
    window_from: datetime,
    window_to: datetime,
    minutes: int,
    now: datetime,
    slot_open: Callable[[datetime], bool],
    session_offered: Callable[[datetime, int], bool],
) -> Iterator[datetime]:
    """The window's starts whose every slot is open (`slot_open`, cheap) and whose session the
    offering offers (`session_offered`: buffers, cap, notice), earliest first, lazily."""
    length = timedelta(minutes=minutes)
    for start in candidate_starts(window_from, window_to, minutes, now):
        slots = [start + SLOT * n for n in range(length // SLOT)]
        if all(slot_open(slot) for slot in slots) and session_offered(start, minutes):
            yield start
