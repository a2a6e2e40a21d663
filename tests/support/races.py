"""Run calls at the same instant from threads, for the races on DynamoDB Local."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor


def race(calls):
    """Run the calls at the same instant (a barrier releases them together); return each outcome."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
