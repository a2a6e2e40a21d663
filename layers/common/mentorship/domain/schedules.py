"""Weekly schedules, and the one function that says which 30-minute slots a mentor offers.

A schedule is wall-clock time in the mentor's IANA zone: "Tuesday 18:00-20:00 in Berlin" is
17:00Z in winter and 16:00Z in summer. Each local date takes its intervals from its override
if it has one (an empty override: nothing that day), else from its weekday's rules.

DST days offer what exists of them, slot by slot: every :00/:30 wall time inside an interval
becomes the instants it names on that date. A wall time in the hour that is skipped (spring
forward) names no instant, so it offers nothing. A wall time in the hour that is repeated (fall
back) names two instants, and **both are offered**: the mentor's clock shows 01:00-02:00 twice
that night and a rule covering 01:00-02:00 means "while my clock reads 01:xx", so that night's
interval lasts an hour longer, exactly as the skipped night's lasts an hour less.

`offer` is the single rule for listing and (once the hold path calls `session_offered`) for
holding: a candidate (a rule slot or an explicitly published one) is available when it starts
after `now` plus the minimum notice and within the horizon, no active hold or booking (plus the
buffer on both sides) overlaps it, no busy time from the mentor's calendars overlaps it (an
all-day event blocks the mentor's whole local day), every calendar could be read for it
(fail closed), and its local day has fewer sessions than the daily cap. Pure: `now` is an
argument, nothing here reads the clock or storage.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mentorship.domain.instants import SLOT, SLOT_MINUTES, is_slot_aligned, require_utc, resolve_zone
from mentorship.domain.slots import slots_for_session
from mentorship.errors import FieldIssue, ValidationFailed

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
BUFFER_CHOICES = (0, 30, 60)
LONGEST_NOTICE_MINUTES = 10_080  # a week
HORIZON_DAYS_RANGE = (1, 90)
DAILY_CAP_RANGE = (1, 48)
MINUTES_PER_DAY = 24 * 60
_WALL_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


# ------------------------------------------------------------------ the schedule


@dataclass(frozen=True, order=True)
class WallInterval:
    """[start, end) in minutes after local midnight, both on :00/:30; end may be 1440 (24:00)."""

    start: int
    end: int

    @property
    def text(self) -> tuple[str, str]:
        return format_wall_time(self.start), format_wall_time(self.end)


def parse_wall_time(text: str) -> int:
    """`"18:30"` -> 1110 minutes after midnight. `"24:00"` is the end of the day."""
    match = _WALL_TIME.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError("must be a wall-clock time HH:MM, e.g. 18:00")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > MINUTES_PER_DAY:
        raise ValueError("must be at most 24:00")
    if minutes % SLOT_MINUTES:
        raise ValueError("must fall on :00 or :30 (30-minute slots)")
    return minutes


def format_wall_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Schedule:
    """A mentor's weekly rules, date overrides and booking policy, in `timezone`.

    `blocked` holds rule slots the mentor removed one at a time (a one-slot override made by
    `DELETE /mentors/me/availability/{start}`)."""

    timezone: str
    weekly: dict[int, tuple[WallInterval, ...]] = field(default_factory=dict)  # 0 = Monday
    overrides: dict[date, tuple[WallInterval, ...]] = field(default_factory=dict)
    buffer_minutes: int = 0
    minimum_notice_minutes: int = 0
    horizon_days: int | None = None  # None: no horizon (a mentor who never set a schedule)
    max_sessions_per_day: int | None = None
    blocked: frozenset[datetime] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return resolve_zone(self.timezone)

    def intervals_on(self, day: date) -> tuple[WallInterval, ...]:
        if day in self.overrides:
            return self.overrides[day]
        return self.weekly.get(day.weekday(), ())

    def without_rules(self) -> "Schedule":
        """The same policy (buffer, notice, horizon, cap) without weekly rules or overrides."""
        return replace(self, weekly={}, overrides={}, blocked=frozenset())

    @property
    def has_rules(self) -> bool:
        return any(self.weekly.values()) or any(self.overrides.values())


def _day_intervals(rows: list[tuple[str, str, str]]) -> tuple[tuple[WallInterval, ...], list[FieldIssue]]:
    """One local day's intervals from (field, start, end) rows, `field` naming the row in the
    request ("body.weekly[3]"); issues for bad times, an end not after its start, overlaps."""
    parsed, issues = [], []
    for where, start_text, end_text in rows:
        try:
            start = parse_wall_time(start_text)
            if start == MINUTES_PER_DAY:
                raise ValueError("a start must be before 24:00")
        except ValueError as exc:
            issues.append(FieldIssue(f"{where}.start", str(exc)))
            continue
        try:
            end = parse_wall_time(end_text)
        except ValueError as exc:
            issues.append(FieldIssue(f"{where}.end", str(exc)))
            continue
        if end <= start:
            issues.append(FieldIssue(f"{where}.end", "must be after start"))
            continue
        parsed.append((WallInterval(start, end), where))
    parsed.sort()
    for (previous, _), (current, where) in zip(parsed, parsed[1:]):
        if current.start < previous.end:
            issues.append(FieldIssue(where, "overlaps another interval of the same day"))
    return tuple(interval for interval, _ in parsed), issues


def offset_is_slot_aligned(zone: ZoneInfo, moment: datetime) -> bool:
    offset = require_utc(moment).astimezone(zone).utcoffset() or timedelta(0)
    return offset.total_seconds() % (SLOT_MINUTES * 60) == 0


def build_schedule(
    *,
    timezone: str,
    weekly: list[tuple[str, str, str]],
    overrides: list[tuple[date, list[tuple[str, str]]]],
    buffer_minutes: int,
    minimum_notice_minutes: int,
    horizon_days: int,
    max_sessions_per_day: int | None,
    now: datetime,
    blocked: frozenset[datetime] = frozenset(),
) -> Schedule:
    """A schedule from what a mentor sent (`weekly`: (day, start, end) rows in the order sent,
    `overrides`: (date, [(start, end)])), or ValidationFailed naming every bad field.

    The zone must be an IANA zone whose offset now is a whole number of half hours: slots are
    30 minutes on :00/:30 UTC, so a zone such as Asia/Kathmandu (+05:45) could not be offered."""
    issues: list[FieldIssue] = []
    zone = None
    try:
        zone = resolve_zone(timezone)
    except ValueError as exc:
        issues.append(FieldIssue("body.timezone", str(exc)))
    if zone is not None and not offset_is_slot_aligned(zone, now):
        issues.append(FieldIssue("body.timezone", "its UTC offset is not a whole number of half hours"))

    by_day: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for index, (day, start, end) in enumerate(weekly):
        if day not in WEEKDAYS:
            issues.append(FieldIssue(f"body.weekly[{index}].day", f"must be one of {', '.join(WEEKDAYS)}"))
            continue
        by_day[WEEKDAYS.index(day)].append((f"body.weekly[{index}]", start, end))
    weekly_rules: dict[int, tuple[WallInterval, ...]] = {}
    for weekday, rows in by_day.items():
        weekly_rules[weekday], day_issues = _day_intervals(rows)
        issues += day_issues

    override_rules: dict[date, tuple[WallInterval, ...]] = {}
    for index, (day, raw) in enumerate(overrides):
        if day in override_rules:
            issues.append(FieldIssue(f"body.overrides[{index}].date", "another override has the same date"))
            continue
        rows = [(f"body.overrides[{index}].intervals[{n}]", start, end) for n, (start, end) in enumerate(raw)]
        override_rules[day], day_issues = _day_intervals(rows)
        issues += day_issues

    if buffer_minutes not in BUFFER_CHOICES:
        issues.append(FieldIssue("body.bufferMinutes", "must be 0, 30 or 60"))
    if not 0 <= minimum_notice_minutes <= LONGEST_NOTICE_MINUTES:
        issues.append(FieldIssue("body.minimumNoticeMinutes", f"must be 0 to {LONGEST_NOTICE_MINUTES}"))
    if not HORIZON_DAYS_RANGE[0] <= horizon_days <= HORIZON_DAYS_RANGE[1]:
        issues.append(FieldIssue("body.horizonDays", "must be 1 to 90"))
    if max_sessions_per_day is not None and not DAILY_CAP_RANGE[0] <= max_sessions_per_day <= DAILY_CAP_RANGE[1]:
        issues.append(FieldIssue("body.maxSessionsPerDay", "must be null or 1 to 48"))
    if issues:
        raise ValidationFailed("this schedule cannot be saved", issues)
    return Schedule(
        timezone=timezone,
        weekly={day: rules for day, rules in weekly_rules.items() if rules},
        overrides=override_rules,
        buffer_minutes=buffer_minutes,
        minimum_notice_minutes=minimum_notice_minutes,
        horizon_days=horizon_days,
        max_sessions_per_day=max_sessions_per_day,
        blocked=blocked,
    )


# ------------------------------------------------------------------ wall clock -> instants


def wall_instants(day: date, minute: int, zone: ZoneInfo) -> list[datetime]:
    """The UTC instants at which the wall clock in `zone` reads `minute` after midnight on
    `day`: none in a skipped hour, two in a repeated one, one otherwise."""
    local = datetime.combine(day, time(minute // 60, minute % 60))
    found = []
    for fold in (0, 1):
        instant = local.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == local and instant not in found:
            found.append(instant)
    return found


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[first instant of `day`, first instant of the next day) in `zone`. Where midnight itself
    is skipped, the day starts at the transition (fold=0 takes the offset before it)."""
    start = datetime.combine(day, time()).replace(tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time()).replace(tzinfo=zone).astimezone(UTC)
    return start, end


def local_days(start: datetime, end: datetime, zone: ZoneInfo) -> list[date]:
    """Every local date in `zone` that [start, end) touches, with a day's margin each side."""
    first = require_utc(start).astimezone(zone).date() - timedelta(days=1)
    last = require_utc(end).astimezone(zone).date() + timedelta(days=1)
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def rule_slot_starts(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Slot starts in [start, end) that the weekly rules and overrides give, minus the slots
    the mentor blocked one by one. Only :00/:30 UTC instants are slots."""
    zone = schedule.zone
    found: set[datetime] = set()
    for day in local_days(start, end, zone):
        for interval in schedule.intervals_on(day):
            for minute in range(interval.start, interval.end, SLOT_MINUTES):
                for instant in wall_instants(day, minute, zone):
                    if start <= instant < end and is_slot_aligned(instant):
                        found.add(instant)
    return sorted(found - schedule.blocked)


# ------------------------------------------------------------------ offering


@dataclass(frozen=True)
class Lock:
    """A slot somebody holds (until `hold_expires_at`) or booked; `session_id` groups the slots
    of one session (its booking)."""

    start: datetime
    session_id: str
    booked: bool = False
    hold_expires_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return self.booked or (self.hold_expires_at is not None and self.hold_expires_at > now)


@dataclass(frozen=True)
class BusyTimes:
    """What the mentor's external calendars say, merged.

    `intervals` are busy [start, end) instants; `all_day` are dates that all-day events block
    (as the mentor's local days); `covers` is the range the calendars were read for (None when
    the mentor has no calendar: nothing to read, nothing unknown). `unreadable` is True while a
    calendar cannot be read: then nothing is offered (fail closed)."""

    intervals: tuple[tuple[datetime, datetime], ...] = ()
    all_day: frozenset[date] = frozenset()
    covers: tuple[datetime, datetime] | None = None
    unreadable: bool = False

    @classmethod
    def none(cls) -> "BusyTimes":
        return cls()

    @classmethod
    def unknown(cls) -> "BusyTimes":
        return cls(unreadable=True)

    @classmethod
    def combine(cls, parts: list["BusyTimes"]) -> "BusyTimes":
        """Busy times of several calendars: busy if any is; covered where all are."""
        if not parts:
            return cls.none()
        if any(part.unreadable for part in parts):
            return cls.unknown()
        covered = [part.covers for part in parts if part.covers is not None]
        covers = (max(c[0] for c in covered), min(c[1] for c in covered)) if covered else None
        return cls(
            intervals=tuple(sorted(interval for part in parts for interval in part.intervals)),
            all_day=frozenset().union(*(part.all_day for part in parts)),
            covers=covers,
        )


@dataclass(frozen=True)
class OfferingInputs:
    """Everything offering depends on besides the window and `now`.

    `zone` is the mentor's zone (the schedule's, else the profile's): their local days for the
    daily cap and all-day events. `schedule` None means the mentor never set one: no rules, no
    buffer, notice, horizon or cap. `published` are explicitly published slot starts. `locks`
    are the holds and bookings on any slot of the window plus a day each side (for buffers and
    the cap)."""

    zone: str
    schedule: Schedule | None
    published: tuple[datetime, ...]
    locks: tuple[Lock, ...]
    busy: BusyTimes


@dataclass(frozen=True)
class OfferedSlot:
    start: datetime
    available: bool

    @property
    def end(self) -> datetime:
        return self.start + SLOT


class _Blocked:
    """Sorted, merged [start, end) ranges with an O(log n) overlap test."""

    def __init__(self, ranges: list[tuple[datetime, datetime]]):
        merged: list[list[datetime]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [start for start, _ in merged]
        self._ranges = merged

    def overlaps(self, start: datetime, end: datetime) -> bool:
        index = bisect.bisect_left(self._starts, end) - 1  # last range starting before `end`
        return index >= 0 and self._ranges[index][1] > start


def _blocked_ranges(inputs: OfferingInputs, now: datetime) -> _Blocked:
    zone = resolve_zone(inputs.zone)
    buffer = timedelta(minutes=inputs.schedule.buffer_minutes if inputs.schedule else 0)
    ranges = [(lock.start - buffer, lock.start + SLOT + buffer) for lock in inputs.locks if lock.is_active(now)]
    ranges += list(inputs.busy.intervals)
    ranges += [local_day_bounds(day, zone) for day in inputs.busy.all_day]
    return _Blocked(ranges)


def _sessions_per_day(inputs: OfferingInputs, now: datetime) -> dict[date, int]:
    """Active sessions (held or booked) per local day of the mentor, by each session's start."""
    zone = resolve_zone(inputs.zone)
    starts: dict[str, datetime] = {}
    for lock in inputs.locks:
        if lock.is_active(now):
            starts[lock.session_id] = min(lock.start, starts.get(lock.session_id, lock.start))
    counts: dict[date, int] = defaultdict(int)
    for start in starts.values():
        counts[start.astimezone(zone).date()] += 1
    return counts


def offer(inputs: OfferingInputs, start: datetime, end: datetime, now: datetime) -> list[OfferedSlot]:
    """Every slot starting in [start, end) that is published or that the rules give (within
    the horizon), ascending, each with whether it is offered at `now`."""
    start, end, now = require_utc(start), require_utc(end), require_utc(now)
    schedule = inputs.schedule
    candidates = {moment for moment in inputs.published if start <= moment < end}
    horizon_end = now + timedelta(days=schedule.horizon_days) if schedule and schedule.horizon_days else None
    if schedule is not None and schedule.has_rules:
        rules_end = min(end, horizon_end + SLOT) if horizon_end else end
        candidates.update(
            moment
            for moment in rule_slot_starts(schedule, start, rules_end)
            if moment > now and (horizon_end is None or moment <= horizon_end)
        )
    if not candidates:
        return []

    earliest = now + timedelta(minutes=schedule.minimum_notice_minutes if schedule else 0)
    blocked = _blocked_ranges(inputs, now)
    zone = resolve_zone(inputs.zone)
    cap = schedule.max_sessions_per_day if schedule else None
    per_day = _sessions_per_day(inputs, now) if cap else {}
    busy = inputs.busy

    def available(moment: datetime) -> bool:
        if moment <= now or moment < earliest:
            return False
        if horizon_end is not None and moment > horizon_end:
            return False
        if busy.unreadable:
            return False
        if busy.covers is not None and not (busy.covers[0] <= moment and moment + SLOT <= busy.covers[1]):
            return False  # the calendars were not read this far: unknown is not free
        if blocked.overlaps(moment, moment + SLOT):
            return False
        return not (cap and per_day.get(moment.astimezone(zone).date(), 0) >= cap)

    return [OfferedSlot(moment, available(moment)) for moment in sorted(candidates)]


def session_offered(inputs: OfferingInputs, start: datetime, minutes: int, now: datetime) -> bool:
    """Whether a session of `minutes` at `start` may be held: every slot it needs is offered.
    The hold path calls this with live busy times; its conditional writes still decide races."""
    needed = slots_for_session(require_utc(start), minutes)
    offered = {slot.start for slot in offer(inputs, needed[0], needed[-1] + SLOT, now) if slot.available}
    return all(moment in offered for moment in needed)


def weekly_rows(schedule: Schedule) -> list[tuple[str, str, str]]:
    """The weekly rules as (day, start, end) rows, Monday first, each day's by start."""
    return [
        (WEEKDAYS[day], *interval.text)
        for day in sorted(schedule.weekly)
        for interval in schedule.weekly[day]
    ]


def override_rows(schedule: Schedule) -> list[tuple[date, list[tuple[str, str]]]]:
    return [(day, [interval.text for interval in schedule.overrides[day]]) for day in sorted(schedule.overrides)]


def schedule_from_rows(
    *,
    timezone: str,
    weekly: list[tuple[str, str, str]],
    overrides: list[tuple[date, list[tuple[str, str]]]],
    **policy,
) -> Schedule:
    """A schedule from rows that were validated when they were saved (no checks again)."""
    rules: dict[int, list[WallInterval]] = defaultdict(list)
    for day, start, end in weekly:
        rules[WEEKDAYS.index(day)].append(WallInterval(parse_wall_time(start), parse_wall_time(end)))
    return Schedule(
        timezone=timezone,
        weekly={day: tuple(sorted(intervals)) for day, intervals in rules.items()},
        overrides={
            day: tuple(sorted(WallInterval(parse_wall_time(s), parse_wall_time(e)) for s, e in intervals))
            for day, intervals in overrides
        },
        **policy,
    )
