"""Faults injected where AWS would produce them: on the wire, under the SDK.

`AwsFaults` answers chosen requests with the error response the service itself sends (HTTP 400
with DynamoDB's JSON error body, or SES's XML one) from a botocore `before-send` handler, so
everything above it runs for real: botocore parses the error and applies its retry policy,
pynamodb turns it into its own exception (cancellation reasons included), and the product's
error map decides the HTTP answer. Requests no rule matches go through untouched (to DynamoDB
Local, or to moto). Under moto, mind one difference: moto's stub answers from the same
`before-send` event, and botocore calls every handler before keeping the first answer, so moto
still acts on a request the fault answered; judge by what the SDK got back, not by moto's state.

`SimulatedCrash` is what a test raises to stand for the Lambda process dying at that point: a
BaseException, so no `except Exception` in the product or in Powertools can absorb it.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote_plus

from botocore import handlers
from botocore.awsrequest import AWSResponse

DYNAMODB_ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"


class SimulatedCrash(BaseException):
    """The process died here (timeout, OOM, SIGKILL): nothing after this line ran."""


class _RawBody:
    """Just enough of a urllib3 response for botocore.awsrequest.AWSResponse."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any):
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        return self._body


def dynamodb_error(code: str, message: str, **extra: Any) -> tuple[int, dict[str, str], bytes]:
    body = {"__type": DYNAMODB_ERROR_PREFIX + code, "message": message, **extra}
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected-fault"}
    return 400, headers, json.dumps(body).encode()


def throughput_exceeded() -> tuple[int, dict[str, str], bytes]:
    return dynamodb_error(
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded.",
    )


def transaction_conflict(action_count: int, conflicting: int = 0) -> tuple[int, dict[str, str], bytes]:
    """TransactWriteItems cancelled because another transaction holds one of its items."""
    reasons: list[dict[str, str]] = [{"Code": "None"} for _ in range(action_count)]
    reasons[conflicting] = {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
    codes = ", ".join(reason["Code"] for reason in reasons)
    return dynamodb_error(
        "TransactionCanceledException",
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
        CancellationReasons=reasons,
    )


def ses_error(code: str, message: str, sender_fault: bool = True) -> tuple[int, dict[str, str], bytes]:
    kind = "Sender" if sender_fault else "Receiver"
    body = (
        '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">'
        f"<Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>injected-fault</RequestId></ErrorResponse>"
    )
    return 400, {"Content-Type": "text/xml", "x-amzn-RequestId": "injected-fault"}, body.encode()


@dataclass
class Rule:
    service: str  # botocore service id: "dynamodb", "ses"
    operation: str  # "Query", "TransactWriteItems", "SendRawEmail", ...
    # the service's answer; None: let the request through (after `before`), a spy on the timing
    response: Callable[[dict | str], tuple[int, dict[str, str], bytes]] | None
    when: Callable[[dict | str], bool] = lambda _: True
    times: int | None = None  # how many matching requests fail; None: every one
    before: Callable[[], None] | None = None  # runs once, before the first injected failure
    hits: int = 0  # matching requests seen (and, unless `response` is None, failed)

    def active(self) -> bool:
        return self.times is None or self.hits < self.times


@dataclass
class AwsFaults:
    rules: list[Rule] = field(default_factory=list)
    requests: Counter = field(default_factory=Counter)  # (service, operation) -> requests seen
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, rule: Rule) -> Rule:
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def __call__(self, request, event_name: str, **_: Any) -> AWSResponse | None:
        _, service, operation = event_name.split(".", 2)
        payload = _payload(service, request.body)
        before = None
        with self._lock:
            self.requests[(service, operation)] += 1
            rule = next(
                (r for r in self.rules if r.service == service and r.operation == operation and r.active() and r.when(payload)),
                None,
            )
            if rule is None:
                return None
            rule.hits += 1
            if rule.hits == 1 and rule.before is not None:
                before = rule.before
        if before is not None:
            before()  # e.g. the concurrent writer whose transaction this one collides with
        if rule.response is None:
            return None
        status, headers, body = rule.response(payload)
        return AWSResponse(request.url, status, headers, _RawBody(body))

    # Installed where moto installs its own stub: among botocore's built-in handlers, so every
    # client created while it is installed (pynamodb's, boto3's) consults it first.
    def install(self) -> None:
        handlers.BUILTIN_HANDLERS.insert(0, ("before-send", self))

    def uninstall(self) -> None:
        handlers.BUILTIN_HANDLERS[:] = [spec for spec in handlers.BUILTIN_HANDLERS if spec[1] is not self]

    def attach(self, client) -> None:
        """Also consult this on an already-created client (e.g. the SES sender's)."""
        client.meta.events.register_first("before-send", self)


def _payload(service: str, body: bytes | str | None) -> dict | str:
    if not body:
        return {}
    text = body.decode() if isinstance(body, bytes) else body
    if service == "dynamodb":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return unquote_plus(text)  # query protocol (SES): form-encoded, decoded so addresses read as sent


def mentions(payload: dict | str, needle: str) -> bool:
    """Whether a request's payload mentions `needle` anywhere (a key, a user id, an address)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return needle in text
