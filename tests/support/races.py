"""Run calls at the same instant from threads, for the races on DynamoDB Local, and count who won."""

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


def winners(outcomes, losing: type[Exception]) -> int:
    """How many calls succeeded; every other outcome must be a `losing` error (else the test fails)."""
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, losing)]
    assert not unexpected, unexpected
    return sum(1 for o in outcomes if not isinstance(o, Exception))
