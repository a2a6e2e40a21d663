"""The WebSocket API's routes (RealtimeFunction): a client subscribes to mentors' live availability.

The only identity a message acts for is the connection API Gateway names in the event
(`requestContext.connectionId`); a message carries nothing else that could point at another
connection (extra fields are refused). Every answer goes back on the sender's own connection
as the route's response.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mentorship.store.mentors import MentorStore
from mentorship.store.subscriptions import SubscriptionStore, TooManySubscriptions, UnknownConnection

MAX_MESSAGE_BYTES = 1024  # subscribe/unsubscribe are tiny; API Gateway itself allows 128 KB
MENTOR_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class ClientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    action: Literal["subscribe", "unsubscribe"]
    mentorId: str = Field(pattern=MENTOR_ID_PATTERN)  # noqa: N815 - the wire name


def error(code: str) -> dict:
    return {"type": "error", "code": code}


def parse_message(body: str | None) -> ClientMessage | None:
    """The client's message, or None when it is not one we accept (size, JSON, shape)."""
    if body is None or len(body.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        return None
    try:
        return ClientMessage.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        return None


class RealtimeRoutes:
    def __init__(self, subscriptions: SubscriptionStore | None = None, mentors: MentorStore | None = None) -> None:
        self._subscriptions = subscriptions or SubscriptionStore()
        self._mentors = mentors

    def connect(self, connection_id: str, now: datetime) -> None:
        self._subscriptions.open_connection(connection_id, now)

    def disconnect(self, connection_id: str) -> None:
        self._subscriptions.close_connection(connection_id)

    def message(self, connection_id: str, route_key: str, body: str | None, now: datetime) -> dict:
        """The answer to one message on `route_key` (subscribe, unsubscribe, $default): every
        message, well-formed or not, is counted against the connection's rate limit first."""
        if not self._subscriptions.count_message(connection_id, now):
            return error("rate_limited")
        message = parse_message(body)
        if message is None or message.action != route_key:
            return error("bad_request")  # $default, or a body the route selection could not have chosen
        if message.action == "unsubscribe":
            self._subscriptions.unsubscribe(connection_id, message.mentorId)
            return {"type": "unsubscribed", "mentorId": message.mentorId}
        self._mentors = self._mentors or MentorStore()
        if self._mentors.get_profile(message.mentorId) is None:
            return error("not_found")
        try:
            self._subscriptions.subscribe(connection_id, message.mentorId, now)
        except TooManySubscriptions:
            return error("too_many_subscriptions")
        except UnknownConnection:
            return error("bad_request")  # the connection's record expired: the client reconnects
        return {"type": "subscribed", "mentorId": message.mentorId}
