"""Client JSON: nesting bounded without recursion, Unicode text only, refusals that name no exception."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorship.api.json_input import MAX_DEPTH, JsonInputError, decode_json, nests_too_deep


def nested(depth: int, leaf="x") -> str:
    return "[" * depth + json.dumps(leaf) + "]" * depth


@pytest.mark.parametrize("text", ["[" * 20_000, "{\"a\":" * 20_000, nested(MAX_DEPTH + 1), "[" * 20_000 + "]" * 20_000])
def test_deeper_than_the_limit_is_refused_without_recursion(text):
    with pytest.raises(JsonInputError) as refusal:
        decode_json(text)
    assert str(refusal.value) == f"nested deeper than {MAX_DEPTH} levels"


def test_the_limit_itself_decodes():
    assert decode_json(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"topic": "[" * 500 + "{" * 500, "quote": "\\\"[[[", "list": [["\"]]]\""]]})
    assert decode_json(text) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('"\\ud800"', "lone surrogate"),
        ('{"topic": "a\\udfffb"}', "lone surrogate"),
        ("NaN", "not valid JSON"),
        ('{"rating": Infinity}', "not valid JSON"),
        ("1" * 5000, "not valid JSON"),  # beyond Python's int digit limit: a ValueError inside
        ("{", "not valid JSON"),
        (b"\xff\xfe", "not valid UTF-8"),
    ],
)
def test_what_is_not_json_text_is_refused_with_a_plain_message(text, reason):
    with pytest.raises(JsonInputError, match=reason) as refusal:
        decode_json(text)
    message = str(refusal.value).lower()
    assert "error" not in message and "recursion" not in message and "exception" not in message


def test_a_surrogate_pair_is_text():
    assert decode_json('"\\ud83d\\ude00"') == "\U0001F600"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=30,
)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@given(json_values, st.integers(min_value=0, max_value=3 * MAX_DEPTH))
@settings(max_examples=200, deadline=None)
def test_nested_bodies_decode_exactly_when_within_the_limit(value, wrapping):
    """Any JSON value wrapped in arrays and objects to any depth: decoded as json.loads does when
    it nests at most MAX_DEPTH levels, refused (never a RecursionError) when deeper."""
    for level in range(wrapping):
        value = [value] if level % 2 else {"k": value}
    text = json.dumps(value)
    if _depth(value) <= MAX_DEPTH:
        assert not nests_too_deep(text)
        assert decode_json(text) == json.loads(text)
    else:
        assert nests_too_deep(text)
        with pytest.raises(JsonInputError):
            decode_json(text)


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('[]{}"\\,:'), max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_text_decodes_or_is_refused_with_json_input_error(text):
    try:
        decode_json(text)
    except JsonInputError:
        pass


@settings(deadline=None)  # a shared CI machine: time is not what this checks
@given(st.text(alphabet=st.characters(categories=["Cs", "Cc", "Cf", "Co", "Zl", "Zp", "Lo", "So"]), max_size=50))
def test_strings_of_every_unicode_class_decode_or_are_refused_as_lone_surrogates(text):
    encoded = json.dumps(text)  # escapes surrogates as \udxxx
    try:
        assert decode_json(encoded) == text
    except JsonInputError as refusal:
        assert "surrogate" in str(refusal) and any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 65 + '"' + '\\"' * 200_000,  # escaped quotes and no closing one: was quadratic (minutes)
        "[" * 65 + '"' + "a\\" * 200_000,
        '"[",' * 200_000,
    ],
)
def test_the_nesting_scan_stays_linear_on_hostile_strings(text):
    import time

    started = time.monotonic()
    with pytest.raises(JsonInputError):
        decode_json(text)
    assert time.monotonic() - started < 10  # linear: well under a second; quadratic: many minutes
