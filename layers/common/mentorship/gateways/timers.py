"""Hold timers: a message that comes back when a hold lapses, so its expiry is written (and
announced) within seconds instead of at the next per-minute run (docs/decisions.md §27).

In AWS an SQS standard queue with a per-message timer (`DelaySeconds`, at most 900 s); the
HoldExpiryFunction consumes it. A hold longer than the longest timer comes back early and is
sent again with what remains. Locally the queue is moto's (timers included), read by the local
stack's poller as Lambda's SQS event source mapping would (local/queues.py).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from mentorship.domain.instants import epoch_seconds, from_epoch_seconds

MAX_TIMER_SECONDS = 900  # SQS's longest message timer


@dataclass(frozen=True)
class HoldTimer:
    """What the timer carries: which hold, and the end it was started for."""

    booking_id: str
    hold_expires_at: datetime

    def body(self) -> str:
        return json.dumps({"bookingId": self.booking_id, "holdExpiresAt": epoch_seconds(self.hold_expires_at)})

    @classmethod
    def from_body(cls, body: str) -> "HoldTimer":
        data = json.loads(body)
        return cls(str(data["bookingId"]), from_epoch_seconds(int(data["holdExpiresAt"])))

    def delay_seconds(self, now: datetime) -> int:
        """Whole seconds from `now` until the hold ends (rounded up: a timer never comes back
        before the end), at most SQS's 900."""
        remaining = (self.hold_expires_at - now).total_seconds()
        return max(0, min(MAX_TIMER_SECONDS, math.ceil(remaining)))


class HoldTimers(Protocol):
    def start(self, timer: HoldTimer, now: datetime) -> None:
        """Have `timer` delivered to the HoldExpiryFunction once it is due (or once SQS's longest
        timer has run, whichever comes first)."""


class SqsHoldTimers:
    def __init__(self, queue_url: str, region: str) -> None:
        import boto3
        from botocore.config import Config

        self._queue_url = queue_url
        self._client = boto3.client(
            "sqs", region_name=region, config=Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"})
        )

    def start(self, timer: HoldTimer, now: datetime) -> None:
        self._client.send_message(QueueUrl=self._queue_url, MessageBody=timer.body(), DelaySeconds=timer.delay_seconds(now))
