"""The template's tables in DynamoDB Local, as the tests and the bench create them: with TTL on,
the engine deletes an expired item within seconds (AWS takes up to days), so a clock frozen in
the machine's past (every test's `now`, the bench's) would see its holds' locks and its
subscriptions vanish mid-run; the tests and the bench create their tables with TTL off."""

from __future__ import annotations

import time
import uuid

import pytest

from tooling.dynamodb_local import create_template_tables

pytestmark = pytest.mark.dynamodb_local

SWEEP_WAIT_SECONDS = 10


def _remaining_after_sweep(client, ttl: bool) -> int:
    names = create_template_tables(client, name_prefix=f"ttl{uuid.uuid4().hex[:8]}-", streams=False, ttl=ttl)
    table = names["ConnectionsTable"]
    past = int(time.time()) - 9 * 86400  # a frozen `now` nine days ago, plus a 2-hour lifetime
    try:
        for n in range(5):
            client.put_item(TableName=table, Item={"pk": {"S": f"CONN#c{n}"}, "sk": {"S": "CONNECTION"}, "expiresAt": {"N": str(past + 7200)}})
        deadline = time.monotonic() + SWEEP_WAIT_SECONDS
        while time.monotonic() < deadline:
            remaining = client.scan(TableName=table, Select="COUNT", ConsistentRead=True)["Count"]
            if remaining < 5:
                return remaining
            time.sleep(0.5)
        return 5
    finally:
        for name in names.values():
            client.delete_table(TableName=name)


def test_the_engine_sweeps_expired_items_within_seconds_with_ttl_on_and_keeps_them_with_ttl_off(dynamodb_local):
    client = dynamodb_local.client()
    assert _remaining_after_sweep(client, ttl=True) < 5, "DynamoDB Local no longer sweeps within 10 s: ttl=False may be moot"
    assert _remaining_after_sweep(client, ttl=False) == 5
