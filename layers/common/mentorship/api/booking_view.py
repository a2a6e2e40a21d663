"""The Booking a participant sees: one builder for the API's answers and the webhooks' bodies,
so a webhook shows its recipient exactly what that person's own GET would (`viewer_id` decides
what only the mentee may see)."""

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from mentorship.api.schemas import ApiModel, EnumValue, Money
from mentorship.domain.bookings import BookingStatus
from mentorship.domain.commitments import CancellationPolicy, Role, policy_of
from mentorship.domain.instants import format_local, format_utc, from_epoch_seconds
from mentorship.services.booking import refund_if_cancelled, status_of
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
    def from_item(cls, item: BookingItem, zone_name: str, zone: ZoneInfo, now: datetime, viewer_id: str) -> "BookingView":
        status = status_of(item, now)
        held = status is BookingStatus.HELD
        settled = status in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
        pending = item.refund_state == "pending"
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
            cancellation_policy=policy_of(item.cancellation_policy),
            cancelled_by=item.cancelled_by if status is BookingStatus.CANCELLED else None,
            refund=Money(amount=int(item.refund_amount or 0), currency=item.currency) if settled else None,
            refund_status=item.refund_state if settled and item.refund_state else None,
            refund_attempts=int(item.refund_attempts or 0) if settled and pending else None,
            absent=item.absent if status is BookingStatus.NO_SHOW else None,
            refund_if_cancelled_now=_refund_now(item, now) if status is BookingStatus.CONFIRMED and viewer_id == item.mentee_id else None,
        )


def _refund_now(item: BookingItem, now: datetime) -> Money:
    """0 once the session has started (it can no longer be cancelled)."""
    if item.start <= now:
        return Money(amount=0, currency=item.currency)
    refund = refund_if_cancelled(item, Role.MENTEE, now)
    return Money(amount=refund.amount, currency=refund.currency)
