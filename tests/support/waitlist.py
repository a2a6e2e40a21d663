"""Shared by the waitlist tests: mentees, and the waitlist routes called through BookingFunction."""

from __future__ import annotations

from datetime import UTC, datetime

BEN = {"sub": "mentee-ben", "email": "ben@example.com", "name": "Ben Bitdiddle", "zoneinfo": "America/New_York"}
CY = {"sub": "mentee-cy", "email": "cy@example.com", "name": "Cy D. Fect", "zoneinfo": "Asia/Tokyo"}
DEE = {"sub": "mentee-dee", "email": "dee@example.com", "name": "Dee Fault"}
TOPIC = "Staff engineer growth"


def join(booking_api, claims, *, mentor_id="mentor-grace", minutes=60, topic=TOPIC, **window):
    """POST /mentors/{mentorId}/waitlist with `from`/`to` (instants or RFC 3339 text)."""
    body = {
        key: value.isoformat() if isinstance(value, datetime) else value for key, value in window.items()
    } | {"durationMinutes": minutes, "topic": topic}
    return booking_api(
        "POST", f"/mentors/{mentor_id}/waitlist", body=body, claims=claims, route_key="POST /mentors/{mentorId}/waitlist"
    )


def my_waitlist(booking_api, claims):
    return booking_api("GET", "/me/waitlist", claims=claims, route_key="GET /me/waitlist")


def offers_in_inbox(booking_api, claims) -> list[dict]:
    status, inbox = booking_api("GET", "/me/notifications", claims=claims, route_key="GET /me/notifications")
    assert status == 200, inbox
    return [entry for entry in inbox["items"] if entry["type"] == "waitlist_offer"]


def hold_body(start: datetime, minutes: int = 60, topic: str = "Another session") -> dict:
    return {"mentorId": "mentor-grace", "start": start.astimezone(UTC).isoformat(), "durationMinutes": minutes, "topic": topic}
