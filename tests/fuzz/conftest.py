"""The fuzz suite's local stack: `python -m local.stack` (what `make run` starts) on a free port,
started once for the fuzz package (the fuzzer and the input-rule replays share it) and stopped
with Ctrl-C (SIGINT) after it, as tests/e2e does."""

from __future__ import annotations

import pytest

from tests.support import local_stack


@pytest.fixture(scope="package")
def stack(tmp_path_factory) -> local_stack.RunningStack:
    # --no-schedules: the per-minute run would change state under the fuzzer at random moments.
    running = local_stack.start(tmp_path_factory.mktemp("fuzz-stack"), "--no-schedules")
    yield running
    local_stack.stop(running.process)
