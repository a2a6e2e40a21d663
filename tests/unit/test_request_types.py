"""The shared request field types: free text without control characters, strict JSON types."""

import unicodedata
from typing import Annotated, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from mentorship.api.schemas import JsonInteger, RequestModel, Text

TEXT = TypeAdapter(Text)


def _is_refused_control(character: str) -> bool:
    return unicodedata.category(character) == "Cc" and character not in "\t\n"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_text_takes_every_unicode_class_but_control_characters(text):
    """Letters, marks, symbols, format characters (bidi, zero-width), private use, separators:
    text. C0, DEL and C1 controls other than tab and newline: refused."""
    if any(map(_is_refused_control, text)):
        with pytest.raises(ValidationError):
            TEXT.validate_python(text)
    else:
        assert TEXT.validate_python(text) == text


@pytest.mark.parametrize("text", ["line\nbreak", "tab\there", "\u202eright-to-left", "zero\u200bwidth", "\U0001F600"])
def test_what_people_type_is_text(text):
    assert TEXT.validate_python(text) == text


class Sample(RequestModel):
    minutes: Annotated[Literal[30, 60, 90], JsonInteger]
    rating: int
    label: str


json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)


@settings(max_examples=300, deadline=None)
@given(minutes=json_scalars, rating=json_scalars, label=json_scalars)
def test_request_models_take_only_the_json_type_they_declare(minutes, rating, label):
    """A value of another JSON type is never coerced: not "30" or true or 30.0 for an integer,
    not 5 for a string."""
    valid = (
        type(minutes) is int and minutes in (30, 60, 90) and type(rating) is int and type(label) is str
    )
    try:
        Sample.model_validate({"minutes": minutes, "rating": rating, "label": label})
    except ValidationError:
        assert not valid
    else:
        assert valid
