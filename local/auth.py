"""The local stand-in for the HTTP API's JWT authorizer (Cognito in AWS).

`POST /_local/token` issues HS256 tokens signed with a secret made fresh for each stack run, so a
token from an earlier run (or signed with anything else) is refused. Verification checks what
API Gateway's JWT authorizer checks (signature, issuer, audience, exp, nbf, iat), and the claims
reach the function as API Gateway passes them: every value a string, under
requestContext.authorizer.jwt.claims, with "scopes" null for an ID token.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from typing import Any

import jwt

from mentorship.api.json_input import decode_json
from mentorship.domain.text import CONTROL_CHARACTER_ISSUE, has_control_characters

ISSUER = "mentor-booking-local"
AUDIENCE = "mentor-booking-local-clients"
TOKEN_LIFETIME_SECONDS = 12 * 3600

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_CLAIM_FIELDS = ("sub", "email", "name", "zoneinfo")


class InvalidToken(Exception):
    """The request carries no usable bearer token; the message says why (for the 401 body)."""


class LocalAuthorizer:
    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def issue(self, sub: str, email: str, name: str, zoneinfo: str | None = None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": sub,
            "email": email,
            "email_verified": True,
            "name": name,
            "cognito:username": sub,
            "token_use": "id",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "auth_time": now,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
        }
        if zoneinfo is not None:
            claims["zoneinfo"] = zoneinfo
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, authorization: str | None) -> dict[str, Any]:
        """The verified claims of an `Authorization: Bearer <token>` header value."""
        if not authorization:
            raise InvalidToken("the Authorization header is missing: send `Authorization: Bearer <token>`")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("the Authorization header must be `Bearer <token>`")
        _check_json_segments(token.strip())
        try:
            return jwt.decode(
                token.strip(),
                self._secret,
                algorithms=["HS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["sub", "iss", "aud", "exp", "iat"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired: get a new one from POST /_local/token") from None
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"the token is not valid here ({exc})") from None


def _check_json_segments(token: str) -> None:
    """The header and payload must be JSON the API's own decoder takes (nesting bounded) before
    PyJWT parses them, so a crafted token gets a plain 401, not a parser's complaint."""
    segments = token.split(".")
    if len(segments) != 3:
        raise InvalidToken("the token is not a JWT (header.payload.signature)")
    for segment in segments[:2]:
        try:
            decode_json(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
        except ValueError:  # not base64 (binascii.Error), or not JSON the API takes (JsonInputError)
            raise InvalidToken("the token is not a JWT: its header or payload is not base64url JSON") from None


def event_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway's JWT authorizer hands them to a function: strings only
    (numbers and booleans as text, arrays as `[a b]`, objects as JSON)."""
    return {name: _claim_text(value) for name, value in claims.items()}


def _claim_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(_claim_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def event_scopes(claims: dict[str, Any]) -> list[str] | None:
    """An access token's `scope` claim as a list; null for ID tokens (which carry none)."""
    scope = claims.get("scope")
    return scope.split() if isinstance(scope, str) and scope.strip() else None


def token_request_problems(body: dict[str, Any]) -> list[dict[str, str]]:
    """What is wrong with a `POST /_local/token` body (empty when it is fine). The body must be
    an object (checked by the caller); unknown fields are refused, as everywhere in the API.
    `zoneinfo` is not checked against the IANA database: Cognito stores any string there, and
    the functions must fall back to UTC for a bad one, which a developer can reproduce this way."""
    problems = [_problem(f"body.{name}", "unknown field") for name in body if name not in _CLAIM_FIELDS]
    for name in ("sub", "email", "name"):
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(_problem(f"body.{name}", "required: a non-empty string"))
        elif has_control_characters(value):
            problems.append(_problem(f"body.{name}", CONTROL_CHARACTER_ISSUE))
    if isinstance(body.get("email"), str) and body["email"].strip() and not _EMAIL.match(body["email"]):
        problems.append(_problem("body.email", "not an email address"))
    zoneinfo = body.get("zoneinfo")
    if zoneinfo is not None and (not isinstance(zoneinfo, str) or not zoneinfo.strip()):
        problems.append(_problem("body.zoneinfo", "optional; when given, a non-empty string"))
    return problems


def _problem(field: str, issue: str) -> dict[str, str]:
    return {"field": field, "issue": issue}
