"""GET /mentors search, sort, total, facets and full pages, and the caching headers of the public
reads, through the real MentorsFunction handler on moto and on DynamoDB Local."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.mentors.app import lambda_handler
from tests.support.factories import add_mentor, add_slots
from tests.support.lambda_helpers import LambdaContext, response_json

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)

MENTORS = [
    # id, name, title, company, specialties, bio, years, rate, slot offset (None: no slots)
    ("d01", "José Señor", "Engineering Manager", "Orchard Pay", ("leadership",), "Hiring and growing teams.", 10, 18_000, timedelta(hours=2)),
    ("d02", "Maria Lopez", "Platform Engineer", "Cobalt Cloud", ("kubernetes", "System Design"), "Helm charts.", 8, 15_000, timedelta(days=3)),
    ("d03", "Ravi Shah", "Data Engineer", "Lumen", ("data pipelines",), "I moved our cluster to Kubernetes.", 4, 9_000, timedelta(days=12)),
    ("d04", "ada king", "Staff Software Engineer", "Northwind", ("system design",), "Distributed systems.", 14, 30_000, None),
    ("d05", "Bruno Kim", "Product Designer", "Studio Nine", ("ux research",), "Design systems.", 1, 9_000, timedelta(hours=5)),
]


@pytest.fixture
def directory(table, clock):
    clock.moment = NOW
    for mentor_id, name, title, company, specialties, bio, years, rate, offset in MENTORS:
        add_mentor(mentor_id, name, NOW - timedelta(days=1), job_title=title, company=company,
                   specialties=specialties, bio=bio, years=years, rate=rate)
        if offset is not None:
            add_slots(mentor_id, [NOW + offset], NOW)


def get(http_event, path="/mentors", headers=None, **query):
    event = http_event("GET", path, query={k: str(v) for k, v in query.items()} or None, headers=headers)
    if path != "/mentors":
        event["routeKey"] = event["requestContext"]["routeKey"] = "GET " + path.replace(path.split("/")[2], "{mentorId}", 1)
        event["pathParameters"] = {"mentorId": path.split("/")[2]}
    return lambda_handler(event, LambdaContext())


def listing(http_event, **query) -> dict:
    response = get(http_event, **query)
    assert response["statusCode"] == 200, response["body"]
    return response_json(response)


def ids(http_event, **query) -> list[str]:
    return [card["mentorId"] for card in listing(http_event, **query)["items"]]


def test_q_matches_word_prefixes_case_and_accent_folded(directory, http_event):
    assert ids(http_event, q="senor") == ["d01"]
    assert ids(http_event, q="SEÑ") == ["d01"]
    assert ids(http_event, q="kube") == ["d02", "d03"]  # specialty above bio
    assert ids(http_event, q="kube engineer") == ["d02", "d03"]
    assert ids(http_event, q="kube designer") == []
    assert ids(http_event, q="Northwind") == ["d04"]


def test_q_defaults_to_relevance_and_other_sorts_still_apply(directory, http_event):
    # A specialty word (6) and a title word the query only starts (8 x 0.75) score alike: by id.
    assert ids(http_event, q="design") == ["d02", "d04", "d05"]
    assert ids(http_event, q="product design") == ["d05"]
    assert ids(http_event, q="design", sort="price") == ["d05", "d02", "d04"]
    assert ids(http_event, q="design", sort="-price") == ["d04", "d02", "d05"]
    assert ids(http_event, q="design", sort="name") == ["d04", "d05", "d02"]


def test_specialty_is_exact_and_case_insensitive(directory, http_event):
    assert ids(http_event, specialty="SYSTEM DESIGN") == ["d04", "d02"]
    assert ids(http_event, specialty="system") == []


def test_name_order_is_case_insensitive_and_price_ties_go_by_mentor_id(directory, http_event):
    assert ids(http_event) == ["d04", "d05", "d01", "d02", "d03"]  # ada, Bruno, José, Maria, Ravi
    assert ids(http_event, sort="price") == ["d03", "d05", "d02", "d01", "d04"]
    assert ids(http_event, sort="availability") == ["d01", "d05", "d02", "d03", "d04"]


def test_cards_carry_specialties_and_next_available(directory, http_event):
    cards = {card["mentorId"]: card for card in listing(http_event)["items"]}
    assert cards["d02"]["specialties"] == ["kubernetes", "System Design"]
    assert cards["d01"]["nextAvailable"] == "2026-11-24T16:00:00Z"
    assert cards["d04"]["nextAvailable"] is None


def test_total_and_facets_count_every_filter_but_their_own(directory, http_event):
    body = listing(http_event, experienceLevel="senior", availability="week", limit=1)
    assert [card["mentorId"] for card in body["items"]] == ["d01"]
    assert (body["count"], body["total"]) == (1, 2)  # d01 and d02
    assert body["facets"]["experienceLevel"] == {"junior": 1, "mid": 0, "senior": 2, "staff": 0}
    assert body["facets"]["availability"] == {"today": 1, "week": 2, "month": 2}
    assert body["nextCursor"] is not None


def test_full_pages_across_cursors_with_a_selective_filter(table, clock, http_event):
    clock.moment = NOW
    for k in range(60):
        add_mentor(f"f{k:03d}", f"Mentor {k % 9}", NOW, years=12 if k % 7 == 0 else 4, rate=10_000 + (k % 3) * 1_000)
    expected = sorted((k for k in range(60) if k % 7 == 0), key=lambda k: (f"mentor {k % 9}", f"f{k:03d}"))
    seen, cursor = [], None
    while True:
        body = listing(http_event, experienceLevel="staff", limit=3, **({"cursor": cursor} if cursor else {}))
        assert body["total"] == len(expected)
        seen += [card["mentorId"] for card in body["items"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
        assert body["count"] == 3, "a page before the last must be full"
    assert seen == [f"f{k:03d}" for k in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "popularity"}, "query.sort"),
        ({"sort": ""}, "query.sort"),
        ({"q": ""}, "query.q"),
        ({"q": "x" * 101}, "query.q"),
        ({"q": "?!"}, "query.q"),
        ({"specialty": "   "}, "query.specialty"),
    ],
)
def test_bad_search_parameters_are_422(moto_table, clock, http_event, query, field):
    response = get(http_event, **query)
    body = response_json(response)
    assert response["statusCode"] == 422, body
    assert body["error"]["details"][0]["field"] == field


def test_a_cursor_from_another_sort_is_422(directory, http_event):
    first = listing(http_event, limit=1, sort="price")
    response = get(http_event, limit=1, sort="name", cursor=first["nextCursor"])
    assert response["statusCode"] == 422
    assert response_json(response)["error"]["details"][0]["field"] == "query.cursor"


@pytest.mark.parametrize("path", ["/mentors", "/mentors/d02", "/mentors/d02/reviews"])
def test_public_reads_answer_etag_and_304_on_if_none_match(directory, http_event, path):
    first = get(http_event, path)
    assert first["statusCode"] == 200
    tag, cache_control = first["headers"]["ETag"], first["headers"]["Cache-Control"]
    assert cache_control.startswith("public, max-age=")
    assert 0 < int(cache_control.rsplit("=", 1)[1]) <= 300
    again = get(http_event, path, headers={"If-None-Match": tag})
    assert (again["statusCode"], again["body"]) == (304, "")
    assert again["headers"]["ETag"] == tag and again["headers"]["Cache-Control"] == cache_control
    other = get(http_event, path, headers={"If-None-Match": '"something-else"'})
    assert other["statusCode"] == 200 and other["body"] == first["body"]


def test_the_etag_changes_with_the_answer(directory, http_event):
    first = get(http_event)
    add_mentor("d99", "Zed New", NOW)
    second = get(http_event, headers={"If-None-Match": first["headers"]["ETag"]})
    assert second["statusCode"] == 200 and second["headers"]["ETag"] != first["headers"]["ETag"]


def test_availability_is_no_store_and_has_no_etag(directory, http_event):
    response = get(http_event, "/mentors/d02/availability")
    assert response["statusCode"] == 200
    assert response["headers"]["Cache-Control"] == "no-store"
    assert "ETag" not in response["headers"]


def test_errors_are_not_cacheable(moto_table, clock, http_event):
    response = get(http_event, "/mentors/nobody")
    assert response["statusCode"] == 404
    assert "ETag" not in (response.get("headers") or {})
