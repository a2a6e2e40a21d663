"""Offering for a mentor with a weekly schedule and a connected calendar: what a profile, a 30-day
availability read, a hold on a slot only the weekly rules give (no slot item) and a reschedule
onto another such slot cost, for two mentors that differ only in how far their horizon reaches
and how long they have been active.

Each mentor works 09:00-17:00 Europe/Berlin every day (buffer 30 minutes, notice 2 hours, at
most 4 sessions a day) and has one ICS calendar (a daily recurring busy hour and a few single
events) served over HTTP on 127.0.0.1 and read by the real reader. History: every past day has
8 published slots and 2 confirmed sessions (booking and booked lock), each reviewed
(a week holds more than the 10 reviews a profile shows). Reads are timed
warm, in-process, against DynamoDB Local on loopback; the hold and the reschedule once each.

- *cache fresh*: the calendar's busy times were read under 5 minutes ago; the listing uses them.
- *cache stale*: 6 minutes later the listing reads the calendar again over HTTP and records the
  new cache (and refreshes the directory's next open slot), once; the requests that follow use
  the new cache.
- The hold and the reschedule always read the calendar live (one HTTP GET, then one write of
  the new cache), whatever the cache's age.
"""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from bench.dataset import NOW, session_booking
from bench.invoke import BenchError, Call, check_success, http_call, invoke, json_body
from bench.runner import RouteCost, accepting_channel, fresh_tables, log, measure_call, pinned_clock
from tooling.dynamodb_local import DynamoDBLocal
from tooling.ics_feeds import IcsFeedServer, vcalendar, vevent
from mentorship import gateways
from mentorship.domain.bookings import BookingStatus
from mentorship.domain.calendar import Party
from mentorship.domain.instants import format_utc
from mentorship.domain.schedules import WEEKDAYS, build_schedule
from mentorship.gateways.calendars import HttpCalendarReader
from mentorship.gateways.outbound_http import OutboundPolicy
from mentorship.services import booking as bookings
from mentorship.services.calendars import connect_calendar
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.store.mentors import MentorStore
from mentorship.store.models import TableItem
from mentorship.store.reviews import new_review
from mentorship.store.schedules import ScheduleStore
from mentorship.store.slots import new_lock, new_slot

ZONE = "Europe/Berlin"
WINDOW = timedelta(days=30)
STALE = timedelta(minutes=6)  # past the 5-minute cache of listings
DEFAULT_RUNS = 20


@dataclass(frozen=True)
class MentorShape:
    label: str
    horizon_days: int
    active_days: int


SHAPES = (MentorShape("horizon 30 days, active 1 week", 30, 7), MentorShape("horizon 90 days, active 1 year", 90, 365))


@dataclass(frozen=True)
class OfferingCost:
    shape: MentorShape
    measurement: str
    cost: RouteCost
    ms: float  # median of the timed runs (one for the hold and the reschedule)
    runs: int
    calendar_reads: int  # HTTP GETs the calendar server answered during the measured call


def _mentor_id(shape: MentorShape) -> str:
    return f"sched-{shape.active_days}d-{shape.horizon_days}h"


def _calendar() -> str:
    """A daily busy hour (12:00-13:00Z, RRULE), and single events over the next weeks."""
    daily = vevent("lunch", "DTSTART:20261101T120000Z", "DTEND:20261101T130000Z", "RRULE:FREQ=DAILY")
    singles = [
        vevent(f"one-{n}", f"DTSTART:{(NOW + timedelta(days=n)):%Y%m%dT150000Z}", f"DTEND:{(NOW + timedelta(days=n)):%Y%m%dT160000Z}")
        for n in range(1, 40, 3)
    ]
    return vcalendar(daily, *singles)


def _seed_mentor(shape: MentorShape, feeds: IcsFeedServer) -> str:
    """Profile, schedule, history and a connected ICS calendar (read once, as the route does)."""
    mentor_id = _mentor_id(shape)
    facts = ProfileFacts("Acme", "Staff Engineer", "Mentors engineers.", 12, 15_000, ZONE, ["system design"])
    profile = MentorStore().save_profile(build_profile(mentor_id, f"Mentor {shape.active_days}d", f"{mentor_id}@example.com", facts, NOW))
    schedule = build_schedule(
        timezone=ZONE,
        weekly=[(day, "09:00", "17:00") for day in WEEKDAYS],
        overrides=[],
        buffer_minutes=30,
        minimum_notice_minutes=120,
        horizon_days=shape.horizon_days,
        max_sessions_per_day=4,
        now=NOW,
    )
    ScheduleStore().put(mentor_id, schedule, NOW)
    mentor = Party(mentor_id, profile.name, profile.email, ZONE)
    past_mentee = Party("bench-past-mentee", "Past Mentee", "past@example.com", "UTC")
    with TableItem.batch_write() as batch:
        for day in range(1, shape.active_days + 1):
            morning = (NOW - timedelta(days=day)).replace(hour=8, minute=0)
            for n in range(8):
                batch.save(new_slot(mentor_id, morning + timedelta(minutes=30 * n)))
            for n in (0, 4):
                start = morning + timedelta(minutes=30 * n)
                booking_id = uuid.uuid4().hex
                booking = session_booking(
                    booking_id, mentor, past_mentee, start, BookingStatus.CONFIRMED, hourly_rate=15_000, created_at=start - timedelta(days=3)
                )
                batch.save(booking)
                batch.save(new_lock(mentor_id, start, booking_id=booking_id, holder_id=past_mentee.user_id, booked=True))
                batch.save(
                    new_review(
                        mentor_id, review_id=uuid.uuid4().hex, booking_id=booking_id, author_id=past_mentee.user_id,
                        author_name=past_mentee.name, rating=5, comment="Clear and kind.", created_at=start + timedelta(hours=1),
                    )
                )
    url = feeds.serve(f"/{mentor_id}.ics", _calendar())
    connect_calendar(mentor_id, "ics", url, None, None, NOW)
    return mentor_id


def _rule_only_start(days: int, hour: int) -> str:
    """A start the rules give (Berlin 09:00-17:00 is 08:00-16:00Z in winter), clear of the
    calendar's events, `days` ahead."""
    return format_utc((NOW + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0))


def _mentee(mentor_id: str, role: str) -> dict[str, str]:
    sub = f"{mentor_id}-{role}"
    return {"sub": sub, "email": f"{sub}@example.com", "name": f"Mentee {role}"}


def _timed(name: str, call: Call, runs: int) -> tuple[RouteCost, float]:
    cost, _ = measure_call(name, call)
    samples = []
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        response = invoke(call)
        samples.append((time.perf_counter() - started) * 1000)
        check_success(name, response)
    return cost, statistics.median(samples)


def _once(name: str, call: Call) -> tuple[RouteCost, float, object]:
    started = time.perf_counter()
    cost, response = measure_call(name, call)
    return cost, (time.perf_counter() - started) * 1000, response


def _measure_mentor(shape: MentorShape, mentor_id: str, feeds: IcsFeedServer, runs: int) -> list[OfferingCost]:
    results: list[OfferingCost] = []
    path = {"mentorId": mentor_id}
    window = {"from": format_utc(NOW), "to": format_utc(NOW + WINDOW)}
    profile = http_call("GET", "/mentors/{mentorId}", path_parameters=path)
    availability = http_call("GET", "/mentors/{mentorId}/availability", window, path_parameters=path)

    def record(measurement: str, cost: RouteCost, ms: float, timed_runs: int, reads_before: int) -> None:
        results.append(OfferingCost(shape, measurement, cost, ms, timed_runs, len(feeds.requests) - reads_before))

    with pinned_clock(NOW):
        for measurement, call in (("GET /mentors/{id}, cache fresh", profile), ("GET /mentors/{id}/availability 30 days, cache fresh", availability)):
            reads = len(feeds.requests)
            cost, ms = _timed(measurement, call, runs)
            record(measurement, cost, ms, max(runs, 1), reads)
        # A session to move later, booked now (unmeasured).
        mentee = _mentee(mentor_id, "moving")
        held = bookings.hold_session(
            Party(mentee["sub"], mentee["name"], mentee["email"], "UTC"),
            bookings.SessionRequest(mentor_id, (NOW + timedelta(days=2)).replace(hour=9, minute=0), 60, "A session that will move"),
            NOW,
        )
        bookings.confirm_booking(held.booking_id, mentee["sub"], "pm_card_visa", NOW)
    later = NOW + STALE
    with pinned_clock(later):
        reads = len(feeds.requests)
        cost, ms, _ = _once("GET /mentors/{id}/availability, cache stale", availability)
        record("GET /mentors/{id}/availability 30 days, cache stale (read again)", cost, ms, 1, reads)
        hold = http_call(
            "POST", "/bookings", claims=_mentee(mentor_id, "holding"),
            body={"mentorId": mentor_id, "start": _rule_only_start(3, 9), "durationMinutes": 60, "topic": "A career conversation"},
        )
        reads = len(feeds.requests)
        cost, ms, response = _once("POST /bookings, rule-only slot", hold)
        if json_body(response)["status"] != "held":
            raise BenchError(f"the hold on a rule-only slot was not held: {json_body(response)}")
        record("POST /bookings (60 min, rule-only slot)", cost, ms, 1, reads)
        move = http_call(
            "POST", "/bookings/{bookingId}/reschedule", claims={"sub": mentor_id, "email": "m@example.com", "name": "Mentor"},
            path_parameters={"bookingId": held.booking_id}, body={"start": _rule_only_start(4, 13)},
        )
        reads = len(feeds.requests)
        cost, ms, response = _once("POST /bookings/{id}/reschedule, rule-only slot", move)
        if json_body(response)["start"] != _rule_only_start(4, 13):
            raise BenchError(f"the reschedule onto a rule-only slot did not move: {json_body(response)}")
        record("POST /bookings/{id}/reschedule (onto a rule-only slot)", cost, ms, 1, reads)
    return results


def run(engine: DynamoDBLocal, runs: int = DEFAULT_RUNS, shapes: tuple[MentorShape, ...] = SHAPES) -> list[OfferingCost]:
    """Both mentors in one table (fresh tables, dropped afterwards)."""
    reader = HttpCalendarReader(OutboundPolicy(allow_loopback=True, read_timeout=5, total_seconds=10))
    results: list[OfferingCost] = []
    with fresh_tables(engine, "schedules"), IcsFeedServer() as feeds, accepting_channel():
        gateways.use(calendars=reader)
        try:
            with pinned_clock(NOW):
                mentors = [(shape, _seed_mentor(shape, feeds)) for shape in shapes]
            for shape, mentor_id in mentors:
                log(f"schedules: measuring {shape.label}")
                results += _measure_mentor(shape, mentor_id, feeds, runs)
        finally:
            gateways.use()
    return results


def section(results: list[OfferingCost]) -> list[str]:
    lines = [
        "## Offering with a weekly schedule and a connected calendar",
        "",
        __doc__.strip(),
        "",
        "| mentor | measurement | DynamoDB requests | items read | operations | calendar reads (HTTP) | ms (median) |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    for result in results:
        operations = ", ".join(f"{name} {count}" for name, count in sorted(result.cost.operations.items()))
        runs = f" ({result.runs} runs)" if result.runs > 1 else " (once)"
        lines.append(
            f"| {result.shape.label} | {result.measurement} | {result.cost.requests} | {result.cost.items_read} "
            f"| {operations} | {result.calendar_reads} | {result.ms:.1f}{runs} |"
        )
    by_measurement: dict[str, set[tuple[int, int]]] = {}
    for result in results:
        by_measurement.setdefault(result.measurement, set()).add((result.cost.requests, result.cost.items_read))
    differing = sorted(name for name, costs in by_measurement.items() if len(costs) > 1)
    verdict = (
        "Requests and items read are the same for both mentors in every row: the cost grows neither with "
        "the horizon nor with the mentor's history."
        if not differing
        else f"**Costs differ between the mentors** in: {', '.join(differing)}."
    )
    return [*lines, "", verdict, ""]
