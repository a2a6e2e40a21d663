"""Live availability on the real DynamoDB Local engine and its real stream: the WebSocket routes
(RealtimeFunction's handler with API Gateway's events) keep subscriptions in ConnectionsTable, and
the StreamFunction, handed the stream's records as Lambda would, posts `availability_changed` to
the changed mentor's subscribers only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.calendar import Party
from mentorship.services import booking as bookings
from mentorship.services.availability import remove_slot
from mentorship.services.live_availability import AvailabilityFanOut
from mentorship.store.subscriptions import MAX_SUBSCRIPTIONS, SubscriptionStore
from tests.support.factories import add_mentor, add_slots, use_connections_table
from tests.support.fakes import RecordingConnections
from tests.support.lambda_helpers import LambdaContext
from tests.support.races import race
from tests.support.schedules import give_schedule
from tests.support.streams import mapping_for

pytestmark = pytest.mark.dynamodb_local

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
ADA = Party("mentee-ada", "Ada Lovelace", "ada@example.com", "Europe/Berlin")


class CountingClient:
    """A boto3 DynamoDB client that counts the calls made through it."""

    def __init__(self, client) -> None:
        self._client = client
        self.calls: list[str] = []

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name == "exceptions" or not callable(attribute):
            return attribute

        def counted(*args, **kwargs):
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return counted


@pytest.fixture
def live(local_table, dynamodb_local, clock, outbox, monkeypatch):
    use_connections_table(monkeypatch, dynamodb_local.client(), local_table["ConnectionsTable"])
    add_mentor("mentor-grace", "Grace Hopper", NOW)
    add_mentor("mentor-linus", "Linus Torvalds", NOW)
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(4)], NOW)
    add_slots("mentor-linus", [START], NOW)
    counting = CountingClient(dynamodb_local.client())
    gateway = RecordingConnections()
    fan_out = AvailabilityFanOut(SubscriptionStore(client=counting), gateway)
    from functions.stream import app as stream_app

    from functions.realtime import app as realtime_app

    monkeypatch.setattr(stream_app, "BATCH_HANDLERS", (fan_out,))
    monkeypatch.setattr(realtime_app, "_routes", None)  # a fresh instance: this test's table
    mapping = mapping_for(dynamodb_local.client(), dynamodb_local.client("dynamodbstreams"), local_table["MentorshipTable"])
    mapping.drain()  # the setup's own changes, before anyone subscribed
    gateway.posted.clear()
    counting.calls.clear()
    return mapping, gateway, counting


def websocket(route_key: str, connection_id: str, body: dict | str | None = None) -> dict:
    from functions.realtime.app import lambda_handler

    event = {"requestContext": {"routeKey": route_key, "connectionId": connection_id, "eventType": "MESSAGE"}}
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    answer = lambda_handler(event, LambdaContext())
    assert answer["statusCode"] == 200
    return json.loads(answer["body"]) if "body" in answer else {}


def subscribe(connection_id: str, mentor_id: str) -> dict:
    return websocket("subscribe", connection_id, {"action": "subscribe", "mentorId": mentor_id})


def connect(connection_id: str) -> None:
    websocket("$connect", connection_id)


def test_a_hold_reaches_the_mentors_subscriber_once_with_both_slots_and_the_release_frees_them(live):
    mapping, gateway, counting = live
    connect("conn-a")
    assert subscribe("conn-a", "mentor-grace") == {"type": "subscribed", "mentorId": "mentor-grace"}

    held = bookings.hold_session(ADA, bookings.SessionRequest("mentor-grace", START, 60, "Live availability"), NOW)
    mapping.drain()
    # two locks and a booking in one transaction, one batch: one message, one subscriber Query
    assert gateway.to("conn-a") == [
        {
            "type": "availability_changed",
            "mentorId": "mentor-grace",
            "slots": [
                {"start": "2026-11-26T15:00:00Z", "end": "2026-11-26T15:30:00Z", "available": False},
                {"start": "2026-11-26T15:30:00Z", "end": "2026-11-26T16:00:00Z", "available": False},
            ],
        }
    ]
    assert counting.calls.count("query") == 1

    bookings.release_hold(held.booking_id, ADA.user_id, NOW + timedelta(minutes=1))
    mapping.drain()
    assert [slot["available"] for slot in gateway.to("conn-a")[-1]["slots"]] == [True, True]


def test_a_change_to_mentor_a_never_reaches_a_subscriber_of_mentor_b_and_costs_one_query_without_subscribers(live):
    mapping, gateway, counting = live
    connect("conn-b")
    subscribe("conn-b", "mentor-linus")
    bookings.hold_session(ADA, bookings.SessionRequest("mentor-grace", START, 30, "Not for mentor B"), NOW)
    mapping.drain()
    assert gateway.posted == []
    assert counting.calls == ["query"]  # grace's subscribers: none, so nothing else is read or sent


def announced(gateway: RecordingConnections, connection_id: str) -> dict[str, bool]:
    """Every slot announced to the connection, start -> its last announced availability."""
    return {slot["start"]: slot["available"] for message in gateway.to(connection_id) for slot in message["slots"]}


def test_a_schedule_change_announces_exactly_the_slots_it_opens_and_then_closes(live):
    """The offering over the next 30 days before and after the PUT: Wednesdays 09:00-10:00 UTC
    open two slots a week (NOW is a Tuesday; the horizon is 60 days, the window 30); the
    published slots are unchanged and not announced."""
    mapping, gateway, counting = live
    connect("conn-a")
    subscribe("conn-a", "mentor-grace")
    give_schedule("mentor-grace", NOW, days=("wednesday",), hours=("09:00", "10:00"))
    mapping.drain()
    wednesdays = [datetime(2026, 11, 25, 9, tzinfo=UTC) + timedelta(days=7 * week) for week in range(5)]
    opened = sorted(f"{day + timedelta(minutes=m):%Y-%m-%dT%H:%M:%SZ}" for day in wednesdays for m in (0, 30))
    (message,) = gateway.to("conn-a")
    assert [slot["start"] for slot in message["slots"]] == opened
    assert all(slot["available"] for slot in message["slots"])
    assert counting.calls == ["query"]  # the subscribers; the offering reads MentorshipTable (2 Queries)

    give_schedule("mentor-grace", NOW, days=("wednesday",), hours=("09:00", "10:00"))  # the same again
    mapping.drain()
    assert len(gateway.to("conn-a")) == 1  # nothing moved: nothing sent

    give_schedule("mentor-grace", NOW, days=("wednesday",), hours=("09:00", "09:30"))  # 09:30 closes
    mapping.drain()
    assert gateway.to("conn-a")[-1]["slots"] == [
        {"start": f"{day + timedelta(minutes=30):%Y-%m-%dT%H:%M:%SZ}", "end": f"{day + timedelta(minutes=60):%Y-%m-%dT%H:%M:%SZ}", "available": False}
        for day in wednesdays
    ]


def test_a_schedule_put_over_http_reaches_subscribers(live, mentors_api):
    mapping, gateway, _ = live
    connect("conn-a")
    subscribe("conn-a", "mentor-grace")
    body = {
        "timezone": "UTC",
        "weekly": [{"day": "wednesday", "start": "09:00", "end": "09:30"}],
        "overrides": [],
        "bufferMinutes": 0,
        "minimumNoticeMinutes": 0,
        "horizonDays": 7,
        "maxSessionsPerDay": None,
    }
    status, answer = mentors_api("PUT", "/mentors/me/schedule", body=body, claims={"sub": "mentor-grace"})
    assert status == 200, answer
    mapping.drain()
    assert announced(gateway, "conn-a") == {"2026-11-25T09:00:00Z": True}  # the horizon: one week


def test_a_rule_slot_released_is_announced_available_as_the_offering_says(live):
    """A hold on a slot only the rules give, then its release: the offering (not the published
    slots) says whether it is available."""
    mapping, gateway, _ = live
    give_schedule("mentor-linus", NOW, days=("wednesday",), hours=("09:00", "10:00"))
    connect("conn-b")
    subscribe("conn-b", "mentor-linus")
    mapping.drain()
    gateway.posted.clear()
    rule_slot = datetime(2026, 11, 25, 9, tzinfo=UTC)
    held = bookings.hold_session(ADA, bookings.SessionRequest("mentor-linus", rule_slot, 30, "A rule slot"), NOW)
    mapping.drain()
    assert announced(gateway, "conn-b") == {"2026-11-25T09:00:00Z": False}
    bookings.release_hold(held.booking_id, ADA.user_id, NOW + timedelta(minutes=1))
    mapping.drain()
    assert announced(gateway, "conn-b") == {"2026-11-25T09:00:00Z": True}


def test_a_calendar_read_again_with_a_new_busy_time_announces_the_slot_it_covers(live):
    from mentorship.domain.schedules import BusyTimes
    from mentorship.store.calendars import CalendarStore, StoredCalendar

    mapping, gateway, _ = live
    covers = (NOW, NOW + timedelta(days=60))
    CalendarStore().add(
        StoredCalendar("mentor-grace", "cal-1", "ics", "http://127.0.0.1:9/busy.ics", None, None, "ok", None, NOW, NOW,
                       BusyTimes(covers=covers), NOW)
    )
    connect("conn-a")
    subscribe("conn-a", "mentor-grace")
    mapping.drain()
    assert gateway.to("conn-a") == []  # a calendar with nothing busy moves no slot
    CalendarStore().record_read("mentor-grace", "cal-1", BusyTimes(intervals=((START, START + timedelta(minutes=30)),), covers=covers), NOW)
    mapping.drain()
    assert announced(gateway, "conn-a") == {"2026-11-26T15:00:00Z": False}
    CalendarStore().record_read("mentor-grace", "cal-1", BusyTimes(covers=covers), NOW + timedelta(minutes=5))
    mapping.drain()
    assert announced(gateway, "conn-a") == {"2026-11-26T15:00:00Z": True}


def test_published_and_deleted_availability_are_announced(live):
    mapping, gateway, _ = live
    connect("conn-a")
    subscribe("conn-a", "mentor-grace")
    add_slots("mentor-grace", [START + timedelta(days=1)], NOW)
    mapping.drain()
    assert announced(gateway, "conn-a") == {"2026-11-27T15:00:00Z": True}
    remove_slot("mentor-grace", START + timedelta(minutes=90), NOW)
    mapping.drain()
    assert gateway.to("conn-a")[-1]["slots"] == [{"start": "2026-11-26T16:30:00Z", "end": "2026-11-26T17:00:00Z", "available": False}]


def test_a_gone_connection_loses_its_subscription_and_the_others_still_get_the_message(live):
    mapping, gateway, _ = live
    for connection_id in ("conn-gone", "conn-here"):
        connect(connection_id)
        subscribe(connection_id, "mentor-grace")
    gateway.gone.add("conn-gone")
    bookings.hold_session(ADA, bookings.SessionRequest("mentor-grace", START, 30, "Gone connection"), NOW)
    mapping.drain()
    assert len(gateway.to("conn-here")) == 1
    assert list(SubscriptionStore().subscribers("mentor-grace")) == ["conn-here"]


def test_subscriptions_are_capped_unknown_mentors_refused_and_disconnect_removes_everything(live):
    for n in range(MAX_SUBSCRIPTIONS + 1):
        add_mentor(f"mentor-{n:02d}", f"Mentor {n}", NOW)
    connect("conn-many")
    answers = [subscribe("conn-many", f"mentor-{n:02d}")["type"] for n in range(MAX_SUBSCRIPTIONS)]
    assert answers == ["subscribed"] * MAX_SUBSCRIPTIONS
    assert subscribe("conn-many", "mentor-20") == {"type": "error", "code": "too_many_subscriptions"}
    assert subscribe("conn-many", "mentor-00")["type"] == "subscribed"  # again: still 20
    assert subscribe("conn-many", "mentor-nobody") == {"type": "error", "code": "not_found"}
    assert websocket("unsubscribe", "conn-many", {"action": "unsubscribe", "mentorId": "mentor-00"})["type"] == "unsubscribed"
    assert subscribe("conn-many", "mentor-20")["type"] == "subscribed"  # a place was freed

    websocket("$disconnect", "conn-many")
    assert [list(SubscriptionStore().subscribers(f"mentor-{n:02d}")) for n in range(MAX_SUBSCRIPTIONS + 1)] == [[]] * 21


@pytest.mark.parametrize(
    "route_key, body",
    [
        ("$default", "not json"),
        ("$default", {"action": "shout", "mentorId": "mentor-grace"}),
        ("subscribe", {"action": "subscribe"}),
        ("subscribe", {"action": "subscribe", "mentorId": "mentor-grace", "connectionId": "conn-other"}),
        ("subscribe", {"action": "subscribe", "mentorId": "../../x"}),
        ("subscribe", {"action": "subscribe", "mentorId": 7}),
        ("subscribe", {"action": "subscribe", "mentorId": "mentor-grace", "pad": "x" * 2000}),
        ("$default", ["subscribe"]),
    ],
)
def test_malformed_messages_are_answered_bad_request_and_subscribe_nothing(live, route_key, body):
    connect("conn-bad")
    assert websocket(route_key, "conn-bad", body) == {"type": "error", "code": "bad_request"}
    assert list(SubscriptionStore().subscribers("mentor-grace")) == []


def test_a_connection_over_its_message_limit_is_answered_rate_limited_until_the_next_window(live, clock):
    from mentorship.store.subscriptions import MESSAGES_PER_WINDOW, WINDOW_SECONDS

    connect("conn-busy")
    answers = [
        websocket("unsubscribe", "conn-busy", {"action": "unsubscribe", "mentorId": "mentor-grace"})["type"]
        for _ in range(MESSAGES_PER_WINDOW)
    ]
    assert answers == ["unsubscribed"] * MESSAGES_PER_WINDOW
    assert subscribe("conn-busy", "mentor-grace") == {"type": "error", "code": "rate_limited"}
    assert websocket("$default", "conn-busy", "not json") == {"type": "error", "code": "rate_limited"}  # counted too
    assert list(SubscriptionStore().subscribers("mentor-grace")) == []  # the refused message did nothing
    connect("conn-calm")
    assert subscribe("conn-calm", "mentor-grace")["type"] == "subscribed"  # one connection's limit is its own

    clock.advance(seconds=WINDOW_SECONDS)
    assert subscribe("conn-busy", "mentor-grace")["type"] == "subscribed"


def test_the_message_limit_holds_when_one_connection_sends_at_once(live):
    """Sixty messages of one connection at the same instant on the real engine: exactly the
    window's allowance is counted, whichever instance takes them."""
    from mentorship.store.subscriptions import MESSAGES_PER_WINDOW

    connect("conn-flood")
    outcomes = race([lambda: SubscriptionStore().count_message("conn-flood", NOW)] * 60)
    assert outcomes.count(True) == MESSAGES_PER_WINDOW and outcomes.count(False) == 60 - MESSAGES_PER_WINDOW
    assert SubscriptionStore().count_message("conn-never-connected", NOW) is True  # not limited here: answered as before
