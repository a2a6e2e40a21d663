"""The StreamFunction's dispatch: each record to the handler of its item kind, in order, and
Lambda's partial batch answer naming the first record that failed."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from mentorship.services.availability import takes_or_frees_slots
from mentorship.services.stream import change_of, process_batch
from mentorship.store.models import BookingItem, Slot
from tests.support.lambda_helpers import EVENTS_DIR

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def sample_record(sequence: str, **changes: dict) -> dict:
    record = copy.deepcopy(json.loads((EVENTS_DIR / "table_stream.json").read_text())["Records"][0])
    record["dynamodb"]["SequenceNumber"] = sequence
    record["dynamodb"]["NewImage"].update(changes)
    return record


def slot_record(sequence: str) -> dict:
    image = {"pk": {"S": "MENTOR#m"}, "sk": {"S": "SLOT#x"}, "kind": {"S": "Slot"}, "mentor_id": {"S": "m"},
             "start": {"S": "2026-11-26T15:00:00.000000Z"}}
    return {"eventName": "INSERT", "dynamodb": {"SequenceNumber": sequence, "NewImage": image}}


def test_each_record_goes_to_its_kinds_handler_in_order():
    seen = []
    handlers = {BookingItem: lambda change, now: seen.append(("booking", change.new.booking_id)),
                Slot: lambda change, now: seen.append(("slot", change.new.mentor_id))}
    records = [sample_record("1"), slot_record("2"), sample_record("3", booking_id={"S": "b2"})]
    assert process_batch(records, handlers, NOW) == {"batchItemFailures": []}
    assert seen == [("booking", "b1"), ("slot", "m"), ("booking", "b2")]


def test_the_first_failing_record_is_named_and_nothing_after_it_runs():
    seen = []

    def booking_handler(change, now):
        if change.new.booking_id == "bad":
            raise RuntimeError("throttled")
        seen.append(change.new.booking_id)

    records = [sample_record("1"), sample_record("2", booking_id={"S": "bad"}), sample_record("3", booking_id={"S": "b3"})]
    assert process_batch(records, {BookingItem: booking_handler}, NOW) == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert seen == ["b1"]


def test_kinds_without_a_handler_and_items_without_a_kind_are_passed_over():
    no_kind = {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "9", "NewImage": {"id": {"S": "x"}}}}
    assert process_batch([slot_record("1"), no_kind], {}, NOW) == {"batchItemFailures": []}


def test_a_confirm_does_not_move_the_next_open_slot_but_a_hold_a_release_and_a_move_do():
    held = change_of(sample_record("1")).new
    confirmed, released, moved = (change_of(sample_record("1")).new for _ in range(3))
    confirmed.status, released.status = "confirmed", "released"
    moved.status, moved.start = "confirmed", datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert takes_or_frees_slots(None, held)
    assert not takes_or_frees_slots(held, confirmed)
    assert takes_or_frees_slots(held, released)
    assert takes_or_frees_slots(confirmed, moved)
    assert not takes_or_frees_slots(confirmed, confirmed)


def test_batch_handlers_see_the_done_changes_once_and_never_fail_the_batch():
    batches = []

    def fails_on_bad(change, now):
        if change.new.booking_id == "bad":
            raise RuntimeError("throttled")

    def broken_batch_handler(changes, now):
        raise RuntimeError("the fan-out is down")

    records = [sample_record("1"), slot_record("2"), sample_record("3", booking_id={"S": "bad"}), slot_record("4")]
    answer = process_batch(
        records, {BookingItem: fails_on_bad}, NOW, (lambda changes, now: batches.append(changes), broken_batch_handler)
    )
    assert answer == {"batchItemFailures": [{"itemIdentifier": "3"}]}  # the broken batch handler changed nothing
    # records before the failed one are done (Lambda will not hand them over again): they are seen
    assert [[change.sequence_number for change in batch] for batch in batches] == [["1", "2"]]
