"""Outside services behind small interfaces: email (SES), push (SNS), payment (mock),
secrets (KMS) and external calendars (CalDAV and ICS feeds over the guarded outbound HTTP).

`email_sender()`, `push_sender()`, `payment_gateway()`, `secret_box()` and `calendar_reader()`
give the real implementations, made once per instance; tests replace them with `use(...)`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentorship.gateways.email import EmailSender
    from mentorship.gateways.payment import PaymentGateway
    from mentorship.gateways.calendars import CalendarReader
    from mentorship.gateways.push import PushSender
    from mentorship.gateways.secrets import SecretBox

_overrides: dict[str, object] = {}


def use(**gateways: object) -> None:
    """Swap gateways (email=..., push=..., payment=..., secrets=..., calendars=...); `use()` with
    no arguments restores all."""
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


@cache
def _kms_box() -> "SecretBox":
    from mentorship.gateways.secrets import KmsSecretBox
    from mentorship.settings import ConfigurationError, get_settings

    settings = get_settings()
    if not settings.secrets_key_id:
        raise ConfigurationError("SECRETS_KEY_ID is not set: calendar passwords cannot be sealed")
    return KmsSecretBox(settings.secrets_key_id, settings.region)


@cache
def _http_calendars() -> "CalendarReader":
    from mentorship.gateways.calendars import HttpCalendarReader
    from mentorship.gateways.outbound_http import default_policy

    return HttpCalendarReader(default_policy())


def secret_box() -> "SecretBox":
    return _overrides.get("secrets") or _kms_box()  # type: ignore[return-value]


def calendar_reader() -> "CalendarReader":
    return _overrides.get("calendars") or _http_calendars()  # type: ignore[return-value]
