"""The local stand-in for API Gateway's HTTP API: routes from template.yaml, the JWT authorizer,
and the Lambda proxy integration with payload format 2.0.

Route selection follows API Gateway: of the routes whose method matches (or is ANY), the most
specific path wins (a literal segment beats `{param}`, which beats `{proxy+}`); a path no route
matches, or a known path with another method, is a 404. Requests are routed on the
percent-decoded path, which is also what `rawPath` and `pathParameters` carry (HTTP APIs decode
the path; `rawQueryString` stays as sent).

Protected routes need a valid bearer token; without one the function never runs (401). Public
routes (`Auth: Authorizer: NONE`) get no claims even when a token is sent, exactly as in AWS,
where no authorizer runs for them: a function that wants the caller on a public route must not
count on `requestContext.authorizer` being there.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Callable
from urllib.parse import parse_qsl

from local.auth import InvalidToken, LocalAuthorizer, event_claims, event_scopes
from local.http_messages import HttpRequest, HttpResponse, error_response, not_found
from tooling.intrinsics import ACCOUNT_ID
from tooling.template import Route
from local.workers import Invocation, NoWorkerAvailable

log = logging.getLogger("local.http_api")

API_ID = "local"
# Bodies of these types reach the function as text; any other body (form posts included) base64-encoded.
_TEXT_TYPES = re.compile(r"^(text/.*|application/(json|xml|javascript|.*\+json|.*\+xml))$")


@dataclass(frozen=True)
class _CompiledRoute:
    route: Route
    pattern: re.Pattern
    parameter_names: tuple[str, ...]
    specificity: tuple[int, ...]  # per segment: 0 literal, 1 {param}, 2 {greedy+}; lower is more specific


def _compile(route: Route) -> _CompiledRoute:
    parts, names, specificity = [], [], []
    for segment in route.path.strip("/").split("/") if route.path != "/" else []:
        if match := re.fullmatch(r"\{(.+)\+\}", segment):
            parts.append("(.+)")
            names.append(match.group(1))
            specificity.append(2)
        elif match := re.fullmatch(r"\{(.+)\}", segment):
            parts.append("([^/]+)")
            names.append(match.group(1))
            specificity.append(1)
        else:
            parts.append(re.escape(segment))
            specificity.append(0)
    return _CompiledRoute(route, re.compile("^/" + "/".join(parts) + "$"), tuple(names), tuple(specificity))


class RouteTable:
    def __init__(self, routes: list[Route]):
        compiled = [_compile(route) for route in routes]
        self._routes = sorted(compiled, key=lambda route: route.specificity)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for compiled in self._routes:
            if compiled.route.method not in (method, "ANY"):
                continue
            if found := compiled.pattern.match(path):
                return compiled.route, dict(zip(compiled.parameter_names, found.groups()))
        return None


class HttpApiGateway:
    def __init__(
        self,
        routes: list[Route],
        authorizer: LocalAuthorizer,
        invoke: Callable[[str, dict], Invocation],
    ):
        self._table = RouteTable(routes)
        self._authorizer = authorizer
        self._invoke = invoke

    def handle(self, request: HttpRequest) -> HttpResponse:
        matched = self._table.match(request.method, request.path)
        if matched is None:
            return not_found()
        route, path_parameters = matched
        authorizer = None
        if route.protected:
            try:
                claims = self._authorizer.verify(request.header("Authorization"))
            except InvalidToken as exc:
                description = str(exc).replace('"', "'")
                challenge = f'Bearer error="invalid_token" error_description="{description}"'
                headers = [("WWW-Authenticate", challenge)]
                return error_response(401, "unauthorized", str(exc), headers=headers)
            authorizer = {"jwt": {"claims": event_claims(claims), "scopes": event_scopes(claims)}}
        event = build_event(request, route, path_parameters, authorizer)
        try:
            invocation = self._invoke(route.function, event)
        except NoWorkerAvailable as exc:
            return busy_response(exc)
        response = response_from_invocation(invocation)
        response.served_by = f"{route.function} {invocation.duration_ms:.0f}ms"
        return response


def build_event(
    request: HttpRequest, route: Route, path_parameters: dict[str, str], authorizer: dict | None
) -> dict[str, Any]:
    """The API Gateway HTTP API (payload format 2.0) event for a request."""
    now = datetime.now(UTC)
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies += [cookie.strip() for cookie in value.split(";") if cookie.strip()]
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    host = headers.get("host", "")
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    if ":" in host:
        headers.setdefault("x-forwarded-port", host.rsplit(":", 1)[1])
    headers["x-amzn-trace-id"] = f"Root=1-{int(now.timestamp()):08x}-{secrets.token_hex(12)}"
    domain = host.rsplit(":", 1)[0] if host else "127.0.0.1"

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": request.path,
        "rawQueryString": request.raw_query,
        "headers": headers,
    }
    if cookies:
        event["cookies"] = cookies
    query: dict[str, str] = {}
    for name, value in parse_qsl(request.raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": domain,
        "domainPrefix": domain.split(".")[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": base64.b64encode(secrets.token_bytes(11)).decode(),
        "routeKey": route.route_key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    if authorizer is not None:
        request_context["authorizer"] = authorizer
    event["requestContext"] = request_context
    event["isBase64Encoded"] = False
    if request.body:
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        text = _as_text(request.body) if _TEXT_TYPES.match(content_type) else None
        if text is None:
            event["body"] = base64.b64encode(request.body).decode()
            event["isBase64Encoded"] = True
        else:
            event["body"] = text
    return event


def _as_text(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def busy_response(exc: NoWorkerAvailable) -> HttpResponse:
    return error_response(503, "service_unavailable", str(exc), headers=[("Retry-After", "1")])


def failure_response(invocation: Invocation) -> HttpResponse:
    """A failed invocation as a 500 in the contract's shape. The message names the error (this
    is a developer's machine: AWS would only say "Internal Server Error")."""
    error = invocation.error or {}
    summary = f"{invocation.function} failed: {error.get('errorType')}: {error.get('errorMessage')}"
    log.error("%s (request %s)", summary, invocation.request_id)
    return error_response(500, "internal_error", summary)


def response_from_invocation(invocation: Invocation) -> HttpResponse:
    """Map a function's payload 2.0 response (or its failure) to the HTTP response."""
    if not invocation.ok:
        return failure_response(invocation)
    payload = invocation.payload
    if not (isinstance(payload, dict) and "statusCode" in payload):
        # Payload 2.0 without a statusCode: API Gateway answers 200 with the result as JSON.
        return HttpResponse(200, [("Content-Type", "application/json")], json.dumps(payload).encode())
    try:
        status = int(payload["statusCode"])
        if not 100 <= status <= 599:
            raise ValueError(status)
        headers = [(str(name), str(value)) for name, value in (payload.get("headers") or {}).items()]
        headers += [("Set-Cookie", str(cookie)) for cookie in payload.get("cookies") or []]
        body = payload.get("body")
        if body is None:
            content = b""
        elif not isinstance(body, str):
            raise TypeError(f"body must be a string, not {type(body).__name__}")
        elif payload.get("isBase64Encoded"):
            content = base64.b64decode(body, validate=True)
        else:
            content = body.encode("utf-8")
    except (TypeError, ValueError, AttributeError) as exc:
        log.error("%s returned a malformed response (%s): %r", invocation.function, exc, payload)
        return error_response(500, "internal_error", f"{invocation.function} returned a malformed response")
    return HttpResponse(status, headers, content)
