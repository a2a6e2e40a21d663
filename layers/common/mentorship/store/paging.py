"""Pages of query results: the items asked for plus the key to continue after the last one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Iterable, TypeVar

from pynamodb.models import Model

ItemT = TypeVar("ItemT", bound=Model)


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    items: list[ItemT]
    last_key: dict[str, str] | None  # plain key attributes of the last item, None on the last page


def to_start_key(key: dict[str, str] | None) -> dict | None:
    """A plain {attribute: string} key as DynamoDB's ExclusiveStartKey."""
    return None if key is None else {name: {"S": value} for name, value in key.items()}


def take_page(results: Iterable[ItemT], limit: int, key_fields: tuple[str, ...]) -> Page[ItemT]:
    """Take `limit` items from a query asked for `limit + 1`: the extra one only tells whether
    there is a next page, so the last page says so (no empty page after it)."""
    items: list[ItemT] = []
    has_more = False
    for item in results:
        if len(items) == limit:
            has_more = True
            break
        items.append(item)
    if not has_more or not items:
        return Page(items, None)
    last = items[-1]
    return Page(items, {field: getattr(last, field) for field in key_fields})
