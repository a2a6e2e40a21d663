"""TransactWriteItems with named actions, so a cancelled transaction says which of its
conditions failed (callers raise named domain errors, never by matching message text).

pynamodb sends condition checks first, then deletes, puts and updates, whatever order they were
added in; the cancellation reasons come back in the order sent. `Transaction` keeps each
action's name in that same order.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable, TypeVar

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from mentorship.errors import RETRYABLE_AWS_ERROR_CODES, ServiceUnavailable
from mentorship.store.models import TableItem

CONDITION_FAILED = "ConditionalCheckFailed"
CONTENTION_PAUSE = 0.04  # seconds: the first retry's longest pause, doubled on each one after
_CONTENTION_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}


class ConditionsFailed(Exception):
    """The transaction was cancelled because the named actions' conditions did not hold."""

    def __init__(self, names: set[str]):
        super().__init__(", ".join(sorted(names)))
        self.names = names


class Transaction:
    def __init__(self, client_request_token: str | None = None):
        self._write = TransactWrite(
            connection=TableItem._get_connection().connection, client_request_token=client_request_token
        )
        self._names: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}

    def condition_check(self, name: str, model_cls: type[TableItem], pk: str, sk: str, condition: Condition) -> None:
        self._write.condition_check(model_cls, pk, sk, condition=condition)
        self._names["check"].append(name)

    def delete(self, name: str, item: TableItem, condition: Condition | None = None) -> None:
        self._write.delete(item, condition=condition)
        self._names["delete"].append(name)

    def put(self, name: str, item: TableItem, condition: Condition | None = None) -> None:
        self._write.save(item, condition=condition)
        self._names["put"].append(name)

    def update(self, name: str, item: TableItem, actions: list[Any], condition: Condition | None = None) -> None:
        self._write.update(item, actions=actions, condition=condition)
        self._names["update"].append(name)

    def _sent_order(self) -> list[str]:
        return [*self._names["check"], *self._names["delete"], *self._names["put"], *self._names["update"]]

    def commit(self) -> None:
        """Run it. Raises ConditionsFailed naming the actions whose conditions failed, or
        ServiceUnavailable when DynamoDB was contended or throttled (retryable)."""
        try:
            with self._write:
                pass
        except TransactWriteError as error:
            codes = [reason.code if reason else None for reason in (error.cancellation_reasons or [])]
            if set(codes) & _CONTENTION_REASONS or error.cause_response_code in RETRYABLE_AWS_ERROR_CODES:
                raise ServiceUnavailable("the service is busy with this item; retry shortly") from error
            failed = {name for name, code in zip(self._sent_order(), codes) if code == CONDITION_FAILED}
            if failed:
                raise ConditionsFailed(failed) from error
            raise


ResultT = TypeVar("ResultT")


def retry_on_contention(
    attempt: Callable[[], ResultT], attempts: int = 4, settled: Callable[[], None] | None = None
) -> ResultT:
    """Run `attempt` again, after a pause, while DynamoDB reports another transaction on the same
    items (or throttles). Once that one has finished, the conditions give a definite answer;
    only lasting contention reaches the client, as a 503 with Retry-After.

    `settled`, called after each contention, may raise that definite answer itself (a hold reads
    whether its slots were taken meanwhile), so a loser of a crowded race answers at once rather
    than retrying against the other losers until its attempts run out. Pauses grow (full jitter,
    doubling from 40 ms): under load the winner's commit can take longer than a few fixed short
    pauses, which used to hand a 503 to a client whose answer was already certain."""
    for number in range(attempts):
        try:
            return attempt()
        except ServiceUnavailable:
            if settled is not None:
                settled()
            if number == attempts - 1:
                raise
            time.sleep(random.uniform(0.005, CONTENTION_PAUSE * 2**number))
    raise AssertionError("unreachable")
