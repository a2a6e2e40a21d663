"""A mentee's review of a session, as the domain and the edge read it: the API's `ReviewView`
and the `review.created` webhook body are built from it, the store writes and reads it as its
row (`store.reviews`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Review:
    review_id: str
    mentor_id: str
    booking_id: str
    author_id: str
    author_name: str
    rating: int  # 1-5
    comment: str
    created_at: datetime
