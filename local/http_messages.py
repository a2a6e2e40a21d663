"""Plain HTTP request/response values the local stack passes between its parts, and the contract's
error shape (`{"error": {"code", "message", "details"?}}`) for answers the stack gives itself:
authorizer refusals, unknown routes, function crashes and the `/_local/*` endpoints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from mentorship.api.json_input import JsonInputError, decode_json


@dataclass(frozen=True)
class HttpRequest:
    method: str  # upper case
    target: str  # request target as received: path plus optional ?query, still percent-encoded
    headers: list[tuple[str, str]]  # in arrival order, names as sent
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"

    @property
    def raw_path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def raw_query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    @property
    def path(self) -> str:
        """The percent-decoded path (API Gateway HTTP APIs route on, and pass on, the decoded path)."""
        return unquote(self.raw_path)

    def header(self, name: str) -> str | None:
        """First value of a header, case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def json_body(self) -> Any:
        """The body parsed as JSON (the API's own decoder, nesting bounded); `BodyError` if it
        is not JSON the API takes."""
        try:
            return decode_json(self.body) if self.body.strip() else None
        except JsonInputError as refusal:
            raise BodyError(f"the request body is not JSON this API takes: {refusal}") from None


class BodyError(ValueError):
    """The request body cannot be read as JSON (a 400 bad_request)."""


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    served_by: str | None = None  # for the access log only, e.g. "MentorsFunction 12ms"

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> HttpResponse:
    return HttpResponse(
        status=status,
        headers=[("Content-Type", "application/json"), *(headers or [])],
        body=json.dumps(payload).encode("utf-8"),
    )


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, str]] | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return json_response(status, {"error": error}, headers)


def validation_error(details: list[dict[str, str]]) -> HttpResponse:
    """422 with field errors: [{"field": "body.sub", "issue": "..."}]."""
    return error_response(422, "validation_error", "the request has invalid fields", details)


def not_found(message: str = "no such route") -> HttpResponse:
    return error_response(404, "not_found", message)
