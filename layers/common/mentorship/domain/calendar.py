"""The `.ics` calendar invite of a session (RFC 5545 / iTIP), rendered with icalendar.

One stable UID per booking; SEQUENCE rises with every change; METHOD:REQUEST for a new or moved
session, METHOD:CANCEL with STATUS:CANCELLED when it is called off. Times are written in UTC,
which every client converts to its own zone. icalendar escapes text and quotes parameters, so
a topic or a name can never add a property of its own.

icalendar is imported only when an invite is rendered: the scheduled function imports this
module (through the emails) but sends reminders, which carry no invite, so its cold start does
not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from mentorship.domain.instants import require_utc

if TYPE_CHECKING:
    from icalendar import vCalAddress

PRODUCT_ID = "-//Mentor Booking//Sessions 1.0//EN"
UID_DOMAIN = "mentor-booking"


class InviteMethod(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Party:
    user_id: str
    name: str
    email: str | None
    timezone: str  # IANA


@dataclass(frozen=True)
class SessionInvite:
    booking_id: str
    sequence: int
    method: InviteMethod
    start: datetime
    end: datetime
    topic: str
    meeting_url: str | None
    mentor: Party
    mentee: Party
    organizer_email: str
    stamp: datetime  # when this version of the invite was made


def _plain(text: str) -> str:
    """A display name fit for a parameter value: no control characters."""
    return "".join(ch for ch in text if ch.isprintable()).strip() or "Participant"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    from icalendar import vCalAddress, vText

    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(_plain(name))
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def normalize_newlines(text: str) -> str:
    """iCalendar text has one kind of line break (it writes "\n" escaped); CR and CRLF become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def session_uid(booking_id: str) -> str:
    return f"booking-{booking_id}@{UID_DOMAIN}"


def _new_calendar(method: InviteMethod | None):
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method.value)
    return calendar


def _session_event(invite: SessionInvite):
    """The VEVENT of a session, the same in an emailed invite and in the subscribed feed."""
    from icalendar import Event

    event = Event()
    event.add("uid", session_uid(invite.booking_id))
    event.add("sequence", invite.sequence)
    event.add("dtstamp", require_utc(invite.stamp))
    event.add("dtstart", require_utc(invite.start))
    event.add("dtend", require_utc(invite.end))
    event.add("summary", f"Mentoring session: {invite.mentor.name} and {invite.mentee.name}")
    event.add("description", normalize_newlines(invite.topic))
    event.add("status", "CANCELLED" if invite.method is InviteMethod.CANCEL else "CONFIRMED")
    if invite.meeting_url:
        event.add("location", invite.meeting_url)
        event.add("url", invite.meeting_url)
    event.add("organizer", _address(invite.organizer_email, "Mentor Booking"))
    for party, role in ((invite.mentor, "CHAIR"), (invite.mentee, "REQ-PARTICIPANT")):
        if party.email:
            event.add("attendee", _address(party.email, party.name, role=role, partstat="ACCEPTED", rsvp="FALSE"))
    return event


def render_invite(invite: SessionInvite) -> bytes:
    calendar = _new_calendar(invite.method)
    calendar.add_component(_session_event(invite))
    return calendar.to_ical()


def render_feed(sessions: list[SessionInvite], name: str) -> bytes:
    """A subscribed calendar (RFC 5545, no iTIP method): one VEVENT per session with the same
    UID and SEQUENCE as its emailed invites, so a calendar app that has both shows one event;
    a session called off carries STATUS:CANCELLED (its invite's `method` is CANCEL)."""
    calendar = _new_calendar(None)
    calendar.add("x-wr-calname", name)
    for invite in sessions:
        calendar.add_component(_session_event(invite))
    return calendar.to_ical()
