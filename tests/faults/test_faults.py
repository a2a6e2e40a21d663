"""Fault injection: DynamoDB throttling and transaction conflicts, SES throttling and rejection,
and crashes at the worst moments of confirm and of the email outbox.

Every fault must end in a clean answer (a 4xx, or 503 `service_unavailable` with Retry-After) or
in work a later run finishes, and never in a lost booking, a double booking, a double charge, a
charge without a booking, or a duplicate email beyond the one window the design admits.

How the faults are made (tests/faults/injection.py): DynamoDB and SES errors are injected on the
wire, under botocore, as the services send them, so botocore's retries, pynamodb's error
conversion and the product's error map all run for real (botocore only skips its back-off
sleeps). Crashes are a BaseException raised at the chosen line, which nothing in the product or
in Powertools catches: the invocation ends there, as a killed Lambda would.

Backends: DynamoDB Local where transactions, conditions or concurrency decide the outcome; moto
for the SES tests (the real SesEmailSender against moto's SES) and the outbox crashes.
"""

from __future__ import annotations

import json
import threading
from email.utils import getaddresses
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mentorship import gateways
from mentorship.domain.bookings import Booking
from mentorship.domain.calendar import Party
from mentorship.domain.instants import format_utc
from mentorship.gateways.payment import MockPaymentGateway
from mentorship.store.charges import TableChargeRecords
from mentorship.services import booking as booking_service
from mentorship.store.booking_writes import BookingWrites
from mentorship.store.models import (
    BookingItem,
    Charge,
    MentorProfile,
    PendingEmail,
    SlotLock,
    TableItem,
    UserHold,
    booking_pk,
    mentor_pk,
)
from mentorship.store.outbox import LEASE
from tests.faults.injection import (
    AwsFaults,
    Rule,
    SimulatedCrash,
    mentions,
    ses_error,
    throughput_exceeded,
    transaction_conflict,
)
from tests.support.factories import add_mentor, add_slots
from tests.support.fakes import RecordingPushSender
from tests.support.lambda_helpers import LambdaContext
from tests.support.streams import deliver

MENTOR_ID = "mentor-grace"
MENTOR_EMAIL = f"{MENTOR_ID}@example.com"  # what tests.support.factories.add_mentor gives her
MENTEE = {"sub": "mentee-ada", "email": "ada@example.com", "name": "Ada Lovelace", "zoneinfo": "Europe/Berlin"}
RIVAL = Party("mentee-bob", "Bob", "bob@example.com", "UTC")
MENTOR_CLAIMS = {"sub": MENTOR_ID, "email": MENTOR_EMAIL, "name": "Grace Hopper"}
TOPIC = "Moving from senior to staff engineer"
DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


# --------------------------------------------------------------------------------------------
# Calling the functions the way API Gateway does, and reading what was stored
# --------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: dict | None
    headers: dict[str, str]  # lower-case names

    @property
    def code(self) -> str | None:
        return (self.body or {}).get("error", {}).get("code")


@pytest.fixture
def api(http_event):
    from functions.booking.app import lambda_handler as booking_function
    from functions.mentors.app import lambda_handler as mentors_function

    handlers = {"booking": booking_function, "mentors": mentors_function}

    def call(function: str, method: str, path: str, *, context=None, **kwargs) -> Answer:
        response = handlers[function](http_event(method, path, **kwargs), context or LambdaContext())
        deliver()  # then the StreamFunction on what the call wrote, as a moment later in AWS
        body = response.get("body")
        headers = {name.lower(): value for name, value in (response.get("headers") or {}).items()}
        return Answer(response["statusCode"], json.loads(body) if body else None, headers)

    return call


def hold(api, start: datetime, *, minutes: int = 60, claims=MENTEE, headers=None) -> Answer:
    body = {"mentorId": MENTOR_ID, "start": format_utc(start), "durationMinutes": minutes, "topic": TOPIC}
    return api("booking", "POST", "/bookings", body=body, claims=claims, headers=headers)


def confirm(api, booking_id: str, *, claims=MENTEE, headers=None, context=None) -> Answer:
    return api(
        "booking",
        "POST",
        f"/bookings/{booking_id}/confirm",
        route_key="POST /bookings/{bookingId}/confirm",
        body={"paymentMethod": "pm_card_visa"},
        claims=claims,
        headers=headers,
        context=context,
    )


def assert_retry_later(answer: Answer) -> None:
    """503 `service_unavailable` in the contract's error shape, with a usable Retry-After."""
    assert answer.status == 503, answer
    assert set(answer.body) == {"error"} and answer.code == "service_unavailable", answer
    assert answer.headers.get("content-type", "").startswith("application/json"), answer
    assert int(answer.headers["retry-after"]) >= 1, answer


def stored(kind: type[TableItem]) -> list:
    """Every item of one kind in the table (a test may scan; the product may not)."""
    return [item for item in TableItem.scan(consistent_read=True) if isinstance(item, kind)]


def booking_item(booking_id: str) -> BookingItem:
    return BookingItem.get(booking_pk(booking_id), "BOOKING", consistent_read=True)


def locks_of(booking_id: str) -> list[SlotLock]:
    return [lock for lock in stored(SlotLock) if lock.booking_id == booking_id]


def charges() -> list[Charge]:
    return stored(Charge)


def total_sessions() -> int:
    return int(MentorProfile.get(mentor_pk(MENTOR_ID), "PROFILE", consistent_read=True).total_sessions)


def run_scheduled(at: datetime) -> dict:
    from functions.reminders.app import lambda_handler as scheduled_run

    return scheduled_run({"time": at.strftime("%Y-%m-%dT%H:%M:%SZ")}, LambdaContext())


def transact_items(payload) -> int:
    return len(payload["TransactItems"])


def is_confirm_transaction(payload) -> bool:
    """Confirm's TransactWriteItems is the one that sets a booking's status to confirmed."""
    return isinstance(payload, dict) and "TransactItems" in payload and mentions(payload, '{"S": "confirmed"}')


def in_another_instance(work) -> None:
    """Run `work` as another Lambda instance would: its own thread, finished before we go on."""
    failure: list[BaseException] = []

    def run():
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            failure.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


class CountingPayments:
    """The real mock gateway (idempotent on the booking id), counting what confirm asks of it."""

    def __init__(self) -> None:
        self.inner = MockPaymentGateway(TableChargeRecords())
        self.charge_ids: list[str] = []
        self.refunds = 0

    def charge(self, key, amount, currency, payment_method, now):
        result = self.inner.charge(key, amount, currency, payment_method, now)
        self.charge_ids.append(result.charge_id)
        return result

    def refund(self, key, now, amount=None):
        self.refunds += 1
        self.inner.refund(key, now, amount)


@pytest.fixture
def payments():
    counting = CountingPayments()
    gateways.use(payment=counting)
    yield counting
    gateways.use()


# --------------------------------------------------------------------------------------------
# Setups: a mentor with six open slots two days ahead, on DynamoDB Local or on moto
# --------------------------------------------------------------------------------------------


@pytest.fixture
def start(now) -> datetime:
    return now + timedelta(days=2)


@pytest.fixture
def mentor_on_dynamodb_local(local_table, aws_faults, no_sdk_backoff, now, start, outbox):
    """Requested after `aws_faults`, so every DynamoDB client the test makes consults it."""
    add_mentor(MENTOR_ID, "Grace Hopper", now)
    add_slots(MENTOR_ID, [start + timedelta(minutes=30 * n) for n in range(6)], now)


@pytest.fixture
def mentor_on_moto(moto_table, now, start):
    add_mentor(MENTOR_ID, "Grace Hopper", now)
    add_slots(MENTOR_ID, [start + timedelta(minutes=30 * n) for n in range(6)], now)


# ============================================================================================
# 1. DynamoDB throttling on a request path
# ============================================================================================


@pytest.mark.dynamodb_local
def test_a_throttled_directory_query_is_a_503_with_retry_after(mentor_on_dynamodb_local, aws_faults, api):
    rule = aws_faults.add(Rule("dynamodb", "Query", lambda _: throughput_exceeded()))
    answer = api("mentors", "GET", "/mentors")
    assert_retry_later(answer)
    assert rule.hits > 1, "botocore gives up on a throttled call only after its own retries"

    aws_faults.clear()  # the table has capacity again: the same request works
    answer = api("mentors", "GET", "/mentors")
    assert answer.status == 200 and [card["mentorId"] for card in answer.body["items"]] == [MENTOR_ID]


@pytest.mark.dynamodb_local
def test_a_brief_throttle_is_absorbed_by_the_sdk_retries(mentor_on_dynamodb_local, aws_faults, api):
    rule = aws_faults.add(Rule("dynamodb", "Query", lambda _: throughput_exceeded(), times=1))
    answer = api("mentors", "GET", "/mentors")
    assert answer.status == 200 and answer.body["count"] == 1
    assert rule.hits == 1


@pytest.mark.dynamodb_local
def test_a_throttled_hold_is_a_503_and_writes_nothing(mentor_on_dynamodb_local, aws_faults, api, mentors_api, start):
    rule = aws_faults.add(Rule("dynamodb", "TransactWriteItems", lambda _: throughput_exceeded()))
    assert_retry_later(hold(api, start))
    assert rule.hits > 1
    # all or nothing: no lock without a booking, no booking without its locks, no hold place taken
    assert stored(SlotLock) == [] and stored(BookingItem) == [] and stored(UserHold) == []

    aws_faults.clear()
    answer = hold(api, start)
    assert answer.status == 201, answer
    booking_id = answer.body["bookingId"]
    assert sorted(format_utc(lock.start) for lock in locks_of(booking_id)) == [
        format_utc(start),
        format_utc(start + timedelta(minutes=30)),
    ]
    assert len(stored(SlotLock)) == 2 and len(stored(BookingItem)) == 1 and len(stored(UserHold)) == 1


@pytest.mark.dynamodb_local
def test_a_throttled_confirm_is_a_503_and_a_retry_books_and_charges_once(
    mentor_on_dynamodb_local, aws_faults, api, payments, outbox, start
):
    booking_id = hold(api, start).body["bookingId"]
    aws_faults.add(Rule("dynamodb", "TransactWriteItems", lambda _: throughput_exceeded(), when=is_confirm_transaction))
    assert_retry_later(confirm(api, booking_id))
    assert booking_item(booking_id).status == "held"
    assert all(not lock.booked for lock in locks_of(booking_id)) and len(locks_of(booking_id)) == 2
    assert stored(PendingEmail) == [] and outbox.email.sent == []

    aws_faults.clear()
    answer = confirm(api, booking_id)
    assert answer.status == 200 and answer.body["status"] == "confirmed", answer
    assert len(set(payments.charge_ids)) == 1, "the retry must reuse the first charge"
    (charge,) = charges()
    assert charge.outcome == "succeeded" and booking_item(booking_id).payment_reference == charge.charge_id
    assert all(lock.booked for lock in locks_of(booking_id)) and total_sessions() == 1
    assert sorted(d[0] for d, _ in outbox.email.sent) == sorted([MENTEE["email"], MENTOR_EMAIL])


@pytest.mark.dynamodb_local
def test_a_throttled_idempotency_store_is_a_503_not_a_500(mentor_on_dynamodb_local, aws_faults, api, local_table, start):
    """POST /bookings with an Idempotency-Key first writes an in-progress record to the
    idempotency table (Powertools). Throttling there is throttling like any other: 503 + Retry-After,
    and nothing booked."""
    idempotency_table = local_table["IdempotencyTable"]
    aws_faults.add(
        Rule(
            "dynamodb",
            "PutItem",
            lambda _: throughput_exceeded(),
            when=lambda payload: isinstance(payload, dict) and payload.get("TableName") == idempotency_table,
        )
    )
    answer = hold(api, start, headers={"Idempotency-Key": "hold-1"})
    assert stored(BookingItem) == [] and stored(SlotLock) == []
    assert_retry_later(answer)


def test_the_503_answer_is_documented_wherever_throttling_can_reach():
    """Every operation reads or writes DynamoDB, so every one can answer 503 + Retry-After (the
    error map turns throttling into that on any route, as the tests above show for GET /mentors).
    A client generated from the document should know it; today only some operations list it."""
    paths = json.loads(DOCUMENT.read_text())["paths"]
    missing = sorted(
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "503" not in operation["responses"]
    )
    assert missing == [], f"operations whose documented responses lack 503: {missing}"


# ============================================================================================
# 2. Transaction conflicts on hold and confirm
# ============================================================================================


@pytest.mark.dynamodb_local
def test_a_hold_that_collides_with_another_transaction_is_retried_and_succeeds(
    mentor_on_dynamodb_local, aws_faults, api, start
):
    rule = aws_faults.add(
        Rule(
            "dynamodb",
            "TransactWriteItems",
            lambda payload: transaction_conflict(transact_items(payload)),
            when=lambda payload: mentions(payload, MENTEE["sub"]),
            times=2,
        )
    )
    answer = hold(api, start)
    assert answer.status == 201, answer
    assert rule.hits == 2
    assert len(stored(BookingItem)) == 1 and len(locks_of(answer.body["bookingId"])) == 2 and len(stored(UserHold)) == 1


@pytest.mark.dynamodb_local
def test_lasting_contention_on_a_hold_is_a_503_and_writes_nothing(mentor_on_dynamodb_local, aws_faults, api, start):
    rule = aws_faults.add(
        Rule("dynamodb", "TransactWriteItems", lambda payload: transaction_conflict(transact_items(payload)))
    )
    assert_retry_later(hold(api, start))
    assert rule.hits > 1, "retried (store.transactions.retry_on_contention) before the client is asked to"
    assert stored(SlotLock) == [] and stored(BookingItem) == [] and stored(UserHold) == []


@pytest.mark.dynamodb_local
def test_a_hold_that_collides_with_a_rival_hold_gets_a_definite_409_and_no_double_booking(
    mentor_on_dynamodb_local, aws_faults, api, now, start
):
    """The transaction Ada's hold collides with is Bob's hold of the same slots, which commits. Ada's
    retry then meets Bob's locks: a definite 409 slot_unavailable, not a second hold."""
    rival: list[Booking] = []
    request = booking_service.SessionRequest(MENTOR_ID, start, 60, TOPIC)
    aws_faults.add(
        Rule(
            "dynamodb",
            "TransactWriteItems",
            lambda payload: transaction_conflict(transact_items(payload)),
            when=lambda payload: mentions(payload, MENTEE["sub"]),
            times=1,
            before=lambda: in_another_instance(lambda: rival.append(booking_service.hold_session(RIVAL, request, now))),
        )
    )
    answer = hold(api, start)
    assert (answer.status, answer.code) == (409, "slot_unavailable"), answer
    (bob,) = rival
    assert [booking.booking_id for booking in stored(BookingItem)] == [bob.booking_id]
    assert {lock.booking_id for lock in stored(SlotLock)} == {bob.booking_id} and len(stored(SlotLock)) == 2
    assert [place.user_id for place in stored(UserHold)] == [RIVAL.user_id]


def lasting_conflict(when, before) -> Rule:
    """Every matching TransactWriteItems collides; `before` (the rival's write) runs first."""
    return Rule(
        "dynamodb", "TransactWriteItems", lambda payload: transaction_conflict(transact_items(payload)), when=when, before=before
    )


@pytest.mark.dynamodb_local
def test_a_hold_still_colliding_after_a_rival_won_the_slot_is_a_409_not_a_503(
    mentor_on_dynamodb_local, aws_faults, api, now, start
):
    """Under load the losers of a crowded race keep colliding with each other after the winner
    committed (tests/integration/test_booking_races.py once saw a 503 so). Here every attempt of
    Ada's collides; Bob's hold commits before the first collision. Ada's answer is decided (the
    slots are Bob's): 409 at once, after one read of the locks, not a 503 after her retries."""
    rival: list[Booking] = []
    request = booking_service.SessionRequest(MENTOR_ID, start, 60, TOPIC)
    rule = aws_faults.add(
        lasting_conflict(
            lambda payload: mentions(payload, MENTEE["sub"]),
            lambda: in_another_instance(lambda: rival.append(booking_service.hold_session(RIVAL, request, now))),
        )
    )
    answer = hold(api, start)
    assert (answer.status, answer.code) == (409, "slot_unavailable"), answer
    assert rule.hits == 1
    (bob,) = rival
    assert {lock.booking_id for lock in stored(SlotLock)} == {bob.booking_id}


@pytest.mark.dynamodb_local
def test_a_confirm_still_colliding_after_a_concurrent_confirm_won_is_a_409_and_charges_once(
    mentor_on_dynamodb_local, aws_faults, api, payments, now, start
):
    """The same for two confirms of one booking (a double-click in two instances): the one that
    keeps colliding reads that the booking is confirmed and answers 409, keeping the one charge."""
    booking_id = hold(api, start).body["bookingId"]
    rule = aws_faults.add(
        lasting_conflict(
            lambda payload: is_confirm_transaction(payload) and threading.current_thread() is threading.main_thread(),
            lambda: in_another_instance(lambda: booking_service.confirm_booking(booking_id, MENTEE["sub"], "pm_card_visa", now)),
        )
    )
    answer = confirm(api, booking_id)
    assert (answer.status, answer.code) == (409, "invalid_state"), answer
    assert rule.hits == 1
    (charge,) = charges()
    assert charge.outcome == "succeeded" and booking_item(booking_id).status == "confirmed"


@pytest.mark.dynamodb_local
def test_a_confirm_that_collides_with_another_transaction_is_retried_and_books_once(
    mentor_on_dynamodb_local, aws_faults, api, payments, outbox, start
):
    """Like hold (and cancel, reschedule, review), confirm should retry a transaction DynamoDB
    cancelled only because another one held an item (store.transactions.retry_on_contention:
    "only lasting contention reaches the client")."""
    booking_id = hold(api, start).body["bookingId"]
    rule = aws_faults.add(
        Rule(
            "dynamodb",
            "TransactWriteItems",
            lambda payload: transaction_conflict(transact_items(payload)),
            when=is_confirm_transaction,
            times=2,
        )
    )
    answer = confirm(api, booking_id)
    assert answer.status == 200 and answer.body["status"] == "confirmed", answer
    assert rule.hits == 2
    assert len(charges()) == 1 and len(set(payments.charge_ids)) == 1
    assert all(lock.booked for lock in locks_of(booking_id)) and total_sessions() == 1
    assert len(outbox.email.sent) == 2


@pytest.mark.dynamodb_local
def test_lasting_contention_on_confirm_is_a_503_that_keeps_the_hold_and_a_retry_charges_once(
    mentor_on_dynamodb_local, aws_faults, api, payments, outbox, start
):
    booking_id = hold(api, start).body["bookingId"]
    aws_faults.add(
        Rule(
            "dynamodb",
            "TransactWriteItems",
            lambda payload: transaction_conflict(transact_items(payload)),
            when=is_confirm_transaction,
        )
    )
    assert_retry_later(confirm(api, booking_id))
    assert booking_item(booking_id).status == "held"
    assert len(locks_of(booking_id)) == 2 and not any(lock.booked for lock in locks_of(booking_id))
    assert outbox.email.sent == [] and total_sessions() == 0

    aws_faults.clear()
    answer = confirm(api, booking_id)
    assert answer.status == 200 and answer.body["status"] == "confirmed", answer
    (charge,) = charges()
    assert charge.outcome == "succeeded" and booking_item(booking_id).payment_reference == charge.charge_id
    assert len(set(payments.charge_ids)) == 1 and total_sessions() == 1 and len(outbox.email.sent) == 2


def _release_by_mentor(booking_id: str, now: datetime):
    return lambda: in_another_instance(lambda: booking_service.release_hold(booking_id, MENTOR_ID, now))


def _expire_by_scheduled_run(booking_id: str, now: datetime):
    after_expiry = now + timedelta(minutes=5, seconds=1)
    return lambda: in_another_instance(lambda: booking_service.expire_hold(booking_item(booking_id), after_expiry))


@pytest.mark.dynamodb_local
@pytest.mark.parametrize(
    ("interruption", "expected"),
    [(_release_by_mentor, {(409, "invalid_state")}), (_expire_by_scheduled_run, {(410, "hold_expired"), (409, "invalid_state")})],
    ids=["released-by-the-mentor", "expired-by-the-scheduled-run"],
)
def test_a_hold_ended_while_its_confirm_is_in_flight_refunds_the_charge(
    mentor_on_dynamodb_local, aws_faults, api, payments, outbox, now, start, interruption, expected
):
    """Between confirm's charge and its transaction, the hold ends in another instance (the mentor
    releases it, or the per-minute run expires it the moment its 5 minutes are up). Confirm's
    transaction then finds the booking no longer held and the answer is a 4xx; the mentee must not
    stay charged for a booking that does not exist (confirm_booking refunds only when the locks
    alone failed, i.e. HoldExpired, not when the booking's own condition failed, InvalidState)."""
    booking_id = hold(api, start).body["bookingId"]
    aws_faults.add(
        Rule(
            "dynamodb",
            "TransactWriteItems",
            None,  # let confirm's transaction through, after the hold has ended
            when=is_confirm_transaction,
            times=1,
            before=interruption(booking_id, now),
        )
    )
    answer = confirm(api, booking_id)
    assert (answer.status, answer.code) in expected, answer
    assert booking_item(booking_id).status in {"released", "expired"}
    assert locks_of(booking_id) == [] and outbox.email.sent == [] and total_sessions() == 0
    (charge,) = charges()
    assert charge.outcome == "refunded", f"the mentee is charged ({charge.outcome}) for a booking that does not exist"


# ============================================================================================
# 3. SES throttling and rejection on confirm, through the real SesEmailSender (moto's SES)
# ============================================================================================


@pytest.fixture
def ses(mentor_on_moto, no_sdk_backoff):
    """The real SES gateway against moto, with faults injected under botocore, and what moto's
    SES accepted."""
    import boto3
    from moto.backends import get_backend

    from mentorship.gateways.email import SesEmailSender
    from mentorship.settings import get_settings

    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress=get_settings().sender_email)
    sender = SesEmailSender()
    faults = AwsFaults()
    faults.attach(sender._client)
    gateways.use(email=sender, push=RecordingPushSender())
    backend = get_backend("ses")["123456789012"]["us-east-1"]

    # moto's stub answers from the same `before-send` event, so it also records a request the fault
    # answered (botocore calls every handler and keeps the first answer). What counts is what SES
    # answered the SDK: message ids it accepted, looked up in moto for their recipients.
    accepted_ids: list[str] = []

    def record_accepted(http_response, parsed, **_):
        if http_response.status_code < 300:
            accepted_ids.append(parsed["MessageId"])

    sender._client.meta.events.register("after-call.ses.SendRawEmail", record_accepted)

    class Ses:
        def __init__(self) -> None:
            self.faults = faults

        @staticmethod
        def sent_to() -> list[str]:
            """The recipient(s) of each message SES accepted, in order (bare addresses: moto lists
            the To: header's next to the API's Destinations)."""
            messages = {message.id: message for message in backend.sent_messages}
            return [
                address
                for message_id in accepted_ids
                for address in sorted({bare for _, bare in getaddresses(messages[message_id].destinations)})
            ]

    yield Ses()
    gateways.use()


def pending_emails(booking_id: str) -> list[PendingEmail]:
    return [
        email
        for email in PendingEmail.query(booking_pk(booking_id), PendingEmail.sk.startswith("EMAIL#"), consistent_read=True)
        if email.due_shard is not None
    ]


def test_ses_throttling_keeps_the_booking_and_a_later_run_sends_each_email_once(ses, api, now, start):
    rule = ses.faults.add(
        Rule("ses", "SendRawEmail", lambda _: ses_error("Throttling", "Maximum sending rate exceeded."))
    )
    booking_id = hold(api, start).body["bookingId"]
    answer = confirm(api, booking_id)
    assert answer.status == 200 and answer.body["status"] == "confirmed", answer
    meeting_url = answer.body["meetingUrl"]
    assert ses.sent_to() == [] and rule.hits > 2, "each email was tried, and retried by botocore"
    assert sorted(email.recipient for email in pending_emails(booking_id)) == sorted([MENTEE["email"], MENTOR_EMAIL])

    ses.faults.clear()  # SES has capacity again
    run_scheduled(now + timedelta(seconds=30))  # the retry waits a minute
    assert ses.sent_to() == []
    run_scheduled(now + timedelta(minutes=1, seconds=5))
    assert sorted(ses.sent_to()) == sorted([MENTEE["email"], MENTOR_EMAIL])
    assert pending_emails(booking_id) == []
    for later in (timedelta(minutes=5), timedelta(hours=2)):
        run_scheduled(now + later)
    assert len(ses.sent_to()) == 2, "never twice"
    booking = booking_item(booking_id)
    assert (booking.status, booking.meeting_url) == ("confirmed", meeting_url)


def test_a_brief_ses_throttle_is_absorbed_by_the_sdk_retries(ses, api, start):
    ses.faults.add(Rule("ses", "SendRawEmail", lambda _: ses_error("Throttling", "Rate exceeded."), times=1))
    booking_id = hold(api, start).body["bookingId"]
    assert confirm(api, booking_id).status == 200
    assert sorted(ses.sent_to()) == sorted([MENTEE["email"], MENTOR_EMAIL]) and pending_emails(booking_id) == []


def test_ses_rejecting_one_address_gives_that_email_up_and_leaves_the_booking_alone(ses, api, now, start):
    rule = ses.faults.add(
        Rule(
            "ses",
            "SendRawEmail",
            lambda _: ses_error("MessageRejected", "Email address is not verified."),
            when=lambda payload: mentions(payload, MENTEE["email"]),
        )
    )
    booking_id = hold(api, start).body["bookingId"]
    answer = confirm(api, booking_id)
    assert answer.status == 200 and answer.body["status"] == "confirmed", answer
    assert ses.sent_to() == [MENTOR_EMAIL]  # the other party's email is not held back
    assert pending_emails(booking_id) == []  # the rejected one is given up, not queued
    for later in (timedelta(minutes=2), timedelta(minutes=20), timedelta(hours=2)):
        run_scheduled(now + later)
    assert rule.hits == 1, "a rejected message is neither retried by botocore nor by the scheduled run"
    assert ses.sent_to() == [MENTOR_EMAIL]
    booking = booking_item(booking_id)
    assert (booking.status, booking.meeting_url) == ("confirmed", answer.body["meetingUrl"])
    assert all(lock.booked for lock in locks_of(booking_id))


# ============================================================================================
# 4. Crashes in the email outbox: between claim and send, between send and mark
# ============================================================================================


class CrashingEmailSender:
    """Records what it sends, like tests.support.fakes.RecordingEmailSender, but the process
    dies on the chosen call, before the message is handed over."""

    def __init__(self, crash_on_call: int) -> None:
        self.crash_on_call = crash_on_call
        self.calls = 0
        self.sent: list[str] = []  # recipients, one entry per message handed over

    def send_raw(self, destinations: list[str], raw: str) -> str:
        self.calls += 1
        if self.calls == self.crash_on_call:
            raise SimulatedCrash("the process died after claiming the email, before sending it")
        self.sent.extend(destinations)
        return f"msg-{len(self.sent)}"


@pytest.fixture
def crash_outbox(mentor_on_moto):
    def use(sender) -> None:
        gateways.use(email=sender, push=RecordingPushSender())

    yield use
    gateways.use()


def test_a_crash_between_claim_and_send_is_sent_once_after_the_lease_expires(crash_outbox, api, now, start):
    sender = CrashingEmailSender(crash_on_call=1)
    crash_outbox(sender)
    booking_id = hold(api, start).body["bookingId"]
    with pytest.raises(SimulatedCrash):
        confirm(api, booking_id)  # the StreamFunction's invocation dies inside the first send (the confirm committed)
    assert booking_item(booking_id).status == "confirmed"  # committed before the crash
    claimed = {email.recipient: email for email in pending_emails(booking_id)}
    assert set(claimed) == {MENTEE["email"], MENTOR_EMAIL} and sender.sent == []
    assert claimed[MENTEE["email"]].claimed_until is not None  # the lease the dead process took
    assert claimed[MENTOR_EMAIL].claimed_until is None  # never reached

    run_scheduled(now + timedelta(seconds=30))  # lease still held: only the unclaimed email goes
    assert sender.sent == [MENTOR_EMAIL]
    run_scheduled(now + LEASE + timedelta(seconds=1))  # the lease has expired: sent by this run
    assert sorted(sender.sent) == sorted([MENTEE["email"], MENTOR_EMAIL])
    for later in (timedelta(minutes=10), timedelta(hours=2)):
        run_scheduled(now + later)
    assert sorted(sender.sent) == sorted([MENTEE["email"], MENTOR_EMAIL]), "each exactly once"
    assert pending_emails(booking_id) == []


def test_a_crash_between_send_and_mark_repeats_that_email_at_most_once(crash_outbox, api, now, start, monkeypatch):
    """The one duplicate window the design admits (store/outbox.py): SES accepted the message,
    then the process died before `mark_email_sent` recorded it. SES's SendRawEmail takes no idempotency
    key, so nothing can tell the next run that the provider already has it: after the lease
    expires, that email is sent a second time. Exactly one duplicate of exactly that email, never
    more (the second send is marked), and every other email exactly once."""
    from mentorship.services import delivery

    sender = CrashingEmailSender(crash_on_call=0)  # never crashes inside send
    crash_outbox(sender)
    real_mark_sent = delivery.mark_email_sent
    marks = {"calls": 0}

    def mark_sent_crashing_once(item, lease):
        marks["calls"] += 1
        if marks["calls"] == 1:
            raise SimulatedCrash("the process died after SES accepted the email, before marking it sent")
        return real_mark_sent(item, lease)

    monkeypatch.setattr(delivery, "mark_email_sent", mark_sent_crashing_once)
    booking_id = hold(api, start).body["bookingId"]
    with pytest.raises(SimulatedCrash):
        confirm(api, booking_id)  # the StreamFunction's invocation dies between SES and the mark
    assert booking_item(booking_id).status == "confirmed"
    assert sender.sent == [MENTEE["email"]]  # handed over, but not marked

    run_scheduled(now + timedelta(seconds=30))
    assert sorted(sender.sent) == sorted([MENTEE["email"], MENTOR_EMAIL])
    run_scheduled(now + LEASE + timedelta(seconds=1))
    assert sorted(sender.sent) == sorted([MENTEE["email"], MENTEE["email"], MENTOR_EMAIL])  # the one duplicate
    for later in (timedelta(minutes=10), timedelta(hours=2)):
        run_scheduled(now + later)
    assert sender.sent.count(MENTEE["email"]) == 2 and sender.sent.count(MENTOR_EMAIL) == 1
    assert pending_emails(booking_id) == []


# ============================================================================================
# 5. A crash in confirm after the charge, before the transaction
# ============================================================================================


@pytest.fixture
def crash_before_confirm_transaction(monkeypatch):
    """The first call of BookingWrites.confirm dies before sending anything; later ones run."""
    real_confirm = BookingWrites.confirm
    calls = {"n": 0}

    def confirm_crashing_once(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise SimulatedCrash("the process died after the charge, before the confirm transaction")
        return real_confirm(self, *args, **kwargs)

    monkeypatch.setattr(BookingWrites, "confirm", confirm_crashing_once)
    return calls


@pytest.mark.dynamodb_local
def test_a_crash_after_the_charge_then_a_retry_charges_once_and_books_once(
    mentor_on_dynamodb_local, crash_before_confirm_transaction, api, payments, outbox, start
):
    booking_id = hold(api, start).body["bookingId"]
    with pytest.raises(SimulatedCrash):
        confirm(api, booking_id)
    (first_charge,) = charges()
    assert first_charge.outcome == "succeeded" and booking_item(booking_id).status == "held"
    assert outbox.email.sent == [] and total_sessions() == 0

    answer = confirm(api, booking_id)  # the client retries (API Gateway gave it a 5xx)
    assert answer.status == 200 and answer.body["status"] == "confirmed", answer
    assert payments.charge_ids == [first_charge.charge_id] * 2  # asked twice, charged once
    assert [charge.charge_id for charge in charges()] == [first_charge.charge_id]
    assert booking_item(booking_id).payment_reference == first_charge.charge_id
    assert len(stored(BookingItem)) == 1 and all(lock.booked for lock in locks_of(booking_id))
    assert total_sessions() == 1
    assert sorted(d[0] for d, _ in outbox.email.sent) == sorted([MENTEE["email"], MENTOR_EMAIL])


def end_in_progress_windows(dynamodb_local, table_name: str) -> None:
    """Time passing for Powertools' idempotency records: every in-progress record's window (the
    crashed invocation's remaining time) ends now. Moved in the table rather than waited for."""
    import time

    client = dynamodb_local.client()
    for item in client.scan(TableName=table_name, ConsistentRead=True)["Items"]:
        if item.get("status", {}).get("S") == "INPROGRESS":
            client.update_item(
                TableName=table_name,
                Key={"id": item["id"]},
                UpdateExpression="SET in_progress_expiration = :past",
                ExpressionAttributeValues={":past": {"N": str(int(time.time() * 1000) - 1000)}},
            )


@pytest.mark.dynamodb_local
def test_a_crash_after_the_charge_under_an_idempotency_key_then_a_retry_with_that_key_books_once(
    mentor_on_dynamodb_local, crash_before_confirm_transaction, api, payments, outbox, start, dynamodb_local, local_table
):
    """With an Idempotency-Key, the crashed invocation leaves Powertools' in-progress record
    behind. A retry while that invocation could still be running is told to wait (409 + Retry-After,
    nothing done); once its time is up, the retry with the same key runs: one charge, one booking."""
    booking_id = hold(api, start).body["bookingId"]
    key = {"Idempotency-Key": "confirm-1"}
    with pytest.raises(SimulatedCrash):
        confirm(api, booking_id, headers=key)  # its context says 10 s remain: the window

    too_soon = confirm(api, booking_id, headers=key)
    assert too_soon.status == 409 and int(too_soon.headers["retry-after"]) >= 1, too_soon
    assert booking_item(booking_id).status == "held"

    end_in_progress_windows(dynamodb_local, local_table["IdempotencyTable"])
    answer = confirm(api, booking_id, headers=key)
    assert answer.status == 200 and answer.body["status"] == "confirmed", answer
    assert len(charges()) == 1 and len(set(payments.charge_ids)) == 1
    replay = confirm(api, booking_id, headers=key)
    assert (replay.status, replay.body) == (200, answer.body)  # the stored answer, nothing done again
    assert len(set(payments.charge_ids)) == 1 and total_sessions() == 1 and len(outbox.email.sent) == 2


@pytest.mark.dynamodb_local
def test_a_crash_after_the_charge_that_is_never_retried_is_refunded_when_the_hold_runs_out(
    mentor_on_dynamodb_local, crash_before_confirm_transaction, api, payments, clock, start
):
    """The client gives up (or comes back too late). The hold expires, the scheduled run frees the
    slots, and the mentee must get the money back: a charge without a booking is as bad as a lost
    booking. Today nothing refunds it: confirm refunds only when its own transaction finds the hold
    expired, and neither expire_hold nor a late confirm (410 before charging) looks at the charge."""
    booking_id = hold(api, start).body["bookingId"]
    with pytest.raises(SimulatedCrash):
        confirm(api, booking_id)
    assert charges()[0].outcome == "succeeded"

    clock.advance(minutes=6)  # the hold has expired; the scheduled run tidies it up
    run_scheduled(clock.moment)
    assert booking_item(booking_id).status == "expired" and locks_of(booking_id) == []
    answer = confirm(api, booking_id)  # a late retry
    assert (answer.status, answer.code) == (410, "hold_expired"), answer
    (charge,) = charges()
    assert charge.outcome == "refunded", f"charged ({charge.outcome}) for a hold that expired unbooked"
