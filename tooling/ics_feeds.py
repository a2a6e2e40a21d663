"""ICS feeds served over plain HTTP on 127.0.0.1, for the tests and the bench (a mentor's
connected calendar read by the real reader, nothing mocked), and the iCalendar text they serve."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
