"""The Booking a participant sees: one builder for the API's answers and the webhooks' bodies,
so a webhook shows its recipient exactly what that person's own GET would."""

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import Field

from mentorship.api.schemas import ApiModel, Money
from mentorship.domain.bookings import BookingStatus
from mentorship.domain.instants import format_local, format_utc, from_epoch_seconds
from mentorship.services.booking import status_of
from mentorship.store.models import Booking as BookingItem


class BookingView(ApiModel):
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
    def from_item(cls, item: BookingItem, zone_name: str, zone: ZoneInfo, now: datetime) -> "BookingView":
        status = status_of(item, now)
        held = status is BookingStatus.HELD
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
            hold_expires_at=format_utc(from_epoch_seconds(item.hold_expires_at)) if held else None,
            meeting_url=item.meeting_url if status is BookingStatus.CONFIRMED else None,
            created_at=format_utc(item.created_at),
        )
