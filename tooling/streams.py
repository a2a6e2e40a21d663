"""A DynamoDB stream handed to a function the way Lambda's event source mapping does it, for the
local stack (DynamoDB Local's stream, the function's worker processes) and the tests (DynamoDB
Local or moto, the handler in-process).

`StreamReader` reads the stream through the Streams API (`dynamodbstreams`: DescribeStream,
GetShardIterator, GetRecords) from where it left off, shard by shard, parents before children.
`EventSourceMapping` cuts what it read into batches of the mapping's `BatchSize`, invokes the
function with Lambda's event shape, and on a partial batch response (`batchItemFailures`) hands
the records from the lowest failed sequence number again on the next pump, as Lambda does; a
function error retries the whole batch, halved when `BisectBatchOnFunctionError` is set. After
`MaximumRetryAttempts` the records go to `on_failure` (the template's on-failure destination;
locally a log line and a list) and the mapping moves on.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tooling.template import StreamSource

log = logging.getLogger("tooling.streams")


class FunctionFailed(Exception):
    """The invocation itself failed (an unhandled error, a timeout): Lambda retries the batch."""


class StreamReader:
    def __init__(self, client: Any, stream_arn: str):
        self.client = client
        self.stream_arn = stream_arn
        self._iterators: dict[str, str | None] = {}  # shard id -> next iterator (None: closed, read out)
        self._last_sequence: dict[str, str] = {}

    def _shards(self) -> list[dict]:
        shards, start = [], None
        while True:
            kwargs = {"StreamArn": self.stream_arn}
            if start:
                kwargs["ExclusiveStartShardId"] = start
            description = self.client.describe_stream(**kwargs)["StreamDescription"]
            shards.extend(description.get("Shards") or [])
            start = description.get("LastEvaluatedShardId")
            if not start:
                return shards

    def _iterator(self, shard_id: str) -> str:
        if shard_id in self._last_sequence:
            position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._last_sequence[shard_id]}
        else:
            position = {"ShardIteratorType": "TRIM_HORIZON"}
        return self.client.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **position)["ShardIterator"]

    def skip_to_latest(self) -> None:
        """Read from now on only (what is in the stream already is never handed over)."""
        for shard in self._shards():
            if shard.get("SequenceNumberRange", {}).get("EndingSequenceNumber"):
                self._iterators[shard["ShardId"]] = None  # closed: nothing new can come from it
                continue
            self._iterators[shard["ShardId"]] = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
            )["ShardIterator"]

    def read(self) -> list[dict]:
        """Every record written since the last read, in stream order within each shard."""
        records: list[dict] = []
        for shard in self._shards():
            shard_id = shard["ShardId"]
            if shard_id in self._iterators and self._iterators[shard_id] is None:
                continue  # a closed shard read to its end
            iterator = self._iterators.get(shard_id) or self._iterator(shard_id)
            while iterator:
                try:
                    answer = self.client.get_records(ShardIterator=iterator, Limit=1000)
                except self.client.exceptions.ExpiredIteratorException:
                    iterator = self._iterator(shard_id)  # idle for 15 minutes: resume after the last record
                    continue
                batch = answer.get("Records") or []
                records.extend(batch)
                if batch:
                    self._last_sequence[shard_id] = batch[-1]["dynamodb"]["SequenceNumber"]
                iterator = answer.get("NextShardIterator")
                if not batch:
                    break
            self._iterators[shard_id] = iterator
        return records


def _as_json(value: dict) -> dict:
    """One attribute value as the JSON wire format carries it: boto3 hands binary (`B`, `BS`)
    over as bytes, Lambda's event as base64 text."""
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in inner]}
    if kind == "M":
        return {"M": {name: _as_json(item) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [_as_json(item) for item in inner]}
    return value


def lambda_record(record: dict, stream_arn: str, region: str) -> dict:
    """A Streams API record as Lambda's event carries it: epoch seconds for the creation time,
    binary attributes as base64 text (a directory snapshot chunk is binary)."""
    data = dict(record["dynamodb"])
    created = data.get("ApproximateCreationDateTime")
    if created is not None and hasattr(created, "timestamp"):
        data["ApproximateCreationDateTime"] = int(created.timestamp())
    for image in ("Keys", "NewImage", "OldImage"):
        if image in data:
            data[image] = {name: _as_json(value) for name, value in data[image].items()}
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", region),
        "dynamodb": data,
        "eventSourceARN": stream_arn,
    }


@dataclass
class EventSourceMapping:
    source: StreamSource
    reader: StreamReader
    invoke: Callable[[dict], Any]  # the function's answer; raises FunctionFailed when it fails
    region: str
    on_failure: Callable[[list[dict]], None] | None = None
    given_up: list[dict] = field(default_factory=list)  # records sent to the on-failure destination
    _pending: list[dict] = field(default_factory=list)
    _attempts: int = 0
    _batch_limit: int = 0

    def pump(self) -> int:
        """Read what is new and hand it over, batch by batch, until everything read is done or a
        batch must wait for its retry (the next pump). Returns the records handed over."""
        self._pending.extend(self.reader.read())
        handed = 0
        while self._pending:
            limit = self._batch_limit or self.source.batch_size
            batch = self._pending[:limit]
            handed += len(batch)
            failed_from = self._invoke(batch)
            if failed_from is None:
                del self._pending[: len(batch)]
                self._attempts, self._batch_limit = 0, 0
                continue
            done = failed_from
            del self._pending[:done]
            self._attempts += 1
            if self.source.maximum_retry_attempts >= 0 and self._attempts > self.source.maximum_retry_attempts:
                given_up = batch[done:]
                del self._pending[: len(given_up)]
                self._give_up(given_up)
                self._attempts, self._batch_limit = 0, 0
                continue
            return handed  # retried on the next pump, as Lambda retries after a pause
        return handed

    def drain(self, rounds: int = 20) -> None:
        """Pump until nothing is left to hand over (tests: what a change set off is done)."""
        for _ in range(rounds):
            self.pump()
            if not self._pending:
                return
        raise AssertionError(f"{self.source.function}: stream records still failing after {rounds} rounds")

    def _invoke(self, batch: list[dict]) -> int | None:
        """None when the whole batch is done; otherwise the index to retry from."""
        event = {"Records": [lambda_record(record, self.reader.stream_arn, self.region) for record in batch]}
        try:
            answer = self.invoke(event)
        except FunctionFailed as failure:
            log.warning("%s failed on a batch of %d records: %s", self.source.function, len(batch), failure)
            if self.source.bisect_on_error and len(batch) > 1:
                self._batch_limit = max(1, len(batch) // 2)
            return 0
        failures = (answer or {}).get("batchItemFailures") if self.source.reports_item_failures else None
        if not failures:
            return None
        failed = {failure["itemIdentifier"] for failure in failures}
        for index, record in enumerate(batch):
            if record["dynamodb"]["SequenceNumber"] in failed:
                return index
        return 0  # an identifier that names no record: Lambda retries the whole batch

    def _give_up(self, records: list[dict]) -> None:
        log.error("%s: %d stream records sent to the on-failure destination", self.source.function, len(records))
        self.given_up.extend(records)
        if self.on_failure:
            self.on_failure(records)
