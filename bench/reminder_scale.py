"""The scheduled run against a table of confirmed bookings, of which a handful are due.

Issue 6's scenario: N confirmed bookings, every one of them upcoming, so every one has its four
reminders (24 hours and 10 minutes before, to mentee and mentor) waiting in the DueWork index;
the 24-hour reminders of `DUE_BOOKINGS` of them fell due half an hour ago (a run missed them,
so they go out late). Nothing else is due. One run at `NOW` must send those reminders and read
in proportion to them, not to N: the counts are compared side by side for each N.

This is the worst case for the index: a real table would hold mostly past bookings, whose
reminders have left DueWork. The table holds bookings and their reminders only; the run reads
no slot or lock, and a booking's slot items would never enter the index.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from bench.dataset import CONFIRMED_AGO, NOW, session_booking
from bench.invoke import BenchError, scheduled_call
from bench.routes import stream_call, table_stream
from bench.runner import RouteCost, accepting_channel, fresh_tables, log, measure_call, pinned_clock
from bench.seeding import write_items
from tooling.dynamodb_local import DynamoDBLocal
from mentorship.domain.bookings import BookingStatus
from mentorship.domain.calendar import Party
from mentorship.domain.instants import SLOT
from mentorship.services.outbox_records import reminder_records
from mentorship.store.models import Reminder, TableItem

DUE_BOOKINGS = 5
DEFAULT_BOOKINGS = (1_000, 100_000)
MENTORS = 500
MENTEES_PER_BOOKING = 0.25  # 100,000 bookings among 25,000 mentees
DUE_START = NOW + timedelta(hours=23, minutes=30)  # its 24-hour reminder was due 30 minutes ago
# Every other booking starts when its 24-hour reminder is at least an hour away,
# within the 90 days a mentor may publish.
LATER_STARTS = range(round((timedelta(hours=25) / SLOT)), round(timedelta(days=90) / SLOT))
_ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "America/Los_Angeles", "Australia/Sydney")
_RUN = "RemindersFunction run"


@dataclass(frozen=True)
class ReminderScaleResult:
    bookings: int
    items: int
    pending_reminders: int  # in DueWork before the run
    due_reminders: int  # of those, due at NOW: what the run reported due and done
    seed_seconds: float
    run: RouteCost
    run_ms: float
    emails_sent: int
    pushes_sent: int
    idle: RouteCost  # the same minute run again: nothing left to do
    stream: RouteCost  # the StreamFunction on the run's stream records: it sends what the run recorded


def _party(role: str, n: int) -> Party:
    user_id = f"{role}-{n:05d}"
    return Party(user_id, f"{role.title()} {n:05d}", f"{user_id}@example.com", _ZONES[n % len(_ZONES)])


def booking_items(bookings: int, due: int = DUE_BOOKINGS) -> Iterator[TableItem]:
    """`bookings` confirmed bookings with their pending reminders, built as confirm builds them;
    the first `due` start at DUE_START (with different mentors), the rest later, no two of a
    mentor's at the same start."""
    if not 0 <= due <= min(bookings, MENTORS):
        raise ValueError(f"{due} due bookings do not fit {bookings} bookings among {MENTORS} mentors")
    rng = random.Random(f"reminder-scale:{bookings}:{due}")
    mentees = max(1, round(bookings * MENTEES_PER_BOOKING))
    free_starts = {mentor: list(LATER_STARTS) for mentor in range(MENTORS)}
    for n in range(bookings):
        mentor = n % MENTORS
        if n < due:
            start = DUE_START
        else:
            starts = free_starts[mentor]
            if not starts:
                raise ValueError(f"{bookings} bookings do not fit {MENTORS} mentors' 90 days")
            start = NOW + starts.pop(rng.randrange(len(starts))) * SLOT
        booking = session_booking(
            f"{rng.getrandbits(128):032x}",
            _party("mentor", mentor),
            _party("mentee", rng.randrange(mentees)),
            start,
            BookingStatus.CONFIRMED,
            hourly_rate=12_000,
            created_at=NOW - CONFIRMED_AGO,
        )
        yield booking
        yield from reminder_records(booking, confirmed_at=booking.created_at)


def _counted(items: Iterator[TableItem], kinds: Counter[str]) -> Iterator[TableItem]:
    for item in items:
        kinds[type(item).__name__] += 1
        yield item


def run_one(engine: DynamoDBLocal, bookings: int, due: int = DUE_BOOKINGS) -> ReminderScaleResult:
    """Seed `bookings` confirmed bookings into fresh tables, then measure one run at NOW and an
    idle repeat of it. Raises BenchError unless the run sent exactly the due reminders."""
    with fresh_tables(engine, f"reminders-{bookings}") as (client, table_name):
        log(f"reminder run, {bookings:,} confirmed bookings: seeding")
        started = time.perf_counter()
        kinds: Counter[str] = Counter()
        write_items(client, table_name, _counted(booking_items(bookings, due), kinds))
        seed_seconds = time.perf_counter() - started
        items = kinds.total()
        log(f"reminder run, {bookings:,} confirmed bookings: {items:,} items seeded in {seed_seconds:.1f} s")
        call = scheduled_call("RemindersFunction", NOW)
        with accepting_channel() as channel, pinned_clock(NOW):
            changes = table_stream()  # from here on: what the run writes
            started = time.perf_counter()
            run, report = measure_call(_RUN, call)
            run_ms = (time.perf_counter() - started) * 1000
            stream, stream_answer = measure_call("StreamFunction after the run", stream_call(changes))
            if stream_answer.get("batchItemFailures"):
                raise BenchError(f"the StreamFunction failed on the run's records: {stream_answer}")
            emails, pushes = channel.emails, channel.pushes
            idle, idle_report = measure_call(f"{_RUN} (repeat)", call)
    due_reminders = due * 2  # the 24-hour one, to both parties
    outcome = (report["due"], report["done"], emails, pushes, idle_report["due"])
    if outcome != (due_reminders, due_reminders, due_reminders, due_reminders, 0):
        raise BenchError(
            f"{_RUN}: {due_reminders} reminders were due; the run found {report['due']}, did {report['done']}, "
            f"sent {emails} emails and {pushes} pushes, and its repeat found {idle_report['due']} due"
        )
    return ReminderScaleResult(
        bookings=bookings,
        items=items,
        pending_reminders=kinds[Reminder.__name__],
        due_reminders=due_reminders,
        seed_seconds=seed_seconds,
        run=run,
        run_ms=run_ms,
        emails_sent=emails,
        pushes_sent=pushes,
        idle=idle,
        stream=stream,
    )


def run(engine: DynamoDBLocal, sizes: tuple[int, ...] = DEFAULT_BOOKINGS) -> list[ReminderScaleResult]:
    return [run_one(engine, bookings) for bookings in sizes]

