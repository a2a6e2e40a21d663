"""The per-minute scheduled run: do every piece of work that has fallen due.

`now` is the later of the event's `time` and the clock: a replay for a future minute acts as
that minute, and a late or repeated delivery of an old event never acts on stale time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from mentorship.domain.instants import format_utc, parse_instant
from mentorship.observability import logger
from mentorship.store.models import TableItem

# What does each kind (model class) of due work; the booking and reminder use cases add theirs.
DueWorkHandler = Callable[[TableItem, datetime], bool]


def run_time(event_time: str | None, clock_now: datetime) -> datetime:
    if not event_time:
        return clock_now
    try:
        scheduled = parse_instant(event_time)
    except ValueError:
        logger.warning("scheduled event has an unreadable time; using the clock", extra={"time": event_time})
        return clock_now
    return max(scheduled, clock_now)


@dataclass
class RunReport:
    now: str
    due: int = 0
    done: int = 0
    skipped: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"now": self.now, "due": self.due, "done": self.done, "skipped": dict(self.skipped)}


def run_due_work(
    now: datetime, due_items: Iterable[TableItem], handlers: dict[type[TableItem], DueWorkHandler]
) -> RunReport:
    """Hand each due item to the handler of its kind. A handler returns True when it did the work
    and False when another run got there first (its conditional mark failed). The run does what
    was due when it started: the list is read before any handler runs, so the messages a handler
    records (a reminder's email and push) are the StreamFunction's to send, not this run's."""
    report = RunReport(now=format_utc(now))
    for item in list(due_items):
        report.due += 1
        handler = handlers.get(type(item))
        if handler is None:
            kind = type(item).__name__
            report.skipped[kind] += 1
            logger.error("due work of an unknown kind", extra={"kind": kind, "pk": item.pk, "sk": item.sk})
            continue
        if handler(item, now):
            report.done += 1
        else:
            report.skipped["taken_by_another_run"] += 1
    return report
