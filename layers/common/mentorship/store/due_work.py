"""AP9: work that has fallen due, read from the sparse DueWork index.

Items enter the index by carrying `due_shard` and `due_at`, and leave it when a conditional
update marks them done (removing both attributes). A run therefore reads only what is due,
however long ago it fell due, in one query per shard.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Iterator

from mentorship.domain.instants import format_utc_precise
from mentorship.store.binding import ensure_bound
from mentorship.store.models import DUE_SHARDS, TableItem


def due_shard_for(item_key: str) -> str:
    """A stable shard for an item, so due work spreads over DUE_SHARDS partitions."""
    return f"DUE#{zlib.crc32(item_key.encode()) % DUE_SHARDS}"


def _shard_of(item: TableItem) -> str:
    return due_shard_for(item.pk + item.sk)


def make_due[ItemT: TableItem](item: ItemT, due: datetime) -> ItemT:
    """Put a new `item` into DueWork, due at `due` (its shard derives from its key)."""
    item.due_shard = _shard_of(item)
    item.due_at = format_utc_precise(due)
    return item


def due_actions(item: TableItem, due: datetime) -> list:
    """The update actions that put a stored `item` into DueWork at `due` (as make_due would)."""
    return [TableItem.due_shard.set(_shard_of(item)), *due_again_actions(due)]


def due_again_actions(due: datetime) -> list:
    """The update action that keeps a pending item in DueWork and makes it due at `due` (a retry)."""
    return [TableItem.due_at.set(format_utc_precise(due))]


def done_actions() -> list:
    """The update actions that take an item out of DueWork: its work is done."""
    return [TableItem.due_shard.remove(), TableItem.due_at.remove()]


def is_due_work(item: TableItem) -> bool:
    """Whether `item` (as read, or as a stream image shows it) is still pending in DueWork."""
    return item.due_shard is not None and item.due_at is not None


def due_by(item: TableItem, now: datetime) -> bool:
    """Whether pending `item` has fallen due at `now`."""
    return item.due_at is not None and item.due_at <= format_utc_precise(now)


class DueWorkStore:
    def __init__(self) -> None:
        ensure_bound()

    def due(self, now: datetime, per_shard_limit: int = 200) -> Iterator[TableItem]:
        """Every item due at or before `now`, oldest first within each shard."""
        cutoff = format_utc_precise(now)
        for shard in range(DUE_SHARDS):
            yield from TableItem.due_work.query(
                f"DUE#{shard}",
                range_key_condition=TableItem.due_at <= cutoff,
                limit=per_shard_limit,
            )
