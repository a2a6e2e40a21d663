"""EventBridge schedules of template.yaml, fired locally on their cadence.

Supports `rate(N minute|minutes|hour|hours|day|days)` (fired on multiples of the period since
the Unix epoch, so `rate(1 minute)` fires at every :00 second) and `cron(min hour dom month dow
year)` with `*`, `?`, lists, ranges, steps and month/day names (evaluated in UTC, as EventBridge
rules do). `L`, `W` and `#` are not supported: such a schedule is reported at start-up and can
still be run on demand (POST /_local/schedules/<FunctionLogicalId>).

Each firing runs in its own thread, so a slow run never delays the next one (EventBridge does not
wait either). EventBridge's retries of a failed asynchronous invocation are not emulated: the
failure is logged, and the next run picks up whatever is still due.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Callable

from tooling.intrinsics import ACCOUNT_ID, REGION, STACK_NAME
from tooling.template import Schedule
from mentorship.domain.instants import format_utc

log = logging.getLogger("local.schedules")

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {
    name: number for number, name in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)
}
_WEEKDAYS = {name: number for number, name in enumerate("SUN MON TUE WED THU FRI SAT".split(), 1)}


class UnsupportedSchedule(ValueError):
    pass


def scheduled_event(schedule: Schedule, at: datetime) -> dict:
    """The payload EventBridge sends for a scheduled rule: `time` is the scheduled instant, in UTC
    to the whole second (as EventBridge writes it)."""
    rule_name = f"{STACK_NAME}-{schedule.function}{schedule.event}"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": format_utc(at),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{rule_name}"],
        "detail": {},
    }


@dataclass(frozen=True)
class RateCadence:
    period_seconds: int

    def next_after(self, moment: datetime) -> datetime:
        epoch = int(moment.timestamp())
        return datetime.fromtimestamp((epoch // self.period_seconds + 1) * self.period_seconds, UTC)


@dataclass(frozen=True)
class CronCadence:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None  # None: `?`, the day of week decides
    months: frozenset[int]
    days_of_week: frozenset[int] | None  # 1 = Sunday ... 7 = Saturday, as in EventBridge
    years: frozenset[int] | None  # None: any year

    def _day_matches(self, day: datetime) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if self.days_of_month is not None and day.day not in self.days_of_month:
            return False
        return self.days_of_week is None or (day.isoweekday() % 7 + 1) in self.days_of_week

    def next_after(self, moment: datetime) -> datetime:
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(366 * 5):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise UnsupportedSchedule("the cron expression never fires in the next five years")


Cadence = RateCadence | CronCadence  # each answers next_after(moment): when it fires next


def parse_expression(expression: str) -> Cadence:
    expression = expression.strip()
    if match := _RATE.match(expression):
        value, unit = int(match.group(1)), match.group(2)
        if value < 1 or (value == 1) != (not unit.endswith("s")):
            raise UnsupportedSchedule(f"{expression}: write `rate(1 minute)` or `rate(N minutes)` with N > 1")
        return RateCadence(value * _UNIT_SECONDS[unit.rstrip("s")])
    if match := _CRON.match(expression):
        fields = match.group(1).split()
        if len(fields) != 6:
            raise UnsupportedSchedule(f"{expression}: cron takes six fields (min hour dom month dow year)")
        minutes, hours, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise UnsupportedSchedule(f"{expression}: exactly one of day-of-month, day-of-week must be `?`")
        return CronCadence(
            minutes=_cron_field(minutes, 0, 59),
            hours=_cron_field(hours, 0, 23),
            days_of_month=None if dom == "?" else _cron_field(dom, 1, 31),
            months=_cron_field(month, 1, 12, _MONTHS),
            days_of_week=None if dow == "?" else _cron_field(dow, 1, 7, _WEEKDAYS),
            years=None if year in ("*", "?") else _cron_field(year, 1970, 2199),
        )
    raise UnsupportedSchedule(f"{expression}: not a rate() or cron() expression")


def _cron_field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    def number(token: str) -> int:
        token = token.upper()
        value = (names or {}).get(token)
        if value is None:
            if re.search(r"[LW#]", token):
                raise UnsupportedSchedule(f"cron field {text!r}: L, W and # are not supported locally")
            if not token.isdigit():
                raise UnsupportedSchedule(f"cron field {text!r}: {token!r} is not a number")
            value = int(token)
        if not low <= value <= high:
            raise UnsupportedSchedule(f"cron field {text!r}: {value} is outside {low}-{high}")
        return value

    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise UnsupportedSchedule(f"cron field {text!r}: the step must be at least 1")
        if span in ("*", "?"):
            first, last = low, high
        elif "-" in span:
            first, last = (number(bound) for bound in span.split("-", 1))
        else:
            first = number(span)
            last = high if step_text else first
        values.update(range(first, last + 1, step))
    return frozenset(values)


class Scheduler:
    """Fires every enabled schedule on its cadence, each firing in its own thread."""

    def __init__(self, schedules: list[Schedule], fire: Callable[[Schedule, datetime], None]):
        self._fire = fire
        self._cadences: list[tuple[Schedule, Cadence]] = []
        for schedule in schedules:
            if not schedule.enabled:
                log.info("schedule %s.%s is disabled in the template; run it with POST /_local/schedules/%s",
                         schedule.function, schedule.event, schedule.function)
                continue
            try:
                self._cadences.append((schedule, parse_expression(schedule.expression)))
            except UnsupportedSchedule as exc:
                name = f"{schedule.function}.{schedule.event}"
                log.warning("schedule %s will not fire on its own: %s", name, exc)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    @property
    def active(self) -> list[Schedule]:
        return [schedule for schedule, _ in self._cadences]

    def start(self) -> None:
        if self._cadences:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        now = datetime.now(UTC)
        upcoming = [(cadence.next_after(now), schedule, cadence) for schedule, cadence in self._cadences]
        while not self._stop.is_set():
            upcoming.sort(key=lambda entry: entry[0])
            due_at, schedule, cadence = upcoming[0]
            if self._stop.wait(max(0.0, (due_at - datetime.now(UTC)).total_seconds())):
                return
            threading.Thread(
                target=self._fire, args=(schedule, due_at), name=f"schedule-{schedule.function}", daemon=True
            ).start()
            upcoming[0] = (cadence.next_after(due_at), schedule, cadence)
