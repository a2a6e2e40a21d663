"""Payments. The product talks to a `PaymentGateway`; the one here is a mock with the test cards
of a real provider (`PaymentMethod`, the only methods a request may name): `pm_card_visa`,
`pm_card_mastercard` and `pm_card_amex` succeed; `pm_card_chargeDeclined` and its
`...InsufficientFunds` and `...ExpiredCard` variants decline. Like a real provider it is
idempotent on its key: the same key never charges twice, and it keeps its records where it is
given (`ChargeRecords`; in the table, as its own item type, so every instance agrees), never
importing the store itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class ChargeResult:
    charge_id: str
    succeeded: bool


class PaymentGateway(Protocol):
    def charge(self, key: str, amount: int, currency: str, payment_method: str, now: datetime) -> ChargeResult: ...

    def refund(self, key: str, now: datetime, amount: int | None = None) -> bool:
        """Give back `amount` (all of it when None) of the succeeded charge under `key`, once:
        False when there is none to give back (never charged, declined, refunded already)."""


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


class ChargeRecords(Protocol):
    """Where the mock keeps its charges (the table, `store.charges.TableChargeRecords`)."""

    def first(
        self, key: str, charge_id: str, amount: int, currency: str, payment_method: str, outcome: str, now: datetime
    ) -> tuple[str, str]: ...

    def refund(self, key: str, amount: int | None) -> bool: ...


class MockPaymentGateway:
    def __init__(self, records: ChargeRecords) -> None:
        self._records = records

    def charge(self, key: str, amount: int, currency: str, payment_method: str, now: datetime) -> ChargeResult:
        outcome = "declined" if is_declined_card(payment_method) else "succeeded"
        charge_id, outcome = self._records.first(
            key, f"ch_{secrets.token_hex(12)}", amount, currency, payment_method, outcome, now
        )
        return ChargeResult(charge_id=charge_id, succeeded=outcome == "succeeded")

    def refund(self, key: str, now: datetime, amount: int | None = None) -> bool:
        return self._records.refund(key, amount)
