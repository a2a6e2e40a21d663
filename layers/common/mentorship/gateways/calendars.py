"""Reading a mentor's external calendar: a CalDAV server (with credentials, through the `caldav`
library) or an ICS feed URL (one HTTP GET). Both go through the guarded outbound HTTP session,
so the SSRF rules, timeouts and size limits hold for every request either makes, redirects
included. The reader returns raw iCalendar documents; expanding them into busy times is the
domain's (`domain.busy`).

Every failure becomes `CalendarUnreachable` with a reason a mentor can act on; credentials never
appear in a reason or a log line (the caldav library logs request headers at DEBUG, so its
logger is held at WARNING).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:  # requests and the guard load only when a calendar is read
    from mentorship.gateways.outbound_http import OutboundPolicy

logging.getLogger("caldav").setLevel(logging.WARNING)


@dataclass(frozen=True)
class CalendarSource:
    kind: str  # "caldav" | "ics"
    url: str
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never show the password, whatever prints this
        return f"CalendarSource(kind={self.kind!r}, url={self.url!r}, username={self.username!r})"


class CalendarUnreachable(Exception):
    """`refused_destination`: the URL may never be fetched (SSRF rules), rather than failed."""

    def __init__(self, reason: str, refused_destination: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.refused_destination = refused_destination


class CalendarReader(Protocol):
    def read(self, source: CalendarSource, start: datetime, end: datetime) -> list[bytes]:
        """The iCalendar documents with the events that may fall in [start, end)."""


def _http_reason(status: int) -> str:
    if status in (401, 403):
        return f"the server refused the credentials (HTTP {status})"
    if status == 404:
        return "the server has no calendar at that URL (HTTP 404)"
    return f"the server answered HTTP {status}"


class HttpCalendarReader:
    def __init__(self, policy: OutboundPolicy):
        self.policy = policy

    def check(self, url: str) -> None:
        """Refuse a URL that may never be fetched, before any lookup."""
        from mentorship.gateways.outbound_http import BlockedDestination, check_url

        try:
            check_url(url, self.policy)
        except BlockedDestination as refused:
            raise CalendarUnreachable(str(refused), refused_destination=True) from None

    def read(self, source: CalendarSource, start: datetime, end: datetime) -> list[bytes]:
        import requests

        from mentorship.gateways.outbound_http import BlockedDestination, ResponseTooLarge

        self.check(source.url)
        try:
            if source.kind == "ics":
                return [self._read_feed(source.url)]
            return self._read_caldav(source, start, end)
        except CalendarUnreachable:
            raise
        except BlockedDestination as refused:
            raise CalendarUnreachable(str(refused), refused_destination=True) from None
        except ResponseTooLarge as too_large:
            raise CalendarUnreachable(str(too_large)) from None
        except requests.Timeout:
            raise CalendarUnreachable("the calendar server did not answer in time") from None
        except requests.TooManyRedirects:
            raise CalendarUnreachable("the calendar URL redirects too many times") from None
        except requests.ConnectionError:
            raise CalendarUnreachable("could not connect to the calendar server") from None
        except requests.RequestException:
            raise CalendarUnreachable("the calendar could not be fetched") from None

    def _read_feed(self, url: str) -> bytes:
        from mentorship.gateways.outbound_http import guarded_session

        response = guarded_session(self.policy).get(url, headers={"Accept": "text/calendar"})
        if response.status_code != 200:
            raise CalendarUnreachable(_http_reason(response.status_code))
        return response.content

    def _read_caldav(self, source: CalendarSource, start: datetime, end: datetime) -> list[bytes]:
        import caldav
        from caldav.lib import error as dav_errors

        from mentorship.gateways.outbound_http import guarded_session

        client = caldav.DAVClient(
            url=source.url,
            username=source.username,
            password=source.password,
            timeout=int(self.policy.read_timeout),
        )
        client.session = guarded_session(self.policy)
        try:
            calendars = _calendars_at(client, source.url)
            documents = []
            for calendar in calendars:
                for event in calendar.search(start=start, end=end, event=True, expand=False):
                    documents.append(event.data.encode() if isinstance(event.data, str) else event.data)
            return documents
        except dav_errors.AuthorizationError:
            raise CalendarUnreachable("the server refused the credentials") from None
        except dav_errors.NotFoundError:
            raise CalendarUnreachable("the server has no calendar at that URL") from None
        except dav_errors.DAVError as failure:
            raise CalendarUnreachable(f"the CalDAV server refused the request ({type(failure).__name__})") from None
        finally:
            client.session.close()


def _calendars_at(client, url: str) -> list:
    """The calendar the URL names, or every calendar of the principal it leads to."""
    from caldav.lib import error as dav_errors

    principal = client.principal()
    calendars = principal.calendars()
    wanted = urlsplit(url).path.rstrip("/")
    named = [calendar for calendar in calendars if urlsplit(str(calendar.url)).path.rstrip("/") == wanted]
    if named:
        return named
    if not calendars:
        raise dav_errors.NotFoundError("no calendars")
    return calendars
