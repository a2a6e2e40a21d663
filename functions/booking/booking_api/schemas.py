"""Request and response shapes of the booking routes (the OpenAPI document is generated from these)."""

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from mentorship.api.schemas import ApiModel, EnumValue, Instant, JsonInteger, Money, RequestModel, Text, ZoneName
from mentorship.domain.bookings import BookingStatus
from mentorship.domain.instants import format_local, format_utc, from_epoch_seconds
from mentorship.gateways.payment import PaymentMethod
from mentorship.services.booking import status_of
from mentorship.store.models import Booking as BookingItem
from mentorship.store.models import Notification as NotificationItem


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


class BookingList(ApiModel):
    items: list[BookingView]
    next_cursor: str | None


class HoldIn(RequestModel):
    mentor_id: Annotated[str, Field(min_length=1, max_length=128)]
    start: Instant
    duration_minutes: Annotated[Literal[30, 60, 90], JsonInteger]
    topic: Annotated[Text, Field(max_length=5000, description="10-1,000 characters after trimming")]
    timezone: ZoneName | None = Field(default=None, description="Your IANA zone for emails; default: token's zoneinfo, else UTC")


class ConfirmIn(RequestModel):
    payment_method: Annotated[
        PaymentMethod,
        EnumValue,
        Field(description="A test method of the mock gateway: the `...Declined...` ones decline"),
    ]


class CancelIn(RequestModel):
    reason: Annotated[Text | None, Field(max_length=500)] = None


class Notification(ApiModel):
    notification_id: str
    type: str
    title: str
    body: str
    url: str | None
    created_at: str

    @classmethod
    def from_item(cls, item: NotificationItem) -> "Notification":
        return cls(
            notification_id=item.notification_id,
            type=item.notification_type,
            title=item.title,
            body=item.body,
            url=item.url,
            created_at=format_utc(item.created_at),
        )


class NotificationList(ApiModel):
    items: list[Notification]
    next_cursor: str | None


class MeetingLink(ApiModel):
    meeting_url: str


class RescheduleIn(RequestModel):
    start: Instant


class ReviewIn(RequestModel):
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[Text, Field(max_length=2000)]
