"""The webhook retry schedule and signing, pure."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from standardwebhooks import Webhook as StandardWebhook

from mentorship.domain.webhooks import RETRY_DELAYS, is_success, next_attempt_at
from mentorship.gateways.webhooks import signed_headers

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def test_retries_grow_and_span_more_than_a_day():
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)
    assert sum(RETRY_DELAYS, start=NOW - NOW).total_seconds() >= 24 * 3600
    times = [next_attempt_at(n, NOW) for n in range(1, len(RETRY_DELAYS) + 1)]
    assert all(t is not None and t > NOW for t in times)
    assert next_attempt_at(len(RETRY_DELAYS) + 1, NOW) is None


def test_only_2xx_delivers():
    assert [is_success(code) for code in (200, 204, 299, 301, 404, 500, None)] == [True, True, True, False, False, False, False]


def test_signature_is_the_specifications():
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    at = datetime.now(UTC)
    headers = signed_headers("evt_1", '{"id":"evt_1"}', secret, at)
    expected = hmac.new(b"k" * 32, f"evt_1.{int(at.timestamp())}.{{\"id\":\"evt_1\"}}".encode(), hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(expected).decode()
    assert StandardWebhook(secret).verify('{"id":"evt_1"}', headers) == {"id": "evt_1"}
