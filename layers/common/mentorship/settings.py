"""Typed configuration, read from the environment once, on first use (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


MIN_HOLD_SECONDS, MAX_HOLD_SECONDS = 5, 1800  # a hold the client can still pay within; a waitlist offer's 30 minutes


class ConfigurationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    table_name: str
    idempotency_table_name: str
    sender_email: str
    push_topic_arn: str
    region: str
    meeting_base_url: str = "https://meet.mentor-booking.example"
    # How often a warm instance reads what changed in the directory (services/directory.py).
    directory_sync_seconds: float = 10.0
    # Live availability (docs/decisions.md §25): the subscriptions table, the URL clients connect
    # to, and the WebSocket API's management endpoint (PostToConnection). Empty where unused.
    connections_table_name: str = ""
    realtime_url: str = ""
    realtime_callback_url: str = ""
    # The queue whose timers bring a hold back when it lapses (docs/decisions.md §27); empty: none.
    hold_expiry_queue_url: str = ""
    # How long a hold lasts. The template never sets HOLD_SECONDS (5 minutes in AWS); the local
    # stack's --hold-seconds shortens it for the end-to-end test of expiry announcements only.
    hold_seconds: int = 300
    # Outbound HTTP to users' URLs may reach loopback (the local stack and tests only).
    outbound_allow_loopback: bool = False
    # ... and nothing else (the local stack by default: no DNS lookups, no traffic beyond 127.0.0.1).
    outbound_loopback_only: bool = False
    # The KMS key that encrypts stored calendar passwords.
    secrets_key_id: str | None = None

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        names = {
            "table_name": "TABLE_NAME",
            "idempotency_table_name": "IDEMPOTENCY_TABLE_NAME",
            "sender_email": "SENDER_EMAIL",
            "push_topic_arn": "PUSH_TOPIC_ARN",
        }
        missing = [var for var in names.values() if not env.get(var)]
        if missing:
            raise ConfigurationError(f"missing environment variables: {', '.join(missing)}")
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        optional: dict = {"meeting_base_url": env["MEETING_BASE_URL"]} if env.get("MEETING_BASE_URL") else {}
        for field, var in (
            ("connections_table_name", "CONNECTIONS_TABLE_NAME"),
            ("realtime_url", "REALTIME_URL"),
            ("realtime_callback_url", "REALTIME_CALLBACK_URL"),
            ("hold_expiry_queue_url", "HOLD_EXPIRY_QUEUE_URL"),
        ):
            if env.get(var):
                optional[field] = env[var]
        if env.get("DIRECTORY_SYNC_SECONDS"):
            try:
                optional["directory_sync_seconds"] = max(0.0, float(env["DIRECTORY_SYNC_SECONDS"]))
            except ValueError:
                raise ConfigurationError("DIRECTORY_SYNC_SECONDS must be a number of seconds") from None
        if env.get("HOLD_SECONDS"):
            try:
                optional["hold_seconds"] = int(env["HOLD_SECONDS"])
            except ValueError:
                raise ConfigurationError("HOLD_SECONDS must be a whole number of seconds") from None
            if not MIN_HOLD_SECONDS <= optional["hold_seconds"] <= MAX_HOLD_SECONDS:
                raise ConfigurationError(f"HOLD_SECONDS must be {MIN_HOLD_SECONDS} to {MAX_HOLD_SECONDS}")
        optional["outbound_allow_loopback"] = env.get("OUTBOUND_ALLOW_LOOPBACK", "").lower() == "true"
        optional["outbound_loopback_only"] = env.get("OUTBOUND_LOOPBACK_ONLY", "").lower() == "true"
        optional["secrets_key_id"] = env.get("SECRETS_KEY_ID") or None
        return cls(region=region, **optional, **{field: env[var] for field, var in names.items()})


@cache
def get_settings() -> Settings:
    return Settings.from_environ()
