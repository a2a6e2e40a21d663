"""Real calendar servers on 127.0.0.1, started and stopped by the tests: Radicale (a CalDAV
server from PyPI, run as its own process with htpasswd credentials, as the caldav library's
own tests use it) and a plain HTTP server for ICS feeds (in tooling/, which the bench shares)."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tooling.ics_feeds import IcsFeedServer, vcalendar, vevent

__all__ = ["IcsFeedServer", "RadicaleServer", "free_port", "vcalendar", "vevent"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {seconds} s")


class RadicaleServer:
    """`with RadicaleServer() as server:` a CalDAV server with one user (`server.username`,
    `server.password`); `server.calendar(name)` creates a calendar and returns its URL."""

    username = "mentor"
    password = "correct horse battery staple"

    def __enter__(self) -> "RadicaleServer":
        self._dir = tempfile.TemporaryDirectory(prefix="radicale-")
        root = Path(self._dir.name)
        (root / "users").write_text(f"{self.username}:{self.password}\n")
        self.port = free_port()
        config = root / "config"
        config.write_text(
            "\n".join(
                [
                    "[server]",
                    f"hosts = 127.0.0.1:{self.port}",
                    "[auth]",
                    "type = htpasswd",
                    f"htpasswd_filename = {root / 'users'}",
                    "htpasswd_encryption = plain",
                    "[rights]",
                    "type = owner_only",
                    "[storage]",
                    f"filesystem_folder = {root / 'collections'}",
                    "[logging]",
                    "level = warning",
                    "",
                ]
            )
        )
        self._log = open(root / "radicale.log", "w")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)], stdout=self._log, stderr=subprocess.STDOUT
        )
        _wait_for_port(self.port, self._process)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def client(self):
        import caldav

        return caldav.DAVClient(url=self.url, username=self.username, password=self.password)

    def calendar(self, name: str, events: list[str] = ()) -> str:
        """Create a calendar holding `events` (VCALENDAR texts); its URL."""
        calendar = self.client().principal().make_calendar(name=name)
        for event in events:
            calendar.save_event(event)
        return str(calendar.url)

    def add_event(self, calendar_url: str, event: str) -> None:
        self.client().calendar(url=calendar_url).save_event(event)

    def __exit__(self, *exc) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self._log.close()
        self._dir.cleanup()
