"""The fuzz suite's local stack: `python -m local.stack` (what `make run` starts) on a free port,
started once for the module and stopped with Ctrl-C (SIGINT) after it, as tests/e2e does.

The `fuzz` marker is registered here too, so `--strict-markers` accepts it wherever pytest is run
from (pyproject.toml should list it with the others).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 15


@dataclass
class RunningStack:
    process: subprocess.Popen
    base_url: str
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self, characters: int = 6000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]

    def token(self, claims: dict[str, str]) -> str:
        response = requests.post(self.url("/_local/token"), json=claims, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["token"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> RunningStack:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("fuzz-stack") / "stack.log"
    with open(log_path, "wb") as log:
        # --no-schedules: the per-minute run would change state under the fuzzer at random moments.
        process = subprocess.Popen(
            [sys.executable, "-m", "local.stack", "--no-schedules"],
            cwd=ROOT,
            env={**os.environ, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = RunningStack(process, f"http://127.0.0.1:{port}", log_path)
    started = time.monotonic()
    ready = False
    while time.monotonic() - started < READY_TIMEOUT_SECONDS and process.poll() is None:
        try:
            ready = requests.get(running.url("/mentors"), timeout=5).status_code == 200
        except requests.RequestException:
            ready = False
        if ready:
            break
        time.sleep(0.5)
    if not ready:
        _stop(process)
        pytest.fail(f"not ready within {READY_TIMEOUT_SECONDS}s; the stack's log:\n{running.log_tail()}")
    yield running
    _stop(process)
