"""Opaque pagination cursors.

A cursor is the base64url JSON of the key to continue after, plus a fingerprint of the query it
belongs to (route and filters). A cursor from another query, or anything tampered with, is a 422
on `query.cursor` rather than a wrong page or a DynamoDB error.
"""

from __future__ import annotations

import base64
import hashlib
import json

from mentorship.api.json_input import decode_json
from mentorship.errors import ValidationFailed

_FIELD = "query.cursor"


def _fingerprint(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def encode_cursor(key: dict[str, str] | None, scope: str) -> str | None:
    if key is None:
        return None
    payload = json.dumps({"k": key, "q": _fingerprint(scope)}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(token: str | None, scope: str, key_fields: tuple[str, ...]) -> dict[str, str] | None:
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = decode_json(raw)
    except ValueError:  # not base64, or not JSON this API takes (JsonInputError)
        raise ValidationFailed.on(_FIELD, "not a cursor this API issued") from None
    if not isinstance(payload, dict) or payload.get("q") != _fingerprint(scope):
        raise ValidationFailed.on(_FIELD, "this cursor belongs to another query; start again without it")
    key = payload.get("k")
    if (
        not isinstance(key, dict)
        or set(key) != set(key_fields)
        or not all(isinstance(value, str) and 0 < len(value) <= 1024 for value in key.values())
    ):
        raise ValidationFailed.on(_FIELD, "not a cursor this API issued")
    return key
