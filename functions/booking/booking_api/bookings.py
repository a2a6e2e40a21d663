"""Holding, paying for and reading a booking (all authenticated; participants only)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from booking_api.schemas import BookingView, CancelIn, ConfirmIn, HoldIn, MeetingLink, NoShowIn, RescheduleIn, ReviewIn
from mentorship import clock
from mentorship.api.caller import Caller, caller_zone, require_caller
from mentorship.api.idempotency import idempotent
from mentorship.api.pagination import TimeZoneName
from mentorship.api.resolver import BEARER
from mentorship.api.schemas import ReviewView, responses
from mentorship.domain.bookings import Booking
from mentorship.domain.calendar import Party
from mentorship.services import booking as bookings
from mentorship.services import sessions

router = APIGatewayHttpRouter()

BookingId = Annotated[str, Path(alias="bookingId", min_length=1, max_length=64)]
IDEMPOTENCY_NOTE = (
    " Send an `Idempotency-Key` header to make retries safe: a replay with the same key and body returns "
    "the first answer; the same key with another body is a 409 `idempotency_key_reused`."
)


def _view(booking: Booking, caller: Caller, tz: str | None = None) -> BookingView:
    zone_name, zone = caller_zone(tz, caller)
    return BookingView.from_booking(booking, zone_name, zone, clock.now(), caller.user_id)


def _json(model: BookingView) -> dict:
    return model.model_dump(by_alias=True, mode="json")


def _run(caller: Caller, route: str, body: dict | None, compute) -> Response:
    event = router.current_event
    return idempotent(event.headers, caller.user_id, route, body or {}, compute, router.lambda_context)


@router.post(
    "/bookings",
    summary="Hold a session",
    description="Holds the 1-3 consecutive slots a 30/60/90-minute session needs for 5 minutes "
    "(`holdExpiresAt`) while the mentee pays. 409 `slot_unavailable` if any is taken; 429 with 3 active "
    "holds; a mentor cannot book themself (422)." + IDEMPOTENCY_NOTE,
    responses=responses(BookingView, 400, 401, 404, 409, 422, 429, 503, status=201, description="Held"),
    security=BEARER,
    tags=["Bookings"],
)
def hold(body: HoldIn) -> Response[dict]:
    caller = require_caller(router.current_event)

    def compute():
        zone_name, _ = caller_zone(body.timezone, caller)
        mentee = Party(caller.user_id, caller.name, caller.email, zone_name)
        request = bookings.SessionRequest(body.mentor_id, body.start, body.duration_minutes, body.topic)
        return 201, _json(_view(bookings.hold_session(mentee, request, clock.now()), caller))

    return _run(caller, "POST /bookings", router.current_event.json_body, compute)


@router.post(
    "/bookings/<bookingId>/confirm",
    summary="Pay for a held session",
    description="Charges the card (mock gateway: `pm_card_visa` succeeds, any `pm_card_*Declined` declines) "
    "and confirms the booking with its meeting URL and the mentor's `cancellationPolicy` as it is now "
    "(the one it keeps). Declined: 402 and the slots are free again. "
    "After the hold expired: 410 and nothing changes. Not held: 409." + IDEMPOTENCY_NOTE,
    responses=responses(BookingView, 400, 401, 402, 403, 404, 409, 410, 422, 503),
    security=BEARER,
    tags=["Bookings"],
)
def confirm(booking_id: BookingId, body: ConfirmIn) -> Response[dict]:
    caller = require_caller(router.current_event)

    def compute():
        booking = bookings.confirm_booking(booking_id, caller.user_id, body.payment_method, clock.now())
        return 200, _json(_view(booking, caller))

    return _run(caller, f"POST /bookings/{booking_id}/confirm", router.current_event.json_body, compute)


@router.post(
    "/bookings/<bookingId>/cancel",
    summary="Cancel a session or release a hold",
    description="Either party: a held booking is released; a confirmed one that has not started is "
    "cancelled (its slots open again, both parties get a METHOD:CANCEL invite, the other party is "
    "notified). The refund follows the booking's `cancellationPolicy` (a mentor's cancel refunds in full): "
    "`refund` says how much, `refundStatus` whether the payment gateway has given it back yet. 409 otherwise.",
    responses=responses(BookingView, 400, 401, 404, 409, 422, 503),
    security=BEARER,
    tags=["Bookings"],
)
def cancel(booking_id: BookingId, body: CancelIn) -> BookingView:
    caller = require_caller(router.current_event)
    booking = sessions.cancel_booking(booking_id, caller.user_id, body.reason, clock.now())
    return _view(booking, caller)


@router.post(
    "/bookings/<bookingId>/no-show",
    summary="Report the other participant absent",
    description="By the participant who was there (reporting yourself absent is a 403), from 10 minutes "
    "after the start until 48 hours after the end, once (409 `invalid_state` otherwise): status "
    "`no_show` with `absent`. The mentor absent refunds the mentee in full; the mentee absent refunds "
    "nothing. A mentee recorded absent cannot review the session; one whose mentor was absent can.",
    responses=responses(BookingView, 400, 401, 403, 404, 409, 422, 503),
    security=BEARER,
    tags=["Bookings"],
)
def no_show(booking_id: BookingId, body: NoShowIn) -> BookingView:
    caller = require_caller(router.current_event)
    booking = sessions.report_no_show(booking_id, caller.user_id, body.absent, clock.now())
    return _view(booking, caller)


@router.post(
    "/bookings/<bookingId>/reschedule",
    summary="Move a session",
    description="Either party moves a confirmed session that has not started to another start of the same "
    "mentor: same id, duration, meeting URL and cancellation policy; the new slots are taken and the old "
    "ones freed at once. A mentee can move it only while cancelling would refund in full (409 after). "
    "409 `slot_unavailable` leaves the booking unchanged.",
    responses=responses(BookingView, 400, 401, 404, 409, 422, 503),
    security=BEARER,
    tags=["Bookings"],
)
def reschedule(booking_id: BookingId, body: RescheduleIn) -> BookingView:
    caller = require_caller(router.current_event)
    booking = sessions.reschedule_booking(booking_id, caller.user_id, body.start, clock.now())
    return _view(booking, caller)


@router.get(
    "/bookings/<bookingId>/join",
    summary="The meeting link",
    description="For a participant of a confirmed session; 409 when there is no meeting to join.",
    responses=responses(MeetingLink, 401, 404, 409, 422),
    security=BEARER,
    tags=["Bookings"],
)
def join(booking_id: BookingId) -> MeetingLink:
    caller = require_caller(router.current_event)
    return MeetingLink(meeting_url=sessions.meeting_url_for(booking_id, caller.user_id, clock.now()))


@router.post(
    "/bookings/<bookingId>/review",
    summary="Review a session",
    description="Only the mentee, only after the session ended, once (409 `already_reviewed`); "
    "rating 1-5, comment up to 2,000 characters.",
    responses=responses(ReviewView, 400, 401, 403, 404, 409, 422, 503, status=201, description="Created"),
    security=BEARER,
    tags=["Bookings"],
)
def review(booking_id: BookingId, body: ReviewIn) -> Response[ReviewView]:
    caller = require_caller(router.current_event)
    review = sessions.review_session(booking_id, caller.user_id, body.rating, body.comment.strip(), clock.now())
    return Response(status_code=201, content_type="application/json", body=ReviewView.from_review(review))


@router.get(
    "/bookings/<bookingId>",
    summary="A booking",
    description="For its mentee or mentor; anyone else gets 404.",
    responses=responses(BookingView, 401, 404, 422),
    security=BEARER,
    tags=["Bookings"],
)
def get_booking(booking_id: BookingId, tz: TimeZoneName = None) -> BookingView:
    caller = require_caller(router.current_event)
    booking = bookings.booking_for_participant(booking_id, caller.user_id)
    return _view(booking, caller, tz)
