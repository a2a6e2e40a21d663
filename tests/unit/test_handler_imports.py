"""Handlers build their answers from domain values: no HTTP route module names the booking's or
the review's storage row, or converts one (the use cases answer with `Booking` and `Review`)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLER_FILES = sorted(
    path for path in (ROOT / "functions").rglob("*.py") if "__pycache__" not in path.parts and path.parent.name.endswith("_api")
)
ROWS = {("mentorship.store.models", "BookingItem"), ("mentorship.store.models", "Review")}
CONVERSIONS = {("mentorship.store.bookings", "booking_of"), ("mentorship.store.reviews", "review_of")}


def imported_names(path: Path) -> set[tuple[str, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }


def test_there_are_route_modules_to_check():
    assert len(HANDLER_FILES) >= 5, HANDLER_FILES


@pytest.mark.parametrize("path", HANDLER_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_route_module_neither_imports_a_booking_or_review_row_nor_converts_one(path):
    found = imported_names(path) & (ROWS | CONVERSIONS)
    assert not found, f"{path.relative_to(ROOT)} imports {sorted(found)}: answer with the domain value from the use case"
