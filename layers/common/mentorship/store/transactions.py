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


def retry_on_contention(attempt: Callable[[], ResultT], attempts: int = 4) -> ResultT:
    """Run `attempt` again, after a short random pause, while DynamoDB reports another
    transaction on the same items (or throttles). Once that one has finished, the conditions give
    a definite answer; only lasting contention reaches the client, as a 503 with Retry-After."""
    for number in range(attempts):
        try:
            return attempt()
        except ServiceUnavailable:
            if number == attempts - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (number + 1))
    raise AssertionError("unreachable")
