"""HTTP caching of the public reads: `Cache-Control` chosen by each route, `ETag` and `304` here.

A route that may be cached answers `Cache-Control: public, max-age=N` (`public_for`); the
handler then adds an `ETag` (a hash of the body it answers) and, when the request's
`If-None-Match` names that tag, answers `304` with no body instead. The ages keep the contract's
freshness bound: a change is in the directory within the sync interval (10 s), so a copy at
most DIRECTORY_MAX_AGE old is at most 40 s behind (decisions.md §18).
"""

from __future__ import annotations

import hashlib

DIRECTORY_MAX_AGE = 30
PROFILE_MAX_AGE = 30  # the profile carries the next 30 days of slots
REVIEWS_MAX_AGE = 60
NO_STORE = {"Cache-Control": "no-store"}


def public_for(seconds: int) -> dict[str, str]:
    return {"Cache-Control": f"public, max-age={seconds}"}


def _header(headers: dict | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def entity_tag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def _matches(if_none_match: str, tag: str) -> bool:
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return "*" in candidates or any(candidate.removeprefix("W/") == tag for candidate in candidates)


def conditional_get(event: dict, response: dict) -> dict:
    """Add an ETag to a cacheable 200 answer to a GET, and turn it into a 304 when the client
    already holds that version."""
    method = ((event.get("requestContext") or {}).get("http") or {}).get("method")
    headers = response.get("headers") or {}
    cache_control = _header(headers, "cache-control") or ""
    if method != "GET" or response.get("statusCode") != 200 or not cache_control.startswith("public"):
        return response
    tag = entity_tag(response.get("body") or "")
    response = {**response, "headers": {**headers, "ETag": tag}}
    if_none_match = _header(event.get("headers"), "if-none-match")
    if if_none_match and _matches(if_none_match, tag):
        kept = {"ETag": tag, "Cache-Control": cache_control}
        return {"statusCode": 304, "headers": kept, "body": "", "isBase64Encoded": False}
    return response
