"""The mock payment gateway's own records (`Charge`, keyed by the booking it pays for), so
every instance agrees on what was charged. The gateway (gateways/payment.py) sees them only
through its `ChargeRecords` interface."""

from __future__ import annotations

from pynamodb.exceptions import PutError, UpdateError

from mentorship.store.binding import ensure_bound
from mentorship.store.models import Charge, booking_pk

CONDITION_FAILED = "ConditionalCheckFailedException"
CHARGE_SK = "CHARGE"


class TableChargeRecords:
    def __init__(self) -> None:
        ensure_bound()

    def first(self, key: str, charge_id: str, amount: int, currency: str, payment_method: str, outcome: str, now) -> tuple[str, str]:
        """Record this charge unless one exists under `key`; (charge id, outcome) of the one that stands."""
        record = Charge(
            pk=booking_pk(key),
            sk=CHARGE_SK,
            charge_id=charge_id,
            amount=amount,
            currency=currency,
            payment_method=payment_method,
            outcome=outcome,
            created_at=now,
        )
        try:
            record.save(condition=Charge.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code != CONDITION_FAILED:
                raise
            record = Charge.get(booking_pk(key), CHARGE_SK, consistent_read=True)  # the first attempt's
        return record.charge_id, record.outcome

    def refund(self, key: str, amount: int | None = None) -> bool:
        """Mark a succeeded charge refunded (`amount` of it, all when None), once; False when there is none (never charged, declined,
        refunded already). Most holds that end unconfirmed were never charged: a read tells,
        cheaper than a write that fails its condition."""
        try:
            charge = Charge.get(booking_pk(key), CHARGE_SK, consistent_read=True)
        except Charge.DoesNotExist:
            return False
        if charge.outcome != "succeeded":
            return False
        try:
            refunded = int(charge.amount) if amount is None else min(amount, int(charge.amount))
            charge.update(
                actions=[Charge.outcome.set("refunded"), Charge.refunded_amount.set(refunded)],
                condition=Charge.outcome == "succeeded",
            )
        except UpdateError as error:
            if error.cause_response_code != CONDITION_FAILED:
                raise
            return False  # refunded meanwhile
        return True
