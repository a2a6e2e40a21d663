"""The per-minute run: its notion of `now`, and that it reads only work that is due."""

from datetime import UTC, datetime, timedelta

import pytest

from functions.reminders.app import lambda_handler
from mentorship.services.scheduled import run_due_work, run_time
from mentorship.store.due_work import DueWorkStore
from mentorship.store.models import Reminder
from mentorship.store.reminders import reminder_item
from tests.support.lambda_helpers import LambdaContext, load_event

CLOCK = datetime(2026, 11, 24, 14, 0, 30, tzinfo=UTC)


def test_now_is_the_later_of_event_time_and_clock():
    assert run_time("2026-11-24T14:05:00Z", CLOCK) == datetime(2026, 11, 24, 14, 5, tzinfo=UTC)  # replay ahead
    assert run_time("2026-11-24T13:00:00Z", CLOCK) == CLOCK  # late delivery acts on the clock
    assert run_time(None, CLOCK) == CLOCK
    assert run_time("yesterday", CLOCK) == CLOCK


def add_reminder(booking_id: str, due: datetime, sent: bool = False) -> Reminder:
    reminder = reminder_item(booking_id, "10m", "mentee", due + timedelta(minutes=10), due)
    if sent:  # done work leaves the sparse index
        reminder.sent, reminder.due_shard, reminder.due_at = True, None, None
    reminder.save()
    return reminder


def test_due_reads_only_pending_items_due_by_now_across_shards(table):
    due_ids = {f"due-{n}" for n in range(8)}
    for n, booking_id in enumerate(sorted(due_ids)):
        add_reminder(booking_id, CLOCK - timedelta(minutes=n * 90))  # some fell due long ago
    add_reminder("future", CLOCK + timedelta(seconds=1))
    add_reminder("already-sent", CLOCK - timedelta(minutes=5), sent=True)
    found = list(DueWorkStore().due(CLOCK))
    assert {item.booking_id for item in found} == due_ids
    assert len({item.due_shard for item in found}) > 1  # spread over shards


def test_each_due_item_goes_to_the_handler_of_its_kind(table):
    add_reminder("b1", CLOCK - timedelta(minutes=1))
    add_reminder("b2", CLOCK - timedelta(minutes=2))
    handled = []

    def handle(item, now):
        handled.append((item.booking_id, now))
        return item.booking_id == "b1"  # b2: another run got there first

    report = run_due_work(CLOCK, DueWorkStore().due(CLOCK), {Reminder: handle})
    assert sorted(handled) == [("b1", CLOCK), ("b2", CLOCK)]
    assert report.as_dict() == {
        "now": "2026-11-24T14:00:30Z", "due": 2, "done": 1, "skipped": {"taken_by_another_run": 1},
    }


def test_work_of_an_unknown_kind_is_reported_not_dropped_silently(moto_table):
    add_reminder("b1", CLOCK - timedelta(minutes=1))
    report = run_due_work(CLOCK, DueWorkStore().due(CLOCK), {})
    assert report.as_dict()["skipped"] == {"Reminder": 1}


@pytest.mark.dynamodb_local
def test_the_sample_scheduled_event_runs_the_function(local_table):
    event = load_event("reminders_schedule.json")
    event["time"] = "2099-01-01T00:00:00Z"
    result = lambda_handler(event, LambdaContext())
    assert result["now"] == "2099-01-01T00:00:00Z"
    assert result["due"] == 0
