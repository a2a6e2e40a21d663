"""Lambda's SQS event source mappings, locally: for each `Type: SQS` event in the template, a
poller polls the queue in moto (four times a second, where Lambda long-polls; local.polling) and invokes the
function's workers with Lambda's SQS event. Messages the function handled are deleted; those it
names in `batchItemFailures` (or all, when it fails) stay and come back after the queue's
visibility timeout, as in AWS.

moto keeps SQS's message timers (`DelaySeconds`), so a hold timer (docs/decisions.md §27) comes
back to the same function code when it is due, as it would in AWS.
"""

from __future__ import annotations

import hashlib
import logging

from local.polling import Pollers
from local.workers import NoWorkerAvailable, WorkerPools
from tooling.intrinsics import ACCOUNT_ID, REGION
from tooling.template import QueueSource

log = logging.getLogger("local.queues")


def sqs_event(source: QueueSource, messages: list[dict]) -> dict:
    """The event Lambda's SQS poller hands the function for `messages` (ReceiveMessage's)."""
    arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{source.queue}"
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes") or {},
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324 - SQS's own checksum
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


class QueueMapping:
    """One SQS event source mapping: receive a batch, invoke, delete what was handled."""

    def __init__(self, source: QueueSource, queue_url: str, sqs, invoke) -> None:
        self.source, self._queue_url, self._sqs, self._invoke = source, queue_url, sqs, invoke

    def pump(self) -> int:
        """One receive and, when it brought anything, one invocation; how many were handled."""
        received = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=min(self.source.batch_size, 10),
            VisibilityTimeout=self.source.visibility_timeout,
            AttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
        try:
            invocation = self._invoke(self.source.function, sqs_event(self.source, received))
        except NoWorkerAvailable as busy:
            log.warning("%s busy (%s): its messages come back after the visibility timeout", self.source.function, busy)
            return 0
        if not invocation.ok:
            error = invocation.error or {}
            log.error("%s failed: %s: %s", self.source.function, error.get("errorType"), error.get("errorMessage"))
            return 0
        failed = set()
        if self.source.reports_item_failures and isinstance(invocation.payload, dict):
            failed = {item.get("itemIdentifier") for item in invocation.payload.get("batchItemFailures") or []}
        handled = [message for message in received if message["MessageId"] not in failed]
        if handled:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]} for index, message in enumerate(handled)],
            )
        return len(handled)


class QueuePollers(Pollers):
    def __init__(self, sources: list[QueueSource], queue_urls: dict[str, str], sqs, pools: WorkerPools) -> None:
        super().__init__([QueueMapping(source, queue_urls[source.queue], sqs, pools.invoke) for source in sources], "queue")
