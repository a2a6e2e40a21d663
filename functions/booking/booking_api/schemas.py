"""Request and response shapes of the booking routes (the OpenAPI document is generated from these)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import Field

from mentorship.api.schemas import ApiModel, Money
from mentorship.domain.bookings import BookingStatus, effective_status
from mentorship.domain.instants import format_local, format_utc
from mentorship.store.models import Booking as BookingItem


class Booking(ApiModel):
    booking_id: str
    status: BookingStatus
    mentor_id: str
    mentor_name: str
    mentee_id: str
    mentee_name: str
    start: str = Field(description="UTC, RFC 3339 with Z")
    end: str
    local_start: str = Field(description="`start` in `timezone`, with its offset")
    local_end: str
    timezone: str
    duration_minutes: int
    price: Money
    topic: str
    hold_expires_at: str | None = Field(default=None, description="Only while held")
    meeting_url: str | None = Field(default=None, description="Only once confirmed")
    created_at: str

    @classmethod
    def from_item(cls, item: BookingItem, zone_name: str, zone: ZoneInfo, now: datetime) -> "Booking":
        hold_expires_at = (
            datetime.fromtimestamp(int(item.hold_expires_at), UTC) if item.hold_expires_at is not None else None
        )
        status = effective_status(item.status, item.end, hold_expires_at, now)
        return cls(
            booking_id=item.booking_id,
            status=status,
            mentor_id=item.mentor_id,
            mentor_name=item.mentor_name,
            mentee_id=item.mentee_id,
            mentee_name=item.mentee_name,
            start=format_utc(item.start),
            end=format_utc(item.end),
            local_start=format_local(item.start, zone),
            local_end=format_local(item.end, zone),
            timezone=zone_name,
            duration_minutes=int(item.duration_minutes),
            price=Money(amount=int(item.price_amount), currency=item.currency),
            topic=item.topic,
            hold_expires_at=format_utc(hold_expires_at) if status is BookingStatus.HELD and hold_expires_at else None,
            meeting_url=item.meeting_url if status is BookingStatus.CONFIRMED else None,
            created_at=format_utc(item.created_at),
        )


class BookingList(ApiModel):
    items: list[Booking]
    next_cursor: str | None
