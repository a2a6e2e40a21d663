"""The measured routes: one line each.

A route spec names the measurement and says how to build the call. Building may itself call
the function (to follow a cursor to page 3, say); only the call it returns is measured. Routes
that change data run after every read-only one, so each read sees the data as seeded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from bench.dataset import MEASURED_MENTEE, MEASURED_MENTEE_NAME, MEASURED_MENTEE_ZONE, MEASURED_MENTOR, NOW
from bench.invoke import BenchError, Call, check_success, http_call, invoke, json_body, scheduled_call
from mentorship.domain.instants import format_utc, parse_instant
from mentorship.settings import get_settings
from tooling.streams import StreamReader, lambda_record

MENTEE = {
    "sub": MEASURED_MENTEE,
    "email": f"{MEASURED_MENTEE}@example.com",
    "name": MEASURED_MENTEE_NAME,
    "zoneinfo": MEASURED_MENTEE_ZONE,
}
MENTOR = {
    "sub": MEASURED_MENTOR,
    "email": f"{MEASURED_MENTOR}@mentors.example.com",
    "name": "Measured Mentor",
}

CallBuilder = Callable[[], Call]


@dataclass(frozen=True)
class RouteSpec:
    name: str
    build: CallBuilder
    changes_data: bool = False
    note: str | None = None  # printed under the table
    timed: bool = True  # False where a repeat of the same call cannot succeed (a slot held once)


def get(route: str, claims: dict[str, str] | None = None, *, path=None, **query: str) -> CallBuilder:
    """GET `route` (a template path) with these query parameters, as the caller with `claims`."""
    return lambda: http_call("GET", route, query, claims=claims, path_parameters=path)


def of_mentor(subpath: str = "", **query: str) -> CallBuilder:
    """GET /mentors/{mentorId}<subpath> of the measured mentor."""
    return get(f"/mentors/{{mentorId}}{subpath}", path={"mentorId": MEASURED_MENTOR}, **query)


def my_bookings(claims: dict[str, str], role: str, scope: str) -> CallBuilder:
    return get("/me/bookings", claims, role=role, scope=scope)


def page(number: int, first: CallBuilder) -> CallBuilder:
    """Page `number` of a listing: follow `nextCursor` from the first page (unmeasured)."""

    def build() -> Call:
        call = first()
        for _ in range(number - 1):
            response = invoke(call)
            check_success(f"page before {number}", response)
            cursor = json_body(response).get("nextCursor")
            if not cursor:
                raise BenchError(f"the listing ends before page {number}")
            call = call.with_query(cursor=cursor)
        return call

    return build


def scheduled(function_id: str, delay: timedelta = timedelta()) -> CallBuilder:
    return lambda: scheduled_call(function_id, NOW + delay)


WEEK = {"from": format_utc(NOW), "to": format_utc(NOW + timedelta(days=7))}
TOPIC = "Preparing for a staff engineer interview loop"


def _open_hour_of_measured_mentor() -> str:
    """The start of the measured mentor's first two consecutive open slots (read unmeasured)."""
    response = invoke(of_mentor("/availability", **WEEK)())
    check_success("availability before a hold", response)
    slots = json_body(response)["slots"]
    for first, second in zip(slots, slots[1:]):
        if first["available"] and second["available"] and first["end"] == second["start"]:
            return first["start"]
    raise BenchError("the measured mentor has no open hour this week")


def hold_hour() -> Call:
    """POST /bookings: a 60-minute hold of the measured mentor's next open hour."""
    body = {"mentorId": MEASURED_MENTOR, "start": _open_hour_of_measured_mentor(), "durationMinutes": 60, "topic": TOPIC}
    return http_call("POST", "/bookings", claims=MENTEE, body=body)


def confirm_hour() -> Call:
    """POST /bookings/{id}/confirm of a hold taken just before (unmeasured)."""
    return _confirm_call(_held_hour_id())
def table_stream() -> StreamReader:
    """The main table's stream, read from now on (DynamoDB Local, where the models are bound)."""
    import boto3

    from tooling.dynamodb_local import LOCAL_CREDENTIALS, enable_stream

    endpoint, table = os.environ["AWS_ENDPOINT_URL_DYNAMODB"], get_settings().table_name
    stream_arn = enable_stream(boto3.client("dynamodb", endpoint_url=endpoint, **LOCAL_CREDENTIALS), table)
    reader = StreamReader(boto3.client("dynamodbstreams", endpoint_url=endpoint, **LOCAL_CREDENTIALS), stream_arn)
    reader.skip_to_latest()
    return reader


def stream_after(name: str, prepare: CallBuilder | None, change: CallBuilder) -> CallBuilder:
    """The StreamFunction's batch of what `change` wrote (after `prepare`, whose records it does
    not see), as Lambda's event source mapping would hand it over. Both calls are unmeasured."""

    def build() -> Call:
        if prepare is not None:
            check_success(f"before {name}", invoke(prepare()))
        reader = table_stream()
        check_success(name, invoke(change()))
        return stream_call(reader)

    return build


def stream_call(reader: StreamReader) -> Call:
    """The StreamFunction invoked with what `reader` has not read yet, in one batch."""
    records = reader.read()
    if not records:
        raise BenchError("nothing was written to the table's stream")
    return Call("StreamFunction", {"Records": [lambda_record(r, reader.stream_arn, "us-east-1") for r in records]})


def _held_hour_id() -> str:
    response = invoke(hold_hour())
    check_success("hold before a confirm", response)
    return json_body(response)["bookingId"]


def _confirm_call(booking_id: str) -> Call:
    return http_call(
        "POST", "/bookings/{bookingId}/confirm", claims=MENTEE, path_parameters={"bookingId": booking_id},
        body={"paymentMethod": "pm_card_visa"},
    )


def stream_after_confirm() -> Call:
    held = _held_hour_id()
    return stream_after("confirm", None, lambda: _confirm_call(held))()


def _confirmed_hour_id() -> str:
    held = _held_hour_id()
    check_success("confirm before a cancel", invoke(_confirm_call(held)))
    return held


def _cancel_call(booking_id: str) -> Call:
    """The mentor cancels: a full refund under any policy, so there is always one to give back."""
    return http_call(
        "POST", "/bookings/{bookingId}/cancel", claims=MENTOR, path_parameters={"bookingId": booking_id}, body={}
    )


def cancel_with_refund() -> Call:
    """POST /bookings/{id}/cancel of a session booked just before (unmeasured)."""
    return _cancel_call(_confirmed_hour_id())


def reschedule_to_next_open_hour() -> Call:
    """POST /bookings/{id}/reschedule by the mentor of a session booked just before (unmeasured)
    onto the measured mentor's next open hour."""
    booked = _confirmed_hour_id()
    return http_call(
        "POST", "/bookings/{bookingId}/reschedule", claims=MENTOR, path_parameters={"bookingId": booked},
        body={"start": _open_hour_of_measured_mentor()},
    )


def stream_after_cancel() -> Call:
    booked = _confirmed_hour_id()
    return stream_after("cancel", None, lambda: _cancel_call(booked))()


# Mentees who wait for the measured mentor's time (no profile needed): one joins in the measured
# route, the other is offered freed time in the StreamFunction row.
JOINING = {"sub": "bench-waiting-mentee", "email": "waiting@example.com", "name": "Waiting Mentee", "zoneinfo": "Europe/Berlin"}
OFFERED = {"sub": "bench-offered-mentee", "email": "offered@example.com", "name": "Offered Mentee", "zoneinfo": "Asia/Tokyo"}


def _join_call(start: str, claims: dict[str, str]) -> Call:
    """POST /mentors/{id}/waitlist: a 60-minute session in the hour from `start`."""
    end = format_utc(parse_instant(start) + timedelta(hours=1))
    return http_call(
        "POST", "/mentors/{mentorId}/waitlist", claims=claims, path_parameters={"mentorId": MEASURED_MENTOR},
        body={"from": start, "to": end, "durationMinutes": 60, "topic": TOPIC},
    )


def join_waitlist() -> Call:
    """POST /mentors/{id}/waitlist for the measured mentor's next open hour."""
    return _join_call(_open_hour_of_measured_mentor(), JOINING)


def stream_after_release_with_a_waiter() -> Call:
    """The StreamFunction's batch of a released hold's records while someone waits for its hour
    (the hold and the join unmeasured; the join's own record is not in the batch)."""
    response = invoke(hold_hour())
    check_success("hold before a waitlist offer", response)
    held = json_body(response)
    check_success("join before a waitlist offer", invoke(_join_call(held["start"], OFFERED)))
    release = lambda: http_call(  # noqa: E731
        "POST", "/bookings/{bookingId}/cancel", claims=MENTEE, path_parameters={"bookingId": held["bookingId"]}, body={}
    )
    return stream_after("release", None, release)()


COMBINED = {"jobFamily": "engineer", "experienceLevel": "senior", "maxRate": "25000", "availability": "week"}

ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("GET /mentors", get("/mentors", limit="20")),
    RouteSpec("GET /mentors ?jobFamily=engineer", get("/mentors", jobFamily="engineer")),
    RouteSpec("GET /mentors ?minRate=10000&maxRate=20000", get("/mentors", minRate="10000", maxRate="20000")),
    RouteSpec("GET /mentors ?experienceLevel=senior", get("/mentors", experienceLevel="senior")),
    RouteSpec("GET /mentors ?availability=today", get("/mentors", availability="today")),
    RouteSpec("GET /mentors ?availability=week", get("/mentors", availability="week")),
    RouteSpec("GET /mentors ?availability=month", get("/mentors", availability="month")),
    RouteSpec(f"GET /mentors ?{urlencode(COMBINED)}", get("/mentors", **COMBINED)),
    RouteSpec("GET /mentors page 3 (limit 20)", page(3, get("/mentors", limit="20"))),
    RouteSpec("GET /mentors/{id}", of_mentor()),
    RouteSpec("GET /mentors/{id}/availability (7 days)", of_mentor("/availability", **WEEK)),
    RouteSpec("GET /mentors/{id}/reviews", of_mentor("/reviews")),
    RouteSpec("GET /me/bookings (mentee, upcoming)", my_bookings(MENTEE, "mentee", "upcoming")),
    RouteSpec("GET /me/bookings (mentee, past)", my_bookings(MENTEE, "mentee", "past")),
    RouteSpec("GET /me/bookings (mentor, upcoming)", my_bookings(MENTOR, "mentor", "upcoming")),
    RouteSpec(
        "GET /mentors/me/earnings (next 30 days)",
        get("/mentors/me/earnings", MENTOR, **{"from": format_utc(NOW)}),
        note="earnings read the caller's profile and one Query of ByMentor over the window's paid sessions "
        "(the totals cover the whole window on every page), so they cost the mentor's sessions in the window; "
        "the upcoming 30 days are measured because the dataset's past sessions of the measured mentor grow "
        "with the table by design.",
    ),
    RouteSpec("POST /bookings (60-minute hold)", hold_hour, changes_data=True, timed=False),
    RouteSpec(
        "POST /bookings/{id}/confirm (visa)",
        confirm_hour,
        changes_data=True,
        timed=False,
        note="confirm reads the booking, charges through the mock gateway (its record is a DynamoDB item) "
        "and confirms in one transaction with the emails, reminders and notifications; it answers without "
        "sending anything.",
    ),
    RouteSpec(
        "POST /bookings/{id}/cancel (mentor, full refund)",
        cancel_with_refund,
        changes_data=True,
        timed=False,
        note="cancel reads the booking and writes one transaction (slots freed, booking cancelled with the "
        "refund it owes, reminders dropped, emails and notice recorded); the refund itself is the "
        "StreamFunction's.",
    ),
    RouteSpec(
        "POST /bookings/{id}/reschedule (mentor, published slots)",
        reschedule_to_next_open_hour,
        changes_data=True,
        timed=False,
        note="reschedule reads the booking, then asks the offering about the new time as a hold does: the "
        "mentor's profile, schedule and calendars (one Query; this mentor has no schedule, so the new slots "
        "must be published and the window is not read) and one transaction. With a weekly schedule it also "
        "reads the new time's window ± 27 hours (4 requests), and each connected calendar is read live and "
        "its new cache written (+1 each): see the schedule section.",
    ),
    RouteSpec(
        "StreamFunction per cancel (refund through the gateway)",
        stream_after_cancel,
        changes_data=True,
        timed=False,
        note="the StreamFunction's batch of the records one cancel wrote: the next open slot, the refund "
        "(the gateway's charge record read and marked refunded, then the booking marked refunded), 2 emails "
        "and 1 push.",
    ),
    RouteSpec(
        "StreamFunction per hold (its stream records)",
        stream_after("hold", None, hold_hour),
        changes_data=True,
        timed=False,
        note="the StreamFunction's batch of the records one hold wrote: it refreshes the mentor's next open "
        "slot (off the request path).",
    ),
    RouteSpec(
        "StreamFunction per confirm (its stream records)",
        stream_after_confirm,
        changes_data=True,
        timed=False,
        note="the StreamFunction's batch of the records one confirm wrote, as Lambda's event source mapping "
        "hands it over: 2 emails and 2 pushes, each a lease and a sent mark (email and push gateways are "
        "no-op fakes in the benchmark), and the webhook event's fan-out (a lease, a Query per participant, "
        "a done mark; nobody has a webhook here); records of its own marks cost nothing.",
    ),
    RouteSpec(
        "POST /mentors/{id}/waitlist",
        join_waitlist,
        changes_data=True,
        timed=False,
        note="joining a waitlist reads the mentor's profile (does it exist) and the mentee's waiting places, "
        "and writes the entry with a place in one transaction.",
    ),
    RouteSpec(
        "StreamFunction per waitlist offer (a released hold)",
        stream_after_release_with_a_waiter,
        changes_data=True,
        timed=False,
        note="the StreamFunction's batch of the records a released hold wrote, while one mentee waits for "
        "its hour: the next open slot as for any release, then the offer: who waits (one Query of the "
        "Waitlist index), the mentor and the window (two Queries), and the offer's hold as a mentee's "
        "hold makes it (the mentee's hold places, one transaction that also claims the entry and records "
        "the offer's inbox entry and email). Compare \"StreamFunction per hold\": with nobody waiting a "
        "freed hour costs the one Query of the index.",
    ),
    RouteSpec(
        "RemindersFunction run (+30 min)",
        scheduled("RemindersFunction", timedelta(minutes=30)),
        changes_data=True,
        note="the scheduled event for the minute 30 minutes ahead. The measured run does what falls due "
        "by then (next open slots that start, holds that expire); the timed repeats of that minute find "
        "nothing left to do, so they time the idle run.",
    ),
)
