"""What Lambda's pollers share locally: one thread per kind of event source, pumping each mapping
(a stream's, a queue's) four times a second until the stack stops; a failed pump is logged and
polling goes on, as Lambda's poller survives a bad read."""

from __future__ import annotations

import logging
import threading

POLL_SECONDS = 0.25


class Pollers:
    """Pumps `mappings` (each with `.source.function` and `.pump()`) on a thread of its own."""

    def __init__(self, mappings: list, what: str) -> None:
        self._mappings = mappings
        self._what = what  # "stream" | "queue", for the log
        self._log = logging.getLogger(f"local.{what}s")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{what}-pollers", daemon=True)

    @property
    def functions(self) -> list[str]:
        return [mapping.source.function for mapping in self._mappings]

    def start(self) -> None:
        if self._mappings:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            for mapping in self._mappings:
                try:
                    mapping.pump()
                except Exception:  # noqa: BLE001 - keep polling (see the module's docstring)
                    self._log.exception("polling %s's %s failed", mapping.source.function, self._what)
