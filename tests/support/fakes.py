"""Recording stand-ins for the email and push gateways (the real ones are tested against moto)."""

from __future__ import annotations

import threading
from email import message_from_string
from email.message import Message

from mentorship.gateways.errors import DeliveryFailed


class RecordingEmailSender:
    def __init__(self) -> None:
        self.sent: list[tuple[list[str], str]] = []
        self.failure: DeliveryFailed | None = None  # set to make every send fail
        self._lock = threading.Lock()

    def send_raw(self, destinations: list[str], raw: str) -> str:
        if self.failure is not None:
            raise self.failure
        with self._lock:
            self.sent.append((destinations, raw))
            return f"msg-{len(self.sent)}"

    def messages(self) -> list[Message]:
        return [message_from_string(raw) for _, raw in self.sent]

    def to(self, address: str) -> list[Message]:
        return [message_from_string(raw) for destinations, raw in self.sent if address in destinations]


class RecordingPushSender:
    def __init__(self) -> None:
        self.published: list[dict] = []
        self.failure: DeliveryFailed | None = None

    def publish(self, user_id: str, notification_id: str, title: str, body: str, url: str | None) -> str:
        if self.failure is not None:
            raise self.failure
        self.published.append({"userId": user_id, "notificationId": notification_id, "title": title, "url": url})
        return f"push-{len(self.published)}"
