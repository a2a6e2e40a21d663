"""Lambda's DynamoDB stream event source mappings, locally: for each `Type: DynamoDB` event in
the template, a thread polls DynamoDB Local's stream of that table (the Streams API, four times
a second as Lambda polls a shard) and invokes the function's workers with Lambda's batch event;
partial batch failures and function errors are retried as Lambda retries them
(tooling.streams). Records that keep failing past MaximumRetryAttempts are logged, as the
template's on-failure queue would receive them.
"""

from __future__ import annotations

import logging

from local.polling import Pollers
from local.workers import NoWorkerAvailable, WorkerPools
from tooling.intrinsics import REGION
from tooling.streams import EventSourceMapping, FunctionFailed, StreamReader
from tooling.template import StreamSource

log = logging.getLogger("local.streams")


class StreamPollers(Pollers):
    def __init__(self, sources: list[StreamSource], table_names: dict[str, str], dynamodb, streams, pools: WorkerPools):
        mappings = []
        for source in sources:
            description = dynamodb.describe_table(TableName=table_names[source.table])["Table"]
            stream_arn = description.get("LatestStreamArn")
            if not stream_arn:
                log.warning("%s reads %s's stream, but the table has none", source.function, source.table)
                continue
            invoke = self._invoker(pools, source.function)
            mappings.append(EventSourceMapping(source, StreamReader(streams, stream_arn), invoke, REGION))
        super().__init__(mappings, "stream")

    @staticmethod
    def _invoker(pools: WorkerPools, function: str):
        def invoke(event: dict) -> dict | None:
            try:
                invocation = pools.invoke(function, event)
            except NoWorkerAvailable as busy:
                raise FunctionFailed(str(busy)) from None
            if not invocation.ok:
                error = invocation.error or {}
                raise FunctionFailed(f"{error.get('errorType')}: {error.get('errorMessage')}")
            return invocation.payload

        return invoke
