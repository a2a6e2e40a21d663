"""Counts the DynamoDB requests this process makes, and the items each one read, from botocore's
own events: what DynamoDB answered, never an estimate.

Every client sends through botocore, and botocore emits `after-call.dynamodb.<Operation>` with the
parsed response once per API call (after its retries, which the response reports). pynamodb
makes its own botocore session per connection and thread, and boto3 and Powertools make theirs,
so the handler is hooked into every session: as a built-in handler for the sessions created from
now on, and directly on boto3's default session if that exists already.

Items read is what DynamoDB evaluated, which is what a read is billed for:

  Query, Scan         ScannedCount (items evaluated before any filter, not just those returned)
  GetItem             1 when an item came back
  BatchGetItem        the items in Responses
  TransactGetItems    the responses that hold an item
  anything else       0 (writes are counted as requests)
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import boto3
from botocore import handlers

SCAN = "Scan"
_AFTER_CALL = "after-call.dynamodb"
_AFTER_CALL_ERROR = "after-call-error.dynamodb"  # no response at all (e.g. connection refused)


@dataclass(frozen=True)
class Request:
    operation: str  # DynamoDB API name: Query, GetItem, ...
    items_read: int
    retries: int = 0  # attempts botocore repeated before this answer (throttling, 5xx)
    failed: bool = False  # an error response, or none at all
    error_code: str | None = None  # DynamoDB's error code when it answered with one


def items_read(operation: str, parsed: dict) -> int:
    if operation in ("Query", SCAN):
        return int(parsed.get("ScannedCount", 0))
    if operation == "GetItem":
        return 1 if parsed.get("Item") else 0
    if operation == "BatchGetItem":
        return sum(len(items) for items in (parsed.get("Responses") or {}).values())
    if operation == "TransactGetItems":
        return sum(1 for response in parsed.get("Responses") or [] if response.get("Item"))
    return 0


@dataclass
class Recording:
    """The requests made while it was active, in order."""

    requests: list[Request] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.requests)

    @property
    def items_read(self) -> int:
        return sum(request.items_read for request in self.requests)

    @property
    def scans(self) -> int:
        return sum(1 for request in self.requests if request.operation == SCAN)

    @property
    def retries(self) -> int:
        return sum(request.retries for request in self.requests)

    @property
    def failures(self) -> int:
        return sum(1 for request in self.requests if request.failed)

    def operations(self) -> Counter[str]:
        return Counter(request.operation for request in self.requests)


# Process-wide on purpose (not a context variable): a request sent from another thread while a
# recording is active must still be counted.
_lock = threading.Lock()
_active: Recording | None = None
_installed = False


def _record(request: Request) -> None:
    with _lock:
        if _active is not None:
            _active.requests.append(request)


def _after_call(http_response, parsed, model, **_) -> None:
    metadata = parsed.get("ResponseMetadata") or {}
    _record(
        Request(
            operation=model.name,
            items_read=items_read(model.name, parsed),
            retries=int(metadata.get("RetryAttempts", 0)),
            failed=http_response.status_code >= 300,
            error_code=(parsed.get("Error") or {}).get("Code"),
        )
    )


def _after_call_error(event_name: str, **_) -> None:
    _record(Request(operation=event_name.rsplit(".", 1)[-1], items_read=0, failed=True))


_HOOKS = ((_AFTER_CALL, _after_call), (_AFTER_CALL_ERROR, _after_call_error))


def install() -> None:
    """Hook every botocore session of the process, once. Call it before the clients that should be
    counted are created: sessions created earlier are hooked only if one is boto3's default."""
    global _installed
    with _lock:
        if _installed:
            return
        for event, handler in _HOOKS:
            handlers.BUILTIN_HANDLERS.append((event, handler))
            if boto3.DEFAULT_SESSION is not None:
                boto3.DEFAULT_SESSION.events.register(event, handler)
        _installed = True


@contextmanager
def recording() -> Iterator[Recording]:
    """Count every DynamoDB request the process makes inside the block."""
    global _active
    install()
    current = Recording()
    with _lock:
        if _active is not None:
            raise RuntimeError("recordings do not nest")
        _active = current
    try:
        yield current
    finally:
        with _lock:
            _active = None
