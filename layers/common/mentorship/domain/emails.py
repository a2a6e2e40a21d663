"""Booking emails: one per recipient, multipart (plain text and HTML), showing the session in the
recipient's zone and in the other party's, with the `.ics` invite attached where there is one.

Pure: builds the MIME text; sending is a gateway's job. Headers go through the `email` package's
address and header handling, and user text is HTML-escaped, so a topic or a name can neither add
a header nor markup.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from enum import StrEnum

from mentorship.domain.calendar import InviteMethod, Party, SessionInvite, render_invite
from mentorship.domain.instants import resolve_zone


class EmailKind(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    REMINDER_24H = "reminder_24h"
    REMINDER_10M = "reminder_10m"


_SUBJECTS = {
    EmailKind.CONFIRMED: "Session confirmed",
    EmailKind.CANCELLED: "Session cancelled",
    EmailKind.RESCHEDULED: "Session moved",
    EmailKind.REMINDER_24H: "Reminder: your session is tomorrow",
    EmailKind.REMINDER_10M: "Reminder: your session starts in 10 minutes",
}
_CARRIES_INVITE = {EmailKind.CONFIRMED, EmailKind.CANCELLED, EmailKind.RESCHEDULED}


@dataclass(frozen=True)
class RenderedEmail:
    recipient: str
    subject: str
    raw: str  # full MIME text


def _one_line(text: str, limit: int = 80) -> str:
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _when(invite: SessionInvite, zone_name: str) -> str:
    zone = resolve_zone(zone_name)
    start, end = invite.start.astimezone(zone), invite.end.astimezone(zone)
    return f"{start:%a %d %b %Y, %H:%M}–{end:%H:%M} ({zone_name}, UTC{start:%z})"


def render_email(kind: EmailKind, invite: SessionInvite, recipient: Party, other: Party, sender: str) -> RenderedEmail:
    subject = f"{_SUBJECTS[kind]}: {_one_line(other.name, 60)}"
    your_time = _when(invite, recipient.timezone)
    their_time = _when(invite, other.timezone)
    lines = [
        f"Hello {_one_line(recipient.name)},",
        "",
        f"{_SUBJECTS[kind]} with {_one_line(other.name)}.",
        f"Your time: {your_time}",
        f"{_one_line(other.name)}'s time: {their_time}",
        f"Topic: {invite.topic}",
    ]
    if invite.meeting_url and kind is not EmailKind.CANCELLED:
        lines.append(f"Join: {invite.meeting_url}")
    text = "\n".join(lines) + "\n"
    escaped = [html.escape(line) for line in lines]
    if invite.meeting_url and kind is not EmailKind.CANCELLED:
        url = html.escape(invite.meeting_url, quote=True)
        escaped[-1] = f'Join: <a href="{url}">{url}</a>'
    body_html = "<html><body>" + "".join(f"<p>{line}</p>" for line in escaped if line) + "</body></html>"

    message = EmailMessage(policy=SMTP)
    message["From"] = Address("Mentor Booking", addr_spec=sender)
    message["To"] = Address(_one_line(recipient.name, 120), addr_spec=recipient.email)
    message["Subject"] = subject
    message["Date"] = format_datetime(invite.stamp)
    message["Message-ID"] = make_msgid(domain="mentor-booking")
    message.set_content(text)
    message.add_alternative(body_html, subtype="html")
    if kind in _CARRIES_INVITE:
        method = InviteMethod.CANCEL if kind is EmailKind.CANCELLED else InviteMethod.REQUEST
        ics = render_invite(_with_method(invite, method))
        message.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": method.value, "charset": "UTF-8"},
        )
    return RenderedEmail(recipient=recipient.email, subject=subject, raw=message.as_string())


def _with_method(invite: SessionInvite, method: InviteMethod) -> SessionInvite:
    if invite.method is method:
        return invite
    from dataclasses import replace

    return replace(invite, method=method)
