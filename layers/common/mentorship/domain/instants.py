"""Instants and time zones.

Inside, every instant is a timezone-aware UTC `datetime`. At the edges:
requests may carry any RFC 3339 offset (a time without one is refused),
responses say UTC with a `Z` plus a local rendering in an IANA zone.

A client's instant is bounded to [EARLIEST, LATEST] once its offset is applied, here and only
here, so no arithmetic on it (end = start + duration, a window's end, a local rendering) can
leave the range `datetime` can hold: LATEST is 7,800 years short of `datetime.max`.

Zone names are the IANA zones a person could live in: the names in the `tzdata` package's zone
list (the data shipped in the layer, the same on every machine), without `Factory`. That list
never holds `localtime`, `posixrules` or the `posix/` and `right/` copies, which `ZoneInfo`
would otherwise find on a machine's own zoneinfo path.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# RFC 3339 date-time: the offset ("Z" or +hh:mm) is mandatory.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# In tzdata's list, but no place anyone lives: "Factory" shows the abbreviation "-00" for an
# unknown local time.
_PSEUDO_ZONES = frozenset({"Factory"})

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
        parsed = datetime.fromisoformat(normalized).astimezone(UTC)
    except ValueError as exc:  # e.g. month 13: the pattern matched, the calendar did not
        raise InvalidInstant(f"not a valid date-time: {exc}") from None
    except OverflowError:  # 9999-12-31T23:30:00-12:00 or 0001-01-01T00:00:00+01:00 in UTC
        parsed = None
    if parsed is None or not EARLIEST <= parsed <= LATEST:
        raise InvalidInstant("must fall between 1970-01-01T00:00:00Z and 2200-01-01T00:00:00Z")
    return parsed


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


@cache
def zone_names() -> frozenset[str]:
    """Every zone name a request may use (the module docstring says which and why)."""
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return frozenset(listed) - _PSEUDO_ZONES


@lru_cache(maxsize=512)
def resolve_zone(name: str) -> ZoneInfo:
    """An IANA zone by name; UnknownTimeZone for anything else (paths, blanks, pseudo-zones)."""
    if not isinstance(name, str) or name not in zone_names():
        shown = repr(name[:64]) if isinstance(name, str) else "that value"
        raise UnknownTimeZone(f"unknown time zone {shown}: use an IANA name such as Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimeZone(f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin") from None


def zone_or_utc(name: str | None) -> tuple[str, ZoneInfo]:
    """The zone `name` names, or UTC when there is none or it is not one a request may name: for
    zone names that are data, not input (a token's claim, a zone stored before the list was
    narrowed), where a refusal would help nobody."""
    try:
        return (name, resolve_zone(name)) if name else ("UTC", resolve_zone("UTC"))
    except UnknownTimeZone:
        return "UTC", resolve_zone("UTC")


def is_slot_aligned(moment: datetime) -> bool:
    """True on :00 and :30 exactly (UTC minutes; every IANA offset in use today is a multiple of
    15 minutes, and the product only offers zones whose :00/:30 fall on UTC :00/:30)."""
    utc = require_utc(moment)
    return utc.minute % SLOT_MINUTES == 0 and utc.second == 0 and utc.microsecond == 0


def epoch_seconds(moment: datetime) -> int:
    return int(require_utc(moment).timestamp())


def from_epoch_seconds(seconds: int | float) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)
