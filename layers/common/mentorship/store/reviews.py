"""A mentor's reviews, newest first (AP4)."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime

from mentorship.domain import reviews as domain
from mentorship.domain.instants import format_utc_precise
from mentorship.store.binding import ensure_bound
from mentorship.store.models import Review, mentor_pk
from mentorship.store.paging import Page, starting_after, take_page, to_start_key

REVIEW_KEY_FIELDS = ("pk", "sk")
REVIEW_PREFIX = "REVIEW#"


def review_sk(created_at: datetime, review_id: str) -> str:
    return f"{REVIEW_PREFIX}{format_utc_precise(created_at)}#{review_id}"


def new_review(
    mentor_id: str,
    *,
    review_id: str,
    booking_id: str,
    author_id: str,
    author_name: str,
    rating: int,
    comment: str,
    created_at: datetime,
) -> Review:
    """A review item in its mentor's partition, ordered by when it was written."""
    return Review(
        pk=mentor_pk(mentor_id),
        sk=review_sk(created_at, review_id),
        review_id=review_id,
        mentor_id=mentor_id,
        booking_id=booking_id,
        author_id=author_id,
        author_name=author_name,
        rating=rating,
        comment=comment,
        created_at=created_at,
    )


def review_row(review: domain.Review) -> Review:
    """The item a review is written as."""
    values = asdict(review)
    return new_review(values.pop("mentor_id"), **values)


def review_of(item: Review) -> domain.Review:
    """The domain's review, read from its item (whose attributes carry the same names)."""
    values = {field.name: getattr(item, field.name) for field in fields(domain.Review)}
    return domain.Review(**{**values, "rating": int(item.rating)})


class ReviewStore:
    def __init__(self) -> None:
        ensure_bound()

    def newest(self, mentor_id: str, limit: int, start_after: dict[str, str] | None = None) -> Page[domain.Review]:
        """A page of the mentor's reviews, newest first, as the domain reads them."""
        results = Review.query(
            mentor_pk(mentor_id),
            range_key_condition=Review.sk.startswith(REVIEW_PREFIX),
            scan_index_forward=False,
            limit=limit + 1,
            last_evaluated_key=to_start_key(start_after),
        )
        with starting_after(start_after):
            page = take_page(results, limit, REVIEW_KEY_FIELDS)
        return page.map(review_of)
