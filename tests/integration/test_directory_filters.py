"""GET /mentors filters: each alone, combined, paging to the end, the empty state, bad input."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.factories import add_mentor, add_slots, lock_slot

NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # 14:00 in Chicago, 01:30 on Nov 25 in Kolkata

MENTORS = [
    # id, name, title, years, rate, slot offsets from NOW
    ("m01", "Ada", "Senior Software Engineer", 8, 12_000, [timedelta(hours=2)]),
    ("m02", "Bea", "Data Scientist", 2, 6_000, [timedelta(hours=15)]),  # 11:00Z Nov 25
    ("m03", "Cal", "Staff Software Engineer", 14, 25_000, [timedelta(days=5)]),
    ("m04", "Dee", "Engineering Manager", 10, 18_000, [timedelta(days=20)]),
    ("m05", "Eve", "Product Designer", 4, 9_000, []),
    ("m06", "Fay", "software engineer II", 3, 12_000, [timedelta(days=40)]),
    ("m07", "Gus", "Site Reliability Engineer", 6, 15_000, [timedelta(hours=3)]),
]


@pytest.fixture
def directory(table, clock):
    clock.moment = NOW
    for mentor_id, name, title, years, rate, offsets in MENTORS:
        add_mentor(mentor_id, name, NOW - timedelta(days=1), job_title=title, years=years, rate=rate)
        add_slots(mentor_id, [NOW + offset for offset in offsets], NOW)
    # Gus's only slot is held by someone else: not open.
    lock_slot("m07", NOW + timedelta(hours=3), hold_expires_at=NOW + timedelta(minutes=4))
    from mentorship.services.availability import refresh_next_open

    refresh_next_open("m07", NOW)


def names(mentors_api, **query):
    status, body = mentors_api("GET", "/mentors", query={k: str(v) for k, v in query.items()})
    assert status == 200, body
    assert body["count"] == len(body["items"])
    return [card["name"] for card in body["items"]]


def test_no_filter_lists_everyone_by_name(directory, mentors_api):
    assert names(mentors_api) == ["Ada", "Bea", "Cal", "Dee", "Eve", "Fay", "Gus"]


def test_job_family_is_a_case_insensitive_substring(directory, mentors_api):
    assert names(mentors_api, jobFamily="SOFTWARE engineer") == ["Ada", "Cal", "Fay"]
    assert names(mentors_api, jobFamily="manag") == ["Dee"]


def test_rates_are_inclusive_minor_units(directory, mentors_api):
    assert names(mentors_api, minRate=12_000) == ["Ada", "Cal", "Dee", "Fay", "Gus"]
    assert names(mentors_api, maxRate=12_000) == ["Ada", "Bea", "Eve", "Fay"]
    assert names(mentors_api, minRate=12_000, maxRate=12_000) == ["Ada", "Fay"]


def test_experience_level(directory, mentors_api):
    assert names(mentors_api, experienceLevel="junior") == ["Bea"]
    assert names(mentors_api, experienceLevel="mid") == ["Eve", "Fay", "Gus"]
    assert names(mentors_api, experienceLevel="senior") == ["Ada", "Dee"]
    assert names(mentors_api, experienceLevel="staff") == ["Cal"]


def test_availability_windows_with_held_slots_not_counted(directory, mentors_api):
    assert names(mentors_api, availability="week") == ["Ada", "Bea", "Cal"]
    assert names(mentors_api, availability="month") == ["Ada", "Bea", "Cal", "Dee"]


def test_today_ends_at_midnight_in_the_callers_zone(directory, mentors_api):
    # Chicago: today ends 06:00Z Nov 25 (Bea's 11:00Z slot is tomorrow there).
    assert names(mentors_api, availability="today", tz="America/Chicago") == ["Ada"]
    # Kolkata: it is already Nov 25 01:30; today ends 18:30Z Nov 25 and includes Bea's slot.
    assert names(mentors_api, availability="today", tz="Asia/Kolkata") == ["Ada", "Bea"]


def test_the_token_zone_is_used_when_no_tz_is_given(directory, mentors_api):
    status, body = mentors_api(
        "GET", "/mentors", query={"availability": "today"}, claims={"sub": "u", "name": "U", "zoneinfo": "Asia/Kolkata"}
    )
    assert [card["name"] for card in body["items"]] == ["Ada", "Bea"]


def test_held_slot_frees_up_when_its_hold_expires_and_the_run_rechecks(directory, mentors_api, clock):
    from functions.reminders.app import lambda_handler
    from tests.support.lambda_helpers import LambdaContext

    assert "Gus" not in names(mentors_api, availability="today", tz="UTC")
    clock.advance(minutes=5)
    lambda_handler({"time": "2026-11-24T20:05:00Z"}, LambdaContext())
    assert "Gus" in names(mentors_api, availability="today", tz="UTC")


def test_filters_combine_with_and(directory, mentors_api):
    assert names(mentors_api, jobFamily="engineer", minRate=10_000, availability="week") == ["Ada", "Cal"]
    assert names(mentors_api, jobFamily="engineer", experienceLevel="staff", maxRate=20_000) == []


def test_no_match_is_an_empty_page(directory, mentors_api):
    status, body = mentors_api("GET", "/mentors", query={"jobFamily": "astronaut"})
    assert status == 200
    assert (body["items"], body["count"], body["total"], body["nextCursor"]) == ([], 0, 0, None)


def test_paging_a_filtered_listing_to_the_end(directory, mentors_api):
    seen, cursor, pages = [], None, 0
    while True:
        query = {"jobFamily": "engineer", "limit": "1", **({"cursor": cursor} if cursor else {})}
        status, body = mentors_api("GET", "/mentors", query=query)
        assert status == 200
        seen += [card["name"] for card in body["items"]]
        cursor, pages = body["nextCursor"], pages + 1
        if cursor is None:
            break
    assert seen == ["Ada", "Cal", "Dee", "Fay", "Gus"]
    assert pages == 5


def test_a_cursor_from_another_filter_set_is_422(directory, mentors_api):
    _, first = mentors_api("GET", "/mentors", query={"jobFamily": "engineer", "limit": "1"})
    status, body = mentors_api("GET", "/mentors", query={"jobFamily": "data", "limit": "1", "cursor": first["nextCursor"]})
    assert status == 422
    assert body["error"]["details"][0]["field"] == "query.cursor"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"minRate": "20000", "maxRate": "10000"}, "query.minRate"),
        ({"minRate": "-1"}, "query.minRate"),
        ({"maxRate": "lots"}, "query.maxRate"),
        ({"experienceLevel": "guru"}, "query.experienceLevel"),
        ({"availability": "someday"}, "query.availability"),
        ({"jobFamily": ""}, "query.jobFamily"),
        ({"tz": "Nowhere/Special"}, "query.tz"),
    ],
)
def test_bad_filters_are_422(moto_table, clock, mentors_api, query, field):
    status, body = mentors_api("GET", "/mentors", query=query)
    assert status == 422, body
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["details"][0]["field"] == field


def test_unknown_query_parameters_are_ignored(directory, mentors_api):
    status, body = mentors_api("GET", "/mentors", query={"colour": "blue", "limit": "2"})
    assert status == 200 and body["count"] == 2
