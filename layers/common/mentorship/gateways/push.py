"""The push channel: an SNS topic whose subscribers (mobile push, web push) fan messages out to
the user's devices, selected by the `userId` message attribute."""

from __future__ import annotations

import json
from typing import Protocol

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from mentorship.gateways.errors import DeliveryFailed
from mentorship.settings import get_settings


class PushSender(Protocol):
    def publish(self, user_id: str, notification_id: str, title: str, body: str, url: str | None) -> str:
        """Publish one notification for one user; return the channel's message id."""


class SnsPushSender:
    def __init__(self) -> None:
        settings = get_settings()
        self._topic = settings.push_topic_arn
        self._client = boto3.client("sns", region_name=settings.region)

    def publish(self, user_id: str, notification_id: str, title: str, body: str, url: str | None) -> str:
        message = {"notificationId": notification_id, "title": title, "body": body, "url": url}
        try:
            response = self._client.publish(
                TopicArn=self._topic,
                Message=json.dumps(message),
                MessageAttributes={"userId": {"DataType": "String", "StringValue": user_id}},
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            raise DeliveryFailed(f"push channel refused: {code}", retryable=code in {"Throttling", "InternalError"}) from error
        except BotoCoreError as error:
            raise DeliveryFailed(f"push channel unreachable: {error}", retryable=True) from error
        return response["MessageId"]
