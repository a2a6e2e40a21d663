"""Endpoints only the local stack has (none of them is in template.yaml or in AWS):

    POST /_local/token                          {"sub","email","name","zoneinfo"?} -> {"token"}
    GET  /_local/outbox                         every email sent through SES, oldest first
    POST /_local/schedules/{FunctionLogicalId}  {"time"?} -> run a scheduled function once
    GET  /_local/users                          the demo users to sign in as (local/seed.py), for the
                                                web client's "sign in as" picker
    GET  /openapi.json                          the generated OpenAPI document
    GET  /docs                                  Swagger UI for it, served offline from node_modules
    GET  /app/...                               the reference web client, the static files of web/
                                                (/app redirects to /app/)

Errors use the contract's shape; a wrong method on a known path is a 404, as on the API itself.
"""

from __future__ import annotations

import copy
import html
import json
import logging
import mimetypes
import re
import threading
from datetime import UTC, datetime
from typing import Callable

from local.auth import LocalAuthorizer, token_request_problems
from local.http_api import busy_response, failure_response
from local.http_messages import (
    BodyError,
    HttpRequest,
    HttpResponse,
    error_response,
    json_response,
    not_found,
    validation_error,
)
from local.moto_services import OutboxMessage
from local.seed import DEMO_USERS, DemoUser
from tooling.template import ROOT, Schedule
from local.workers import Invocation, NoWorkerAvailable
from mentorship.domain.instants import InvalidInstant, parse_instant

log = logging.getLogger("local.dev_api")

SWAGGER_UI_DIR = ROOT / "node_modules" / "swagger-ui-dist"
OPENAPI_FALLBACK = ROOT / "docs" / "openapi.json"
_ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
WEB_DIR = ROOT / "web"
WEB_PREFIX = "/app"
# What web/ serves: the client's own files (not its README or anything else kept beside them).
_WEB_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webmanifest": "application/manifest+json",
}
_WEB_PATH = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]*/)*[A-Za-z0-9][A-Za-z0-9._-]*$")

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Mentor booking API (local)</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  <style>
    .local-hint { font: 14px sans-serif; margin: 12px 20px; padding: 8px 12px; background: #f6f6f6; }
  </style>
</head>
<body>
  <p class="local-hint">Local stack. For protected routes, get a token with
    <code>curl -s -X POST __BASE_URL__/_local/token
      -d '{"sub":"u1","email":"u1@example.com","name":"U One"}'</code>
    and paste it under <b>Authorize</b>.</p>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
      presets: [SwaggerUIBundle.presets.apis],
    });
  </script>
</body>
</html>
"""


class OpenApiSource:
    """The generated document: tooling.openapi.build_document() when that exists (built once,
    on first request), else the committed docs/openapi.json."""

    def __init__(self) -> None:
        self._document: dict | None = None
        self._lock = threading.Lock()

    def document(self) -> dict | None:
        with self._lock:
            if self._document is None:
                self._document = self._load()
            return self._document

    @staticmethod
    def _load() -> dict | None:
        try:
            from tooling.openapi import build_document
        except ImportError as exc:
            if exc.name not in ("tooling", "tooling.openapi"):
                raise  # tooling.openapi exists but something it imports is broken: say so
            build_document = None
        if build_document is not None:
            return build_document()
        if OPENAPI_FALLBACK.exists():
            return json.loads(OPENAPI_FALLBACK.read_text())
        return None


class DevEndpoints:
    def __init__(
        self,
        authorizer: LocalAuthorizer,
        outbox: Callable[[], list[OutboxMessage]],
        run_schedule: Callable[[Schedule, datetime], Invocation],
        schedules: list[Schedule],
        openapi: OpenApiSource,
    ):
        self._authorizer = authorizer
        self._outbox = outbox
        self._run_schedule = run_schedule
        # The first schedule of each function decides the rule named in the event's resources.
        self._schedules: dict[str, Schedule] = {}
        for schedule in schedules:
            self._schedules.setdefault(schedule.function, schedule)
        self._openapi = openapi

    @staticmethod
    def owns(path: str) -> bool:
        return path in ("/_local", "/openapi.json", "/docs", WEB_PREFIX) or path.startswith(
            ("/_local/", "/docs/", WEB_PREFIX + "/")
        )

    def handle(self, request: HttpRequest) -> HttpResponse:
        path, method = request.path, request.method
        if path == "/_local/token" and method == "POST":
            return self._token(request)
        if path == "/_local/users" and method in ("GET", "HEAD"):
            return json_response(200, {"users": [_demo_user(user) for user in DEMO_USERS]})
        if path == "/_local/outbox" and method == "GET":
            return json_response(200, {"messages": [message.as_json() for message in self._outbox()]})
        if (match := re.fullmatch(r"/_local/schedules/([^/]+)", path)) and method == "POST":
            return self._schedule(request, match.group(1))
        if path == "/openapi.json" and method in ("GET", "HEAD"):
            return self._openapi_document(request)
        if path in ("/docs", "/docs/") and method in ("GET", "HEAD"):
            page = DOCS_PAGE.replace("__BASE_URL__", html.escape(_base_url(request)))
            return HttpResponse(200, [("Content-Type", "text/html; charset=utf-8")], page.encode())
        if path.startswith("/docs/") and method in ("GET", "HEAD"):
            return self._docs_asset(path.removeprefix("/docs/"))
        if path == WEB_PREFIX and method in ("GET", "HEAD"):
            query = f"?{request.raw_query}" if request.raw_query else ""
            return HttpResponse(301, [("Location", f"{WEB_PREFIX}/{query}")])
        if path.startswith(WEB_PREFIX + "/") and method in ("GET", "HEAD"):
            return _web_file(path.removeprefix(WEB_PREFIX + "/"))
        return not_found()

    def _token(self, request: HttpRequest) -> HttpResponse:
        body = _json_object(request)
        if isinstance(body, HttpResponse):
            return body
        problems = token_request_problems(body)
        if problems:
            return validation_error(problems)
        token = self._authorizer.issue(body["sub"], body["email"], body["name"], body.get("zoneinfo"))
        return json_response(200, {"token": token})

    def _schedule(self, request: HttpRequest, function: str) -> HttpResponse:
        schedule = self._schedules.get(function)
        if schedule is None:
            known = ", ".join(sorted(self._schedules)) or "none"
            return not_found(f"no scheduled function {function!r} in template.yaml (scheduled: {known})")
        body = _json_object(request, empty_is={})
        if isinstance(body, HttpResponse):
            return body
        unknown = [{"field": f"body.{name}", "issue": "unknown field"} for name in body if name != "time"]
        if unknown:
            return validation_error(unknown)
        at = datetime.now(UTC)
        if body.get("time") is not None:
            try:
                at = parse_instant(body["time"])
            except InvalidInstant as exc:
                return validation_error([{"field": "body.time", "issue": str(exc)}])
        try:
            invocation = self._run_schedule(schedule, at)
        except NoWorkerAvailable as exc:
            return busy_response(exc)
        if not invocation.ok:
            return failure_response(invocation)
        response = json_response(200, {"result": invocation.payload})
        response.served_by = f"{function} {invocation.duration_ms:.0f}ms"
        return response

    def _openapi_document(self, request: HttpRequest) -> HttpResponse:
        try:
            document = self._openapi.document()
        except Exception:  # noqa: BLE001 - a broken generator is reported, the stack keeps serving
            log.exception("building the OpenAPI document failed")
            return error_response(500, "internal_error", "building the OpenAPI document failed; see the log")
        if document is None:
            return not_found("no OpenAPI document yet: run `make openapi`")
        served = copy.deepcopy(document)
        # "Try it out" on /docs must call this stack, whatever port it runs on.
        served["servers"] = [{"url": _base_url(request), "description": "this local stack"}]
        return json_response(200, served)

    @staticmethod
    def _docs_asset(name: str) -> HttpResponse:
        asset = SWAGGER_UI_DIR / name
        if not _ASSET_NAME.match(name) or not asset.is_file():
            return not_found(f"no such file: /docs/{name}")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        headers = [("Content-Type", content_type), ("Cache-Control", "max-age=3600")]
        return HttpResponse(200, headers, asset.read_bytes())


def _demo_user(user: DemoUser) -> dict:
    """A demo user as the client's sign-in picker shows it; its claims go to POST /_local/token."""
    return {**user.claims(), "role": user.role}


def _web_file(name: str) -> HttpResponse:
    """A file of the web client (web/), `index.html` for the folder itself. Never cached, so an
    edit shows on the next reload; only the client's own file types, and no path outside web/."""
    if name == "" or name.endswith("/"):
        name += "index.html"
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if not _WEB_PATH.match(name) or ".." in name or suffix not in _WEB_TYPES:
        return not_found(f"no such file: {WEB_PREFIX}/{name}")
    target = WEB_DIR / name
    if not target.is_file() or not target.resolve().is_relative_to(WEB_DIR.resolve()):
        return not_found(f"no such file: {WEB_PREFIX}/{name}")
    headers = [
        ("Content-Type", _WEB_TYPES[suffix]),
        ("Cache-Control", "no-cache"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    return HttpResponse(200, headers, target.read_bytes())


def _json_object(request: HttpRequest, empty_is: dict | None = None) -> dict | HttpResponse:
    """The body as a JSON object, or the 400 answer for a body that is not one."""
    try:
        body = request.json_body()
    except BodyError as exc:
        return error_response(400, "bad_request", str(exc))
    if body is None and empty_is is not None:
        return dict(empty_is)
    if not isinstance(body, dict):
        return error_response(400, "bad_request", "the request body must be a JSON object")
    return body


def _base_url(request: HttpRequest) -> str:
    return f"http://{request.header('Host') or '127.0.0.1'}"


def docs_assets_available() -> bool:
    return (SWAGGER_UI_DIR / "swagger-ui-bundle.js").is_file()
