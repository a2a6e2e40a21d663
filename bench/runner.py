"""One benchmark run: for each size, fresh template tables in DynamoDB Local, the dataset seeded,
then every route invoked with the clock pinned, its DynamoDB requests counted, and (at the
largest size) its warm latency timed."""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from botocore.config import Config

from bench import counting
from bench.dataset import NOW, Population, Shape, build
from bench.invoke import BenchError, Call, check_success, invoke
from bench.routes import RouteSpec
from bench.seeding import WRITERS, seed
from tooling.dynamodb_local import LOCAL_CREDENTIALS, DynamoDBLocal, create_template_tables
from mentorship import clock, gateways
from mentorship.services import directory
from mentorship.settings import get_settings
from mentorship.store.binding import bind_table

MAIN_TABLE = "MentorshipTable"
IDEMPOTENCY_TABLE = "IdempotencyTable"


@dataclass(frozen=True)
class RouteCost:
    requests: int
    items_read: int
    scans: int
    operations: dict[str, int]  # e.g. {"GetItem": 1, "Query": 2}
    retries: int = 0  # attempts botocore repeated (throttling, 5xx): extra HTTP calls, not counted above
    function: str = ""  # the template's function that served it
    # Calls to the other services, made through the accepting stand-ins: SES emails, SNS pushes,
    # SQS hold timers (one SendMessage per hold, decisions §27); not in `requests`.
    sends: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float
    runs: int


@dataclass(frozen=True)
class SizeResult:
    size: int
    shape: Shape
    seed_seconds: float
    costs: dict[str, RouteCost]  # by route name, in measurement order
    latency: dict[str, Latency]  # empty unless timed


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@contextmanager
def pinned_clock(moment: datetime) -> Iterator[None]:
    """`mentorship.clock.now`, where every handler reads the time, answers `moment`."""
    original = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = original


@contextmanager
def bound_tables(names: dict[str, str], endpoint: str) -> Iterator[None]:
    """The models bound to these tables, and the environment pointing at them (for code that reads
    settings, such as the idempotency table), restored afterwards."""
    overrides = {
        "TABLE_NAME": names[MAIN_TABLE],
        "IDEMPOTENCY_TABLE_NAME": names[IDEMPOTENCY_TABLE],
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
    }
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    get_settings.cache_clear()
    bind_table(names[MAIN_TABLE], LOCAL_CREDENTIALS["region_name"], host=endpoint)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


class AcceptingChannel:
    """Stands in for SES, the push channel and the hold-timer queue (no AWS here): accepts every
    message, and counts."""

    def __init__(self) -> None:
        self.emails = 0
        self.pushes = 0
        self.hold_timers = 0

    def start(self, timer, now) -> None:
        self.hold_timers += 1

    def counts(self) -> dict[str, int]:
        return {"SES email": self.emails, "SNS push": self.pushes, "SQS hold timer": self.hold_timers}

    def send_raw(self, destinations: list[str], raw: str) -> str:
        self.emails += 1
        return "bench-email"

    def publish(self, user_id: str, notification_id: str, title: str, body: str, url: str | None) -> str:
        self.pushes += 1
        return "bench-push"


@contextmanager
def accepting_channel() -> Iterator[AcceptingChannel]:
    """The email, push and hold-timer gateways replaced by one AcceptingChannel for the block."""
    global _channel
    channel = AcceptingChannel()
    gateways.use(email=channel, push=channel, hold_timers=channel)
    _channel = channel
    try:
        yield channel
    finally:
        _channel = None
        gateways.use()


_channel: AcceptingChannel | None = None  # the block's, for measure_call's counts of sends


def _sends_since(before: dict[str, int]) -> dict[str, int]:
    after = _channel.counts() if _channel is not None else {}
    return {name: count - before.get(name, 0) for name, count in after.items() if count - before.get(name, 0)}


@contextmanager
def fresh_tables(engine: DynamoDBLocal, label: str) -> Iterator[tuple[object, str]]:
    """New template tables in `engine`, the models bound to them; yields a client able to take
    the seeding writers and the main table's name. The tables are dropped afterwards. Their
    streams start off, so seeding writes no stream records; `table_stream` turns the main one on
    where a measurement reads it."""
    counting.install()  # before the clients of these tables exist
    client = engine.client(config=Config(max_pool_connections=2 * WRITERS))
    names = create_template_tables(client, name_prefix=f"bench-{label}-{uuid.uuid4().hex[:8]}-", streams=False, ttl=False)
    try:
        with bound_tables(names, engine.endpoint):
            yield client, names[MAIN_TABLE]
    finally:
        for table_name in names.values():
            client.delete_table(TableName=table_name)


def in_measurement_order(routes: Sequence[RouteSpec]) -> list[RouteSpec]:
    return sorted(routes, key=lambda spec: spec.changes_data)  # stable: read-only routes first


def measure_call(name: str, call: Call) -> tuple[RouteCost, object]:
    """What one invocation cost in DynamoDB requests and items read, and its response."""
    sent_before = _channel.counts() if _channel is not None else {}
    with counting.recording() as recorded:
        response = invoke(call)
    sends = _sends_since(sent_before)
    check_success(name, response)
    if recorded.failures:
        failed = Counter(f"{r.operation} {r.error_code}" for r in recorded.requests if r.failed)
        raise BenchError(f"{name}: {recorded.failures} DynamoDB requests failed: {dict(failed)}")
    if not recorded.count:
        raise BenchError(f"{name}: no DynamoDB request was counted (were its clients created before the hook?)")
    cost = RouteCost(
        recorded.count,
        recorded.items_read,
        recorded.scans,
        dict(recorded.operations()),
        recorded.retries,
        function=call.function,
        sends=sends,
    )
    return cost, response


def measure_cost(spec: RouteSpec) -> RouteCost:
    """One call's cost; a directory read pays its instance's read of recent changes (the worst
    case: most requests of a warm instance read nothing)."""
    call = spec.build()
    directory.read_model().expire_sync()
    return measure_call(spec.name, call)[0]


def warm_directory(now: datetime) -> None:
    """The directory as production has it: a snapshot a compaction wrote, held by a warm instance."""
    directory.forget_read_model()
    directory.compact(now, force=True)
    directory.read_model().index(now)


def measure_latency(spec: RouteSpec, runs: int) -> Latency:
    """Warm latency of the handler in-process (DynamoDB Local on loopback, no network)."""
    call = spec.build()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = invoke(call)
        samples.append((time.perf_counter() - started) * 1000)
        check_success(spec.name, response)
    percentiles = statistics.quantiles(samples, n=100, method="inclusive")
    return Latency(p50_ms=statistics.median(samples), p99_ms=percentiles[98], runs=runs)


def run_size(
    engine: DynamoDBLocal,
    size: int,
    population: Population,
    routes: Sequence[RouteSpec],
    latency_runs: int = 0,
) -> SizeResult:
    """Seed a `size`-item table in `engine` and measure every route on it; the tables are dropped
    afterwards."""
    with fresh_tables(engine, str(size)) as (client, table_name):
        log(f"{size:,} items: seeding")
        started = time.perf_counter()
        dataset = build(size, population)
        seed(dataset, client, table_name, NOW)
        seed_seconds = time.perf_counter() - started
        log(f"{size:,} items: seeded in {seed_seconds:.1f} s; measuring {len(routes)} routes")
        costs: dict[str, RouteCost] = {}
        latency: dict[str, Latency] = {}
        with accepting_channel(), pinned_clock(NOW):
            warm_directory(NOW)
            for spec in in_measurement_order(routes):
                costs[spec.name] = measure_cost(spec)
                if latency_runs and spec.timed:
                    latency[spec.name] = measure_latency(spec, latency_runs)
        return SizeResult(size, dataset.shape, seed_seconds, costs, latency)


def run(
    engine: DynamoDBLocal,
    sizes: Sequence[int],
    population: Population,
    routes: Sequence[RouteSpec],
    latency_runs: int,
) -> list[SizeResult]:
    """Every size in `engine`; latency only at the largest size."""
    largest = max(sizes)
    return [
        run_size(engine, size, population, routes, latency_runs if size == largest else 0) for size in sizes
    ]
