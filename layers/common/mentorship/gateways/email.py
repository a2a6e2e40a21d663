"""Sending MIME emails through SES (SendRawEmail, so the .ics part goes as built)."""

from __future__ import annotations

from typing import Protocol

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from mentorship.gateways.errors import DeliveryFailed
from mentorship.settings import get_settings

_RETRYABLE = {"Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure", "RequestTimeout"}


class EmailSender(Protocol):
    def send_raw(self, destinations: list[str], raw: str) -> str:
        """Send a full MIME message; return the provider's message id."""


class SesEmailSender:
    def __init__(self) -> None:
        settings = get_settings()
        self._source = settings.sender_email
        self._client = boto3.client("ses", region_name=settings.region)

    def send_raw(self, destinations: list[str], raw: str) -> str:
        try:
            response = self._client.send_raw_email(
                Source=self._source, Destinations=destinations, RawMessage={"Data": raw.encode()}
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            raise DeliveryFailed(f"SES refused the email: {code}", retryable=code in _RETRYABLE) from error
        except BotoCoreError as error:
            raise DeliveryFailed(f"SES could not be reached: {error}", retryable=True) from error
        return response["MessageId"]
