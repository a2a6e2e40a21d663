"""The test process's loopback-only guard (tests/support/network_guard.py) refuses, before any
packet leaves, every connect that is not to 127.0.0.1, ::1 or localhost, and records it."""

import socket
import threading

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import HTTPClientError

from tests.support.network_guard import OffLoopbackConnection, off_loopback_attempts


@pytest.fixture
def expected_refusals():
    """These tests make refused connects on purpose: cleared after them, so that conftest's
    check (which fails any other test that made one) lets them pass."""
    yield
    off_loopback_attempts(clear=True)


@pytest.mark.parametrize(
    ("family", "address"),
    [(socket.AF_INET, ("93.184.215.14", 443)), (socket.AF_INET, ("10.0.0.1", 80)), (socket.AF_INET, ("0.0.0.0", 80)),
     (socket.AF_INET6, ("2606:4700:4700::1111", 443, 0, 0))],
)
def test_a_connect_off_the_loopback_raises_before_anything_is_sent(expected_refusals, family, address):
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(OffLoopbackConnection):
            sock.connect(address)
        with pytest.raises(OffLoopbackConnection):
            sock.connect_ex(address)
    assert off_loopback_attempts() == [f"{address[0]}:{address[1]}"] * 2


def test_the_public_dynamodb_endpoint_is_refused_even_through_botocore(expected_refusals):
    client = boto3.client(
        "dynamodb", region_name="us-east-1", endpoint_url="https://52.94.0.10",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=1),
    )
    with pytest.raises(HTTPClientError, match="tests may only connect to 127.0.0.1"):
        client.list_tables()
    assert off_loopback_attempts() == ["52.94.0.10:443"]


def test_loopback_connects_go_through():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        accepted = threading.Thread(target=lambda: server.accept()[0].close())
        accepted.start()
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        accepted.join(2)
    with pytest.raises(requests.ConnectionError):  # nothing listens there: refused by the OS, not the guard
        requests.get(f"http://localhost:{port}/", timeout=1)
    assert off_loopback_attempts() == []
