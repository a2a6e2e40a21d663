"""Shared by the commitment tests (cancellation refunds, no-shows) and others that need a
confirmed session: a mentor with a known price and a moderate policy, a confirmed booking through
BookingFunction, and reading it back."""

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.store.models import Charge, booking_pk
from tests.support.factories import add_mentor, add_slots

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 49 h after NOW
MENTEE = {"sub": "mentee-ada", "email": "ada@example.com", "name": "Ada Lovelace", "zoneinfo": "Europe/Berlin"}
MENTOR = {"sub": "mentor-grace", "email": "grace@example.com", "name": "Grace Hopper"}
PRICE = 12_345  # one hour at the rate below; half of it is 6,172.5 -> 6,173
PROFILE = {
    "company": "Navy", "jobTitle": "Staff Engineer", "bio": "Compilers and careers.", "specialties": ["compilers"],
    "yearsOfExperience": 12, "hourlyRate": {"amount": PRICE, "currency": "USD"}, "timezone": "America/Chicago",
}


@pytest.fixture
def mentor(table, clock, outbox):
    add_mentor("mentor-grace", "Grace Hopper", NOW, rate=PRICE, timezone="America/Chicago")
    add_slots("mentor-grace", [START + timedelta(minutes=30 * n) for n in range(4)], NOW)


def booked(booking_api):
    body = {"mentorId": "mentor-grace", "start": START.isoformat(), "durationMinutes": 60, "topic": "Staff engineer growth"}
    return hold_and_confirm(booking_api, body, MENTEE)


def hold_and_confirm(booking_api, body, claims):
    """POST /bookings with `body` as `claims`, then pay with a card that succeeds: the confirmed
    booking as BookingFunction answers it."""
    status, held = booking_api("POST", "/bookings", body=body, claims=claims)
    assert status == 201, held
    status, booking = booking_api(
        "POST", f"/bookings/{held['bookingId']}/confirm", body={"paymentMethod": "pm_card_visa"}, claims=claims,
        route_key="POST /bookings/{bookingId}/confirm",
    )
    assert status == 200, booking
    return booking


def cancel(booking_api, booking_id, claims=MENTEE):
    return booking_api(
        "POST", f"/bookings/{booking_id}/cancel", body={}, claims=claims, route_key="POST /bookings/{bookingId}/cancel"
    )


def read(booking_api, booking_id, claims=MENTEE):
    status, body = booking_api("GET", f"/bookings/{booking_id}", claims=claims, route_key="GET /bookings/{bookingId}")
    assert status == 200, body
    return body


def charge_of(booking_id) -> Charge:
    return Charge.get(booking_pk(booking_id), "CHARGE", consistent_read=True)
