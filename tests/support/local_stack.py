"""Starting and stopping `python -m local.stack` (what `make run` starts) for tests that talk to
it over HTTP: the end-to-end, fuzz and browser suites."""

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
    ready_seconds: float

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self, characters: int = 6000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]

    def hold(self, headers: dict[str, str], mentor_id: str, start: str, topic: str) -> str:
        """POST /bookings for 30 minutes; the held booking's id (fails the test unless 201)."""
        response = requests.post(
            self.url("/bookings"),
            json={"mentorId": mentor_id, "start": start, "durationMinutes": 30, "topic": topic},
            headers=headers,
            timeout=30,
        )
        assert response.status_code == 201, response.text
        return response.json()["bookingId"]

    def token(self, claims: dict[str, str]) -> str:
        """A bearer token from the local authorizer (POST /_local/token)."""
        response = requests.post(self.url("/_local/token"), json=claims, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["token"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C (SIGINT), as a developer stops it; killed if it does not stop in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start(log_dir: Path, *arguments: str) -> RunningStack:
    """Start the stack on a free port and wait until GET /mentors answers 200 (fails the test,
    with the stack's log, if that takes longer than READY_TIMEOUT_SECONDS)."""
    port = free_port()
    log_path = log_dir / "stack.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local.stack", *arguments],
            cwd=ROOT,
            env={**os.environ, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    ready = False
    while time.monotonic() - started < READY_TIMEOUT_SECONDS and process.poll() is None:
        try:
            ready = requests.get(f"{base_url}/mentors?limit=1", timeout=5).status_code == 200
        except requests.RequestException:
            ready = False
        if ready:
            break
        time.sleep(0.5)
    running = RunningStack(process, base_url, log_path, time.monotonic() - started)
    if not ready:
        stop(process)
        pytest.fail(f"the local stack was not ready within {READY_TIMEOUT_SECONDS}s; its log:\n{running.log_tail()}")
    return running
