"""Webhook fan-out cost per event: the StreamFunction on one `booking.confirmed` event whose
mentee has 0, 1 or 5 webhooks asking for it (the mentor none).

Measured: the DynamoDB requests of the fan-out alone (lease the event, read each participant's
webhooks, put one delivery per subscribed webhook, mark the event done). Sending each delivery
is a further stream invocation per delivery (lease, read the webhook, mark: 3 requests, plus a
KMS Decrypt and the POST) and is not part of this count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bench.dataset import NOW, session_booking
from bench.invoke import BenchError
from bench.routes import stream_call, table_stream
from bench.runner import RouteCost, fresh_tables, log, measure_call, pinned_clock
from tooling.dynamodb_local import DynamoDBLocal
from mentorship.domain.bookings import BookingStatus
from mentorship.domain.calendar import Party
from mentorship.domain.webhooks import EventType
from mentorship.services.webhook_events import booking_event
from mentorship.store.models import Webhook, WebhookDelivery
from mentorship.store.webhooks import webhook_item

DEFAULT_WEBHOOKS = (0, 1, 5)


@dataclass(frozen=True)
class FanOutResult:
    webhooks: int
    deliveries: int
    cost: RouteCost


def _webhook(user_id: str, n: int) -> Webhook:
    return webhook_item(
        user_id,
        f"bench{n}",
        f"https://hooks.example.com/{n}",
        events=[EventType.BOOKING_CONFIRMED.value],
        secret_sealed="unused: the fan-out never opens it",
        created_at=NOW,
    )


def run_one(engine: DynamoDBLocal, webhooks: int) -> FanOutResult:
    with fresh_tables(engine, f"webhooks-{webhooks}") as _:
        mentee = Party("bench-mentee", "Bench Mentee", "mentee@example.com", "Europe/Berlin")
        mentor = Party("bench-mentor", "Bench Mentor", "mentor@example.com", "America/Chicago")
        booking = session_booking(
            "bench-booking", mentor, mentee, NOW + timedelta(days=2), BookingStatus.CONFIRMED, hourly_rate=6_000, created_at=NOW
        )
        for n in range(webhooks):
            _webhook(mentee.user_id, n).save()
        changes = table_stream()
        booking_event(EventType.BOOKING_CONFIRMED, booking, NOW).save()
        with pinned_clock(NOW):
            cost, answer = measure_call(f"fan-out to {webhooks} webhooks", stream_call(changes))
        if answer.get("batchItemFailures"):
            raise BenchError(f"the fan-out failed: {answer}")
        deliveries = sum(1 for n in range(webhooks) for _ in WebhookDelivery.query(f"WEBHOOK#bench{n}"))
    if deliveries != webhooks:
        raise BenchError(f"fan-out to {webhooks} webhooks recorded {deliveries} deliveries")
    log(f"webhook fan-out, {webhooks} webhooks: {cost.requests} requests")
    return FanOutResult(webhooks, deliveries, cost)


def run(engine: DynamoDBLocal, counts: tuple[int, ...] = DEFAULT_WEBHOOKS) -> list[FanOutResult]:
    return [run_one(engine, count) for count in counts]


def section(results: list[FanOutResult]) -> list[str]:
    lines = [
        "## Webhook fan-out per event",
        "",
        __doc__.split("\n\n", 1)[1].strip(),
        "",
        "| webhooks asking | deliveries recorded | DynamoDB requests | items read | operations |",
        "|---:|---:|---:|---:|---|",
    ]
    for result in results:
        operations = ", ".join(f"{name} {count}" for name, count in sorted(result.cost.operations.items()))
        lines.append(
            f"| {result.webhooks} | {result.deliveries} | {result.cost.requests} | {result.cost.items_read} | {operations} |"
        )
    return [*lines, ""]
