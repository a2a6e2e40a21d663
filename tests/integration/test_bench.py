"""The benchmark's measurement (`make bench`) at small sizes, on the real DynamoDB Local engine:
no route scans, a mentor's profile takes at most three requests, no route reads more items as
the table grows, the reminder run costs the same whatever the bookings, the counter counts what
DynamoDB reports, and the report and its chart are written."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import boto3
import pytest

from bench import cold_start, counting, reminder_scale
from bench.chart import write_chart
from bench.dataset import MEASURED_MENTEE, MEASURED_MENTOR, NOW, Population, build
from bench.report import RunInfo, document, grows
from bench.routes import ROUTES
from bench.runner import run_size
from tooling.dynamodb_local import LOCAL_CREDENTIALS
from tooling.template import http_routes
from mentorship.domain.instants import format_utc_precise
from mentorship.store.models import MentorProfile, Review, TableItem, mentor_pk
from mentorship.store.reviews import review_sk
from scripts.cold_imports import BASELINE, FLOOR, ColdStarts, FirstRequestTiming, ProbeFailed, round_robin_medians

pytestmark = pytest.mark.dynamodb_local

# A smaller current population than the benchmark's (enough mentors for a third page of 20),
# so that 500 items hold it.
POPULATION = Population(mentors=45, open_slots=(1, 3), page_history=21)
SMALL, LARGE = 500, 8_000
PROFILE_ROUTE = "GET /mentors/{id}"
@pytest.fixture(scope="module")
def measured(dynamodb_local):
    return {size: run_size(dynamodb_local, size, POPULATION, ROUTES) for size in (SMALL, LARGE)}


def test_every_route_answers_and_none_scans(measured):
    for result in measured.values():
        assert list(result.costs) == [spec.name for spec in ROUTES]
        assert {route: cost.scans for route, cost in result.costs.items() if cost.scans} == {}


def test_a_mentor_profile_takes_at_most_three_requests(measured):
    for result in measured.values():
        assert result.costs[PROFILE_ROUTE].requests <= 3, result.costs[PROFILE_ROUTE]


def test_the_booking_writes_stay_within_three_requests_and_leave_sending_to_the_stream(measured):
    for result in measured.values():
        assert result.costs["POST /bookings (60-minute hold)"].requests <= 3
        # The booking, the mentor's head (no schedule: the window is not read), one transaction.
        assert result.costs["POST /bookings/{id}/reschedule (mentor, published slots)"].operations == {
            "GetItem": 1, "Query": 1, "TransactWriteItems": 1,
        }
        confirm = result.costs["POST /bookings/{id}/confirm (visa)"]
        assert confirm.requests <= 3 and confirm.operations.get("TransactWriteItems") == 1
        # The confirm's two emails and two pushes: a lease and a sent mark each, in the stream; its
        # webhook event: a lease, the two participants' webhooks (none here) and a done mark.
        assert result.costs["StreamFunction per confirm (its stream records)"].operations == {"UpdateItem": 10, "Query": 2}
        # A cancel with a refund (the mentor's: in full): the refund is owed in the cancel's one
        # transaction and given back by the stream, which updates the gateway's charge record.
        cancel = result.costs["POST /bookings/{id}/cancel (mentor, full refund)"]
        assert cancel.requests <= 2 and cancel.operations.get("TransactWriteItems") == 1, cancel
        assert result.costs["StreamFunction per cancel (refund through the gateway)"].operations.get("UpdateItem", 0) >= 2
        # A hold's batch starts its expiry timer: one SQS message per hold, and nothing else sent.
        assert result.costs["StreamFunction per hold (its stream records)"].sends == {"SQS hold timer": 1}
        assert "SQS hold timer" not in result.costs["StreamFunction per confirm (its stream records)"].sends


def test_earnings_read_the_profile_and_one_query(measured):
    for result in measured.values():
        earnings = result.costs["GET /mentors/me/earnings (next 30 days)"]
        assert earnings.operations == {"GetItem": 1, "Query": 1}, earnings


def test_a_waitlist_offer_is_one_hold_transaction_in_the_stream_and_joining_three_requests(measured):
    for result in measured.values():
        assert result.costs["POST /mentors/{id}/waitlist"].operations == {"GetItem": 1, "Query": 1, "TransactWriteItems": 1}
        offer = result.costs["StreamFunction per waitlist offer (a released hold)"]
        assert offer.operations.get("TransactWriteItems") == 1, offer  # the offer's hold, claiming the entry
        # Beyond a hold's own stream work: who waits, the mentor, the window, the hold places.
        baseline = result.costs["StreamFunction per hold (its stream records)"]
        assert offer.operations["Query"] - baseline.operations["Query"] <= 4, (offer, baseline)


@pytest.mark.parametrize("route", [spec.name for spec in ROUTES])
def test_items_read_do_not_grow_with_the_table(measured, route):
    small, large = measured[SMALL].costs[route], measured[LARGE].costs[route]
    assert not grows(small.items_read, large.items_read), (small, large)


@pytest.fixture(scope="module")
def reminder_runs(dynamodb_local):
    return reminder_scale.run(dynamodb_local, (100, 2_000))


def test_a_reminder_run_costs_what_is_due_whatever_the_bookings(reminder_runs):
    few, many = reminder_runs
    assert (few.items, many.items) == (500, 10_000)  # each booking and its four reminders
    assert (few.pending_reminders, many.pending_reminders) == (400, 8_000)
    for result in reminder_runs:
        assert result.due_reminders == 2 * reminder_scale.DUE_BOOKINGS
        assert (result.emails_sent, result.pushes_sent) == (result.due_reminders, result.due_reminders)
        assert result.run.scans == 0
        # 3 requests per due reminder (lease, booking, transaction) and a Query per DueWork shard;
        # it reads the due reminders and their bookings, nothing else. The StreamFunction then
        # sends the email and the push: a lease and a mark each, reading nothing.
        assert result.run.operations["Query"] == result.idle.requests == 4
        assert result.run.requests == 3 * result.due_reminders + 4
        assert result.stream.operations == {"UpdateItem": 4 * result.due_reminders}
        assert result.stream.items_read == 0
        assert result.run.items_read == 2 * result.due_reminders
        assert result.idle.items_read == 0
    assert few.run == many.run


def test_the_reminder_scenario_has_due_only_the_reminders_it_says():
    items = list(reminder_scale.booking_items(300, due=3))
    due = [item for item in items if getattr(item, "due_at", None) and item.due_at <= format_utc_precise(NOW)]
    assert len(items) == 300 * 5 and len({(item.pk, item.sk) for item in items}) == len(items)
    assert sorted((item.reminder_kind, item.recipient_role) for item in due) == sorted(
        [("24h", "mentee"), ("24h", "mentor")] * 3
    )
    starts = {(item.mentor_id, item.start) for item in items if TableItem.kind.get_discriminator(type(item)) == "Booking"}
    assert len(starts) == 300  # no mentor has two sessions at once


def test_the_report_and_chart_are_written(measured, reminder_runs, tmp_path):
    results = [measured[SMALL], measured[LARGE]]
    chart = tmp_path / "benchmarks.png"
    write_chart(chart, results, reminder_runs)
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    imports = {BASELINE: 100.0, FLOOR: 160.0, "MentorsFunction": 180.0, "BookingFunction": 200.0,
               "RemindersFunction": 120.0, "StreamFunction": 110.0}
    first = [
        FirstRequestTiming("MentorsFunction", "GET /mentors", 180.0, 60.0, 6.0),
        FirstRequestTiming("MentorsFunction", "GET /mentors" + cold_start.RESTORED, 181.0, 40.0, 6.0),
    ]
    cold = ColdStarts(5, imports, first)
    report = document(results, RunInfo("make bench", NOW, 1.0), {}, cold, reminders=reminder_runs, chart=chart.name)
    assert "| GET /mentors/{id} |" in report and "| MentorsFunction | 180 (1.80) |" in report
    assert "| RemindersFunction | 120 (1.20) |" in report
    assert "| StreamFunction | 110 (1.10) |" in report  # its rows: the stream records of a hold and a confirm
    assert "| MentorsFunction | 180 | 1.80 | 1.12 |" in report  # x boto3, x floor
    assert "| MentorsFunction | GET /mentors | 180 | 1.12 | 60.0 | 6.0 | 240 | 1.50 |" in report
    assert "| MentorsFunction | GET /mentors | 40.0 | 60.0 | 6.0 |" in report  # after a SnapStart restore
    assert "![DynamoDB cost against data size](benchmarks.png)" in report
    assert "| 100 bookings | 2,000 bookings | ratio |" in report
    assert "| **items read** | 20 | 20 | 1.00 |" in report


def test_the_datasets_have_their_size_and_the_same_current_shape():
    small, large = build(SMALL, POPULATION), build(LARGE, POPULATION)
    for dataset in (small, large):
        assert len(dataset.profiles) + len(dataset.items) == dataset.shape.items == dataset.size
        assert len({(item.pk, item.sk) for item in [*dataset.profiles, *dataset.items]}) == dataset.size
    assert small.shape.current_items == large.shape.current_items
    assert small.shape.measured_mentee_upcoming == large.shape.measured_mentee_upcoming
    # History makes the measured pages full at every size, and only grows.
    assert (
        POPULATION.page_history <= small.shape.measured_mentor_reviews < large.shape.measured_mentor_reviews
    )
    assert POPULATION.page_history <= small.shape.measured_mentee_past <= large.shape.measured_mentee_past
    assert (
        POPULATION.page_history
        <= small.shape.measured_mentee_notifications
        <= large.shape.measured_mentee_notifications
    )
    assert {MEASURED_MENTOR} <= {profile.mentor_id for profile in small.profiles}
    assert any(getattr(item, "mentee_id", None) == MEASURED_MENTEE for item in small.items)


def _add_reviews(mentor_id: str, ratings: list[int]) -> None:
    for n, rating in enumerate(ratings):
        created_at = NOW - timedelta(days=n + 1)
        Review(
            pk=mentor_pk(mentor_id),
            sk=review_sk(created_at, f"r{n}"),
            review_id=f"r{n}",
            mentor_id=mentor_id,
            booking_id=f"b{n}",
            author_id="u1",
            author_name="U. One",
            rating=rating,
            comment="Fine",
            created_at=created_at,
        ).save()


def test_a_query_counts_once_with_every_item_dynamodb_evaluated(local_table):
    counting.install()  # before the models' connections to this table exist
    _add_reviews("m1", [5, 4, 5, 3, 2])
    with counting.recording() as recorded:
        fives = list(Review.query(mentor_pk("m1"), filter_condition=Review.rating == 5))
    assert len(fives) == 2
    assert [(request.operation, request.items_read) for request in recorded.requests] == [("Query", 5)]
    assert (recorded.count, recorded.items_read, recorded.scans) == (1, 5, 0)


def test_gets_count_the_item_found_and_scans_are_told_apart(local_table, dynamodb_local):
    counting.install()
    _add_reviews("m1", [5, 4])
    client = boto3.client("dynamodb", endpoint_url=dynamodb_local.endpoint, **LOCAL_CREDENTIALS)
    with counting.recording() as recorded:
        assert Review.get(mentor_pk("m1"), review_sk(NOW - timedelta(days=1), "r0")).rating == 5
        with pytest.raises(MentorProfile.DoesNotExist):
            MentorProfile.get(mentor_pk("nobody"), "PROFILE")
        client.scan(TableName=local_table["MentorshipTable"])
    assert [(request.operation, request.items_read) for request in recorded.requests] == [
        ("GetItem", 1),
        ("GetItem", 0),
        ("Scan", 2),
    ]
    assert recorded.scans == 1


def test_each_http_function_has_a_first_request_timed_after_its_cold_import(local_table):
    requests = cold_start.first_requests()
    routed = {route.function for route in http_routes()}
    assert {request.function for request in requests} == routed
    medians = round_robin_medians([request.probe() for request in requests], runs=1)
    for request in requests:
        import_ms, first_ms, warm_ms = medians[f"{request.function} {request.route}"]
        assert import_ms > 0 and warm_ms > 0
        # The first request builds botocore's client and the route's validators; the repeat does not.
        assert first_ms > warm_ms, (request.route, first_ms, warm_ms)


def test_a_first_request_that_fails_fails_the_measurement(local_table):
    request = cold_start.first_requests()[0]
    event = {**request.event, "rawPath": "/nowhere", "routeKey": "GET /nowhere"}
    event["requestContext"] = {**event["requestContext"], "http": {**event["requestContext"]["http"], "path": "/nowhere"}}
    with pytest.raises(ProbeFailed, match="404"):
        replace(request, event=event).probe().sample()


def test_the_live_fan_out_reads_one_query_without_subscribers_and_posts_to_each_subscriber(dynamodb_local, capfd):
    from bench import live_availability

    costs = live_availability.fan_out_costs(dynamodb_local, (0, 3))
    # a failed post is only logged (stdout): shown when a count is off
    assert [(cost.subscribers, cost.dynamodb.operations, cost.posts) for cost in costs] == [
        (0, {"Query": 1}, 0),  # nobody listens: the subscribers' Query only
        (3, {"Query": 3}, 3),  # plus the offering's head and window, then one post each
    ], capfd.readouterr().out[-4000:]
    section = "\n".join(live_availability.live_section(costs, None))
    assert "| 3 | 3 | Query 3 | 3 |" in section


def test_offering_with_a_schedule_and_a_calendar_costs_the_same_whatever_the_horizon_or_history(dynamodb_local):
    """The bench's schedule rows (issue 12): both mentors pay the same requests and items for each
    measurement; a fresh cache reads no calendar, a stale one and the hold and reschedule read it
    once each, over HTTP on 127.0.0.1."""
    from bench import schedule_offering

    results = schedule_offering.run(dynamodb_local, runs=2)
    by_measurement: dict[str, list] = {}
    for result in results:
        by_measurement.setdefault(result.measurement, []).append(result)
    assert len(by_measurement) == 5 and all(len(pair) == 2 for pair in by_measurement.values())
    for name, (short, long) in by_measurement.items():
        assert (short.cost.requests, short.cost.items_read) == (long.cost.requests, long.cost.items_read), name
        assert short.cost.scans == 0 and short.calendar_reads == long.calendar_reads, name
    reads = {name: pair[0].calendar_reads for name, pair in by_measurement.items()}
    assert [reads[name] for name in by_measurement] == [0, 0, 1, 1, 1], reads
    costs = {name: pair[0].cost for name, pair in by_measurement.items()}
    for name, cost in costs.items():
        print(f"{name}: {cost.requests} requests, {cost.items_read} items, {dict(cost.operations)}")
    section = "\n".join(schedule_offering.section(results))
    assert "the cost grows neither with the horizon nor with the mentor's history" in section
