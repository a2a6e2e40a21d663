"""API Gateway's WebSocket API, locally: the template's WebSocket routes (tooling.template.
websocket_routes) served on a local port with the `websockets` library, each frame turned into
the Lambda proxy event API Gateway sends, and the management API's `PostToConnection` emulated on
a second local port, so the StreamFunction's boto3 client posts here as it would to the stage.

  ws://127.0.0.1:<port>      clients connect here (GET /realtime answers this URL)
  http://127.0.0.1:<port2>   POST/DELETE /@connections/{connectionId} (410 GoneException when
                             no such connection), what REALTIME_CALLBACK_URL points the functions at

Route selection is the API's (`$request.body.action`): a JSON object whose `action` names a
route goes to that route, anything else to `$default`. A route with a route response sends the
function's `body` back on the same connection. Frames above API Gateway's 128 KB close the
connection (1009), as in AWS.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tooling.template import WebSocketRoute

log = logging.getLogger("local.websocket")

MAX_MESSAGE_BYTES = 128 * 1024  # API Gateway's WebSocket message limit
STAGE = "live"
POST_TIMEOUT_SECONDS = 5


def _connection_id() -> str:
    """Shaped like API Gateway's (12 characters ending in '='), safe in the management API's path."""
    return secrets.token_urlsafe(8)[:11].replace("-", "A").replace("_", "B") + "="


class LocalWebSocketApi:
    def __init__(self, routes: list[WebSocketRoute], invoke: Callable[[str, dict], object], host: str = "127.0.0.1"):
        self._routes = {route.route_key: route for route in routes}
        self._invoke = invoke  # (function logical id, event) -> local.workers.Invocation
        self._host = host
        # Bound now: the functions' environment names both ports before they start.
        self._socket = socket.create_server((host, 0))
        self._management = ThreadingHTTPServer((host, 0), _management_handler(self))
        self._management.daemon_threads = True
        self._connections: dict[str, ServerConnection] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._threads: list[threading.Thread] = []
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"ws://{self._host}:{self._socket.getsockname()[1]}"

    @property
    def callback_url(self) -> str:
        return f"http://{self._host}:{self._management.server_address[1]}"

    def start(self) -> None:
        self._threads = [
            threading.Thread(target=self._run_loop, name="websocket-api", daemon=True),
            threading.Thread(target=self._management.serve_forever, kwargs={"poll_interval": 0.5}, name="websocket-management", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        self._ready.wait(timeout=10)

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        self._management.shutdown()
        self._management.server_close()
        for thread in self._threads:
            thread.join(timeout=10)

    # ---------------------------------------------------------------- the socket server
    def _run_loop(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stopped = asyncio.Event()
        async with serve(self._session, sock=self._socket, max_size=MAX_MESSAGE_BYTES, process_request=self._connect):
            self._ready.set()
            await self._stopped.wait()

    async def _call(self, route_key: str, connection_id: str, body: str | None = None, headers: dict | None = None) -> dict | None:
        """Invoke the route's function (in a thread: the worker call blocks); its payload, or None."""
        route = self._routes.get(route_key)
        if route is None:
            return None
        event = self._event(route_key, connection_id, body, headers)
        invocation = await asyncio.get_running_loop().run_in_executor(None, self._invoke, route.function, event)
        if not invocation.ok:
            log.error("%s %s failed: %s", route.function, route_key, invocation.error)
            return None
        return invocation.payload if isinstance(invocation.payload, dict) else None

    async def _connect(self, connection: ServerConnection, request):
        connection_id = _connection_id()
        connection.api_connection_id = connection_id  # type: ignore[attr-defined]
        answer = await self._call("$connect", connection_id, headers=dict(request.headers.raw_items()))
        if "$connect" in self._routes and (answer is None or answer.get("statusCode") != 200):
            return connection.respond(HTTPStatus.FORBIDDEN, "Forbidden\n")
        self._connections[connection_id] = connection
        return None

    async def _session(self, connection: ServerConnection) -> None:
        connection_id = connection.api_connection_id  # type: ignore[attr-defined]
        try:
            async for frame in connection:
                body = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
                route = self._routes.get(self._select_route(body))
                if route is None:
                    continue
                answer = await self._call(route.route_key, connection_id, body)
                if route.answers and answer and answer.get("body") is not None:
                    await connection.send(answer["body"])
        except ConnectionClosed:
            pass
        finally:
            self._connections.pop(connection_id, None)
            await self._call("$disconnect", connection_id)

    def _select_route(self, body: str) -> str:
        try:
            message = json.loads(body)
        except ValueError:
            return "$default"
        action = message.get("action") if isinstance(message, dict) else None
        if isinstance(action, str) and action in self._routes and not action.startswith("$"):
            return action
        return "$default"

    def _event(self, route_key: str, connection_id: str, body: str | None, headers: dict | None) -> dict:
        now_ms = int(time.time() * 1000)
        event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE")
        context = {
            "routeKey": route_key,
            "eventType": event_type,
            "connectionId": connection_id,
            "messageDirection": "IN",
            "stage": STAGE,
            "apiId": "local",
            "domainName": self.url.removeprefix("ws://"),
            "requestId": str(uuid.uuid4()),
            "extendedRequestId": str(uuid.uuid4()),
            "requestTime": datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": now_ms,
            "connectedAt": now_ms,
        }
        if event_type == "MESSAGE":
            context["messageId"] = base64.b64encode(secrets.token_bytes(9)).decode()
        event: dict = {"requestContext": context, "isBase64Encoded": False}
        if body is not None:
            event["body"] = body
        if headers is not None:
            event["headers"] = headers
        return event

    # ---------------------------------------------------------------- the management API
    def post(self, connection_id: str, data: bytes) -> bool:
        """PostToConnection: False when no such connection is open (the caller answers 410)."""
        connection = self._connections.get(connection_id)
        if connection is None or self._loop is None:
            return False
        frame: str | bytes
        try:
            frame = data.decode("utf-8")
        except UnicodeDecodeError:
            frame = data
        try:
            asyncio.run_coroutine_threadsafe(connection.send(frame), self._loop).result(POST_TIMEOUT_SECONDS)
        except ConnectionClosed:
            return False
        return True

    def close(self, connection_id: str) -> bool:
        connection = self._connections.get(connection_id)
        if connection is None or self._loop is None:
            return False
        asyncio.run_coroutine_threadsafe(connection.close(), self._loop).result(POST_TIMEOUT_SECONDS)
        return True


def _management_handler(api: LocalWebSocketApi) -> type[BaseHTTPRequestHandler]:
    class ManagementApi(BaseHTTPRequestHandler):
        def _connection_id(self) -> str | None:
            prefix = "/@connections/"
            # clients percent-encode the id (botocore sends its "=" as %3D)
            return unquote(self.path[len(prefix) :]) if self.path.startswith(prefix) else None

        def _answer(self, done: bool, connection_id: str | None) -> None:
            if done:
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = json.dumps({"message": f"no connection {connection_id}"}).encode()
            self.send_response(HTTPStatus.GONE)
            self.send_header("x-amzn-ErrorType", "GoneException")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            connection_id = self._connection_id()
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer(connection_id is not None and api.post(connection_id, data), connection_id)

        def do_DELETE(self) -> None:  # noqa: N802
            connection_id = self._connection_id()
            self._answer(connection_id is not None and api.close(connection_id), connection_id)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet, as the other local servers
            log.debug(format, *args)

    return ManagementApi
