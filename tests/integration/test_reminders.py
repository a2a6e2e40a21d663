"""Reminders 24 hours and 10 minutes before a session, to both parties, by email and by push (an
inbox entry that goes out on the push channel): exactly once each, late rather than never while
the session has not started, and never for a cancelled or moved session.

Bookings are made through BookingFunction; the per-minute run is RemindersFunction's handler
called with the event time of the minute it stands for. Time is moved, never waited for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.message import Message
from email.policy import default

import pytest

from functions.reminders.app import DUE_WORK_HANDLERS
from functions.reminders.app import lambda_handler as scheduled_run
from mentorship.gateways.errors import DeliveryFailed
from mentorship.services.outbox_records import reminder_records
from mentorship.services.scheduled import run_due_work
from mentorship.store.due_work import DueWorkStore
from mentorship.store.mentors import MentorStore
from mentorship.store.models import BookingItem, PendingEmail, Reminder, booking_pk
from tests.integration.test_booking_flow import MENTEE, MENTOR_CLAIMS, confirm, hold
from tests.integration.test_booking_races import race
from tests.support.factories import add_booking, add_mentor, add_slots
from tests.support.lambda_helpers import LambdaContext
from tests.support.streams import deliver

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # the clock fixture's start
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # two days ahead
DAY_BEFORE, TEN_BEFORE = START - timedelta(hours=24), START - timedelta(minutes=10)
MENTEE_EMAIL, MENTOR_EMAIL = "ada@example.com", "mentor-grace@example.com"


def publish_mentor() -> None:
    add_mentor("mentor-grace", "Grace Hopper", NOW, timezone="America/Chicago")
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(6)], NOW)


@pytest.fixture
def mentor(table, clock, outbox):
    publish_mentor()


@pytest.fixture
def local_mentor(local_table, clock, outbox):
    publish_mentor()


def book(booking_api, start: datetime = START, minutes: int = 60) -> dict:
    status, held = hold(booking_api, start=start, minutes=minutes)
    assert status == 201, held
    status, booking = confirm(booking_api, held["bookingId"])
    assert (status, booking["status"]) == (200, "confirmed"), booking
    return booking


def run_at(clock, moment: datetime, event_time: datetime | None = None) -> dict:
    """The scheduled run for `event_time` (default: `moment`) with the clock reading `moment`,
    then the StreamFunction on what it recorded (the reminders' emails and pushes)."""
    clock.moment = moment
    report = scheduled_run({"time": (event_time or moment).strftime("%Y-%m-%dT%H:%M:%SZ")}, LambdaContext())
    deliver()
    return report


def reminder_emails(outbox, address: str | None = None) -> list[Message]:
    messages = [message_from_string(raw, policy=default) for destinations, raw in outbox.email.sent
                if address is None or address in destinations]
    return [message for message in messages if message["Subject"].startswith("Reminder")]


def reminder_pushes(outbox) -> list[dict]:
    return [push for push in outbox.push.published if push["title"].startswith("Reminder")]


def reminder_inbox(booking_api, claims: dict) -> list[dict]:
    status, body = booking_api("GET", "/me/notifications", query={"limit": "50"}, claims=claims)
    assert status == 200, body
    return [item for item in body["items"] if item["type"].startswith("reminder_")]


def sent_counts(outbox) -> tuple[int, int]:
    return len(reminder_emails(outbox)), len(reminder_pushes(outbox))


def reminders_of(booking_id: str) -> dict[str, Reminder]:
    found = Reminder.query(booking_pk(booking_id), Reminder.sk.startswith("REMINDER#"), consistent_read=True)
    return {reminder.sk: reminder for reminder in found}


def assert_all_retired(booking_id: str, sent: bool) -> None:
    """Every reminder of the booking is out of DueWork, marked sent (or not)."""
    for reminder in reminders_of(booking_id).values():
        assert (reminder.due_shard, reminder.due_at, reminder.sent) == (None, None, sent), reminder.sk


def text_of(message: Message) -> str:
    return message.get_body(("plain",)).get_content()


# ------------------------------------------------------------------ the normal course


def test_both_reminders_go_to_both_parties_once_by_email_inbox_and_push(mentor, booking_api, outbox, clock):
    booking = book(booking_api)
    run_at(clock, DAY_BEFORE - timedelta(minutes=1))
    assert sent_counts(outbox) == (0, 0)

    report = run_at(clock, DAY_BEFORE)
    assert report["done"] >= 2 and report["skipped"] == {}
    assert sent_counts(outbox) == (2, 2)
    for minute in (1, 2, 60):  # later runs of the same day find nothing left to send
        run_at(clock, DAY_BEFORE + timedelta(minutes=minute))
    assert sent_counts(outbox) == (2, 2)

    run_at(clock, TEN_BEFORE - timedelta(minutes=1))
    assert sent_counts(outbox) == (2, 2)
    run_at(clock, TEN_BEFORE)
    for minute in (1, 5, 9):
        run_at(clock, TEN_BEFORE + timedelta(minutes=minute))
    assert sent_counts(outbox) == (4, 4)

    # each party: one of each kind, in their own zone with the other's, with the join link
    (mentee_day, mentee_ten) = reminder_emails(outbox, MENTEE_EMAIL)
    (mentor_day, mentor_ten) = reminder_emails(outbox, MENTOR_EMAIL)
    assert mentee_day["Subject"] == "Reminder: your session starts in 24 hours: Grace Hopper"
    assert mentee_ten["Subject"] == "Reminder: your session starts in 10 minutes: Grace Hopper"
    assert mentor_ten["Subject"] == "Reminder: your session starts in 10 minutes: Ada Lovelace"
    mentee_text, mentor_text = text_of(mentee_ten), text_of(mentor_day)
    assert "Your time: Thu 26 Nov 2026, 16:00–17:00 (Europe/Berlin, UTC+0100)" in mentee_text
    assert "Grace Hopper's time: Thu 26 Nov 2026, 09:00–10:00 (America/Chicago, UTC-0600)" in mentee_text
    assert "Your time: Thu 26 Nov 2026, 09:00–10:00 (America/Chicago, UTC-0600)" in mentor_text
    assert "Ada Lovelace's time: Thu 26 Nov 2026, 16:00–17:00 (Europe/Berlin, UTC+0100)" in mentor_text
    for message in (mentee_day, mentee_ten, mentor_day, mentor_ten):
        assert f"Join: {booking['meetingUrl']}" in text_of(message)
        assert list(message.iter_attachments()) == []  # a reminder carries no invite

    # the inbox: one entry per reminder, newest first, in the reader's zone; each pushed once
    mentee_inbox = reminder_inbox(booking_api, MENTEE)
    mentor_inbox = reminder_inbox(booking_api, MENTOR_CLAIMS)
    assert [item["type"] for item in mentee_inbox] == ["reminder_10m", "reminder_24h"]
    assert [item["type"] for item in mentor_inbox] == ["reminder_10m", "reminder_24h"]
    assert [item["createdAt"] for item in mentee_inbox] == ["2026-11-26T14:50:00Z", "2026-11-25T15:00:00Z"]
    assert "16:00–17:00 (Europe/Berlin" in mentee_inbox[0]["body"] and "Grace Hopper" in mentee_inbox[0]["body"]
    assert "09:00–10:00 (America/Chicago" in mentor_inbox[0]["body"]
    assert mentee_inbox[0]["url"] == f"/bookings/{booking['bookingId']}"
    pushed = sorted((push["userId"], push["notificationId"]) for push in reminder_pushes(outbox))
    inboxed = sorted([("mentee-ada", i["notificationId"]) for i in mentee_inbox]
                     + [("mentor-grace", i["notificationId"]) for i in mentor_inbox])
    assert pushed == inboxed

    assert_all_retired(booking["bookingId"], sent=True)
    emails = PendingEmail.query(booking_pk(booking["bookingId"]), PendingEmail.sk.startswith("EMAIL#"))
    assert all(email.sent for email in emails)


def test_a_booking_made_less_than_a_day_ahead_gets_only_the_ten_minute_reminder(mentor, booking_api, outbox, clock):
    clock.moment = START - timedelta(hours=23)
    booking = book(booking_api)
    assert set(reminders_of(booking["bookingId"])) == {"REMINDER#10m#mentee", "REMINDER#10m#mentor"}
    run_at(clock, START - timedelta(hours=23) + timedelta(minutes=1))
    assert sent_counts(outbox) == (0, 0)
    run_at(clock, TEN_BEFORE)
    run_at(clock, TEN_BEFORE + timedelta(minutes=1))
    assert sent_counts(outbox) == (2, 2)
    assert {m["Subject"] for m in reminder_emails(outbox)} == {
        "Reminder: your session starts in 10 minutes: Grace Hopper",
        "Reminder: your session starts in 10 minutes: Ada Lovelace",
    }


# ------------------------------------------------------------------ outages, late and replayed runs


def test_a_short_outage_sends_the_missed_reminder_late_once(mentor, booking_api, outbox, clock):
    book(booking_api)
    run_at(clock, DAY_BEFORE)
    assert sent_counts(outbox) == (2, 2)
    # the scheduler is down from 10 minutes before until 5 minutes before the start
    run_at(clock, START - timedelta(minutes=5))
    assert sent_counts(outbox) == (4, 4)
    late = [m for m in reminder_emails(outbox) if "in 5 minutes" in m["Subject"]]
    assert len(late) == 2  # says how soon the session really starts
    run_at(clock, START - timedelta(minutes=4))
    assert sent_counts(outbox) == (4, 4)


def test_a_long_outage_sends_both_missed_reminders_before_the_start(mentor, booking_api, outbox, clock):
    book(booking_api)
    run_at(clock, START - timedelta(minutes=3))  # the first run since the booking was made
    assert sent_counts(outbox) == (4, 4)
    assert len(reminder_inbox(booking_api, MENTEE)) == 2 and len(reminder_inbox(booking_api, MENTOR_CLAIMS)) == 2
    run_at(clock, START - timedelta(minutes=2))
    assert sent_counts(outbox) == (4, 4)


def test_a_run_after_the_start_sends_nothing_stale(mentor, booking_api, outbox, clock):
    booking = book(booking_api)
    report = run_at(clock, START + timedelta(minutes=1))
    assert report["due"] >= 4  # the four reminders fell due while the scheduler was down
    assert sent_counts(outbox) == (0, 0)
    assert reminder_inbox(booking_api, MENTEE) == [] and reminder_inbox(booking_api, MENTOR_CLAIMS) == []
    assert_all_retired(booking["bookingId"], sent=False)
    assert run_at(clock, START + timedelta(minutes=2))["due"] == 0  # nothing left in DueWork


def test_a_replayed_run_for_a_future_minute_acts_as_that_minute(mentor, booking_api, outbox, clock):
    book(booking_api)
    report = run_at(clock, NOW + timedelta(minutes=1), event_time=DAY_BEFORE)  # the clock is far behind
    assert report["now"] == "2026-11-25T15:00:00Z"
    assert sent_counts(outbox) == (2, 2)
    assert {m["Subject"].split(":")[1].strip() for m in reminder_emails(outbox)} == {"your session starts in 24 hours"}
    # an old event delivered late acts on the clock, not on its own stale minute
    report = run_at(clock, TEN_BEFORE, event_time=DAY_BEFORE - timedelta(hours=3))
    assert report["now"] == "2026-11-26T14:50:00Z"
    assert sent_counts(outbox) == (4, 4)
    run_at(clock, TEN_BEFORE, event_time=TEN_BEFORE)  # the same minute again
    assert sent_counts(outbox) == (4, 4)


# ------------------------------------------------------------------ cancelled and moved sessions


def test_a_cancelled_booking_gets_no_reminder(mentor, booking_api, outbox, clock):
    booking = book(booking_api)
    BookingItem(pk=booking_pk(booking["bookingId"]), sk="BOOKING").update(actions=[BookingItem.status.set("cancelled")])
    for moment in (DAY_BEFORE, TEN_BEFORE, START - timedelta(minutes=1)):
        run_at(clock, moment)
    assert sent_counts(outbox) == (0, 0)
    assert reminder_inbox(booking_api, MENTEE) == []
    assert_all_retired(booking["bookingId"], sent=False)


def test_a_moved_booking_gets_no_reminder_for_its_old_time(mentor, booking_api, outbox, clock):
    booking = book(booking_api, minutes=30)
    moved_start = START + timedelta(hours=2)
    BookingItem(pk=booking_pk(booking["bookingId"]), sk="BOOKING").update(
        actions=[BookingItem.start.set(moved_start), BookingItem.end.set(moved_start + timedelta(minutes=30)),
                 BookingItem.calendar_sequence.add(1)]
    )
    for moment in (DAY_BEFORE, TEN_BEFORE, START - timedelta(minutes=1)):
        run_at(clock, moment)
    assert sent_counts(outbox) == (0, 0)
    assert_all_retired(booking["bookingId"], sent=False)

    # the reschedule's own reminder items (same keys, new time) go out for the new time only
    moved = BookingItem.get(booking_pk(booking["bookingId"]), "BOOKING")
    for reminder in reminder_records(moved, clock.moment):
        reminder.save()
    run_at(clock, moved_start - timedelta(minutes=10))
    assert sent_counts(outbox) == (2, 2)
    for message in reminder_emails(outbox):  # the new time, in both parties' zones
        assert "Thu 26 Nov 2026, 18:00–18:30 (Europe/Berlin" in text_of(message)
        assert "Thu 26 Nov 2026, 11:00–11:30 (America/Chicago" in text_of(message)


def test_a_reschedule_that_replaces_pending_reminders_is_reminded_at_the_new_time(mentor, booking_api, outbox, clock):
    booking = book(booking_api, minutes=30)
    run_at(clock, DAY_BEFORE)  # the 24-hour reminders for the old time went out
    assert sent_counts(outbox) == (2, 2)
    moved_start = START + timedelta(days=1)
    BookingItem(pk=booking_pk(booking["bookingId"]), sk="BOOKING").update(
        actions=[BookingItem.start.set(moved_start), BookingItem.end.set(moved_start + timedelta(minutes=30)),
                 BookingItem.calendar_sequence.add(1)]
    )
    moved = BookingItem.get(booking_pk(booking["bookingId"]), "BOOKING")
    for reminder in reminder_records(moved, clock.moment):  # the same four keys, pending again
        reminder.save()
    run_at(clock, TEN_BEFORE)  # the old time's 10-minute reminder went with the reschedule
    assert sent_counts(outbox) == (2, 2)
    run_at(clock, moved_start - timedelta(hours=24))  # the new time's reminders, under new keys
    assert sent_counts(outbox) == (4, 4)
    run_at(clock, moved_start - timedelta(minutes=10))
    run_at(clock, moved_start - timedelta(minutes=9))
    assert sent_counts(outbox) == (6, 6)
    assert {m["Subject"] for m in reminder_emails(outbox, MENTEE_EMAIL)} == {
        "Reminder: your session starts in 24 hours: Grace Hopper",
        "Reminder: your session starts in 10 minutes: Grace Hopper",
    }
    assert "Fri 27 Nov 2026, 16:00–16:30 (Europe/Berlin" in text_of(reminder_emails(outbox, MENTEE_EMAIL)[-1])


def session_call(booking_api, action: str, booking_id: str, body: dict, claims: dict = MENTEE):
    return booking_api(
        "POST", f"/bookings/{booking_id}/{action}", body=body, claims=claims,
        route_key=f"POST /bookings/{{bookingId}}/{action}",
    )


def test_cancelling_through_the_api_stops_the_reminders(mentor, booking_api, outbox, clock):
    booking = book(booking_api)
    run_at(clock, DAY_BEFORE)
    assert sent_counts(outbox) == (2, 2)
    clock.moment = DAY_BEFORE + timedelta(minutes=30)
    status, body = session_call(booking_api, "cancel", booking["bookingId"], {"reason": "ill"}, claims=MENTOR_CLAIMS)
    assert (status, body["status"]) == (200, "cancelled")
    for moment in (TEN_BEFORE, START - timedelta(minutes=1)):
        run_at(clock, moment)
    assert sent_counts(outbox) == (2, 2)  # no 10-minute reminder


def test_rescheduling_through_the_api_reminds_for_the_new_time_only(mentor, booking_api, outbox, clock):
    booking = book(booking_api, minutes=30)
    run_at(clock, DAY_BEFORE)  # the old time's 24-hour reminders
    assert sent_counts(outbox) == (2, 2)
    moved_start = START + timedelta(hours=2)
    clock.moment = DAY_BEFORE + timedelta(minutes=1)
    # the mentor moves it (inside the last 24 h a mentee may no longer: decisions §23)
    mentor_claims = {"sub": "mentor-grace", "email": MENTOR_EMAIL, "name": "Grace Hopper"}
    status, body = session_call(booking_api, "reschedule", booking["bookingId"], {"start": moved_start.isoformat()}, mentor_claims)
    assert (status, body["start"]) == (200, "2026-11-26T17:00:00Z"), body
    run_at(clock, TEN_BEFORE)  # the old time's 10-minute reminder is gone; the new 24-hour one fell due
    assert sent_counts(outbox) == (4, 4)
    run_at(clock, moved_start - timedelta(minutes=10))
    run_at(clock, moved_start - timedelta(minutes=9))
    assert sent_counts(outbox) == (6, 6)
    (old_day, new_day, new_ten) = reminder_emails(outbox, MENTEE_EMAIL)
    assert "16:00–16:30 (Europe/Berlin" in text_of(old_day)
    for message in (new_day, new_ten):
        assert "18:00–18:30 (Europe/Berlin" in text_of(message) and "11:00–11:30 (America/Chicago" in text_of(message)


@pytest.mark.dynamodb_local
def test_a_cancel_racing_the_reminder_run_never_leaves_a_reminder_for_a_cancelled_session(
    local_mentor, booking_api, outbox, clock
):
    from mentorship.services.sessions import cancel_booking

    bookings = [book(booking_api, start=START + timedelta(minutes=30 * n), minutes=30) for n in range(3)]
    clock.moment = moment = DAY_BEFORE + timedelta(hours=1)  # all three bookings' 24-hour reminders are due
    runs = [lambda: run_due_work(moment, DueWorkStore().due(moment), DUE_WORK_HANDLERS) for _ in range(3)]
    cancels = [lambda b=b: cancel_booking(b["bookingId"], "mentee-ada", None, moment) for b in bookings]
    outcomes = race(runs + cancels)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    run_at(clock, moment + timedelta(minutes=1))  # whatever contention left for the next run
    run_at(clock, TEN_BEFORE)
    # a reminder recorded before its cancel committed may have gone out; none after, none twice
    emails = reminder_emails(outbox)
    assert len(emails) <= 6 and len({(m["To"], m["Subject"], text_of(m)) for m in emails}) == len(emails)
    assert all("in 10 minutes" not in m["Subject"] for m in emails)
    for booking in bookings:
        assert reminders_of(booking["bookingId"]) == {}  # the cancel dropped them, sent or not


# ------------------------------------------------------------------ failures


def test_an_ses_failure_leaves_the_reminder_email_pending_and_a_later_run_sends_it_once(mentor, booking_api, outbox, clock):
    booking = book(booking_api)
    run_at(clock, DAY_BEFORE)
    outbox.email.failure = DeliveryFailed("Throttling", retryable=True)
    run_at(clock, TEN_BEFORE)
    assert sent_counts(outbox) == (2, 4)  # the pushes went out, the emails did not
    assert_all_retired(booking["bookingId"], sent=True)  # the reminder itself is done: recorded
    pending = [e for e in PendingEmail.query(booking_pk(booking["bookingId"]), PendingEmail.sk.startswith("EMAIL#"))
               if not e.sent]
    assert sorted(e.recipient for e in pending) == [MENTEE_EMAIL, MENTOR_EMAIL]
    assert all(e.due_shard is not None for e in pending)

    outbox.email.failure = None
    run_at(clock, TEN_BEFORE + timedelta(seconds=30))  # the retry waits a minute
    assert sent_counts(outbox) == (2, 4)
    run_at(clock, TEN_BEFORE + timedelta(minutes=1, seconds=5))
    assert sent_counts(outbox) == (4, 4)
    for minute in (3, 6):
        run_at(clock, TEN_BEFORE + timedelta(minutes=minute))
    assert sent_counts(outbox) == (4, 4)
    assert len(reminder_emails(outbox, MENTEE_EMAIL)) == 2 and len(reminder_emails(outbox, MENTOR_EMAIL)) == 2


def test_a_push_failure_keeps_the_inbox_entry_and_a_later_run_pushes_it_once(mentor, booking_api, outbox, clock):
    book(booking_api)
    outbox.push.failure = DeliveryFailed("push outage", retryable=True)
    run_at(clock, DAY_BEFORE)
    assert sent_counts(outbox) == (2, 0)
    assert len(reminder_inbox(booking_api, MENTEE)) == 1  # in the inbox already
    outbox.push.failure = None
    run_at(clock, DAY_BEFORE + timedelta(minutes=2))
    run_at(clock, DAY_BEFORE + timedelta(minutes=3))
    assert sent_counts(outbox) == (2, 2)


def run_crashing_in(step: str, clock, moment: datetime, after: bool = False) -> None:
    """The run at `moment`, dying when it reaches `mentorship.services.reminders.<step>` (or,
    with `after`, right after that step's first call returned)."""
    from mentorship.services import reminders

    real_step = getattr(reminders, step)

    def crash(*args, **kwargs):
        if after:
            real_step(*args, **kwargs)
        raise RuntimeError("crash")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reminders, step, crash)
        with pytest.raises(RuntimeError):
            run_at(clock, moment)


def test_a_run_that_crashes_before_recording_leaves_the_reminder_to_a_later_run(
    mentor, booking_api, outbox, clock
):
    book(booking_api)
    run_crashing_in("record_sent", clock, DAY_BEFORE)  # dies holding the first reminder's lease, nothing recorded
    assert sent_counts(outbox) == (0, 0)
    run_at(clock, DAY_BEFORE + timedelta(minutes=1))  # the other party's; the first is still leased
    assert sent_counts(outbox) == (1, 1)
    run_at(clock, DAY_BEFORE + timedelta(minutes=3))  # the lease has run out: sent now, once
    run_at(clock, DAY_BEFORE + timedelta(minutes=4))
    assert sent_counts(outbox) == (2, 2)
    assert len(reminder_emails(outbox, MENTEE_EMAIL)) == 1 and len(reminder_emails(outbox, MENTOR_EMAIL)) == 1


def test_a_run_that_crashes_after_recording_leaves_the_messages_to_the_stream(
    mentor, booking_api, outbox, clock
):
    book(booking_api)
    run_crashing_in("record_sent", clock, DAY_BEFORE, after=True)  # dies right after the first reminder's transaction
    assert sent_counts(outbox) == (0, 0)
    deliver()  # the StreamFunction sends what that transaction recorded
    assert sent_counts(outbox) == (1, 1)
    assert len(reminder_inbox(booking_api, MENTEE) + reminder_inbox(booking_api, MENTOR_CLAIMS)) == 1  # recorded
    run_at(clock, DAY_BEFORE + timedelta(minutes=1))
    run_at(clock, DAY_BEFORE + timedelta(minutes=2))
    assert sent_counts(outbox) == (2, 2)
    assert len(reminder_emails(outbox, MENTEE_EMAIL)) == 1 and len(reminder_emails(outbox, MENTOR_EMAIL)) == 1


# ------------------------------------------------------------------ overlapping runs


@pytest.mark.dynamodb_local
def test_overlapping_runs_for_the_same_minute_send_nothing_twice(local_mentor, booking_api, outbox, clock):
    first = book(booking_api, minutes=30)
    second = book(booking_api, start=START + timedelta(minutes=30), minutes=30)

    def overlapping_runs(moment: datetime, runs: int = 6) -> None:
        clock.moment = moment
        run = lambda: run_due_work(moment, DueWorkStore().due(moment), DUE_WORK_HANDLERS)  # noqa: E731
        outcomes = race([run] * runs)
        assert [o for o in outcomes if isinstance(o, Exception)] == []
        deliver()  # the StreamFunction sends what the runs recorded

    overlapping_runs(DAY_BEFORE + timedelta(minutes=30))  # both bookings' 24-hour reminders
    assert sent_counts(outbox) == (4, 4)
    overlapping_runs(TEN_BEFORE)  # the first booking's 10-minute reminders
    overlapping_runs(TEN_BEFORE + timedelta(minutes=30))  # the second's (the first has started)
    overlapping_runs(TEN_BEFORE + timedelta(minutes=31))
    assert sent_counts(outbox) == (8, 8)
    for address in (MENTEE_EMAIL, MENTOR_EMAIL):
        subjects = sorted(m["Subject"].split(":")[1].strip() for m in reminder_emails(outbox, address))
        assert subjects == ["your session starts in 10 minutes"] * 2 + ["your session starts in 24 hours"] * 2
    assert len(reminder_inbox(booking_api, MENTEE)) == 4 and len(reminder_inbox(booking_api, MENTOR_CLAIMS)) == 4
    assert len({p["notificationId"] for p in reminder_pushes(outbox)}) == 8
    for booking in (first, second):
        assert_all_retired(booking["bookingId"], sent=True)


# ------------------------------------------------------------------ what a run reads


class DynamoCalls:
    """The requests the models make while recording (every pynamodb connection dispatches through
    `Connection.dispatch`, transactions included)."""

    def __init__(self) -> None:
        self.operations: list[str] = []
        self.items_read = 0  # items a Query or Scan went through (ScannedCount), items a GetItem found
        self.recording = False

    def record(self, operation: str, data: dict | None) -> None:
        if not self.recording:
            return
        self.operations.append(operation)
        data = data or {}
        if operation in {"Query", "Scan"}:
            self.items_read += int(data.get("ScannedCount", data.get("Count", 0)))
        elif operation == "GetItem" and data.get("Item"):
            self.items_read += 1

    def __enter__(self) -> "DynamoCalls":
        self.operations, self.items_read, self.recording = [], 0, True
        return self

    def __exit__(self, *exc) -> None:
        self.recording = False


@pytest.fixture
def dynamodb_calls(monkeypatch) -> DynamoCalls:
    from pynamodb.connection.base import Connection

    calls, dispatch = DynamoCalls(), Connection.dispatch

    def counting_dispatch(self, operation_name, operation_kwargs):
        data = dispatch(self, operation_name, operation_kwargs)
        calls.record(operation_name, data)
        return data

    monkeypatch.setattr(Connection, "dispatch", counting_dispatch)
    return calls


def test_a_run_reads_what_is_due_not_every_confirmed_booking(mentor, booking_api, outbox, clock, dynamodb_calls):
    # 30 confirmed bookings weeks ahead, stored as confirm stores them (booking + its reminders)
    profile = MentorStore().get_profile("mentor-grace")
    for n in range(30):
        far = add_booking(profile, f"mentee-{n:02d}", NOW + timedelta(days=20, minutes=30 * n), minutes=30, now=NOW)
        for reminder in reminder_records(far, NOW):
            reminder.save()
    book(booking_api)  # the one whose reminders fall due
    run_at(clock, DAY_BEFORE - timedelta(minutes=5))  # what the bookings left pending is done by now

    with dynamodb_calls as calls:
        report = run_at(clock, DAY_BEFORE)
    assert sent_counts(outbox) == (2, 2)
    due = report["due"]
    assert due >= 2
    assert "Scan" not in calls.operations
    assert calls.operations.count("Query") == 4  # one per DueWork shard
    assert calls.operations.count("GetItem") == 2  # each reminder's booking
    assert calls.items_read <= 2 * due + 2, calls.items_read  # not 31 bookings nor 120 reminders
    assert len(calls.operations) <= 4 + 8 * due, calls.operations  # claim, read, record, send: per item

    with dynamodb_calls as idle:
        assert run_at(clock, DAY_BEFORE + timedelta(minutes=1))["due"] == 0
    assert (idle.operations, idle.items_read) == (["Query"] * 4, 0)
