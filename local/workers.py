"""Runs the template's functions like Lambda does: each function has a pool of worker processes
(instances), and each worker handles one event at a time.

Why processes: a Lambda instance serves one event at a time, and Powertools resolvers keep the
current event on the app object, so one app must never serve two threads at once. Concurrency
comes from several instances, as in AWS. A worker imports its handler once and stays warm; one
that crashes, exits or overruns the function's timeout is killed and replaced, and the event it
was handling fails the way Lambda fails it (Runtime.ExitError, Sandbox.Timedout).

Workers are started from one long-lived thread (`spawner`), because Linux's parent-death signal
(which the worker arms, see lambda_runtime) fires when the *thread* that forked it ends; request
threads come and go.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from local.function_config import FunctionRuntime

log = logging.getLogger("local.workers")

RUNTIME_SCRIPT = Path(__file__).resolve().parent / "lambda_runtime.py"
INIT_TIMEOUT_SECONDS = 60.0  # Lambda allows 10 s; local imports on a busy 2-core machine get more room
ACQUIRE_TIMEOUT_SECONDS = 30.0  # how long an event waits for a free worker (API Gateway's own limit is 30 s)
STOP_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class Invocation:
    """What one invocation returned: the handler's result, or an error in Lambda's shape."""

    function: str
    request_id: str
    duration_ms: float
    payload: Any = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class NoWorkerAvailable(RuntimeError):
    """Every worker of the function stayed busy for ACQUIRE_TIMEOUT_SECONDS (or the stack is stopping)."""


class _WorkerFailed(Exception):
    """The worker can serve no more events (init failed, crashed, timed out); it must be replaced."""

    def __init__(self, error_type: str, message: str, stack_trace: list[str] | None = None):
        super().__init__(message)
        self.error = {"errorType": error_type, "errorMessage": message, "stackTrace": stack_trace or []}


@dataclass(eq=False)  # identity semantics: workers live in sets
class _Worker:
    runtime: FunctionRuntime
    process: subprocess.Popen
    channel: Connection
    ready: bool = False
    init_failure: _WorkerFailed | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def name(self) -> str:
        return f"{self.runtime.logical_id}[pid {self.process.pid}]"

    def ensure_ready(self, timeout: float = INIT_TIMEOUT_SECONDS) -> None:
        """Wait for the end of the init phase (the handler module imported)."""
        with self._lock:
            if self.ready:
                return
            if self.init_failure is None:
                try:
                    message = self._receive(
                        timeout, "Runtime.InitTimeout", f"init did not finish within {timeout:.0f}s"
                    )
                except _WorkerFailed as failed:
                    self.init_failure = failed
                else:
                    if message.get("type") != "init_error":
                        self.ready = True
                        return
                    self.init_failure = _WorkerFailed(
                        message["errorType"], message["errorMessage"], message.get("stackTrace")
                    )
            raise self.init_failure

    def invoke(self, event: dict, request_id: str) -> dict[str, Any]:
        self.ensure_ready()
        timeout = self.runtime.timeout_seconds
        message = {
            "requestId": request_id,
            "deadlineMs": int((time.time() + timeout) * 1000),
            "invokedFunctionArn": self.runtime.arn,
            "event": event,
        }
        try:
            self.channel.send_bytes(json.dumps(message).encode())
        except OSError:
            raise self._exited() from None
        return self._receive(timeout, "Sandbox.Timedout", f"Task timed out after {timeout:.2f} seconds")

    def _receive(self, timeout: float, timeout_type: str, timeout_message: str) -> dict[str, Any]:
        try:
            if not self.channel.poll(timeout):
                raise _WorkerFailed(timeout_type, timeout_message)
            return json.loads(self.channel.recv_bytes())
        except (EOFError, OSError):
            raise self._exited() from None

    def _exited(self) -> _WorkerFailed:
        try:
            code = self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            return _WorkerFailed("Runtime.ExitError", "the runtime closed its channel but did not exit")
        return _WorkerFailed("Runtime.ExitError", f"Runtime exited with error: exit status {code}")

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()

    def reap(self, deadline: float) -> None:
        try:
            self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.channel.close()


class FunctionPool:
    """The warm instances of one function."""

    def __init__(self, runtime: FunctionRuntime, size: int, spawner: ThreadPoolExecutor):
        if size < 1:
            raise ValueError("a function needs at least one worker")
        self.runtime = runtime
        self.size = size
        self._spawner = spawner
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._stopping = False

    def start(self) -> None:
        """Start every worker; they initialize in parallel (see wait_ready)."""
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def wait_ready(self) -> list[str]:
        """Wait for every worker's init phase and return the init errors. A worker whose init
        failed stays queued: the event that reaches it gets the init error and a fresh worker
        retries the init, as Lambda retries it on the next invocation."""
        failures = []
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            try:
                worker.ensure_ready()
            except _WorkerFailed as failed:
                failures.append(f"{failed.error['errorType']}: {failed.error['errorMessage']}")
        return failures

    def invoke(self, event: dict) -> Invocation:
        request_id = str(uuid.uuid4())
        worker = self._acquire()
        started = time.monotonic()
        try:
            reply = worker.invoke(event, request_id)
        except _WorkerFailed as failed:
            kind, message = failed.error["errorType"], failed.error["errorMessage"]
            log.error("%s failed (%s): %s; replacing it", worker.name, kind, message)
            self._replace(worker)
            return self._invocation(request_id, started, error=failed.error)
        except BaseException:
            self._replace(worker)  # interrupted mid-exchange: its channel state is unknown
            raise
        self._idle.put(worker)
        if reply.get("type") == "error":
            error = {key: reply.get(key) for key in ("errorType", "errorMessage", "stackTrace")}
            return self._invocation(request_id, started, error=error)
        return self._invocation(request_id, started, payload=reply.get("payload"))

    def _acquire(self) -> _Worker:
        """An idle worker. One that died after its init (killed from outside) is replaced, not used;
        one still in (or failed in) its init is returned: the event then waits for, or gets, that."""
        deadline = time.monotonic() + ACQUIRE_TIMEOUT_SECONDS
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise NoWorkerAvailable(f"every {self.runtime.logical_id} worker stayed busy") from None
            if self._stopping:
                raise NoWorkerAvailable("the stack is stopping")
            if not (worker.ready and worker.process.poll() is not None):
                return worker
            log.warning("%s exited while idle (status %s); replacing it", worker.name, worker.process.poll())
            self._replace(worker)

    def _invocation(self, request_id: str, started: float, **outcome: Any) -> Invocation:
        duration_ms = (time.monotonic() - started) * 1000
        return Invocation(self.runtime.logical_id, request_id, duration_ms, **outcome)

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        environment = dict(self.runtime.environment)
        environment["AWS_LAMBDA_LOG_STREAM_NAME"] = (
            f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        )
        command = [
            sys.executable,
            "-I",  # isolated: only what Lambda would put on sys.path (see lambda_runtime)
            "-u",  # unbuffered, so the function's logs appear as they are written
            str(RUNTIME_SCRIPT),
            str(os.getpid()),
            str(theirs.fileno()),
            self.runtime.handler,
            str(self.runtime.code_dir),
            *map(str, self.runtime.layer_dirs),
        ]
        try:
            process = self._spawner.submit(
                subprocess.Popen,
                command,
                env=environment,
                cwd=self.runtime.code_dir,
                stdin=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,  # Ctrl-C in the terminal reaches the stack only
            ).result()
        except BaseException as exc:
            ours.close()
            if isinstance(exc, RuntimeError) and self._stopping:  # the spawner has shut down
                raise NoWorkerAvailable("the stack is stopping") from None
            raise
        finally:
            theirs.close()
        worker = _Worker(self.runtime, process, Connection(ours.detach()))
        with self._lock:
            if not self._stopping:
                self._workers.add(worker)
                return worker
        worker.terminate()  # stop() ran meanwhile and will not see this one
        worker.reap(time.monotonic() + STOP_GRACE_SECONDS)
        raise NoWorkerAvailable("the stack is stopping")

    def _replace(self, worker: _Worker) -> None:
        worker.terminate()
        worker.reap(time.monotonic() + STOP_GRACE_SECONDS)
        with self._lock:
            self._workers.discard(worker)
            if self._stopping:
                return
        try:
            self._idle.put(self._spawn())
        except NoWorkerAvailable:
            pass  # stopping: no replacement needed

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for worker in workers:
            worker.reap(deadline)


class WorkerPools:
    """One FunctionPool per function, sharing the spawner thread."""

    def __init__(self, runtimes: dict[str, FunctionRuntime], workers_per_function: int):
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker-spawner")
        self.pools = {
            logical_id: FunctionPool(runtime, workers_per_function, self._spawner)
            for logical_id, runtime in runtimes.items()
        }

    def start(self) -> None:
        for pool in self.pools.values():
            pool.start()

    def wait_ready(self) -> dict[str, list[str]]:
        """Init errors by function (empty when every worker imported its handler)."""
        failures = {logical_id: pool.wait_ready() for logical_id, pool in self.pools.items()}
        return {logical_id: errors for logical_id, errors in failures.items() if errors}

    def invoke(self, function: str, event: dict) -> Invocation:
        return self.pools[function].invoke(event)

    def stop(self) -> None:
        for pool in self.pools.values():
            pool.stop()
        self._spawner.shutdown(wait=True)
