"""A real webhook receiver on 127.0.0.1 for tests: records every POST (headers and raw body) and
answers with the status the test sets (`failing_with`), so a test can keep it down for hours of
scheduled runs and then let it recover."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


class WebhookReceiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.failing_with: int | None = None  # e.g. 503 while "down"
        self.slow_paths: dict[str, float] = {}  # path -> seconds to wait before answering
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.path in receiver.slow_paths:
                    time.sleep(receiver.slow_paths[self.path])
                status = receiver.failing_with or 204
                receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def delivered(self, path: str | None = None) -> list[Received]:
        """What this receiver accepted (2xx), optionally only at `path`."""
        return [r for r in self.received if r.answered < 300 and (path is None or r.path == path)]

    def __enter__(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
