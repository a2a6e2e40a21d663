"""The .ics invite and the booking emails, parsed back as a calendar client and a mail reader would."""

from datetime import UTC, datetime
from email import message_from_string
from email.policy import default

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from mentorship.domain.calendar import InviteMethod, Party, SessionInvite, render_invite, session_uid
from mentorship.domain.emails import EmailKind, render_email

MENTOR = Party("m1", "Grace Hopper", "grace@example.com", "America/Chicago")
MENTEE = Party("u1", "Ada Lovelace", "ada@example.com", "Asia/Kolkata")
START, END = datetime(2026, 11, 26, 15, tzinfo=UTC), datetime(2026, 11, 26, 16, tzinfo=UTC)


def invite(**changes) -> SessionInvite:
    fields = dict(
        booking_id="b1", sequence=0, method=InviteMethod.REQUEST, start=START, end=END,
        topic="System design interview practice", meeting_url="https://meet.example.com/x1",
        mentor=MENTOR, mentee=MENTEE, organizer_email="bookings@example.com", stamp=datetime(2026, 11, 24, tzinfo=UTC),
    )
    fields.update(changes)
    return SessionInvite(**fields)


def parse(ics: bytes):
    calendar = Calendar.from_ical(ics)
    return calendar, calendar.walk("VEVENT")


def test_request_invite_has_everything_a_calendar_needs():
    calendar, (event,) = parse(render_invite(invite()))
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == session_uid("b1")
    assert int(event["sequence"]) == 0
    assert event.decoded("dtstart") == START and event.decoded("dtend") == END
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["location"]) == str(event["url"]) == "https://meet.example.com/x1"
    assert str(event["organizer"]) == "mailto:bookings@example.com"
    assert sorted(str(a) for a in event["attendee"]) == ["mailto:ada@example.com", "mailto:grace@example.com"]


def test_cancel_keeps_the_uid_and_raises_the_sequence():
    _, (event,) = parse(render_invite(invite(method=InviteMethod.CANCEL, sequence=2)))
    assert str(event["uid"]) == session_uid("b1")
    assert (int(event["sequence"]), str(event["status"])) == (2, "CANCELLED")


@settings(max_examples=60)
@given(topic=st.text(min_size=1, max_size=200), name=st.text(min_size=1, max_size=60))
def test_user_text_never_adds_properties_or_events(topic, name):
    hostile = invite(topic=topic, mentee=Party("u1", name, "ada@example.com", "UTC"))
    calendar, events = parse(render_invite(hostile))
    assert len(events) == 1
    (event,) = events
    assert str(event["description"]) == topic.replace("\r\n", "\n").replace("\r", "\n")
    assert set(event) <= {"UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "STATUS",
                          "LOCATION", "URL", "ORGANIZER", "ATTENDEE"}


def test_injection_attempts_stay_text():
    evil = "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:19700101T000000Z"
    _, events = parse(render_invite(invite(topic=evil, mentor=Party("m1", 'Eve";ROLE=CHAIR:mailto:x', "e@x.com", "UTC"))))
    assert len(events) == 1
    assert events[0].decoded("dtstart") == START


def email_for(recipient, other, kind=EmailKind.CONFIRMED, **changes):
    rendered = render_email(kind, invite(**changes), recipient, other, "bookings@example.com")
    return rendered, message_from_string(rendered.raw, policy=default)


def test_confirmation_email_is_multipart_with_both_zones_and_the_invite():
    rendered, message = email_for(MENTEE, MENTOR)
    assert message["To"] == "Ada Lovelace <ada@example.com>"
    assert rendered.recipient == "ada@example.com"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Thu 26 Nov 2026, 20:30–21:30 (Asia/Kolkata, UTC+0530)" in text  # the recipient's zone
    assert "Thu 26 Nov 2026, 09:00–10:00 (America/Chicago, UTC-0600)" in text  # the other party's
    assert "https://meet.example.com/x1" in text and 'href="https://meet.example.com/x1"' in html
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "invite.ics"
    _, (event,) = parse(attachment.get_content().encode() if isinstance(attachment.get_content(), str) else attachment.get_content())
    assert event.decoded("dtstart") == START


def test_cancellation_email_carries_a_cancel_invite_and_no_join_link():
    _, message = email_for(MENTOR, MENTEE, kind=EmailKind.CANCELLED, sequence=1)
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_param("method") == "CANCEL"
    assert "Join:" not in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("name", ["Eve\r\nBcc: victim@example.com", "Eve\nSubject: pwned", "<script>alert(1)</script>"])
def test_names_and_topics_cannot_add_headers_or_markup(name):
    other = Party("m1", name, "grace@example.com", "UTC")
    _, message = email_for(MENTEE, other, topic="<b>bold</b> & more")
    assert message["Bcc"] is None
    assert len(message.get_all("Subject")) == 1 and "\n" not in message["Subject"]
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_zone_stored_before_pseudo_zones_were_refused_shows_the_time_in_utc():
    """Zone names such as `posixrules` were accepted before the input rules narrowed the list;
    an email for such a booking still renders, in UTC, rather than failing in the outbox."""
    _, message = email_for(Party("u1", "Ada Lovelace", "ada@example.com", "posixrules"), MENTOR)
    assert "Thu 26 Nov 2026, 15:00–16:00 (UTC, UTC+0000)" in message.get_body(("plain",)).get_content()
