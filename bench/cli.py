"""`python -m bench`: run the benchmark, print the report, write it to docs/benchmarks.md."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

from bench import cold_start, directory_scale, live_availability, reminder_scale, schedule_offering, webhook_fanout
from bench.chart import write_chart
from bench.dataset import Population
from bench.report import RunInfo, document, now_utc
from bench.routes import ROUTES
from bench.runner import log, run
from tooling.dynamodb_local import DynamoDBLocal
from tooling.template import ROOT

DEFAULT_SIZES = (1_000, 100_000)
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.md"
T = TypeVar("T")
CHART_SUFFIX = ".png"  # the chart goes next to the report: docs/benchmarks.png


class PhaseClock:
    """Times the parts of a run, so the report says where its minutes went (the budget is 10)."""

    def __init__(self) -> None:
        self.seconds: list[tuple[str, float]] = []

    def timed(self, name: str, part: Callable[[], T], skip: bool = False, skipped: Any = ()) -> T:
        """`part`'s result, timed; `skipped` when `skip`."""
        if skip:
            return skipped
        started = time.perf_counter()
        result = part()
        self.seconds.append((name, time.perf_counter() - started))
        log(f"{name}: {self.seconds[-1][1]:.0f} s")
        return result


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            "sizes are item counts separated by commas, e.g. 1000,100000"
        ) from None
    if len(sizes) < 2 or any(size <= 0 for size in sizes) or list(sizes) != sorted(set(sizes)):
        raise argparse.ArgumentTypeError("give at least two increasing sizes, e.g. 1000,100000")
    return sizes


def _subscriber_counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("subscriber counts separated by commas, e.g. 0,10,1000") from None
    if not counts or any(count < 0 for count in counts):
        raise argparse.ArgumentTypeError("give one or more subscriber counts of 0 or more, e.g. 0,10,1000")
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=DEFAULT_SIZES,
        help="items in the main table, comma-separated (default: 1000,100000)",
    )
    parser.add_argument(
        "--reminder-bookings",
        type=_sizes,
        default=reminder_scale.DEFAULT_BOOKINGS,
        help="confirmed bookings for the reminder run, comma-separated (default: 1000,100000)",
    )
    parser.add_argument(
        "--no-reminder-run", action="store_true", help="skip the reminder run against confirmed bookings"
    )
    parser.add_argument(
        "--directory-mentors",
        type=_sizes,
        default=directory_scale.DEFAULT_MENTORS,
        help="mentors in the directory at scale, comma-separated (default: 1000,20000,100000)",
    )
    parser.add_argument("--no-directory", action="store_true", help="skip the directory at scale")
    parser.add_argument("--no-webhooks", action="store_true", help="skip the webhook fan-out (0, 1 and 5 webhooks)")
    parser.add_argument(
        "--no-schedules",
        action="store_true",
        help="skip offering with a weekly schedule and a calendar on loopback (two mentors: horizon and history)",
    )
    parser.add_argument(
        "--latency-runs",
        type=int,
        default=50,
        help="invocations per route timed at the largest size (0: none)",
    )
    parser.add_argument(
        "--cold-import-runs",
        type=int,
        default=5,
        help="rounds of fresh interpreters for the cold imports and first requests (0: none)",
    )
    parser.add_argument(
        "--live-subscribers",
        type=_subscriber_counts,
        default=live_availability.DEFAULT_SUBSCRIBERS,
        help="subscribers of the changed mentor for the live-availability fan-out (default: 0,10,1000)",
    )
    parser.add_argument(
        "--live-holds",
        type=int,
        default=live_availability.DEFAULT_HOLDS,
        help="holds timed to their WebSocket message on the local stack (default: 50; 0: none)",
    )
    parser.add_argument("--no-live", action="store_true", help="skip live availability")
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where to write the report (default: docs/benchmarks.md)",
    )
    parser.add_argument("--no-output", action="store_true", help="print the report only")
    args = parser.parse_args(argv)
    if args.latency_runs == 1 or args.latency_runs < 0 or args.cold_import_runs < 0:
        parser.error("--latency-runs is 0 or at least 2 (for percentiles); --cold-import-runs is 0 or more")
    if min(args.reminder_bookings) < reminder_scale.DUE_BOOKINGS:
        parser.error(f"--reminder-bookings: at least {reminder_scale.DUE_BOOKINGS}, the bookings that are due")

    started_at, started = now_utc(), time.perf_counter()
    phases = PhaseClock()
    log("starting DynamoDB Local")
    with DynamoDBLocal() as engine:
        results = phases.timed("routes", lambda: run(engine, args.sizes, Population(), ROUTES, args.latency_runs))
        reminders = phases.timed(
            "reminder run", lambda: reminder_scale.run(engine, args.reminder_bookings), skip=args.no_reminder_run
        )
        directory = phases.timed(
            "directory",
            lambda: directory_scale.run(engine, args.directory_mentors, runs=min(args.latency_runs, 30)),
            skip=args.no_directory,
        )
        webhook_costs = phases.timed("webhooks", lambda: webhook_fanout.run(engine), skip=args.no_webhooks)
        schedule_costs = phases.timed(
            "schedules",
            lambda: schedule_offering.run(engine, runs=min(args.latency_runs, schedule_offering.DEFAULT_RUNS)),
            skip=args.no_schedules,
        )
        cold = phases.timed(
            "cold starts", lambda: cold_start.run(engine, args.cold_import_runs), skip=not args.cold_import_runs, skipped=None
        )
        live_costs = phases.timed(
            "live fan-out", lambda: live_availability.fan_out_costs(engine, args.live_subscribers), skip=args.no_live
        )
    latency = phases.timed(
        "live latency",
        lambda: live_availability.hold_to_message(args.live_holds),
        skip=args.no_live or args.live_holds <= 1,
        skipped=None,
    )
    arguments = sys.argv[1:] if argv is None else argv
    command = shlex.join(["python", "-m", "bench", *arguments]) if arguments else "make bench"
    info = RunInfo(command, started_at, time.perf_counter() - started, tuple(phases.seconds))
    notes = {spec.name: spec.note for spec in ROUTES if spec.note}
    chart = None if args.no_output else args.output.with_suffix(CHART_SUFFIX)
    report = document(
        results, info, notes, cold, reminders, chart.name if chart else None, directory,
        webhooks=webhook_costs,
        schedules=schedule_costs,
        live=live_availability.live_section(live_costs, latency) if live_costs else (),
    )
    print(report)
    if chart:
        write_chart(chart, results, reminders)
        args.output.write_text(report)
        log(f"wrote {args.output} and {chart}")
