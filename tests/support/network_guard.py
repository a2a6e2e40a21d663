"""Tests talk to this machine only (a unit test once tried to reach the public DynamoDB endpoint).

Once installed (tests/conftest.py does it at import, before any test runs), every socket connect
in the test process to anything but 127.0.0.1, ::1 or localhost raises OffLoopbackConnection, and
is recorded so that the test that made it fails even when the code under test swallowed the
error (conftest's autouse fixture reads the record). Unix sockets are allowed. Name resolution
is not a connect: the SSRF tests resolve names (mostly through a fake resolver) and must never
connect to what they resolve, which this guard would catch. Child processes (the local stack,
DynamoDB Local's JVM) are outside it; they serve on 127.0.0.1.
"""

from __future__ import annotations

import socket

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1", "localhost"})


class OffLoopbackConnection(RuntimeError):
    """A test tried to connect somewhere other than this machine's loopback. Not an OSError, so
    no client library mistakes it for a network failure to retry."""


_attempts: list[str] = []
_installed = False


def _check(sock: socket.socket, address) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # Unix sockets and the like never leave the machine
    host = address[0] if isinstance(address, tuple) and address else address
    host = host.decode() if isinstance(host, bytes) else str(host)
    if host.lower() not in LOOPBACK_HOSTS:
        port = address[1] if isinstance(address, tuple) and len(address) > 1 else "?"
        _attempts.append(f"{host}:{port}")
        raise OffLoopbackConnection(f"tests may only connect to 127.0.0.1, ::1 or localhost, not {host}:{port}")


def install_loopback_guard() -> None:
    """Wrap socket.socket.connect and connect_ex (what urllib3, botocore, requests, http.client,
    asyncio and websockets all end up calling). Idempotent."""
    global _installed
    if _installed:
        return
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(self, address):
        _check(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        _check(self, address)
        return real_connect_ex(self, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    _installed = True


def off_loopback_attempts(clear: bool = False) -> list[str]:
    """The connects refused since the last clear (`host:port`)."""
    attempts = list(_attempts)
    if clear:
        _attempts.clear()
    return attempts
