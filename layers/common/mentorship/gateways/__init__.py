"""Outside services behind small interfaces: email (SES), push (SNS), payment (mock),
secrets (KMS), external calendars (CalDAV and ICS feeds), integrators' webhooks (both over the
guarded outbound HTTP) and hold timers (SQS).

`email_sender()`, `push_sender()`, `payment_gateway()`, `secret_box()`, `calendar_reader()`,
`webhook_sender()` and `hold_timers()`
give the real implementations, made once per instance; tests replace them with `use(...)`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentorship.gateways.email import EmailSender
    from mentorship.gateways.payment import PaymentGateway
    from mentorship.gateways.calendars import CalendarReader
    from mentorship.gateways.timers import HoldTimers
    from mentorship.gateways.push import PushSender
    from mentorship.gateways.secrets import SecretBox
    from mentorship.gateways.webhooks import WebhookSender

_overrides: dict[str, object] = {}


def use(**gateways: object) -> None:
    """Swap gateways (email=..., push=..., payment=..., secrets=..., calendars=..., webhooks=...,
    hold_timers=...); `use()` with
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


@cache
def _http_webhooks() -> "WebhookSender":
    from mentorship.gateways.outbound_http import default_policy
    from mentorship.gateways.webhooks import HttpWebhookSender

    return HttpWebhookSender(default_policy())


def webhook_sender() -> "WebhookSender":
    return _overrides.get("webhooks") or _http_webhooks()  # type: ignore[return-value]


def secret_box() -> "SecretBox":
    return _overrides.get("secrets") or _kms_box()  # type: ignore[return-value]


def calendar_reader() -> "CalendarReader":
    return _overrides.get("calendars") or _http_calendars()  # type: ignore[return-value]


@cache
def _sqs_hold_timers() -> "HoldTimers | None":
    from mentorship.gateways.timers import SqsHoldTimers
    from mentorship.settings import get_settings

    settings = get_settings()
    return SqsHoldTimers(settings.hold_expiry_queue_url, settings.region) if settings.hold_expiry_queue_url else None


def hold_timers() -> "HoldTimers | None":
    """None where no queue is configured: the per-minute run alone expires holds there."""
    return _overrides.get("hold_timers") or _sqs_hold_timers()  # type: ignore[return-value]
