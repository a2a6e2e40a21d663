"""Booking emails: one per recipient, multipart (plain text and HTML), showing the session in the
recipient's zone and in the other party's, with the `.ics` invite attached where there is one.

Pure: builds the MIME text; sending is a gateway's job. Headers go through the `email` package's
address and header handling, and user text is HTML-escaped, so a topic or a name can neither add
a header nor markup.

Reminders say how soon the session starts as seen from when they are made (`invite.stamp`), so
one sent late after an outage says "in 5 minutes", never a stale "in 10 minutes"; their push
and inbox text comes from `render_reminder_notice`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum

from datetime import datetime, timedelta

from mentorship.domain.calendar import InviteMethod, Party, SessionInvite, render_invite
from mentorship.domain.commitments import CancellationPolicy, Money, Role, refund_tiers
from mentorship.domain.instants import zone_or_utc


class EmailKind(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    REMINDER_24H = "reminder_24h"
    REMINDER_10M = "reminder_10m"
    WAITLIST_OFFER = "waitlist_offer"  # to the mentee only; no invite until it is confirmed


_SUBJECTS = {
    EmailKind.CONFIRMED: "Session confirmed",
    EmailKind.CANCELLED: "Session cancelled",
    EmailKind.RESCHEDULED: "Session moved",
    EmailKind.WAITLIST_OFFER: "A session you waited for is held for you",
}  # reminders: "Reminder: your session starts in <time left>" (see _reminder_headline)
_CARRIES_INVITE = {EmailKind.CONFIRMED, EmailKind.CANCELLED, EmailKind.RESCHEDULED}
_REMINDERS = {EmailKind.REMINDER_24H, EmailKind.REMINDER_10M}


@dataclass(frozen=True)
class RenderedEmail:
    recipient: str
    subject: str
    raw: str  # full MIME text


@dataclass(frozen=True)
class Notice:
    """The text of an inbox entry (and of its push)."""

    title: str
    body: str


@dataclass(frozen=True)
class Terms:
    """The commitment an email states: the booking's cancellation policy and, once cancelled,
    the refund it gave and who cancelled."""

    policy: CancellationPolicy
    refund: Money | None = None
    cancelled_by: Role | None = None
    cancelled_at: datetime | None = None  # when the cancel was made: the moment the refund was decided by


def format_money(money: Money) -> str:
    return f"{money.currency} {money.amount // 100}.{money.amount % 100:02d}"


def _instant(moment: datetime, zone_name: str) -> str:
    zone_name, zone = zone_or_utc(zone_name)
    local = moment.astimezone(zone)
    return f"{local:%a %d %b %Y, %H:%M} ({zone_name})"


def _terms_lines(terms: Terms, invite: SessionInvite, recipient: Party, other: Party) -> list[str]:
    """The policy with its deadlines in both parties' zones, and the refund once cancelled."""
    lines = [f"Cancellation policy: {terms.policy.value}."]
    if terms.refund is None:
        for tier in refund_tiers(terms.policy):
            deadline = invite.start - tier.notice
            share = "a full refund" if tier.share == 1 else f"a {int(tier.share * 100)}% refund"
            lines.append(
                f"The mentee cancelling by {_instant(deadline, recipient.timezone)} gets {share} "
                f"({_one_line(other.name)}'s time: {_instant(deadline, other.timezone)})."
            )
        lines.append("Later, the mentee's cancellation refunds nothing; a mentor's cancellation always refunds in full.")
    else:
        by = f" by the {terms.cancelled_by.value}" if terms.cancelled_by else ""
        lines.append(f"Cancelled{by}; refund to {_one_line(invite.mentee.name)}: {format_money(terms.refund)}.")
        if terms.cancelled_at is not None:
            lines.append(
                f"Cancelled at {_instant(terms.cancelled_at, recipient.timezone)} "
                f"({_one_line(other.name)}'s time: {_instant(terms.cancelled_at, other.timezone)}), "
                f"{_notice(invite.start - terms.cancelled_at)} before the start."
            )
    return lines


def _notice(before: timedelta) -> str:
    """How long before the start, as the policy's table counts it (whole hours and minutes)."""
    minutes = max(int(before.total_seconds()) // 60, 0)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def held_until_note(hold_expires: datetime, zone_name: str, booking_id: str) -> str:
    """A waitlist offer's line: until when it is held, in the recipient's zone, and what to pay."""
    return (
        f"It is held for you until {_instant(hold_expires, zone_name)}: confirm and pay for booking "
        f"{booking_id} in the app to book it; otherwise it goes to the next person waiting."
    )


def render_offer_notice(invite: SessionInvite, recipient: Party, other: Party, hold_expires: datetime) -> Notice:
    """A waitlist offer's inbox entry and push, in the recipient's own zone."""
    return Notice(
        title=_SUBJECTS[EmailKind.WAITLIST_OFFER],
        body=(
            f"{_one_line(other.name)}: {_when(invite, recipient.timezone)}. "
            f"Held for you until {_instant(hold_expires, recipient.timezone)}; confirm and pay to book it."
        ),
    )


def _one_line(text: str, limit: int = 80) -> str:
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _when(invite: SessionInvite, zone_name: str) -> str:
    zone_name, zone = zone_or_utc(zone_name)
    start, end = invite.start.astimezone(zone), invite.end.astimezone(zone)
    return f"{start:%a %d %b %Y, %H:%M}–{end:%H:%M} ({zone_name}, UTC{start:%z})"


def _reminder_headline(invite: SessionInvite) -> str:
    """How soon the session starts, from when this message is made (`invite.stamp`)."""
    minutes = max(1, round((invite.start - invite.stamp).total_seconds() / 60))
    if minutes < 60:
        left = f"{minutes} minute{'s' if minutes != 1 else ''}"
    else:
        hours = round(minutes / 60)
        left = f"{hours} hour{'s' if hours != 1 else ''}"
    return f"Reminder: your session starts in {left}"


def _headline(kind: EmailKind, invite: SessionInvite) -> str:
    return _reminder_headline(invite) if kind in _REMINDERS else _SUBJECTS[kind]


def render_reminder_notice(invite: SessionInvite, recipient: Party, other: Party) -> Notice:
    """A reminder's inbox entry and push for `recipient`: how soon, with whom, and when in the
    recipient's own zone."""
    return Notice(
        title=_reminder_headline(invite),
        body=(
            f"With {_one_line(other.name)}: {_when(invite, recipient.timezone)}. "
            f"Topic: {_one_line(invite.topic, 120)}"
        ),
    )


def render_email(
    kind: EmailKind,
    invite: SessionInvite,
    recipient: Party,
    other: Party,
    sender: str,
    terms: Terms | None = None,
    note: str | None = None,
) -> RenderedEmail:
    # The header machinery botocore does not load already (a few ms): paid by the requests and
    # scheduled runs that build an email, not by every cold start.
    from email.headerregistry import Address
    from email.policy import SMTP

    headline = _headline(kind, invite)
    subject = f"{headline}: {_one_line(other.name, 60)}"
    your_time = _when(invite, recipient.timezone)
    their_time = _when(invite, other.timezone)
    lines = [
        f"Hello {_one_line(recipient.name)},",
        "",
        f"{headline} with {_one_line(other.name)}.",
        f"Your time: {your_time}",
        f"{_one_line(other.name)}'s time: {their_time}",
        f"Topic: {invite.topic}",
    ]
    if note:
        lines.append(note)
    if terms is not None:
        lines += _terms_lines(terms, invite, recipient, other)
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
