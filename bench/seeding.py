"""Writes a dataset into the bound table of DynamoDB Local, fast.

The bulk of the items goes in as low-level `BatchWriteItem` requests of 25 puts, from several
threads (DynamoDB Local takes concurrent writers well, and Python only has to serialize while the
engine indexes). Each item is serialized by its own pynamodb model, so what is stored is exactly
what the app would write. The mentor profiles then go through the store (`save_profile` sets the
directory keys) and each mentor's next open slot is computed by the product's own
`refresh_next_open`, which the directory's availability filter reads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from itertools import islice

from bench.dataset import Dataset
from mentorship.services.availability import refresh_next_open
from mentorship.store.mentors import MentorStore
from mentorship.store.models import TableItem

BATCH_SIZE = 25  # BatchWriteItem's limit
WRITERS = 8
STORE_WRITERS = 4  # pynamodb writers of the profiles and next open slots
MAX_ATTEMPTS = 8


class SeedError(RuntimeError):
    pass


def _batches(items: Iterable[TableItem]) -> Iterator[list[dict]]:
    requests = ({"PutRequest": {"Item": item.serialize()}} for item in items)
    while batch := list(islice(requests, BATCH_SIZE)):
        yield batch


def _write_batch(client, table_name: str, batch: list[dict]) -> None:
    pending = {table_name: batch}
    for attempt in range(MAX_ATTEMPTS):
        unprocessed = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        if not unprocessed:
            return
        pending = unprocessed
        time.sleep(0.05 * 2**attempt)
    raise SeedError(
        f"DynamoDB Local left {len(pending[table_name])} items unprocessed after {MAX_ATTEMPTS} attempts"
    )


def write_items(client, table_name: str, items: Iterable[TableItem], writers: int = WRITERS) -> None:
    """Put every item, 25 to a request, from `writers` threads, while this thread builds and
    serializes the next batches (a few per writer at most, so a generator of half a million
    items is never all in memory)."""
    ahead = threading.BoundedSemaphore(writers * 4)

    def write(batch: list[dict]) -> None:
        try:
            _write_batch(client, table_name, batch)
        finally:
            ahead.release()

    with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="seed") as pool:
        written = []
        for batch in _batches(items):
            ahead.acquire()
            written.append(pool.submit(write, batch))
        for future in written:
            future.result()


def seed(dataset: Dataset, client, table_name: str, now: datetime) -> None:
    """Write `dataset` into `table_name`, the table the models are bound to."""
    write_items(client, table_name, dataset.items)
    store = MentorStore()
    with ThreadPoolExecutor(max_workers=STORE_WRITERS, thread_name_prefix="seed-profiles") as pool:
        list(pool.map(store.save_profile, dataset.profiles))
        list(pool.map(lambda mentor_id: refresh_next_open(mentor_id, now), dataset.mentor_ids))
