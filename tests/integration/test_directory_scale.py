"""The directory against DynamoDB Local at two sizes (bench/directory_scale.py's data and query
shapes): every shape fills page 1 in one request, and costs the same DynamoDB requests and items
read at 1,000 and 3,000 mentors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.dynamodb_local


@pytest.fixture(scope="module")
def results(dynamodb_local):
    from bench import directory_scale

    return {size: directory_scale.run_one(dynamodb_local, size, runs=0) for size in (1_000, 3_000)}


def test_every_query_shape_fills_page_one_in_one_request(results):
    for size, result in results.items():
        assert result.load.operations.get("BatchGetItem") == 1, "the snapshot comes in one BatchGetItem"
        for shape in result.shapes:
            assert shape.count == min(20, shape.total), (size, shape.name, shape.count, shape.total)
            assert shape.cost.scans == 0
            assert set(shape.cost.operations) == {"Query"}, (shape.name, shape.cost.operations)


def test_each_shape_costs_the_same_at_both_sizes(results):
    small, large = results[1_000], results[3_000]
    assert [shape.name for shape in small.shapes] == [shape.name for shape in large.shapes]
    for before, after in zip(small.shapes, large.shapes):
        assert (before.cost.requests, before.cost.items_read) == (after.cost.requests, after.cost.items_read), before.name
    assert large.shapes[0].total == 3_000 and small.shapes[0].total == 1_000
    # The cold load reads one head, the snapshot's chunks and the recent changes.
    assert small.load.requests == large.load.requests


def test_the_report_section_shows_every_shape_and_the_cold_load(results):
    from bench.directory_report import section

    text = "\n".join(section(list(results.values())))
    assert "## The directory at scale" in text
    assert "Query costs that grow with the mentors: none." in text
    for shape in results[1_000].shapes:
        assert f"| {shape.name} | " in text
    assert "| 3,000 | " in text and "(1 BatchGetItem, 1 GetItem, 8 Query)" in text
