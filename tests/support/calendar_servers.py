"""Real calendar servers on 127.0.0.1, started and stopped by the tests: Radicale (a CalDAV
server from PyPI, run as its own process with htpasswd credentials, as the caldav library's
own tests use it) and a plain HTTP server for ICS feeds."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


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


class IcsFeedServer:
    """`with IcsFeedServer() as feeds:` serves `feeds.documents[path] = (status, body)` over
    plain HTTP on 127.0.0.1; `feeds.url(path)`; `feeds.requests` counts what was asked."""

    def __enter__(self) -> "IcsFeedServer":
        self.documents: dict[str, tuple[int, bytes]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                server.requests.append(self.path)
                status, body = server.documents.get(self.path, (404, b"not found"))
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", body.decode())
                    body = b""
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def serve(self, path: str, body: str | bytes, status: int = 200) -> str:
        self.documents[path] = (status, body.encode() if isinstance(body, str) else body)
        return self.url(path)

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def vcalendar(*events: str) -> str:
    body = "\r\n".join(events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n{body}\r\nEND:VCALENDAR\r\n"


def vevent(uid: str, *lines: str) -> str:
    return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z", *lines, "END:VEVENT"])
