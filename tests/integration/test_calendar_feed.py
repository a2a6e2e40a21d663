"""GET /me/calendar-feed, POST /me/calendar-feed/rotate and the public feed URL."""

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from mentorship.domain.calendar import render_invite
from mentorship.services.outbox_records import session_invite
from tests.support.factories import add_booking, add_mentor
from tests.support.lambda_helpers import LambdaContext

ADA = {"sub": "mentee-ada", "email": "ada@example.com", "name": "Ada"}
FEED_ROUTE = "GET /calendar-feeds/{feedSecret}"


@pytest.fixture
def sessions(table, clock):
    now = clock.now()
    grace = add_mentor("mentor-grace", "Grace Hopper", now)
    return {
        "upcoming": add_booking(grace, "mentee-ada", now + timedelta(days=2), now=now),
        "recent": add_booking(grace, "mentee-ada", now - timedelta(days=10), status="completed", now=now),
        "too_old": add_booking(grace, "mentee-ada", now - timedelta(days=40), now=now - timedelta(days=41)),
        "cancelled": add_booking(grace, "mentee-ada", now + timedelta(days=3), status="cancelled", now=now),
        "cancelled_long_ago": add_booking(
            grace, "mentee-ada", now - timedelta(days=5), status="cancelled", now=now - timedelta(days=35)
        ),
        "held": add_booking(grace, "mentee-ada", now + timedelta(days=4), status="held", now=now),
        "someone_else": add_booking(grace, "mentee-bob", now + timedelta(days=2, hours=2), now=now),
        "as_mentor": add_booking(
            add_mentor("mentee-ada", "Ada", now), "mentee-carl", now + timedelta(days=6), now=now
        ),
    }


def feed_url(booking_api, path="/me/calendar-feed", method="GET"):
    status, body = booking_api(method, path, claims=ADA)
    assert status == 200, body
    return body["url"]


@pytest.fixture
def fetch(http_event):
    """The public feed, through the BookingFunction handler as API Gateway would call it (no
    token): (status, content type, body text)."""
    from functions.booking.app import lambda_handler

    def call(url):
        response = lambda_handler(http_event("GET", urlsplit(url).path, route_key=FEED_ROUTE), LambdaContext())
        return response["statusCode"], response["headers"].get("Content-Type"), response.get("body")

    return call


def test_the_feed_url_carries_at_least_128_bits_of_secret_and_stays_until_rotated(sessions, booking_api):
    url = feed_url(booking_api)
    secret = urlsplit(url).path.rsplit("/", 1)[1]
    assert urlsplit(url).path.startswith("/calendar-feeds/")
    assert len(secret) >= 43  # 32 random bytes, base64url
    assert feed_url(booking_api) == url


def test_the_feed_lists_confirmed_sessions_from_30_days_ago_and_recent_cancellations(sessions, booking_api, clock, fetch):
    status, content_type, body = fetch(feed_url(booking_api))
    assert status == 200 and content_type.startswith("text/calendar")
    calendar = Calendar.from_ical(body)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    expected = {
        name: render_invite(session_invite(sessions[name], "bookings@example.com", clock.now()))
        for name in ("upcoming", "recent", "cancelled", "as_mentor")
    }
    expected_uids = {name: str(Calendar.from_ical(ics).walk("VEVENT")[0]["UID"]) for name, ics in expected.items()}
    assert set(events) == set(expected_uids.values())  # same UIDs as the emailed invites
    assert str(events[expected_uids["cancelled"]]["STATUS"]) == "CANCELLED"
    assert str(events[expected_uids["upcoming"]]["STATUS"]) == "CONFIRMED"
    assert "METHOD" not in calendar


def test_rotation_kills_the_old_url(sessions, booking_api, fetch):
    old = feed_url(booking_api)
    new = feed_url(booking_api, "/me/calendar-feed/rotate", "POST")
    assert new != old
    status, _, body = fetch(old)
    assert status == 404 and json.loads(body)["error"]["code"] == "not_found"
    assert fetch(new)[0] == 200
    assert feed_url(booking_api) == new


@pytest.mark.parametrize(("secret", "status", "code"), [("x" * 43, 404, "not_found"), ("short", 422, "validation_error")])
def test_an_unknown_secret_is_refused(table, fetch, secret, status, code):
    answer, _, body = fetch(f"https://api.example/calendar-feeds/{secret}")
    assert (answer, json.loads(body)["error"]["code"]) == (status, code)


def test_the_feed_routes_need_a_token(table, booking_api):
    status, body = booking_api("GET", "/me/calendar-feed")
    assert (status, body["error"]["code"]) == (401, "unauthorized")


@pytest.mark.dynamodb_local
def test_concurrent_rotations_leave_exactly_one_live_url(local_table, clock):
    """Ten rotations at once on DynamoDB Local: each answer is a secret that was live when it was
    given, and afterwards exactly one secret works, the one GET /me/calendar-feed shows."""
    from concurrent.futures import ThreadPoolExecutor

    from mentorship.services import calendar_feed
    from mentorship.store.calendar_feeds import CalendarFeedStore

    first = calendar_feed.feed_secret("mentee-ada", clock.now())
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: _rotate_or_none(calendar_feed, clock.now()), range(10)))
    store = CalendarFeedStore()
    current = store.secret_of("mentee-ada")
    live = [secret for secret in {first, *filter(None, answers)} if store.user_for(secret) == "mentee-ada"]
    assert live == [current]
    assert any(answers)


def _rotate_or_none(calendar_feed, now):
    from mentorship.errors import ServiceUnavailable
    from mentorship.store.calendar_feeds import FeedChanged

    try:
        return calendar_feed.rotate_feed("mentee-ada", now)
    except (FeedChanged, ServiceUnavailable):
        return None  # lost every retry to the others: nothing was changed by this one
