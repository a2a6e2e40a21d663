"""The caller's sessions as a calendar feed: its URL (authenticated) and the feed itself (public:
calendar apps cannot send a token, so the URL's 256-bit secret is the credential)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from mentorship import clock
from mentorship.api.caller import require_caller
from mentorship.api.resolver import BEARER
from mentorship.api.schemas import ApiModel, responses
from mentorship.services import calendar_feed

router = APIGatewayHttpRouter()

FEED_PATH = "/calendar-feeds/"


class CalendarFeedUrl(ApiModel):
    url: str


def _feed_url(secret: str) -> str:
    """The feed's address on the host the caller used (API Gateway's domain, or the local stack)."""
    event = router.current_event
    headers = {name.lower(): value for name, value in (event.headers or {}).items()}
    host = headers.get("host") or event.request_context.domain_name
    scheme = headers.get("x-forwarded-proto", "https")
    return f"{scheme}://{host}{FEED_PATH}{secret}"


@router.get(
    "/me/calendar-feed",
    summary="My calendar feed URL",
    description="A secret URL (256 bits) that serves the caller's sessions as `text/calendar` without a "
    "token, for a calendar app to subscribe to. The same URL until rotated.",
    responses=responses(CalendarFeedUrl, 401),
    security=BEARER,
    tags=["Sessions"],
)
def get_feed_url() -> CalendarFeedUrl:
    caller = require_caller(router.current_event)
    return CalendarFeedUrl(url=_feed_url(calendar_feed.feed_secret(caller.user_id, clock.now())))


@router.post(
    "/me/calendar-feed/rotate",
    summary="Replace my calendar feed URL",
    description="A new secret URL; the old one answers 404 from now on.",
    responses=responses(CalendarFeedUrl, 401),
    security=BEARER,
    tags=["Sessions"],
)
def rotate_feed_url() -> CalendarFeedUrl:
    caller = require_caller(router.current_event)
    return CalendarFeedUrl(url=_feed_url(calendar_feed.rotate_feed(caller.user_id, clock.now())))


FEED_RESPONSES = {
    **responses(None, 404),
    200: {
        "description": "RFC 5545 calendar: a VEVENT per confirmed session from 30 days ago on (UIDs as in "
        "the emailed invites), sessions cancelled in the last 30 days with STATUS:CANCELLED",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    },
}


@router.get(
    "/calendar-feeds/<feedSecret>",
    summary="A calendar feed (public, by its secret URL)",
    description="No token: the secret in the URL is the credential. 404 for an unknown or rotated secret.",
    responses=FEED_RESPONSES,
    tags=["Sessions"],
)
def serve_feed(secret: Annotated[str, Path(alias="feedSecret", min_length=20, max_length=100)]) -> Response[str]:
    document = calendar_feed.feed_document(secret, clock.now())
    return Response(
        status_code=200,
        content_type="text/calendar; charset=utf-8",
        body=document.decode(),
        headers={"Cache-Control": "private, no-cache"},
    )
