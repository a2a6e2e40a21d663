"""The benchmark's report, in markdown: what was run where, the cost of each route at each size,
the datasets, and the cold starts (imports and first requests)."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from operator import attrgetter

from bench.cold_start import RESTORED
from bench.dataset import MEASURED_MENTEE, MEASURED_MENTOR, NOW
from bench.directory_report import section as directory_section
from bench.directory_scale import DirectoryScaleResult
from bench.reminder_scale import DUE_BOOKINGS, ReminderScaleResult
from bench.runner import SizeResult
from bench.schedule_offering import OfferingCost
from bench.schedule_offering import section as schedule_section
from bench.webhook_fanout import FanOutResult
from bench.webhook_fanout import section as webhook_section
from tooling.dynamodb_local import find_engine_dir
from scripts.cold_imports import ColdStarts

GROWTH_TOLERANCE = 1.1  # items read at the largest size / smallest size above this is growth
GROWTH_ALLOWANCE = 2  # ...beyond a couple of items


@dataclass(frozen=True)
class RunInfo:
    command: str
    started: datetime
    seconds: float
    phases: tuple[tuple[str, float], ...] = ()  # (part of the run, its seconds), in order


def size_label(size: int) -> str:
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    if size >= 1000 and size % 100 == 0:
        return f"{size / 1000:.1f}k"
    return f"{size:,}"


def grows(small: int, large: int) -> bool:
    return large > small * GROWTH_TOLERANCE + GROWTH_ALLOWANCE


def _ratio(small: int, large: int) -> str:
    if small == 0:
        return "—" if large == 0 else "∞"
    return f"{large / small:.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if index in right else "---" for index in range(len(header))) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def cost_table(results: Sequence[SizeResult], cold: ColdStarts | None = None) -> str:
    """route | requests and items read per size | ratio | scans | p50 / p99 at the timed size |
    the cold import of the function serving it, x a bare `import boto3` (when measured)."""
    small, large = results[0], results[-1]
    timed = next((result for result in reversed(results) if result.latency), None)
    header = ["route"]
    for result in results:
        label = size_label(result.size)
        header += [f"requests @{label}", f"items read @{label}"]
    header += [f"ratio (items {size_label(large.size)} / {size_label(small.size)})", "scans", "other calls"]
    if timed:
        header += [f"p50 ms @{size_label(timed.size)}", f"p99 ms @{size_label(timed.size)}"]
    if cold:
        header += ["function", "cold import ms (x boto3)"]
    rows = []
    for route in small.costs:
        row = [route.replace("|", "\\|")]
        for result in results:
            cost = result.costs[route]
            row += [str(cost.requests), f"{cost.items_read:,}"]
        row += [
            _ratio(small.costs[route].items_read, large.costs[route].items_read),
            str(sum(result.costs[route].scans for result in results)),
            _sends(large.costs[route].sends),
        ]
        if timed:
            latency = timed.latency.get(route)
            row += [f"{latency.p50_ms:.1f}", f"{latency.p99_ms:.1f}"] if latency else ["—", "—"]
        if cold:
            function = small.costs[route].function
            cold_import = cold.imports.get(function)
            row += [function, f"{cold_import:.0f} ({cold_import / cold.baseline:.2f})" if cold_import else "—"]
        rows.append(row)
    right = set(range(1, len(header))) - {header.index("other calls")} - ({header.index("function")} if cold else set())
    return _table(header, rows, right=right)


def findings(results: Sequence[SizeResult]) -> list[str]:
    """Where a route's cost grows with the table (items read, requests), scans or was retried,
    stated with the numbers."""
    small, large = results[0], results[-1]
    notes = []
    for route, cost in small.costs.items():
        big = large.costs[route]
        if grows(cost.items_read, big.items_read):
            notes.append(
                f"**{route}** reads {big.items_read:,} items at {large.size:,} against "
                f"{cost.items_read:,} at {small.size:,} ({_ratio(cost.items_read, big.items_read)}x) "
                f"in {big.requests} requests "
                f"({_operations(big.operations)})."
            )
        if big.requests > cost.requests:
            notes.append(
                f"**{route}** makes {big.requests} requests at {large.size:,} against {cost.requests}."
            )
        scans = sum(result.costs[route].scans for result in results)
        if scans:
            notes.append(f"**{route}** scans ({scans} Scan requests).")
        retries = sum(result.costs[route].retries for result in results)
        if retries:
            notes.append(
                f"**{route}**: botocore retried {retries} attempts (throttled or failed; not in the counts)."
            )
    return notes


def _sends(sends: dict[str, int]) -> str:
    """Calls to SES, SNS and SQS a route made (at the largest size), e.g. "1 SQS hold timer"."""
    return ", ".join(f"{count} {name}" for name, count in sorted(sends.items())) or "—"


def _operations(operations: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in sorted(operations.items()))


def dataset_table(results: Sequence[SizeResult]) -> str:
    header = [
        "items",
        "seeding s",
        "mentors",
        f"{MEASURED_MENTOR} open slots",
        f"{MEASURED_MENTOR} reviews",
        f"{MEASURED_MENTEE} upcoming",
        f"{MEASURED_MENTEE} past",
        f"{MEASURED_MENTEE} notifications",
        "items by kind",
    ]
    rows = []
    for result in results:
        shape = result.shape
        kinds = ", ".join(f"{name} {count:,}" for name, count in shape.kinds.items())
        rows.append(
            [
                f"{result.size:,}",
                f"{result.seed_seconds:.1f}",
                str(shape.mentors),
                str(shape.measured_mentor_open_slots),
                f"{shape.measured_mentor_reviews:,}",
                str(shape.measured_mentee_upcoming),
                f"{shape.measured_mentee_past:,}",
                f"{shape.measured_mentee_notifications:,}",
                kinds,
            ]
        )
    return _table(header, rows, right=set(range(len(header) - 1)))


def cold_import_table(cold: ColdStarts) -> str:
    """Each import with its ratio to a bare `import boto3` and to the HTTP functions' floor."""
    rows = [
        [name, f"{value:.0f}", f"{value / cold.baseline:.2f}", f"{value / cold.floor:.2f}"]
        for name, value in cold.imports.items()
    ]
    return _table(["module", f"median ms ({cold.runs} rounds)", "x boto3", "x floor"], rows, right={1, 2, 3})


def first_request_table(cold: ColdStarts) -> str:
    """Per HTTP function: its cold import and the first request after it, against the floor."""
    header = [
        "function",
        "first request",
        "cold import ms",
        "x floor",
        "first request ms",
        "same request warm ms",
        "import + first request ms",
        "x floor",
    ]
    rows = [
        [
            timing.function,
            timing.route.replace("|", "\\|"),
            f"{timing.import_ms:.0f}",
            f"{timing.import_ms / cold.floor:.2f}",
            f"{timing.first_request_ms:.1f}",
            f"{timing.warm_request_ms:.1f}",
            f"{timing.cold_ms:.0f}",
            f"{timing.cold_ms / cold.floor:.2f}",
        ]
        for timing in cold.first_requests
        if not timing.route.endswith(RESTORED)
    ]
    return _table(header, rows, right=set(range(2, len(header))))


def restored_request_table(cold: ColdStarts) -> str:
    """The first request in an environment SnapStart resumed, next to the same after a cold import."""
    cold_first = {timing.route: timing for timing in cold.first_requests}
    header = ["function", "first request", "after a restore ms", "after a cold import ms", "warm ms"]
    rows = [
        [
            timing.function,
            timing.route.removesuffix(RESTORED).replace("|", "\\|"),
            f"{timing.first_request_ms:.1f}",
            f"{cold_first[timing.route.removesuffix(RESTORED)].first_request_ms:.1f}",
            f"{timing.warm_request_ms:.1f}",
        ]
        for timing in cold.first_requests
        if timing.route.endswith(RESTORED)
    ]
    return _table(header, rows, right=set(range(2, len(header))))


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("boto3", "pynamodb", "aws-lambda-powertools")
    )
    engine = find_engine_dir().name.removeprefix("dynamodb_local_")
    return (
        f"{os.cpu_count()} CPUs ({_cpu_model()}), {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}, {versions}, DynamoDB Local {engine}"
    )


def _cost_section(
    results: Sequence[SizeResult], notes: dict[str, str], cold: ColdStarts | None = None
) -> list[str]:
    timed = next((result for result in reversed(results) if result.latency), None)
    latency = (
        f" p50/p99 are warm latencies over {next(iter(timed.latency.values())).runs} invocations at "
        f"{timed.size:,} items (the handler in-process, DynamoDB Local on loopback: no network, no Lambda)."
        if timed
        else ""
    )
    growth = findings(results)
    return [
        "## DynamoDB requests per route",
        "",
        "Every route runs in-process through its real handler against the real DynamoDB Local engine, "
        f"with the clock pinned to {NOW:%Y-%m-%dT%H:%MZ}, once per data size. **Requests** are the "
        "DynamoDB API calls it made and **items read** what DynamoDB evaluated for it, counted from "
        "botocore's `after-call` events (never estimated): `ScannedCount` for Query and Scan (the items "
        "a read is billed for, including those a filter drops), 1 for a GetItem that found its item, the "
        "items returned by BatchGetItem and TransactGetItems. **scans** counts Scan requests over every "
        "size (the rule is none). The ratio compares items read at the largest size with the smallest: "
        f"about 1 means the cost follows what the route returns, not how much the table holds.{latency}"
        + (
            " The last columns name the function that served the route and its cold import, measured in "
            "the same run (see Cold starts)."
            if cold
            else ""
        ),
        "",
        cost_table(results, cold),
        "",
        "Costs that grow with the table: " + ("none." if not growth else ""),
        "",
        *[f"- {note}" for note in growth],
        *([""] if growth else []),
        *[f"{route}: {note}" for route, note in notes.items()],
        *([""] if notes else []),
    ]


def _dataset_section(results: Sequence[SizeResult]) -> list[str]:
    return [
        "## Datasets",
        "",
        f"The same current data at every size ({results[0].shape.mentors} mentors with open slots in the "
        f"next 30 days, holds and booked sessions; {MEASURED_MENTOR} is the measured mentor and "
        f"{MEASURED_MENTEE} the measured mentee); the rest is history and other users' data: past slots "
        "and sessions, reviews, other mentees' bookings with their reminders, inbox notifications. "
        "Seeding is the time to build the items and write them (BatchWriteItem from several threads), "
        "plus the profiles and next open slots through the store.",
        "",
        dataset_table(results),
        "",
    ]


def reminder_scale_table(results: Sequence[ReminderScaleResult]) -> str:
    """One column per number of confirmed bookings, and the ratio of the last to the first."""
    first, last = results[0], results[-1]
    rows: list[list[str]] = []

    def row(label: str, shown, counted=None) -> None:
        """`shown(result)` in each column; the ratio of `counted` (a number) last to first."""
        ratio = _ratio(counted(first), counted(last)) if counted else ""
        rows.append([label, *(str(shown(result)) for result in results), ratio])

    def thousands(value):
        return lambda result: f"{value(result):,}"

    items, requests, items_read = attrgetter("items"), attrgetter("run.requests"), attrgetter("run.items_read")
    row("items in the table", thousands(items), items)
    row("reminders waiting in DueWork", thousands(attrgetter("pending_reminders")))
    row("reminders due, and done by the run", attrgetter("due_reminders"))
    row("**DynamoDB requests**", requests, requests)
    row("**items read**", items_read, items_read)
    row("scans", attrgetter("run.scans"))
    row("requests by operation", lambda r: _operations(r.run.operations))
    row("StreamFunction on the run's records: requests", lambda r: f"{r.stream.requests} ({_operations(r.stream.operations)})")
    row("emails / pushes sent (by the StreamFunction)", lambda r: f"{r.emails_sent} / {r.pushes_sent}")
    row("run ms (DynamoDB Local)", lambda r: f"{r.run_ms:.0f}")
    row("the same minute again: requests / items read", lambda r: f"{r.idle.requests} / {r.idle.items_read}")
    row("seeding s", lambda r: f"{r.seed_seconds:.1f}")
    header = ["", *[f"{result.bookings:,} bookings" for result in results], "ratio"]
    return _table(header, rows, right=set(range(1, len(header))))


def _per_due_reminder(result: ReminderScaleResult) -> str:
    """Requests per due reminder, beside the one Query per DueWork shard."""
    per = (result.run.requests - result.run.operations.get("Query", 0)) / result.due_reminders
    return f"{per:g}"


def _reminder_scale_section(results: Sequence[ReminderScaleResult]) -> list[str]:
    first, last = results[0], results[-1]
    growing = [
        name
        for name, small, large in (
            ("requests", first.run.requests, last.run.requests),
            ("items read", first.run.items_read, last.run.items_read),
        )
        if grows(small, large)
    ]
    return [
        "## The reminder run against confirmed bookings",
        "",
        "`bench.reminder_scale`: a table of confirmed bookings, every one upcoming, so every one has its "
        "four reminders (24 hours and 10 minutes before, to each party) waiting in the DueWork index: the "
        f"worst case for the index. The 24-hour reminders of {DUE_BOOKINGS} bookings fell due 30 minutes "
        f"before the run (a missed run, so they go out late); nothing else is due. One RemindersFunction run "
        f"at {NOW:%Y-%m-%dT%H:%MZ} is counted as the routes are; the bench fails unless it sent exactly the "
        "due reminders (an email and a push each) and a repeat of the minute found nothing due. Per due "
        f"reminder the run made {_per_due_reminder(last)} requests besides one Query per DueWork shard: the "
        "lease (UpdateItem), the booking (GetItem), one transaction (mark sent, record the email and the "
        "inbox entry, check the booking). The StreamFunction, handed the run's stream records as Lambda "
        "would, then sends each email and push: its own lease and sent mark (4 UpdateItem per reminder).",
        "",
        reminder_scale_table(results),
        "",
        "Costs that grow with the bookings: " + (", ".join(growing) + "." if growing else "none."),
        "",
    ]


def _cold_start_section(cold: ColdStarts) -> list[str]:
    section = [
        "## Cold starts",
        "",
        "`scripts.cold_imports` through `bench.cold_start`: each function's handler module imported in a fresh "
        "interpreter (its code directory and the layer on sys.path, as Lambda does), next to a bare "
        "`import boto3` and to the libraries' own floor for an HTTP function (**x floor**): boto3 with the "
        "validating Powertools resolver both API functions build, before any code of ours. Every row comes "
        f"from the same {cold.runs} rounds (one fresh interpreter per row and round, round-robin), medians. "
        "Bytecode is warm, as in a package `make build` wrote (`scripts/compile_build.py`; without it each "
        "function's import from the built artifacts is about 3 times slower: "
        "`python -m scripts.cold_imports --build DIR` measures both).",
        "",
        cold_import_table(cold),
        "",
    ]
    if cold.first_requests:
        section += [
            "The first request after a cold import, in the same interpreters: the handler imported, then one "
            "route of the table above invoked against a seeded table in DynamoDB Local (clock pinned as "
            "there), then the same request again. The first request builds what is built on first use "
            "(botocore's client and its endpoint data, the route's validators); the warm one shows what any "
            "request costs. **import + first request** is what a cold start costs before its answer, "
            "without Lambda's own start of the runtime.",
            "",
            first_request_table(cold),
            "",
        ]
    if any(timing.route.endswith(RESTORED) for timing in cold.first_requests):
        section += [
            "With SnapStart (template parameter, off by default) the import and init are not paid by a cold "
            "start: Lambda resumes a snapshot taken after them, at a restore time of its own that this machine "
            "cannot measure. What the first request still pays there is measured in the same interpreters as "
            "above, after the import, the before-snapshot hook (which primes the API models' validators and "
            "each route's validation) and the after-restore hook (mentorship/snapstart.py): the clients are "
            "still made on first use, after the restore, so none carries a connection or credentials across "
            "restores.",
            "",
            restored_request_table(cold),
            "",
        ]
    return section


def document(
    results: Sequence[SizeResult],
    info: RunInfo,
    notes: dict[str, str],
    cold: ColdStarts | None = None,
    reminders: Sequence[ReminderScaleResult] = (),
    chart: str | None = None,
    directory: Sequence[DirectoryScaleResult] = (),
    webhooks: Sequence[FanOutResult] = (),
    live: Sequence[str] = (),
    schedules: Sequence[OfferingCost] = (),
) -> str:
    """The whole report; `notes` are the routes' own remarks (RouteSpec.note) by route name,
    `chart` the chart's path relative to the report."""
    parts = [
        "# Benchmarks",
        "",
        f"Generated by `{info.command}` on {info.started:%Y-%m-%d %H:%M} UTC, in {info.seconds:.0f} s, "
        f"on {machine()}.",
        "",
        *(
            ["Where the time went: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in info.phases) + ".", ""]
            if info.phases
            else []
        ),
        *([f"![DynamoDB cost against data size]({chart})", ""] if chart else []),
        *_cost_section(results, notes, cold),
        *(_reminder_scale_section(reminders) if reminders else []),
        *(directory_section(directory) if directory else []),
        *(webhook_section(list(webhooks)) if webhooks else []),
        *(schedule_section(list(schedules)) if schedules else []),
        *live,
        *_dataset_section(results),
        *(_cold_start_section(cold) if cold else []),
    ]
    return "\n".join(parts)


def now_utc() -> datetime:
    return datetime.now(UTC)
