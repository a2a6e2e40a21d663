"""The table's stream in tests: what a change sets off runs as Lambda's event source mapping
would run it, the StreamFunction's handler in-process, reading the real stream (DynamoDB Local's
Streams API, or moto's).

The table fixtures open one mapping per test (`open_stream`); `deliver()` hands the StreamFunction
everything written since the last call. The booking fixture calls it after each request, so a
test sees the emails of a confirm as a client would a moment later.
"""

from __future__ import annotations

from tooling.streams import EventSourceMapping, FunctionFailed, StreamReader
from tooling.template import stream_sources

REGION = "us-east-1"
_active: EventSourceMapping | None = None


def stream_function(event: dict) -> dict:
    from functions.stream.app import lambda_handler

    from tests.support.lambda_helpers import LambdaContext

    try:
        return lambda_handler(event, LambdaContext())
    except Exception as error:  # noqa: BLE001 - an unhandled error fails the invocation, as in Lambda
        raise FunctionFailed(repr(error)) from error


class MotoStreams:
    """moto's own streams backend behind the three Streams API calls the reader makes. (moto's
    HTTP routing answers DynamoDB Streams calls with 404 in this version, so the fast tests call
    the backend that route would have called.)"""

    class exceptions:  # noqa: N801 - mirrors a boto3 client's attribute
        class ExpiredIteratorException(Exception):
            pass

    def _backend(self):
        from moto.backends import get_backend
        from moto.core import DEFAULT_ACCOUNT_ID

        return get_backend("dynamodbstreams")[DEFAULT_ACCOUNT_ID][REGION]

    def describe_stream(self, StreamArn: str, **_) -> dict:  # noqa: N803 - the API's names
        return {"StreamDescription": self._backend().describe_stream(StreamArn)}

    def get_shard_iterator(self, StreamArn: str, ShardId: str, ShardIteratorType: str, SequenceNumber=None) -> dict:  # noqa: N803
        sequence = int(SequenceNumber) if SequenceNumber is not None else None
        iterator = self._backend().get_shard_iterator(StreamArn, ShardId, ShardIteratorType, sequence)
        return {"ShardIterator": iterator.arn}

    def get_records(self, ShardIterator: str, Limit: int = 1000) -> dict:  # noqa: N803
        answer = self._backend().get_records(ShardIterator, Limit)
        for record in answer["Records"]:
            record["dynamodb"]["SequenceNumber"] = str(record["dynamodb"]["SequenceNumber"])
        return answer


def mapping_for(dynamodb_client, streams_client, table_name: str, invoke=stream_function) -> EventSourceMapping:
    (source,) = [source for source in stream_sources() if source.table == "MentorshipTable"]
    stream_arn = dynamodb_client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    return EventSourceMapping(source, StreamReader(streams_client, stream_arn), invoke, REGION)


def open_stream(dynamodb_client, streams_client, table_name: str) -> EventSourceMapping:
    global _active
    _active = mapping_for(dynamodb_client, streams_client, table_name)
    return _active


def close_stream() -> None:
    global _active
    _active = None


def deliver() -> None:
    """Let the StreamFunction process every change written so far (no-op without a table)."""
    if _active is not None:
        _active.drain()
