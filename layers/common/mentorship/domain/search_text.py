"""Search text: folding and words.

Folding transliterates to ASCII with `anyascii` and then casefolds, so `Señor`, `SENOR` and
`senor` are one word, and so are `Søren`/`Soren`, `Łukasz`/`Lukasz` and `Straße`/`strasse`
(Unicode decomposition alone leaves ø, ł, æ and đ as they are). Words are the runs of letters
and digits that remain: `Node.js` is `node` and `js`, `C++` is `c`.
"""

from __future__ import annotations

import re

from anyascii import anyascii

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    return anyascii(text).casefold()


def words(text: str) -> list[str]:
    """The folded words of `text`, in order (repeats kept)."""
    return _WORD.findall(fold(text))


def unique_words(text: str) -> tuple[str, ...]:
    """The folded words of `text`, each once, in first-seen order."""
    return tuple(dict.fromkeys(words(text)))
