"""Pages of query results: the items asked for plus the key to continue after the last one."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Generic, Iterable, Iterator, TypeVar

from pynamodb.exceptions import QueryError

from mentorship.errors import ValidationFailed

ItemT = TypeVar("ItemT")  # rows as read, or the domain values a service made of them
ValueT = TypeVar("ValueT")


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    items: list[ItemT]
    last_key: dict[str, str] | None  # plain key attributes of the last item, None on the last page

    def map(self, convert: Callable[[ItemT], ValueT]) -> "Page[ValueT]":
        """The same page with each item converted (rows to the domain's values)."""
        return Page([convert(item) for item in self.items], self.last_key)


def to_start_key(key: dict[str, str] | None) -> dict | None:
    """A plain {attribute: string} key as DynamoDB's ExclusiveStartKey."""
    return None if key is None else {name: {"S": value} for name, value in key.items()}


@contextmanager
def starting_after(key: dict[str, str] | None) -> Iterator[None]:
    """Around a query that continues after a client's cursor. DynamoDB refuses (ValidationException)
    a start key outside the partition or key range the query reads: a cursor forged with a valid
    fingerprint (the fingerprint is not a signature), or a real one whose range has moved on
    (upcoming bookings start 90 minutes before now). The cursor is the one part of such a query
    the client chose, so that refusal is a 422 on it, not a 500."""
    try:
        yield
    except QueryError as error:
        if key is None or error.cause_response_code != "ValidationException":
            raise
        raise ValidationFailed.on("query.cursor", "this cursor does not fit the query (any more): start again without it") from None


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
