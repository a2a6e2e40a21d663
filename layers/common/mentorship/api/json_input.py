"""The one way JSON from a client is decoded: request bodies, cursors, token payloads, and the
local stack's own endpoints.

`json.loads` recurses once per nesting level, so `[` x 20,000 raises RecursionError (a 500, and
in AWS API Gateway's own 500). Here the nesting is measured first, without recursion, and a text
deeper than MAX_DEPTH is refused before the parser sees it. A decoded text must also be I-JSON
(RFC 7493): a lone surrogate such as `"\\ud800"` is valid JSON grammar but no Unicode text, and
would fail later, wherever the string is encoded as UTF-8 (DynamoDB, email); and `NaN` or
`Infinity`, which Python's parser takes, are not JSON at all. Every refusal is a
`JsonInputError` whose message is for the client and names no exception.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64

# A string token, its closing quote optional: every match attempt succeeds, so the scan is linear
# (with the quote required, a text of `\"` pairs and no closing quote retried from every quote:
# quadratic). An unterminated string is invalid JSON anyway; the parser also reads to its end.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_CHANGE = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonInputError(ValueError):
    """The text is not JSON this API takes; the message says why, for the client."""


def nests_too_deep(text: str) -> bool:
    """Whether arrays and objects in `text` nest deeper than MAX_DEPTH (brackets inside strings
    do not count); linear and recursion-free, for any text, JSON or not."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False  # the common case, decided without a scan
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_DEPTH_CHANGE.__getitem__, brackets)), default=0) > MAX_DEPTH


def decode_json(text: str | bytes) -> Any:
    """The value of a JSON text (UTF-8 when bytes), nested at most MAX_DEPTH levels."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise JsonInputError("not valid UTF-8") from None
    if nests_too_deep(text):
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except ValueError:
        raise JsonInputError("not valid JSON") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise JsonInputError("a string holds a lone surrogate escape (\\ud800-\\udfff), which is not text") from None
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")
