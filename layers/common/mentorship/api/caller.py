"""Who is calling: the JWT claims API Gateway's authorizer verified, and the caller's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from mentorship.domain.instants import UnknownTimeZone, resolve_zone
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


def optional_caller(event: "APIGatewayProxyEventV2") -> Caller | None:
    claims = _claims(event)
    user_id = claims.get("sub")
    if not isinstance(user_id, str) or not user_id:
        return None
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    name = claims.get("name") if isinstance(claims.get("name"), str) and claims.get("name") else None
    zone = claims.get("zoneinfo") if isinstance(claims.get("zoneinfo"), str) else None
    return Caller(user_id=user_id, email=email, name=name or email or user_id, zoneinfo=zone)


def require_caller(event: "APIGatewayProxyEventV2") -> Caller:
    """The authenticated caller. The authorizer already refused requests without a valid token;
    this is the second line, so a misconfigured route can never run anonymously."""
    caller = optional_caller(event)
    if caller is None:
        raise Unauthorized("a valid bearer token is required")
    return caller


def caller_zone(tz_param: str | None, caller: Caller | None) -> tuple[str, ZoneInfo]:
    """The zone responses are shown in: `tz` query parameter, then the `zoneinfo` claim, then UTC."""
    if tz_param is not None:
        try:
            return tz_param, resolve_zone(tz_param)
        except UnknownTimeZone as exc:
            raise ValidationFailed.on("query.tz", str(exc)) from None
    if caller is not None and caller.zoneinfo:
        try:
            return caller.zoneinfo, resolve_zone(caller.zoneinfo)
        except UnknownTimeZone:
            pass  # a bad claim is the identity provider's data, not the caller's input: fall back
    return "UTC", resolve_zone("UTC")
