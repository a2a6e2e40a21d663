"""Who is calling: the JWT claims API Gateway's authorizer verified, and the caller's time zone."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from mentorship.api.json_input import decode_json
from mentorship.domain.instants import UnknownTimeZone, resolve_zone, zone_or_utc
from mentorship.domain.text import has_control_characters
from mentorship.errors import Unauthorized, ValidationFailed

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2


@dataclass(frozen=True)
class Caller:
    user_id: str
    email: str | None
    name: str
    zoneinfo: str | None


def _claims(event: "APIGatewayProxyEventV2") -> dict:
    authorizer = (event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    return (authorizer.get("jwt") or {}).get("claims") or {}


def _unverified_zoneinfo(event: "APIGatewayProxyEventV2") -> str | None:
    """The `zoneinfo` claim of a bearer token on a public route, where no authorizer runs.
    Used only as a display preference (which zone to show times in), never for identity, so an
    unverified token cannot gain anything by lying about it."""
    header = next((v for k, v in (event.headers or {}).items() if k.lower() == "authorization"), "")
    scheme, _, token = header.partition(" ")
    parts = token.split(".")
    if scheme.lower() != "bearer" or len(parts) != 3 or len(parts[1]) > 8192:
        return None
    try:
        claims = decode_json(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:  # not base64, or not JSON this API takes (JsonInputError)
        return None
    zone = claims.get("zoneinfo") if isinstance(claims, dict) else None
    return zone if isinstance(zone, str) else None


def viewer_zone_claim(event: "APIGatewayProxyEventV2") -> str | None:
    """The zone the viewer prefers: the verified claim, or on public routes the token's claim."""
    caller = optional_caller(event)
    return caller.zoneinfo if caller is not None else _unverified_zoneinfo(event)


def optional_caller(event: "APIGatewayProxyEventV2") -> Caller | None:
    claims = _claims(event)
    user_id = claims.get("sub")
    if not isinstance(user_id, str) or not user_id:
        return None
    email, name, zone = (_usable_text(claims.get(claim)) for claim in ("email", "name", "zoneinfo"))
    return Caller(user_id=user_id, email=email, name=name or email or user_id, zoneinfo=zone)


def _usable_text(claim: object) -> str | None:
    """A claim as text, or None when it is not usable text: the identity provider's data, shown
    to other people and put in emails, so a claim with control characters falls back as a
    missing one does (an unknown `zoneinfo` falls back to UTC in `caller_zone`)."""
    if not isinstance(claim, str) or not claim or has_control_characters(claim):
        return None
    return claim


def require_caller(event: "APIGatewayProxyEventV2") -> Caller:
    """The authenticated caller. The authorizer already refused requests without a valid token;
    this is the second line, so a misconfigured route can never run anonymously."""
    caller = optional_caller(event)
    if caller is None:
        raise Unauthorized("a valid bearer token is required")
    return caller


def caller_zone(tz_param: str | None, caller: Caller | str | None) -> tuple[str, ZoneInfo]:
    """The zone responses are shown in: `tz` query parameter, then the `zoneinfo` claim (of the
    caller, or a claim given directly), then UTC."""
    if tz_param is not None:
        try:
            return tz_param, resolve_zone(tz_param)
        except UnknownTimeZone as exc:
            raise ValidationFailed.on("query.tz", str(exc)) from None
    claim = caller.zoneinfo if isinstance(caller, Caller) else caller
    return zone_or_utc(claim)  # a bad claim is the identity provider's data, not the caller's input
