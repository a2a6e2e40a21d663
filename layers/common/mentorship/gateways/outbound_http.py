"""Outbound HTTP to URLs that users give (calendar feeds, CalDAV servers, later webhooks):
the SSRF guard (OWASP API7).

- Only `http` and `https` URLs, without credentials in the URL.
- The host is resolved **when connecting**, every address it resolves to must be public
  (`ipaddress.is_global`, not multicast), and the socket connects to an address that was just
  checked, never to the name again: a DNS answer that changes between the check and the
  connection (rebinding) cannot reach a private address. TLS still verifies the certificate
  against the host name.
- Redirects are followed at most `max_redirects` times, each hop through the same check, so a
  redirect to a private address is refused like a direct request.
- Bounded: connect and read timeouts, a deadline for the whole body, and a byte limit on the
  (decompressed) body. Proxies from the environment are ignored.
- Loopback is allowed only where the policy says so (the local stack, so tests can run real
  servers on 127.0.0.1); private and link-local addresses never are. `loopback_only` (the local
  stack unless told otherwise) refuses every other host before any DNS lookup, so a test, a
  fuzzer or a developer's stack sends nothing beyond 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError


class BlockedDestination(ValueError):
    """The URL may not be fetched; the message says why, for the user who gave it."""


class ResponseTooLarge(requests.RequestException):
    pass


@dataclass(frozen=True)
class OutboundPolicy:
    allow_loopback: bool = False
    loopback_only: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_seconds: float = 20.0  # the whole body must arrive within this
    max_bytes: int = 5_000_000
    max_redirects: int = 3


def address_allowed(address: str, policy: OutboundPolicy) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return policy.allow_loopback
    return ip.is_global and not ip.is_multicast


def check_url(url: str, policy: OutboundPolicy) -> None:
    """Refuse, before any lookup, what is not an http(s) URL to a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise BlockedDestination("not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise BlockedDestination("only http and https URLs can be used")
    if not parts.hostname:
        raise BlockedDestination("the URL has no host")
    if parts.username or parts.password:
        raise BlockedDestination("put credentials in their own fields, not in the URL")
    if policy.loopback_only and not _is_loopback_name(parts.hostname):
        raise BlockedDestination("this server fetches only URLs on 127.0.0.1 or localhost")


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_allowed(host: str, port: int, policy: OutboundPolicy) -> list[str]:
    """The addresses `host` resolves to now, if every one of them may be reached."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as failure:
        raise OSError(f"the host {host!r} could not be resolved") from failure  # unreachable, not refused
    addresses = list(dict.fromkeys(answer[4][0] for answer in answers))
    refused = [address for address in addresses if not address_allowed(address, policy)]
    if refused or not addresses:
        raise BlockedDestination(f"the host {host!r} resolves to a private, loopback or link-local address")
    return addresses


def _connect_checked(connection: HTTPConnection, policy: OutboundPolicy) -> socket.socket:
    host = connection._dns_host  # the name urllib3 would resolve itself
    last_error: OSError | None = None
    for address in resolve_allowed(host, connection.port, policy):
        try:
            sock = socket.create_connection((address, connection.port), timeout=policy.connect_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as error:
            last_error = error
    raise NewConnectionError(connection, f"could not connect to {host}: {last_error}")


def _pool_classes(policy: OutboundPolicy) -> dict[str, type]:
    class CheckedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _connect_checked(self, policy)

    class CheckedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _connect_checked(self, policy)

    class CheckedHTTPPool(HTTPConnectionPool):
        ConnectionCls = CheckedHTTPConnection

    class CheckedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = CheckedHTTPSConnection

    return {"http": CheckedHTTPPool, "https": CheckedHTTPSPool}


class GuardedAdapter(HTTPAdapter):
    """A requests transport whose every connection goes through the address check, with
    bounded time and size."""

    def __init__(self, policy: OutboundPolicy):
        self.policy = policy
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self.policy)

    def proxy_manager_for(self, *args, **kwargs):  # pragma: no cover - proxies are refused
        raise BlockedDestination("outbound requests do not go through proxies")

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        check_url(request.url, self.policy)
        bounded = (self.policy.connect_timeout, self.policy.read_timeout)
        response = super().send(request, stream=True, timeout=bounded, verify=verify, cert=cert, proxies=None)
        deadline = time.monotonic() + self.policy.total_seconds
        chunks, size = [], 0
        try:
            for chunk in response.raw.stream(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > self.policy.max_bytes:
                    raise ResponseTooLarge(f"the response is larger than {self.policy.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise requests.Timeout(f"the response took longer than {self.policy.total_seconds:.0f} s")
                chunks.append(chunk)
        finally:
            response.close()
        response._content = b"".join(chunks)
        response._content_consumed = True
        return response


def guarded_session(policy: OutboundPolicy) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc credentials from the environment
    session.max_redirects = policy.max_redirects
    adapter = GuardedAdapter(policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def default_policy() -> OutboundPolicy:
    from mentorship.settings import get_settings

    settings = get_settings()
    return OutboundPolicy(
        allow_loopback=settings.outbound_allow_loopback or settings.outbound_loopback_only,
        loopback_only=settings.outbound_loopback_only,
    )
