"""Mentor rules that do not depend on storage: experience levels and prices."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class ExperienceLevel(StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    STAFF = "staff"


# Lower bound (inclusive) of each level, in years of experience.
_LEVEL_FLOORS = ((12, ExperienceLevel.STAFF), (7, ExperienceLevel.SENIOR), (3, ExperienceLevel.MID))


def experience_level(years_of_experience: int) -> ExperienceLevel:
    if years_of_experience < 0:
        raise ValueError("years of experience cannot be negative")
    for floor, level in _LEVEL_FLOORS:
        if years_of_experience >= floor:
            return level
    return ExperienceLevel.JUNIOR


def session_price(hourly_rate_minor: int, minutes: int) -> int:
    """Hourly rate x minutes / 60, rounded half-up to the minor unit."""
    exact = Decimal(hourly_rate_minor) * Decimal(minutes) / Decimal(60)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
