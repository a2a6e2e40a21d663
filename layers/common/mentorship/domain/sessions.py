"""Rules of a session request that need no storage: topic, duration, start, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from mentorship.domain.calendar import normalize_newlines
from mentorship.domain.instants import is_slot_aligned
from mentorship.domain.slots import SESSION_MINUTES
from mentorship.errors import FieldIssue, ValidationFailed

TOPIC_MIN, TOPIC_MAX = 10, 1000
HOLD_DURATION = timedelta(minutes=5)
REMINDER_LEADS = {"24h": timedelta(hours=24), "10m": timedelta(minutes=10)}


def clean_topic(topic: str) -> str:
    """The topic trimmed; 10 to 1,000 characters after trimming."""
    trimmed = normalize_newlines(topic).strip()
    if not TOPIC_MIN <= len(trimmed) <= TOPIC_MAX:
        raise ValidationFailed.on("body.topic", f"must be {TOPIC_MIN} to {TOPIC_MAX} characters after trimming")
    return trimmed


def check_session_request(start: datetime, minutes: int, now: datetime) -> None:
    issues = []
    if minutes not in SESSION_MINUTES:
        issues.append(FieldIssue("body.durationMinutes", "must be 30, 60 or 90"))
    if not is_slot_aligned(start):
        issues.append(FieldIssue("body.start", "must fall on :00 or :30"))
    elif start <= now:
        issues.append(FieldIssue("body.start", "must be in the future"))
    if issues:
        raise ValidationFailed("this session cannot be booked", issues)


def reminders_due(start: datetime, confirmed_at: datetime) -> dict[str, datetime]:
    """Which reminders a session gets and when: none whose lead the booking did not give
    (a session booked less than 24 hours ahead gets no 24-hour reminder)."""
    return {kind: start - lead for kind, lead in REMINDER_LEADS.items() if start - lead >= confirmed_at}
