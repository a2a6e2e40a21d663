"""GET /mentors through the real handler, on moto and on DynamoDB Local."""

from datetime import UTC, datetime

import pytest

from functions.mentors.app import lambda_handler
from tests.support.factories import add_mentor
from tests.support.lambda_helpers import LambdaContext, response_json

NOW = datetime(2026, 11, 24, 14, tzinfo=UTC)
CARD_FIELDS = {
    "mentorId", "name", "avatarUrl", "company", "jobTitle", "yearsOfExperience", "experienceLevel",
    "hourlyRate", "averageRating", "reviewCount", "totalSessions", "specialties", "nextAvailable",
}
NO_FACETS = {
    "experienceLevel": {"junior": 0, "mid": 0, "senior": 0, "staff": 0},
    "availability": {"today": 0, "week": 0, "month": 0},
}


def get(http_event, query=None):
    response = lambda_handler(http_event("GET", "/mentors", query=query), LambdaContext())
    return response["statusCode"], response_json(response)


def test_empty_directory_is_200_with_no_items(table, http_event):
    assert get(http_event) == (
        200, {"items": [], "count": 0, "total": 0, "facets": NO_FACETS, "nextCursor": None}
    )


def test_pages_walk_the_whole_directory_in_name_order(table, http_event):
    names = [f"Mentor {letter}" for letter in "QWERTYUIOPASD"]
    for index, name in enumerate(names):
        add_mentor(f"m{index:02d}", name, NOW, years=index)
    seen, cursor, pages = [], None, 0
    while True:
        status, body = get(http_event, {"limit": "5", **({"cursor": cursor} if cursor else {})})
        assert status == 200
        assert body["count"] == len(body["items"]) <= 5
        seen += [card["name"] for card in body["items"]]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert pages == 3  # 5 + 5 + 3, and no empty page after the last
    assert seen == sorted(names, key=str.casefold)


def test_a_full_last_page_says_it_is_the_last(table, http_event):
    for index in range(4):
        add_mentor(f"m{index}", f"Name {index}", NOW)
    status, body = get(http_event, {"limit": "4"})
    assert (status, body["count"], body["nextCursor"]) == (200, 4, None)


def test_cards_have_exactly_the_contract_fields(table, http_event):
    add_mentor("m1", "Grace Hopper", NOW, job_title="Staff Engineer", years=12, rate=12_345)
    _, body = get(http_event)
    card = body["items"][0]
    assert set(card) == CARD_FIELDS
    assert card["experienceLevel"] == "staff"
    assert card["hourlyRate"] == {"amount": 12_345, "currency": "USD"}
    assert (card["averageRating"], card["reviewCount"], card["totalSessions"]) == (None, 0, 0)
    assert (card["specialties"], card["nextAvailable"]) == (["career growth"], None)


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5"])
def test_limit_out_of_range_is_422(moto_table, http_event, limit):
    status, body = get(http_event, {"limit": limit})
    assert status == 422
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["details"][0]["field"] == "query.limit"


@pytest.mark.parametrize("cursor", ["garbage", "eyJrIjogMX0", "%%%"])
def test_a_cursor_we_did_not_issue_is_422(moto_table, http_event, cursor):
    status, body = get(http_event, {"cursor": cursor})
    assert status == 422
    assert body["error"]["details"][0]["field"] == "query.cursor"
