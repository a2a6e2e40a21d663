"""The one place the edge reads the time. Handlers call `now()` and pass it inward (the domain
never reads the clock); tests replace it to move time."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
