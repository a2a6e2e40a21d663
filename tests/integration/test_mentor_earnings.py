"""GET /mentors/me/earnings through MentorsFunction, with bookings made, cancelled and marked
no-show through BookingFunction (moto, and DynamoDB Local with the `dynamodb_local` marker):
gross - refunded = net exactly, the sessions behind them page by page, currencies kept apart,
and bad input answered 4xx in the contract's error shape."""

from datetime import timedelta

import pytest

from mentorship.store.mentors import MentorStore
from mentorship.store.models import MentorProfile
from tests.support.commitments import MENTEE, MENTOR, NOW, PRICE, START, cancel
from tests.support.factories import add_mentor, add_slots

DAY = {"from": "2026-11-26T00:00:00Z", "to": "2026-11-27T00:00:00Z"}
STARTS = [START + timedelta(hours=2 * n) for n in range(5)]  # 15:00, 17:00 ... 23:00Z on Nov 26


@pytest.fixture
def grace(table, clock, outbox):
    add_mentor("mentor-grace", "Grace Hopper", NOW, rate=PRICE, timezone="America/Chicago")
    add_slots("mentor-grace", [start + timedelta(minutes=30 * n) for start in STARTS for n in range(2)], NOW)


def _book(booking_api, start, confirm=True):
    body = {"mentorId": "mentor-grace", "start": start.isoformat(), "durationMinutes": 60, "topic": "Staff engineer growth"}
    status, held = booking_api("POST", "/bookings", body=body, claims=MENTEE)
    assert status == 201, held
    if not confirm:
        return held["bookingId"]
    status, booking = booking_api(
        "POST", f"/bookings/{held['bookingId']}/confirm", body={"paymentMethod": "pm_card_visa"}, claims=MENTEE,
        route_key="POST /bookings/{bookingId}/confirm",
    )
    assert status == 200, booking
    return booking["bookingId"]


def _no_show(booking_api, booking_id, absent, claims):
    status, body = booking_api(
        "POST", f"/bookings/{booking_id}/no-show", body={"absent": absent}, claims=claims,
        route_key="POST /bookings/{bookingId}/no-show",
    )
    assert status == 200, body


def _earnings(mentors_api, query=None, claims=MENTOR):
    return mentors_api("GET", "/mentors/me/earnings", query=query, claims=claims)


def usd(amount):
    return {"amount": amount, "currency": "USD"}


def test_earnings_add_up_across_cancellations_with_partial_refunds_and_no_shows(grace, booking_api, mentors_api, clock):
    kept = _book(booking_api, STARTS[0])
    half = _book(booking_api, STARTS[1])
    mentor_away = _book(booking_api, STARTS[2])
    mentee_away = _book(booking_api, STARTS[3])
    by_mentor = _book(booking_api, STARTS[4])
    clock.moment = STARTS[1] - timedelta(hours=3)  # moderate: half of 12,345 -> 6,173 (half-up)
    assert cancel(booking_api, half)[1]["refund"] == usd(6_173)
    assert cancel(booking_api, by_mentor, claims=MENTOR)[1]["refund"] == usd(PRICE)  # a mentor's cancel: in full
    clock.moment = STARTS[2] + timedelta(minutes=15)
    _no_show(booking_api, mentor_away, "mentor", MENTEE)  # refunds in full
    clock.moment = STARTS[3] + timedelta(minutes=15)
    _no_show(booking_api, mentee_away, "mentee", MENTOR)  # refunds nothing
    clock.moment = STARTS[4] + timedelta(hours=2)

    status, body = _earnings(mentors_api, {**DAY, "tz": "America/Chicago"})
    assert status == 200, body
    refunded = 6_173 + PRICE + PRICE
    assert (body["gross"], body["refunded"], body["net"]) == (usd(5 * PRICE), usd(refunded), usd(5 * PRICE - refunded))
    assert body["byCurrency"] == [{"gross": usd(5 * PRICE), "refunded": usd(refunded), "net": usd(5 * PRICE - refunded)}]
    assert (body["from"], body["to"], body["timezone"], body["sessionCount"]) == (*DAY.values(), "America/Chicago", 5)
    rows = {row["bookingId"]: row for row in body["items"]}
    assert [row["bookingId"] for row in body["items"]] == [kept, half, mentor_away, mentee_away, by_mentor]  # by start
    assert (rows[kept]["status"], rows[kept]["refund"], rows[kept]["net"]) == ("completed", usd(0), usd(PRICE))
    assert (rows[half]["status"], rows[half]["cancelledBy"], rows[half]["refund"], rows[half]["net"]) == (
        "cancelled", "mentee", usd(6_173), usd(PRICE - 6_173)
    )
    assert rows[half]["refundStatus"] == "refunded"  # the StreamFunction gave it back
    assert (rows[mentor_away]["status"], rows[mentor_away]["absent"], rows[mentor_away]["net"]) == ("no_show", "mentor", usd(0))
    assert (rows[mentee_away]["absent"], rows[mentee_away]["refund"], rows[mentee_away]["refundStatus"]) == ("mentee", usd(0), None)
    assert rows[by_mentor]["cancelledBy"] == "mentor" and rows[by_mentor]["net"] == usd(0)
    assert (rows[kept]["start"], rows[kept]["localStart"]) == ("2026-11-26T15:00:00Z", "2026-11-26T09:00:00-06:00")
    # every row reconciles: the sums of the sessions are the totals
    assert sum(row["price"]["amount"] for row in body["items"]) == body["gross"]["amount"]
    assert sum(row["refund"]["amount"] for row in body["items"]) == body["refunded"]["amount"]
    assert sum(row["net"]["amount"] for row in body["items"]) == body["net"]["amount"]


def test_holds_and_ended_holds_are_not_earnings_and_the_window_is_on_start(grace, booking_api, mentors_api, clock):
    confirmed = _book(booking_api, STARTS[0])
    _book(booking_api, STARTS[1], confirm=False)  # held
    released = _book(booking_api, STARTS[2], confirm=False)
    booking_api("POST", f"/bookings/{released}/cancel", body={}, claims=MENTEE, route_key="POST /bookings/{bookingId}/cancel")
    declined = _book(booking_api, STARTS[3], confirm=False)
    status, _ = booking_api(
        "POST", f"/bookings/{declined}/confirm", body={"paymentMethod": "pm_card_chargeDeclined"}, claims=MENTEE,
        route_key="POST /bookings/{bookingId}/confirm",
    )
    assert status == 402
    status, body = _earnings(mentors_api, DAY)
    assert (status, [row["bookingId"] for row in body["items"]], body["gross"]) == (200, [confirmed], usd(PRICE))
    assert body["items"][0]["status"] == "confirmed"  # upcoming: charged, counted
    # [from, to): a session starting exactly at `to` is out, one starting exactly at `from` in
    status, body = _earnings(mentors_api, {"from": "2026-11-26T15:00:00Z", "to": "2026-11-26T15:00:01Z"})
    assert [row["bookingId"] for row in body["items"]] == [confirmed]
    status, body = _earnings(mentors_api, {"from": "2026-11-26T14:00:00Z", "to": "2026-11-26T15:00:00Z"})
    assert (status, body["items"], body["net"]) == (200, [], usd(0))


def test_pages_carry_the_whole_window_totals_and_a_defaulted_window_stays_put(grace, booking_api, mentors_api, clock):
    ids = [_book(booking_api, start) for start in STARTS]
    clock.moment = STARTS[-1] + timedelta(days=1)  # the default window (the last 30 days) holds all five
    status, first = _earnings(mentors_api, {"limit": "2"})
    assert (status, [row["bookingId"] for row in first["items"]], first["sessionCount"]) == (200, ids[:2], 5)
    clock.advance(days=29)  # the next pages continue the window of the first, not a moved one
    seen = list(ids[:2])
    page = first
    while page["nextCursor"]:
        status, page = _earnings(mentors_api, {"limit": "2", "cursor": page["nextCursor"]})
        assert status == 200, page
        assert (page["gross"], page["from"], page["to"]) == (first["gross"], first["from"], first["to"])
        seen += [row["bookingId"] for row in page["items"]]
    assert seen == ids and first["gross"] == usd(5 * PRICE)
    # a cursor belongs to its query
    status, body = _earnings(mentors_api, {**DAY, "limit": "2", "cursor": first["nextCursor"]})
    assert (status, body["error"]["code"], body["error"]["details"][0]["field"]) == (422, "validation_error", "query.cursor")


def test_a_mentor_whose_currency_changed_sees_each_currency_apart(grace, booking_api, mentors_api, clock):
    """PUT /mentors/me takes USD only today, but bookings carry their own currency: were a
    mentor's to change, the sums are kept per currency."""
    _book(booking_api, STARTS[0])
    profile = MentorStore().get_profile("mentor-grace")
    profile.update(actions=[MentorProfile.currency.set("EUR"), MentorProfile.hourly_rate.set(10_001)])
    _book(booking_api, STARTS[1])
    clock.moment = STARTS[1] - timedelta(hours=3)
    cancel(booking_api, _book(booking_api, STARTS[2]))  # EUR, half of 10,001 -> 5,001
    status, body = _earnings(mentors_api, DAY)
    assert status == 200, body
    eur = {"gross": {"amount": 20_002, "currency": "EUR"}, "refunded": {"amount": 5_001, "currency": "EUR"},
           "net": {"amount": 15_001, "currency": "EUR"}}
    assert body["byCurrency"] == [eur, {"gross": usd(PRICE), "refunded": usd(0), "net": usd(PRICE)}]
    assert (body["gross"], body["refunded"], body["net"]) == (eur["gross"], eur["refunded"], eur["net"])  # the current one


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-11-27T00:00:00Z", "to": "2026-11-26T00:00:00Z"}, "query.to"),  # from after to
        ({"from": "2026-11-26T00:00:00Z", "to": "2026-11-26T00:00:00Z"}, "query.to"),  # empty
        ({"from": "2025-11-01T00:00:00Z", "to": "2026-11-03T00:00:00Z"}, "query.to"),  # 367 days
        ({"from": "2026-11-26T00:00:00"}, "query.from"),  # no offset
        ({"to": "yesterday"}, "query.to"),
        ({"from": "9999-01-01T00:00:00Z"}, "query.from"),  # beyond 2200
        ({"limit": "0"}, "query.limit"),
        ({"cursor": "not-a-cursor"}, "query.cursor"),
        ({"tz": "Mars/Olympus"}, "query.tz"),
    ],
)
def test_bad_input_is_a_422_in_the_contract_shape(moto_table, clock, mentors_api, query, field):
    add_mentor("mentor-grace", "Grace Hopper", NOW, rate=PRICE)
    status, body = _earnings(mentors_api, query)
    assert status == 422, body
    assert body["error"]["code"] == "validation_error"
    assert field in [detail["field"] for detail in body["error"]["details"]]


def test_a_window_of_exactly_366_days_is_read(moto_table, clock, mentors_api):
    add_mentor("mentor-grace", "Grace Hopper", NOW, rate=PRICE)
    status, body = _earnings(mentors_api, {"from": "2025-11-24T14:00:00Z", "to": "2026-11-25T14:00:00Z"})
    assert (status, body["items"], body["nextCursor"], body["gross"]) == (200, [], None, usd(0))


def test_a_non_mentor_gets_what_the_other_mentor_routes_give(moto_table, clock, mentors_api):
    status, body = _earnings(mentors_api, claims=MENTEE)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert mentors_api("GET", "/mentors/me/schedule", claims=MENTEE)[0] == 403
    status, body = _earnings(mentors_api, claims=None)
    assert (status, body["error"]["code"]) == (401, "unauthorized")


def test_another_mentors_sessions_are_never_shown(grace, booking_api, mentors_api, clock):
    _book(booking_api, STARTS[0])
    add_mentor("mentor-linus", "Linus", NOW, rate=PRICE)
    status, body = _earnings(mentors_api, DAY, claims={"sub": "mentor-linus", "email": "l@example.com", "name": "Linus"})
    assert (status, body["items"], body["gross"]) == (200, [], usd(0))
