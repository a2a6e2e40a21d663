import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorship.api.cursors import decode_cursor, encode_cursor
from mentorship.errors import ValidationFailed

FIELDS = ("pk", "sk", "directory_pk", "directory_sk")
KEY = {"pk": "MENTOR#m1", "sk": "PROFILE", "directory_pk": "MENTORS", "directory_sk": "ada#m1"}


def test_round_trip():
    token = encode_cursor(KEY, "GET /mentors")
    assert decode_cursor(token, "GET /mentors", FIELDS) == KEY


def test_last_page_has_no_cursor_and_no_cursor_means_first_page():
    assert encode_cursor(None, "GET /mentors") is None
    assert decode_cursor(None, "GET /mentors", FIELDS) is None


def test_cursor_of_another_query_is_refused():
    token = encode_cursor(KEY, "GET /mentors|jobFamily=data")
    with pytest.raises(ValidationFailed) as caught:
        decode_cursor(token, "GET /mentors|jobFamily=design", FIELDS)
    assert caught.value.details[0].field == "query.cursor"


def test_cursor_with_other_key_fields_is_refused():
    payload = json.loads(base64.urlsafe_b64decode(encode_cursor(KEY, "q") + "=="))
    payload["k"]["extra"] = "x"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    with pytest.raises(ValidationFailed):
        decode_cursor(forged, "q", FIELDS)


@given(st.text(max_size=200))
def test_arbitrary_text_is_either_refused_cleanly_or_a_valid_key(token):
    try:
        key = decode_cursor(token, "GET /mentors", FIELDS)
    except ValidationFailed as error:
        assert error.details[0].field == "query.cursor"
    else:
        assert set(key) == set(FIELDS)
