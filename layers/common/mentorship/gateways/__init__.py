"""Outside services behind small interfaces: email (SES), push (SNS), payment (mock).

`email_sender()`, `push_sender()` and `payment_gateway()` give the real implementations, made
once per instance; tests replace them with `use(...)`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentorship.gateways.email import EmailSender
    from mentorship.gateways.payment import PaymentGateway
    from mentorship.gateways.push import PushSender

_overrides: dict[str, object] = {}


def use(**gateways: object) -> None:
    """Swap gateways (email=..., push=..., payment=...); `use()` with no arguments restores all."""
    if not gateways:
        _overrides.clear()
    _overrides.update(gateways)


@cache
def _ses_sender() -> "EmailSender":
    from mentorship.gateways.email import SesEmailSender

    return SesEmailSender()


@cache
def _sns_push() -> "PushSender":
    from mentorship.gateways.push import SnsPushSender

    return SnsPushSender()


@cache
def _mock_payments() -> "PaymentGateway":
    from mentorship.gateways.payment import MockPaymentGateway
    from mentorship.store.charges import TableChargeRecords  # the mock keeps its records in the table

    return MockPaymentGateway(TableChargeRecords())


def email_sender() -> "EmailSender":
    return _overrides.get("email") or _ses_sender()  # type: ignore[return-value]


def push_sender() -> "PushSender":
    return _overrides.get("push") or _sns_push()  # type: ignore[return-value]


def payment_gateway() -> "PaymentGateway":
    return _overrides.get("payment") or _mock_payments()  # type: ignore[return-value]
