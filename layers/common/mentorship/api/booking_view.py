"""The Booking a participant sees: one builder for the API's answers and the webhooks' bodies,
so a webhook shows its recipient exactly what that person's own GET would (`viewer_id` decides
what only the mentee may see). Built from the domain's `Booking` (`store.bookings.booking_of`
reads it from the row), never from the row itself."""

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from mentorship.api.schemas import ApiModel, EnumValue, Money
from mentorship.domain.bookings import Booking, BookingStatus
from mentorship.domain.commitments import CancellationPolicy, Role
from mentorship.domain.instants import format_local, format_utc


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
    cancellation_policy: Annotated[CancellationPolicy, EnumValue] = Field(
        description="While held, the mentor's policy at the hold; from the confirm on, the one the mentor had when it "
        "was confirmed, kept through reschedules and later changes of the mentor's policy"
    )
    cancelled_by: Literal["mentee", "mentor"] | None = Field(default=None, description="Only once cancelled")
    refund: Money | None = Field(
        default=None,
        description="Once cancelled (or marked no-show): what the cancel gives back to the mentee, 0 when nothing",
    )
    refund_status: Literal["pending", "refunded"] | None = Field(
        default=None,
        description="While the payment gateway has not yet given `refund` back (`pending`, retried by the server, "
        "`refundAttempts` failed so far) and after (`refunded`); absent when the refund is 0",
    )
    refund_attempts: int | None = Field(default=None, description="Failed refund attempts, while pending")
    absent: Literal["mentee", "mentor"] | None = Field(default=None, description="Only once marked no_show")
    refund_if_cancelled_now: Money | None = Field(
        default=None, description="Confirmed bookings, the mentee's view only: what a cancel now would refund"
    )

    @classmethod
    def from_booking(cls, booking: Booking, zone_name: str, zone: ZoneInfo, now: datetime, viewer_id: str) -> "BookingView":
        status = booking.status_at(now)
        held = status is BookingStatus.HELD
        settled = status in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
        pending = booking.refund_state == "pending"
        price = booking.price
        return cls(
            booking_id=booking.booking_id,
            status=status,
            mentor_id=booking.mentor_id,
            mentor_name=booking.mentor_name,
            mentee_id=booking.mentee_id,
            mentee_name=booking.mentee_name,
            start=format_utc(booking.start),
            end=format_utc(booking.end),
            local_start=format_local(booking.start, zone),
            local_end=format_local(booking.end, zone),
            timezone=zone_name,
            duration_minutes=booking.duration_minutes,
            price=Money(amount=price.amount, currency=price.currency),
            topic=booking.topic,
            hold_expires_at=format_utc(booking.hold_expires_at) if held and booking.hold_expires_at else None,
            meeting_url=booking.meeting_url if status is BookingStatus.CONFIRMED else None,
            created_at=format_utc(booking.created_at),
            cancellation_policy=booking.cancellation_policy,
            cancelled_by=booking.cancelled_by if status is BookingStatus.CANCELLED else None,
            refund=Money(amount=booking.refund_amount or 0, currency=price.currency) if settled else None,
            refund_status=booking.refund_state if settled and booking.refund_state else None,
            refund_attempts=booking.refund_attempts if settled and pending else None,
            absent=booking.absent if status is BookingStatus.NO_SHOW else None,
            refund_if_cancelled_now=_refund_now(booking, now) if status is BookingStatus.CONFIRMED and viewer_id == booking.mentee_id else None,
        )


def _refund_now(booking: Booking, now: datetime) -> Money:
    """0 once the session has started (it can no longer be cancelled)."""
    if booking.start <= now:
        return Money(amount=0, currency=booking.price.currency)
    refund = booking.refund_if_cancelled(Role.MENTEE, now)
    return Money(amount=refund.amount, currency=refund.currency)
