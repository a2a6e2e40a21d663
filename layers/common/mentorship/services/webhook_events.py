"""The event records a booking change writes for integrators, in the change's own transaction.

Each use case adds the record to what its repository call writes (the hold's and the review's
`events`, the confirm's, cancel's and reschedule's messages), so a booking never changes without
its event and no event exists for a change that rolled back. The record carries each
participant's own `data` (the booking in their view and zone, built by the API's `BookingView`),
so fanning out needs neither the booking nor the API models. A new event type (issue 15's
`booking.no_show`) is one more `booking_event(EventType.BOOKING_NO_SHOW, booking, now)` in its
use case.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from mentorship.domain.instants import format_utc
from mentorship.domain.reviews import Review
from mentorship.domain.webhooks import EventType
from mentorship.store.bookings import booking_of
from mentorship.store.models import BookingItem, WebhookEvent
from mentorship.store.webhooks import event_item


def _booking_data(
    booking: BookingItem, viewer_id: str, zone_name: str, now: datetime, previous_start: datetime | None
) -> str:
    from mentorship.api.booking_view import BookingView  # pydantic: the stream and reminder runs never load it

    view = BookingView.from_booking(booking_of(booking), zone_name, ZoneInfo(zone_name), now, viewer_id)
    data = {"booking": view.model_dump(mode="json", by_alias=True)}
    if previous_start is not None:
        data["previousStart"] = format_utc(previous_start)
    return json.dumps(data, separators=(",", ":"))


def _event(event_type: EventType, booking: BookingItem, now: datetime, mentee_data: str, mentor_data: str) -> WebhookEvent:
    return event_item(
        f"evt_{uuid.uuid4().hex}",
        event_type.value,
        booking.booking_id,
        booking.mentee_id,
        booking.mentor_id,
        mentee_data=mentee_data,
        mentor_data=mentor_data,
        now=now,
    )


def booking_event(
    event_type: EventType, booking: BookingItem, now: datetime, previous_start: datetime | None = None
) -> WebhookEvent:
    """`booking` as the change leaves it (status, start); `previous_start` for a reschedule. The
    mentee's webhooks see it in the mentee's zone, the mentor's in the mentor's."""
    return _event(
        event_type,
        booking,
        now,
        mentee_data=_booking_data(booking, booking.mentee_id, booking.mentee_timezone, now, previous_start),
        mentor_data=_booking_data(booking, booking.mentor_id, booking.mentor_timezone, now, previous_start),
    )


def review_event(review: Review, booking: BookingItem, now: datetime) -> WebhookEvent:
    from mentorship.api.schemas import ReviewView

    data = json.dumps(
        {"review": ReviewView.from_review(review).model_dump(mode="json", by_alias=True), "bookingId": booking.booking_id},
        separators=(",", ":"),
    )
    return _event(EventType.REVIEW_CREATED, booking, now, mentee_data=data, mentor_data=data)
