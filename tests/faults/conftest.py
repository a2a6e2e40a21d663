"""Fixtures of the fault-injection suite: faults on the wire (`aws_faults`), SDK retries without
their back-off sleeps (`no_sdk_backoff`), and a clock anchored to the real present.

The clock: DynamoDB Local deletes items whose TTL attribute lies in the past within about a
second. Hold locks carry `expires_at` = hold expiry + 1 day, so a frozen date that falls more than a
day behind the real one would let the engine delete live locks mid-test. These tests freeze time
at the next whole hour from now instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.faults.injection import AwsFaults


@pytest.fixture
def aws_faults():
    faults = AwsFaults()
    faults.install()
    yield faults
    faults.uninstall()


@pytest.fixture
def no_sdk_backoff(monkeypatch):
    """botocore still retries (how many times is its policy's business) but does not sleep
    between attempts: standard mode (pynamodb's clients) and legacy mode (boto3's default)."""
    from botocore import retryhandler
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(retryhandler, "delay_exponential", lambda base, growth_factor, attempts: 0)


@pytest.fixture
def now(clock):
    moment = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    clock.moment = moment
    return moment
