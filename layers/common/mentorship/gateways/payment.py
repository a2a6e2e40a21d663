"""Payments. The product talks to a `PaymentGateway`; the one here is a mock with the test cards
of a real provider (`PaymentMethod`, the only methods a request may name): `pm_card_visa`,
`pm_card_mastercard` and `pm_card_amex` succeed; `pm_card_chargeDeclined` and its
`...InsufficientFunds` and `...ExpiredCard` variants decline. Like a real provider it is
idempotent on its key: the same key never charges twice, and it keeps its records in the table
(its own item type) so every instance agrees.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pynamodb.exceptions import PutError, UpdateError

from mentorship.store.binding import ensure_bound
from mentorship.store.models import Charge, booking_pk


@dataclass(frozen=True)
class ChargeResult:
    charge_id: str
    succeeded: bool


class PaymentGateway(Protocol):
    def charge(self, key: str, amount: int, currency: str, payment_method: str, now: datetime) -> ChargeResult: ...

    def refund(self, key: str, now: datetime) -> bool:
        """Give back a succeeded charge under `key`; False when there is none to give back."""


class PaymentMethod(StrEnum):
    """The mock gateway's test methods (CONTRACT.md); any other value is refused at the edge."""

    VISA = "pm_card_visa"
    MASTERCARD = "pm_card_mastercard"
    AMEX = "pm_card_amex"
    DECLINED = "pm_card_chargeDeclined"
    DECLINED_INSUFFICIENT_FUNDS = "pm_card_chargeDeclinedInsufficientFunds"
    DECLINED_EXPIRED_CARD = "pm_card_chargeDeclinedExpiredCard"


def is_declined_card(payment_method: str) -> bool:
    return payment_method.startswith("pm_card_") and "Declined" in payment_method


class MockPaymentGateway:
    def __init__(self) -> None:
        ensure_bound()

    def charge(self, key: str, amount: int, currency: str, payment_method: str, now: datetime) -> ChargeResult:
        record = Charge(
            pk=booking_pk(key),
            sk="CHARGE",
            charge_id=f"ch_{secrets.token_hex(12)}",
            amount=amount,
            currency=currency,
            payment_method=payment_method,
            outcome="declined" if is_declined_card(payment_method) else "succeeded",
            created_at=now,
        )
        try:
            record.save(condition=Charge.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            record = Charge.get(booking_pk(key), "CHARGE", consistent_read=True)  # the first attempt's answer
        return ChargeResult(charge_id=record.charge_id, succeeded=record.outcome == "succeeded")

    def refund(self, key: str, now: datetime) -> bool:
        # Most holds that end unconfirmed were never charged: a read tells, cheaper than a write
        # that fails its condition.
        try:
            charge = Charge.get(booking_pk(key), "CHARGE", consistent_read=True)
        except Charge.DoesNotExist:
            return False
        if charge.outcome != "succeeded":
            return False  # declined, or refunded already
        try:
            charge.update(actions=[Charge.outcome.set("refunded")], condition=Charge.outcome == "succeeded")
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            return False  # refunded meanwhile
        return True
