"""One local stack for the whole e2e directory: starting it (DynamoDB Local's JVM, the workers)
is the slow part. test_local_stack.py runs last (file order) and its last test stops it with
Ctrl-C; the teardown here stops it if that test did not run."""

from __future__ import annotations

import pytest

from tests.support import local_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> local_stack.RunningStack:
    running = local_stack.start(tmp_path_factory.mktemp("local-stack"))
    yield running
    local_stack.stop(running.process)
