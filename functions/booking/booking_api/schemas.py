"""Request and response shapes of the booking routes (the OpenAPI document is generated from these)."""

from typing import Annotated, Literal

from pydantic import Field

from mentorship.api.booking_view import BookingView  # noqa: F401 - the routes import it from here
from mentorship.api.schemas import ApiModel, EnumValue, Instant, JsonInteger, RequestModel, Text, ZoneName
from mentorship.domain.commitments import Role
from mentorship.domain.instants import format_utc
from mentorship.gateways.payment import PaymentMethod
from mentorship.store.models import Notification as NotificationItem


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


class NoShowIn(RequestModel):
    absent: Annotated[Role, EnumValue] = Field(description="Who did not come: the other participant, never yourself")


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
