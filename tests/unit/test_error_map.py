"""Every failure leaves as the contract's error shape with the right status; bad input never 5xx."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import Field
from pynamodb.exceptions import QueryError

from mentorship import errors
from mentorship.api.resolver import build_resolver
from mentorship.api.schemas import ApiModel
from tests.support.lambda_helpers import LambdaContext, response_json


class TopicBody(ApiModel):
    topic: str = Field(min_length=10)
    duration_minutes: int


app = build_resolver()
RAISED: dict[str, Exception] = {}


@app.post("/things")
def create_thing(body: TopicBody) -> dict:
    return {"ok": True, "durationMinutes": body.duration_minutes}


@app.get("/boom/<name>")
def boom(name: str) -> dict:
    raise RAISED[name]


def _throttled() -> QueryError:
    error = QueryError("throttled")
    error.cause = type("Cause", (), {"response": {"Error": {"Code": "ProvisionedThroughputExceededException"}}})()
    return error


RAISED.update(
    {
        "slot": errors.SlotUnavailable("that slot is taken"),
        "gone": errors.HoldExpired("the hold has expired"),
        "paid": errors.PaymentDeclined("card declined"),
        "holds": errors.TooManyHolds("three holds already"),
        "who": errors.Unauthorized("token required"),
        "nope": errors.Forbidden("mentors only"),
        "missing": errors.NotFound("no such booking"),
        "field": errors.ValidationFailed.on("body.start", "must be on :00 or :30"),
        "throttled": _throttled(),
        "bug": RuntimeError("a bug"),
    }
)


def call(http_event, method, path, body=None):
    response = app.resolve(http_event(method, path, body=body, route_key="$default"), LambdaContext())
    return response["statusCode"], response_json(response), response.get("headers") or {}


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("slot", 409, "slot_unavailable"),
        ("gone", 410, "hold_expired"),
        ("paid", 402, "payment_declined"),
        ("holds", 429, "too_many_holds"),
        ("who", 401, "unauthorized"),
        ("nope", 403, "forbidden"),
        ("missing", 404, "not_found"),
        ("field", 422, "validation_error"),
        ("throttled", 503, "service_unavailable"),
        ("bug", 500, "internal_error"),
    ],
)
def test_errors_map_to_status_and_contract_shape(http_event, name, status, code):
    got_status, body, headers = call(http_event, "GET", f"/boom/{name}")
    assert got_status == status
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert set(body) == {"error"}


def test_field_errors_list_the_field(http_event):
    _, body, _ = call(http_event, "GET", "/boom/field")
    assert body["error"]["details"] == [{"field": "body.start", "issue": "must be on :00 or :30"}]


def test_throttling_asks_the_client_to_retry_later(http_event):
    _, _, headers = call(http_event, "GET", "/boom/throttled")
    assert headers["Retry-After"] == "1"


def test_unexpected_errors_do_not_leak_details(http_event):
    _, body, _ = call(http_event, "GET", "/boom/bug")
    assert "a bug" not in body["error"]["message"]


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "42", "null", ""])
def test_body_that_is_not_a_json_object_is_400(http_event, raw):
    status, body, _ = call(http_event, "POST", "/things", body=raw)
    assert (status, body["error"]["code"]) == (400, "bad_request")


def test_unknown_fields_are_422_naming_the_field(http_event):
    status, body, _ = call(http_event, "POST", "/things", body={"topic": "a long enough topic", "durationMinutes": 30, "price": 1})
    assert (status, body["error"]["code"]) == (422, "validation_error")
    assert {"field": "body.price", "issue": "Extra inputs are not permitted"} in body["error"]["details"]


def test_short_topic_is_422_on_body_topic(http_event):
    status, body, _ = call(http_event, "POST", "/things", body={"topic": "short", "durationMinutes": 30})
    assert status == 422
    assert [d["field"] for d in body["error"]["details"]] == ["body.topic"]


def test_unknown_route_is_404_in_contract_shape(http_event):
    status, body, _ = call(http_event, "GET", "/nowhere")
    assert (status, body["error"]["code"]) == (404, "not_found")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(json_values, st.text(max_size=60)))
def test_generated_bodies_never_cause_a_5xx(http_event, body):
    import json

    raw = body if isinstance(body, str) else json.dumps(body)
    status, payload, _ = call(http_event, "POST", "/things", body=raw)
    assert status in (200, 400, 422)
    if status != 200:
        assert set(payload["error"]) >= {"code", "message"}
