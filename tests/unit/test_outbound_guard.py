"""The SSRF guard for outbound HTTP to users' URLs. Address checks are resolve-only (a fake
resolver answers; nothing is sent); traffic goes only to servers these tests run on 127.0.0.1."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from mentorship.gateways import outbound_http
from mentorship.gateways.outbound_http import (
    BlockedDestination,
    OutboundPolicy,
    ResponseTooLarge,
    address_allowed,
    check_url,
    guarded_session,
    resolve_allowed,
)

AWS = OutboundPolicy()
LOCAL = OutboundPolicy(allow_loopback=True, connect_timeout=1, read_timeout=1, total_seconds=3, max_bytes=100_000)


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3", "172.16.0.1", "192.168.0.10", "127.0.0.1", "127.8.8.8", "0.0.0.0", "169.254.169.254",
        "100.64.0.1", "224.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "192.0.2.1", "::",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address):
    assert not address_allowed(address, AWS)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert address_allowed(address, AWS)


def test_loopback_only_in_the_local_stack_and_never_private_or_link_local():
    assert address_allowed("127.0.0.1", LOCAL) and address_allowed("::1", LOCAL)
    assert not address_allowed("10.0.0.1", LOCAL) and not address_allowed("169.254.169.254", LOCAL)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a.ics", "file:///etc/passwd", "gopher://x", "//example.com", "http://", "https://user:pw@example.com/"]
)
def test_only_http_and_https_urls_to_a_host_without_credentials(url):
    with pytest.raises(BlockedDestination):
        check_url(url, AWS)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [("http://127.0.0.1:8080/a.ics", True), ("http://localhost/a.ics", True), ("http://[::1]/a", True),
     ("https://calendar.example.com/a.ics", False), ("http://93.184.215.14/a.ics", False)],
)
def test_the_local_stack_refuses_every_other_host_before_any_lookup(monkeypatch, url, allowed):
    monkeypatch.setattr(outbound_http.socket, "getaddrinfo", lambda *a, **k: pytest.fail("no lookup"))
    policy = OutboundPolicy(allow_loopback=True, loopback_only=True)
    if allowed:
        check_url(url, policy)
    else:
        with pytest.raises(BlockedDestination):
            check_url(url, policy)


def fake_resolver(monkeypatch, answers):
    """getaddrinfo answering from `answers` (host -> list of addresses, or a list of such lists
    consumed one per lookup, for rebinding); other names (the local servers' 127.0.0.1) resolve
    as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        addresses = answers[host]
        if addresses and isinstance(addresses[0], list):
            addresses = addresses.pop(0)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    monkeypatch.setattr(outbound_http.socket, "getaddrinfo", getaddrinfo)


def test_a_name_resolving_to_any_private_address_is_refused(monkeypatch):
    fake_resolver(monkeypatch, {"calendar.example": ["93.184.215.14", "10.0.0.5"], "ok.example": ["93.184.215.14"]})
    with pytest.raises(BlockedDestination):
        resolve_allowed("calendar.example", 443, AWS)
    assert resolve_allowed("ok.example", 443, AWS) == ["93.184.215.14"]


def test_rebinding_is_caught_at_connect_time(monkeypatch):
    """The name looked public when the URL was given, resolves to the metadata address when the
    request is made: the connection is refused and nothing is sent."""
    fake_resolver(monkeypatch, {"rebind.example": [["93.184.215.14"], ["169.254.169.254"]]})
    assert resolve_allowed("rebind.example", 80, AWS) == ["93.184.215.14"]  # the first look
    connects = []
    monkeypatch.setattr(outbound_http.socket, "create_connection", lambda *a, **k: connects.append(a))
    with pytest.raises(BlockedDestination):
        guarded_session(AWS).get("http://rebind.example/cal.ics")
    assert connects == []


class Local:
    """An HTTP server on 127.0.0.1 with a few fixed answers."""

    def __enter__(self):
        self.seen_hosts = []
        local = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                local.seen_hosts.append(self.headers.get("Host"))
                if self.path == "/redirect-private":
                    self.send_response(302)
                    self.send_header("Location", "http://10.0.0.7/secret")
                    self.end_headers()
                    return
                if self.path == "/slow":
                    time.sleep(2)
                body = b"x" * 200_000 if self.path == "/large" else b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch):
    """A name is resolved once, at connect time, and the socket goes to that address (127.0.0.1
    here, allowed locally) while the request still names the host."""
    with Local() as server:
        fake_resolver(monkeypatch, {"calendar.test": ["127.0.0.1"]})
        response = guarded_session(LOCAL).get(f"http://calendar.test:{server.port}/feed.ics")
        assert response.status_code == 200 and response.content.startswith(b"BEGIN:VCALENDAR")
        assert server.seen_hosts == [f"calendar.test:{server.port}"]


def test_loopback_is_refused_outside_the_local_stack():
    with Local() as server:
        with pytest.raises(BlockedDestination):
            guarded_session(AWS).get(f"http://127.0.0.1:{server.port}/feed.ics")
        assert server.seen_hosts == []


def test_a_redirect_to_a_private_address_is_refused_before_connecting():
    with Local() as server:
        with pytest.raises(BlockedDestination):
            guarded_session(LOCAL).get(f"http://127.0.0.1:{server.port}/redirect-private")


def test_responses_are_bounded_in_size_and_time():
    with Local() as server:
        with pytest.raises(ResponseTooLarge):
            guarded_session(LOCAL).get(f"http://127.0.0.1:{server.port}/large")
        started = time.monotonic()
        with pytest.raises(requests.Timeout):
            guarded_session(LOCAL).get(f"http://127.0.0.1:{server.port}/slow", timeout=60)
        assert time.monotonic() - started < 2  # the policy's 1 s read timeout, not the caller's 60
