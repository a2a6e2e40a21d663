"""What answers on http://127.0.0.1:$PORT: a threaded HTTP/1.1 server whose requests go, in
order, to CORS preflight handling, the local-only endpoints (/_local/*, /openapi.json, /docs, and
the web client's static files at /app/), and the HTTP API emulation. Threads only carry requests;
the functions run in worker processes.

Built for bursts: the listen backlog holds LISTEN_BACKLOG connections not yet accepted (Python's
default, 5, reset connections as soon as a few dozen arrived at once), each accepted connection
gets its own thread, and a request waits for a free worker of its function (local.workers).
Whatever the server answers itself, a request line or header too long, a malformed request or
an unknown method, comes in the contract's error shape, never as an HTML page.
"""

from __future__ import annotations

import logging
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from local.cors import CorsPolicy
from local.dev_api import DevEndpoints
from local.http_api import HttpApiGateway
from local.http_messages import HttpRequest, HttpResponse, error_response

log = logging.getLogger("local.server")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
LISTEN_BACKLOG = 1024  # connections the kernel queues before accept (capped by net.core.somaxconn)
_HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "keep-alive"}


class Dispatcher:
    """Decides who answers a request, and applies CORS to every answer."""

    def __init__(self, gateway: HttpApiGateway, dev: DevEndpoints, cors: CorsPolicy | None):
        self._gateway = gateway
        self._dev = dev
        self._cors = cors

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._cors is not None and self._cors.is_preflight(request):
            return self._cors.preflight(request)
        if self._dev.owns(request.path):
            response = self._dev.handle(request)
        else:
            response = self._gateway.handle(request)
        if self._cors is not None:
            self._cors.decorate(request, response)
        return response


class _PayloadTooLarge(Exception):
    pass


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response carries Content-Length
    server_version = "mentor-booking-local"
    server: "LocalHttpServer"

    def _handle(self) -> None:
        started = time.monotonic()
        try:
            body = self._read_body()
        except _PayloadTooLarge:
            response = error_response(413, "payload_too_large", f"the body exceeds {MAX_BODY_BYTES} bytes")
            self.close_connection = True
        except ValueError:
            response = error_response(400, "bad_request", "the request body is malformed")
            self.close_connection = True
        else:
            request = HttpRequest(
                method=self.command,
                target=self.path,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
                protocol=self.request_version,
            )
            try:
                response = self.server.app(request)
            except Exception:  # noqa: BLE001 - one broken request must not take the server down
                log.exception("unhandled error answering %s %s", self.command, self.path)
                response = error_response(500, "internal_error", "the local stack failed; see its log")
        self._send(response)
        suffix = f" ({response.served_by})" if response.served_by else ""
        elapsed_ms = (time.monotonic() - started) * 1000
        log.info("%s %s -> %d in %.0fms%s", self.command, self.path, response.status, elapsed_ms, suffix)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_BODY_BYTES:
            raise _PayloadTooLarge
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks, total = [], 0
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip(), 16)
            if size == 0:
                while self.rfile.readline().strip():  # trailers, up to the blank line
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise _PayloadTooLarge
            chunks.append(self.rfile.read(size))
            self.rfile.readline()  # the CRLF after each chunk

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    def __getattr__(self, name: str):
        """Every method reaches the gateway (`do_GET`, `do_TRACE`, `do_FOO`...), which answers one
        no route declares with 404 `not_found`, as API Gateway does for an unmatched route."""
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What http.server answers by itself (414 request line too long, 431 header too long or
        too many headers, 400 malformed request, 505 protocol version), in the contract's shape."""
        try:
            status = HTTPStatus(code)
            error_code = status.phrase.lower().replace("-", " ").replace(" ", "_")
        except ValueError:
            status, error_code = None, "error"
        detail = message or (status.phrase if status else "the request cannot be served")
        response = error_response(code, error_code, f"{detail} ({explain})" if explain else detail)
        self.log_error("answered %d by the HTTP server itself: %s", code, detail)
        if self.request_version == "HTTP/0.9":  # a one-word request line: answer with a status line
            self.request_version = self.protocol_version
        self.close_connection = True
        self._send(response)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - BaseHTTPRequestHandler's signature
        log.debug("%s - %s", self.address_string(), format % args)


class LocalHttpServer(ThreadingHTTPServer):
    """Binds its port when created (so a busy port fails the start at once) and answers with
    `app` once serve_forever() runs; connections made before that wait in the listen backlog."""

    daemon_threads = True  # a request still running at shutdown never blocks the exit
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, host: str, port: int):
        self.app: Callable[[HttpRequest], HttpResponse] = _not_ready
        super().__init__((host, port), _RequestHandler)


def _not_ready(_: HttpRequest) -> HttpResponse:
    return error_response(503, "service_unavailable", "the local stack is still starting")
