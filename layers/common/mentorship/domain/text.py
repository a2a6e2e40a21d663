"""What free text from people may hold: anything printable, newlines and tabs, but no other
control character (C0, DEL, C1). Such text is stored, shown to other people and put in email
headers, bodies and calendar invites, where a NUL, a BEL or a bare carriage return is at best
noise and at worst a way to forge structure."""

from __future__ import annotations

import re

_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

CONTROL_CHARACTER_ISSUE = "must not contain control characters (newline and tab are fine)"


def has_control_characters(text: str) -> bool:
    return _CONTROL_CHARACTER.search(text) is not None
