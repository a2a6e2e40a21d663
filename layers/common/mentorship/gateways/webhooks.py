"""Sending one webhook delivery: signed as Standard Webhooks says, through the SSRF guard.

Signing uses the `standardwebhooks` package (the specification's own reference library for
Python): `webhook-signature` is `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the
secret's decoded bytes. `webhook-timestamp` is the wall-clock second of this attempt (receivers
compare it with their own clock to refuse replays), so it changes between retries while
`webhook-id` and the body do not.

The POST goes through `outbound_http`'s guarded session: the address is checked when
connecting, redirects are not followed (a 3xx is a failed attempt), the receiver has 10 s to
answer and at most 64 KB of its answer is read.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

import requests
from standardwebhooks import Webhook as StandardWebhook

from mentorship.gateways.outbound_http import OutboundPolicy, guarded_session

TIMEOUT_SECONDS = 10.0
MOST_ANSWER_BYTES = 64 * 1024


class WebhookSender(Protocol):
    def send(self, url: str, message_id: str, body: str, secret: str) -> int | None:
        """POST `body` signed with `secret`; the answer's status code, None if none came."""


def signed_headers(message_id: str, body: str, secret: str, at: datetime) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": "mentorship-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": StandardWebhook(secret).sign(message_id, at, body),
    }


class HttpWebhookSender:
    def __init__(self, policy: OutboundPolicy):
        self._policy = replace(
            policy,
            connect_timeout=min(policy.connect_timeout, TIMEOUT_SECONDS),
            read_timeout=TIMEOUT_SECONDS,
            total_seconds=TIMEOUT_SECONDS,
            max_bytes=MOST_ANSWER_BYTES,
            max_redirects=0,
        )

    def send(self, url: str, message_id: str, body: str, secret: str) -> int | None:
        headers = signed_headers(message_id, body, secret, datetime.now(UTC))
        try:
            with guarded_session(self._policy) as session:
                answer = session.post(url, data=body.encode(), headers=headers, allow_redirects=False)
        except (requests.RequestException, OSError, ValueError):  # timeout, refused, blocked, too large
            return None
        return answer.status_code
