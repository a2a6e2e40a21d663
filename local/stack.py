"""The local stack behind `make run`:  PORT=3000 python -m local.stack

Serves template.yaml's HTTP API on http://127.0.0.1:$PORT the way AWS would run it, without a
container engine:

  * DynamoDB: AWS's real DynamoDB Local engine (Java), tables created from the template;
  * SES and SNS: moto's server, in this process (sender identities verified, topics created);
  * functions: worker processes per function, each handling one event at a time (local.workers);
  * HTTP API: routes, JWT authorizer and payload 2.0 events from the template (local.http_api);
  * EventBridge: the template's schedules fired on their cadence (local.schedules);
  * DynamoDB Streams: each stream event source mapping polls DynamoDB Local's stream and invokes
    its function with Lambda's batch event, retrying partial failures (local.streams);
  * SQS: the template's queues in moto (message timers included) and each SQS event source
    mapping polling its queue (local.queues): hold timers come back when holds lapse;
  * WebSocket API: the template's WebSocket routes on ws://127.0.0.1:<any free port> (GET /realtime
    answers it) and PostToConnection on a second port (local.websocket);
  * demo data seeded at start (local.seed), and the local-only endpoints (local.dev_api).

Everything it starts ends with it: Ctrl-C or SIGTERM stops the workers, moto and the Java
process; if the stack is killed outright, the workers and Java get SIGTERM from the kernel
(parent-death signal). Options: --port/PORT, --workers/WORKERS_PER_FUNCTION, --no-seed,
--no-schedules (run schedules on demand with POST /_local/schedules/<FunctionLogicalId>),
--hold-seconds/HOLD_SECONDS (a shorter hold, for the end-to-end test of expiry announcements; AWS
always holds 5 minutes).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from tooling.template import (
    ROOT,
    Schedule,
    Tag,
    http_routes,
    layer_dirs,
    queue_sources,
    schedules,
    stream_sources,
    websocket_routes,
)


def _import_layers_like_lambda() -> None:
    """The stack itself uses the shared package (seed data through the store's models, instant
    parsing): put the layer directories on sys.path, as Lambda puts /opt/python there."""
    for layer in reversed(layer_dirs()):
        if str(layer) not in sys.path:
            sys.path.insert(0, str(layer))


_import_layers_like_lambda()

# These import the layer's `mentorship` package (directly or through their own imports).
from local import seed as demo_seed  # noqa: E402
from local.auth import LocalAuthorizer  # noqa: E402
from local.cors import CorsPolicy  # noqa: E402
from local.dev_api import DevEndpoints, OpenApiSource, docs_assets_available  # noqa: E402
from tooling.dynamodb_local import DynamoDBLocal, create_template_tables  # noqa: E402
from local.function_config import ISOLATED_AWS_ENVIRONMENT, Endpoints, function_runtimes  # noqa: E402
from local.http_api import HttpApiGateway  # noqa: E402
from tooling.intrinsics import REGION, Resolver  # noqa: E402
from local.moto_services import MotoServices  # noqa: E402
from local.queues import QueuePollers  # noqa: E402
from local.schedules import Scheduler, scheduled_event  # noqa: E402
from local.server import Dispatcher, LocalHttpServer  # noqa: E402
from local.streams import StreamPollers  # noqa: E402
from local.websocket import LocalWebSocketApi  # noqa: E402
from local.workers import Invocation, NoWorkerAvailable, WorkerPools  # noqa: E402
from mentorship.domain.instants import format_utc  # noqa: E402
from mentorship.settings import MAX_HOLD_SECONDS, MIN_HOLD_SECONDS  # noqa: E402

log = logging.getLogger("local.stack")

STATE_DIR = ROOT / ".local-stack"  # logs of the emulators (git-ignored)
LOCAL_ONLY_PREFIXES = ("/_local", "/docs", "/openapi.json")
SEEDED_TABLE = "MentorshipTable"  # logical id of the table the demo data goes into


class StackStartError(RuntimeError):
    """A start-up failure worth one line, not a traceback (e.g. the port is taken)."""


class StopRequested(BaseException):
    """Raised in the main thread by SIGINT/SIGTERM, so a stop during start-up unwinds it too."""


@dataclass(frozen=True)
class StackOptions:
    host: str = "127.0.0.1"
    port: int = 3000
    workers_per_function: int = 2
    seed: bool = True
    schedules: bool = True
    hold_seconds: int | None = None  # None: the functions' own 5 minutes


class LocalStack:
    def __init__(self, options: StackOptions):
        self.options = options
        self.url = f"http://{options.host}:{options.port}"
        self._server: LocalHttpServer | None = None
        self._dynamodb: DynamoDBLocal | None = None
        self._moto: MotoServices | None = None
        self._pools: WorkerPools | None = None
        self._scheduler: Scheduler | None = None
        self._streams: StreamPollers | None = None
        self._queues: QueuePollers | None = None
        self._websocket: LocalWebSocketApi | None = None
        self._table_names: dict[str, str] = {}

    def start(self) -> None:
        started = time.monotonic()
        _refuse_local_only_paths_in_template()
        # Bind first: a busy port fails the start before anything else is launched.
        try:
            self._server = LocalHttpServer(self.options.host, self.options.port)
        except OSError as exc:
            message = f"cannot listen on {self.url}: {exc.strerror} (choose another with PORT=...)"
            raise StackStartError(message) from None
        STATE_DIR.mkdir(exist_ok=True)

        resolver = self._start_emulators()
        self._websocket = LocalWebSocketApi(websocket_routes(), self._invoke, self.options.host)
        endpoints = Endpoints(
            dynamodb=self._dynamodb.endpoint,
            moto=self._moto.endpoint,
            realtime_url=self._websocket.url,
            realtime_callback_url=self._websocket.callback_url,
        )
        runtimes = function_runtimes(resolver, endpoints)
        if self.options.hold_seconds is not None:
            for runtime in runtimes.values():
                runtime.environment["HOLD_SECONDS"] = str(self.options.hold_seconds)
        senders = {runtime.environment.get("SENDER_EMAIL") for runtime in runtimes.values()}
        for sender in sorted(senders - {None, ""}):
            self._moto.verify_identity(sender)  # the address each function sends from
        self._pools = WorkerPools(runtimes, self.options.workers_per_function)
        self._pools.start()  # the workers import their handlers while the seed is written

        seeded = None
        if self.options.seed:
            table = resolver.resolve_string(Tag("Ref", SEEDED_TABLE), SEEDED_TABLE)
            seeded = demo_seed.seed(datetime.now(UTC), table, REGION, self._dynamodb.endpoint)
        for function, failures in self._pools.wait_ready().items():
            for failure in failures:
                log.error("%s cannot start: %s (its events fail until that is fixed)", function, failure)

        template_schedules = schedules()
        authorizer = LocalAuthorizer()
        self._server.app = Dispatcher(
            gateway=HttpApiGateway(http_routes(), authorizer, self._pools.invoke),
            dev=DevEndpoints(
                authorizer, self._moto.outbox, self.run_schedule, template_schedules, OpenApiSource()
            ),
            cors=CorsPolicy.from_template(resolver),
        )
        self._scheduler = Scheduler(template_schedules if self.options.schedules else [], self._fire_schedule)
        self._scheduler.start()
        self._streams = StreamPollers(
            stream_sources(), self._table_names, self._dynamodb.client(), self._dynamodb.client("dynamodbstreams"), self._pools
        )
        self._streams.start()
        sources = queue_sources()
        queue_urls = {source.queue: resolver.resolve_string(Tag("Ref", source.queue), source.queue) for source in sources}
        self._queues = QueuePollers(sources, queue_urls, self._moto.client("sqs"), self._pools)
        self._queues.start()
        self._websocket.start()
        self._log_ready(time.monotonic() - started, seeded, len(runtimes))

    def _start_emulators(self) -> Resolver:
        """DynamoDB Local with the template's tables, moto with its topics and identities; returns
        the resolver that knows what each of those resources is locally."""
        self._dynamodb = DynamoDBLocal(log_path=STATE_DIR / "dynamodb-local.log")
        self._moto = MotoServices()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="moto-start") as background:
            moto_started = background.submit(self._moto.start)
            # In the main thread: the JVM's parent-death signal is tied to the thread that starts it.
            self._dynamodb.start()
            moto_started.result()
        self._table_names = create_template_tables(self._dynamodb.client())
        resolver = Resolver(physical_ids=self._table_names)
        resolver.bind("RealtimeApi", "local")  # its URLs are replaced by the local WebSocket API's
        self._moto.create_template_resources(resolver)
        return resolver

    def serve_forever(self) -> None:
        assert self._server is not None, "start() first"
        self._server.serve_forever(poll_interval=0.5)

    def stop(self) -> None:
        """Stop everything that was started, each step whatever happened to the previous one."""
        steps = [
            ("stream pollers", self._streams and self._streams.stop),
            ("queue pollers", self._queues and self._queues.stop),
            ("WebSocket API", self._websocket and self._websocket.stop),
            ("scheduler", self._scheduler and self._scheduler.stop),
            ("HTTP server", self._server and self._server.server_close),
            ("workers", self._pools and self._pools.stop),
            ("moto", self._moto and self._moto.stop),
            ("DynamoDB Local", self._dynamodb and self._dynamodb.stop),
        ]
        for name, step in steps:
            if not step:
                continue
            try:
                step()
            except Exception:  # noqa: BLE001 - keep stopping the rest
                log.exception("stopping %s failed", name)
        self._streams = self._queues = self._websocket = self._scheduler = self._server = self._pools = self._moto = self._dynamodb = None

    def _invoke(self, function: str, event: dict) -> Invocation:
        assert self._pools is not None
        return self._pools.invoke(function, event)

    def run_schedule(self, schedule: Schedule, at: datetime) -> Invocation:
        """Invoke a scheduled function once with the EventBridge event for instant `at`."""
        assert self._pools is not None
        return self._pools.invoke(schedule.function, scheduled_event(schedule, at))

    def _fire_schedule(self, schedule: Schedule, at: datetime) -> None:
        name = f"{schedule.function}.{schedule.event}"
        try:
            invocation = self.run_schedule(schedule, at)
        except NoWorkerAvailable as exc:
            log.warning("schedule %s skipped at %s: %s", name, format_utc(at), exc)
            return
        if invocation.ok:
            log.info("schedule %s ran in %.0fms: %s", name, invocation.duration_ms, invocation.payload)
        else:
            error = invocation.error or {}
            log.error("schedule %s failed: %s: %s", name, error.get("errorType"), error.get("errorMessage"))

    def _log_ready(self, seconds: float, seeded: demo_seed.SeedSummary | None, function_count: int) -> None:
        assert self._dynamodb is not None and self._moto is not None and self._scheduler is not None
        if seeded:
            seed_note = f"{seeded.mentors} mentors, {seeded.slots} slots, {seeded.reviews} reviews"
        else:
            seed_note = "nothing (--no-seed)"
        active = ", ".join(f"{s.function} {s.expression}" for s in self._scheduler.active)
        log.info("DynamoDB Local %s, moto %s", self._dynamodb.endpoint, self._moto.endpoint)
        if self._websocket is not None:
            log.info("WebSocket API %s (PostToConnection: %s)", self._websocket.url, self._websocket.callback_url)
        if self._streams is not None and self._streams.functions:
            log.info("table streams feed: %s", ", ".join(self._streams.functions))
        if self._queues is not None and self._queues.functions:
            log.info("queues feed: %s", ", ".join(self._queues.functions))
        log.info(
            "%d functions x %d workers; seeded %s; schedules: %s",
            function_count,
            self.options.workers_per_function,
            seed_note,
            active or "on demand only (POST /_local/schedules/<FunctionLogicalId>)",
        )
        if not docs_assets_available():
            log.warning("Swagger UI assets are missing (run `npm ci`): /docs will not load")
        example = json.dumps(demo_seed.DEMO_MENTEES[0].claims())
        log.info("sign in: POST %s/_local/token with %s (demo users: local/seed.py)", self.url, example)
        log.info("ready in %.1fs: %s  (docs: %s/docs)", seconds, self.url, self.url)


def _refuse_local_only_paths_in_template() -> None:
    clashes = [route.route_key for route in http_routes() if route.path.startswith(LOCAL_ONLY_PREFIXES)]
    if clashes:
        raise SystemExit(f"template.yaml must not define local-only paths {LOCAL_ONLY_PREFIXES}: {clashes}")


def _parse_options(argv: list[str] | None) -> StackOptions:
    parser = argparse.ArgumentParser(prog="python -m local.stack", description="The local stack (make run).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT") or 3000), help="port (default $PORT or 3000)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WORKERS_PER_FUNCTION") or 2),
        help="worker processes per function (default $WORKERS_PER_FUNCTION or 2)",
    )
    parser.add_argument("--no-seed", action="store_true", help="start with empty tables")
    parser.add_argument("--no-schedules", action="store_true", help="do not fire schedules on their own")
    parser.add_argument(
        "--hold-seconds",
        type=int,
        default=int(os.environ["HOLD_SECONDS"]) if os.environ.get("HOLD_SECONDS") else None,
        help="how long a hold lasts (default $HOLD_SECONDS or the functions' 5 minutes; for tests of expiry)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.hold_seconds is not None and not MIN_HOLD_SECONDS <= args.hold_seconds <= MAX_HOLD_SECONDS:
        parser.error(f"--hold-seconds must be {MIN_HOLD_SECONDS} to {MAX_HOLD_SECONDS}")
    return StackOptions(
        args.host,
        args.port,
        args.workers,
        seed=not args.no_seed,
        schedules=not args.no_schedules,
        hold_seconds=args.hold_seconds,
    )


def _on_stop_signal(signum: int, _frame) -> None:
    # Once is enough: further signals are ignored while the stack stops (each step is bounded).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise StopRequested(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    for noisy in ("botocore", "boto3", "pynamodb", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    options = _parse_options(argv)
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(variable, None)
    os.environ.update(ISOLATED_AWS_ENVIRONMENT)  # this process, too, talks to the emulators only
    signal.signal(signal.SIGINT, _on_stop_signal)
    signal.signal(signal.SIGTERM, _on_stop_signal)

    stack = LocalStack(options)
    exit_code = 0
    try:
        log.info("starting the local stack on %s ...", stack.url)
        stack.start()
        stack.serve_forever()
    except StopRequested as stop:
        log.info("%s received: stopping", stop)
    except StackStartError as exc:
        log.error("%s", exc)
        exit_code = 1
    except Exception:  # noqa: BLE001 - report any start-up failure, then clean up
        log.exception("the local stack failed")
        exit_code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        log.info("stopped")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
