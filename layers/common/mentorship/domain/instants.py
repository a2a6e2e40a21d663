"""Instants and time zones.

Inside, every instant is a timezone-aware UTC `datetime`. At the edges:
requests may carry any RFC 3339 offset (a time without one is refused),
responses say UTC with a `Z` plus a local rendering in an IANA zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# RFC 3339 date-time: the offset ("Z" or +hh:mm) is mandatory.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
_IANA_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")

SLOT_MINUTES = 30
SLOT = timedelta(minutes=SLOT_MINUTES)


class InvalidInstant(ValueError):
    pass


class UnknownTimeZone(ValueError):
    pass


def parse_instant(text: str) -> datetime:
    """Parse an RFC 3339 date-time that carries an offset; return it in UTC."""
    if not isinstance(text, str) or not _RFC3339.match(text):
        raise InvalidInstant("must be an RFC 3339 date-time with an offset, e.g. 2026-11-24T14:00:00Z")
    normalized = text.replace("z", "Z").replace("t", "T")
    fraction = re.search(r"\.(\d+)", normalized)
    if fraction and len(fraction.group(1)) > 6:  # Python keeps microseconds; drop the rest
        normalized = normalized.replace(fraction.group(0), "." + fraction.group(1)[:6])
    try:
        parsed = datetime.fromisoformat(normalized)
    except ValueError as exc:  # e.g. month 13: the pattern matched, the calendar did not
        raise InvalidInstant(f"not a valid date-time: {exc}") from None
    return parsed.astimezone(UTC)


def require_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every instant inside the system is timezone-aware")
    return moment.astimezone(UTC)


def format_utc(moment: datetime) -> str:
    """`2026-11-24T14:00:00Z`: the one form instants take in responses and sort keys."""
    return require_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_utc_precise(moment: datetime) -> str:
    """Fixed-width with microseconds, for sort keys that must order events within a second."""
    return require_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def format_local(moment: datetime, zone: ZoneInfo) -> str:
    """The instant in `zone` with its offset there, e.g. `2026-11-24T09:00:00-05:00`."""
    return require_utc(moment).astimezone(zone).replace(microsecond=0).isoformat()


@lru_cache(maxsize=512)
def resolve_zone(name: str) -> ZoneInfo:
    """An IANA zone by name; UnknownTimeZone for anything else (including paths and blanks)."""
    if not isinstance(name, str) or not _IANA_NAME.match(name) or len(name) > 64:
        raise UnknownTimeZone(f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimeZone(f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin") from None


def is_slot_aligned(moment: datetime) -> bool:
    """True on :00 and :30 exactly (UTC minutes; every IANA offset in use today is a multiple of
    15 minutes, and the product only offers zones whose :00/:30 fall on UTC :00/:30)."""
    utc = require_utc(moment)
    return utc.minute % SLOT_MINUTES == 0 and utc.second == 0 and utc.microsecond == 0


def epoch_seconds(moment: datetime) -> int:
    return int(require_utc(moment).timestamp())


def from_epoch_seconds(seconds: int | float) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)
