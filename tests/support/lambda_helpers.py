"""Helpers for invoking handlers the way Lambda does."""

from __future__ import annotations

import json
from pathlib import Path

EVENTS_DIR = Path(__file__).resolve().parents[2] / "events"


class LambdaContext:
    function_name = "test-function"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "test"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def load_event(name: str) -> dict:
    """A sample event from events/ (the same files `sam local invoke -e` takes)."""
    return json.loads((EVENTS_DIR / name).read_text())


def response_json(response: dict) -> dict:
    return json.loads(response["body"])


def invoke_http(handler, event: dict) -> tuple[int, dict | None]:
    """Call an HTTP function's handler; return the status and the decoded JSON body (None if empty)."""
    response = handler(event, LambdaContext())
    body = response.get("body")
    return response["statusCode"], (json.loads(body) if body else None)
