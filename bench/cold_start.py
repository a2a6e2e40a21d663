"""Cold starts in the benchmark: the libraries' floor, every function's cold import, and each
HTTP function's first request after its cold import, all in the same rounds of fresh
interpreters (`scripts.cold_imports`), against a seeded table in DynamoDB Local.

The first request runs a route of the route table (the same call), with the clock pinned as
there, in an interpreter that has just imported the handler: it pays what is built on first use
(botocore's client and endpoint data, the route's validators, the resolver's route matching).
"""

from __future__ import annotations

import os

from bench.dataset import NOW, Population, build
from bench.routes import ROUTES, get
from bench.runner import fresh_tables, log
from bench.seeding import seed
from tooling.dynamodb_local import DynamoDBLocal
from tooling.template import http_routes
from scripts.cold_imports import ColdStarts, FirstRequest, measure

# One representative route of each HTTP function, by its name in the route table: read-only,
# so every fresh interpreter sees the same data.
FIRST_REQUEST_ROUTES = ("GET /mentors", "GET /me/bookings (mentee, upcoming)", "GET /realtime")
# First requests of functions whose routes read no table (nothing for the route table to count).
FIRST_REQUEST_ONLY = {"GET /realtime": get("/realtime")}
SEEDED_ITEMS = 1_000  # the routes read the same items at every size (the route table's ratio)
# What points a function at the bench's tables (set by bench.runner.bound_tables).
TABLE_VARIABLES = ("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "AWS_ENDPOINT_URL_DYNAMODB")
PIN_CLOCK = (
    "import datetime, mentorship.clock\n"
    f"mentorship.clock.now = lambda: datetime.datetime.fromisoformat({NOW.isoformat()!r})"
)
# The same route in an environment as SnapStart would resume it: init done and the
# before-snapshot hook run (at publish, so untimed), then the after-restore hook.
RESTORED = " (restored from a SnapStart snapshot)"
SNAPSTART_LIFECYCLE = "from mentorship import snapstart\nsnapstart.before_snapshot()\nsnapstart.after_restore()"


class MissingFirstRequest(RuntimeError):
    pass


def first_requests() -> list[FirstRequest]:
    """The representative routes as first requests; every HTTP function of the template has one."""
    builders = {spec.name: spec.build for spec in ROUTES} | FIRST_REQUEST_ONLY
    tables = {name: os.environ[name] for name in TABLE_VARIABLES}
    requests = []
    for route in FIRST_REQUEST_ROUTES:
        call = builders[route]()
        requests.append(FirstRequest(call.function, route, call.event, tables, PIN_CLOCK))
        requests.append(
            FirstRequest(call.function, route + RESTORED, call.event, tables, f"{PIN_CLOCK}\n{SNAPSTART_LIFECYCLE}")
        )
    uncovered = {route.function for route in http_routes()} - {request.function for request in requests}
    if uncovered:
        raise MissingFirstRequest(f"no first-request route for {sorted(uncovered)}: add one to FIRST_REQUEST_ROUTES")
    return requests


def run(engine: DynamoDBLocal, runs: int, population: Population = Population()) -> ColdStarts:
    """Seed a small table, then measure the references, every function's import and the first
    requests in `runs` rounds."""
    with fresh_tables(engine, "cold-start") as (client, table_name):
        seed(build(SEEDED_ITEMS, population), client, table_name, NOW)
        log(f"cold starts: {runs} rounds of fresh interpreters (imports and first requests)")
        return measure(runs, first_requests())
