"""Posting to WebSocket clients: API Gateway's management API (`PostToConnection`).

In AWS the endpoint is the WebSocket API's stage (https://{api}.execute-api.{region}.amazonaws.com/{stage});
in the local stack it is the local socket server's emulation of the same HTTP API (local/websocket.py),
reached by the same boto3 client.
"""

from __future__ import annotations

from typing import Protocol

import boto3
from botocore.config import Config

from mentorship.settings import get_settings


class ConnectionGateway(Protocol):
    def post(self, connection_id: str, data: bytes) -> bool:
        """Send one message; False when the connection is gone (410), so its subscription can go."""


class ApiGatewayConnections:
    def __init__(self, endpoint_url: str | None = None) -> None:
        settings = get_settings()
        self._client = boto3.client(
            "apigatewaymanagementapi",
            endpoint_url=endpoint_url or settings.realtime_callback_url,
            region_name=settings.region,
            # a live update is only worth sending now: a short wait, one retry
            config=Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"}),
        )

    def post(self, connection_id: str, data: bytes) -> bool:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=data)
        except self._client.exceptions.GoneException:
            return False
        return True
