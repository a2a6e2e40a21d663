"""The table's change stream: every record goes to the handler of its item kind.

Lambda's event source mapping hands the StreamFunction batches of records in the order the
changes happened (per item). `process_batch` turns each record's images back into items, runs
the handler registered for that kind, and answers with Lambda's partial batch response: at the
first record whose handler raises, it stops and names that record, so Lambda retries from it
(records before it are done and never handed over again by that retry). Handlers must therefore
be safe to run twice on the same record (a whole batch is retried after a timeout, and bisection
re-sends halves): the delivery handlers are, through the outbox's lease and conditional marks.

Batch handlers see every change of the batch that was done, once, after the per-record handlers:
what is worth coalescing (live availability: one message per changed mentor per batch). They are
best effort: an error is logged and never fails the batch (a late live update is worth nothing,
and a retry would resend what the record handlers did).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Mapping, Sequence

from mentorship.observability import logger
from mentorship.store.models import TableItem


@dataclass(frozen=True)
class Change:
    """One stream record: the item before and after (None where it did not exist)."""

    event_name: str  # INSERT | MODIFY | REMOVE
    old: TableItem | None
    new: TableItem | None
    sequence_number: str

    @property
    def item_kind(self) -> type[TableItem]:
        return type(self.new if self.new is not None else self.old)


ChangeHandler = Callable[[Change, datetime], None]
BatchHandler = Callable[[list[Change], datetime], None]


def _item(image: dict | None) -> TableItem | None:
    if not image or "kind" not in image:
        return None
    return TableItem.from_raw_data(image)  # the discriminator picks the item's class


def change_of(record: Mapping) -> Change:
    data = record["dynamodb"]
    return Change(
        event_name=record["eventName"],
        old=_item(data.get("OldImage")),
        new=_item(data.get("NewImage")),
        sequence_number=data["SequenceNumber"],
    )


def process_batch(
    records: Iterable[Mapping],
    handlers: Mapping[type[TableItem], ChangeHandler],
    now: datetime,
    batch_handlers: Sequence[BatchHandler] = (),
) -> dict:
    """Run each record's handler in order, then the batch handlers over what was done; Lambda's
    `batchItemFailures` answer."""
    done: list[Change] = []
    try:
        return _process_records(records, handlers, now, done)
    finally:
        _run_batch_handlers(batch_handlers, done, now)


def _run_batch_handlers(batch_handlers: Sequence[BatchHandler], changes: list[Change], now: datetime) -> None:
    if not changes:
        return
    for batch_handler in batch_handlers:
        try:
            batch_handler(changes, now)
        except Exception:  # noqa: BLE001 - best effort, see the module's docstring
            logger.exception("batch handler failed", extra={"handler": getattr(batch_handler, "__name__", repr(batch_handler))})


def _process_records(
    records: Iterable[Mapping], handlers: Mapping[type[TableItem], ChangeHandler], now: datetime, done: list[Change]
) -> dict:
    for record in records:
        sequence_number = record["dynamodb"]["SequenceNumber"]
        try:
            change = change_of(record)
            if change.new is None and change.old is None:
                continue  # an item without a kind: nothing of ours
            handler = handlers.get(change.item_kind)
            if handler is not None:
                handler(change, now)
            done.append(change)
        except Exception:  # noqa: BLE001 - reported to Lambda, which retries from this record
            logger.exception("stream record failed; Lambda retries from it", extra={"sequence_number": sequence_number})
            return {"batchItemFailures": [{"itemIdentifier": sequence_number}]}
    return {"batchItemFailures": []}
