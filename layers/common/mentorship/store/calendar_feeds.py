"""Calendar feed secrets (AP15, AP16).

The user's item (`USER#id / CALENDAR_FEED`) keeps the secret so `GET /me/calendar-feed` can show
the URL again; the lookup item is keyed by the secret's SHA-256, so the public URL finds its user
with one GetItem. Creating and rotating write both in one transaction, conditioned on what was
read, so two concurrent rotations cannot leave two live URLs.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from mentorship.store.binding import ensure_bound
from mentorship.store.models import CalendarFeed, CalendarFeedKey, user_pk
from mentorship.store.transactions import ConditionsFailed, Transaction

FEED_SK = "CALENDAR_FEED"


def _key_pk(secret: str) -> str:
    return f"CALENDAR_FEED#{hashlib.sha256(secret.encode()).hexdigest()}"


class FeedChanged(Exception):
    """Another request created or rotated the feed meanwhile; read it again."""


class CalendarFeedStore:
    def __init__(self) -> None:
        ensure_bound()

    def secret_of(self, user_id: str) -> str | None:
        try:
            return CalendarFeed.get(user_pk(user_id), FEED_SK, consistent_read=True).secret
        except CalendarFeed.DoesNotExist:
            return None

    def user_for(self, secret: str) -> str | None:
        try:
            return CalendarFeedKey.get(_key_pk(secret), FEED_SK).user_id
        except CalendarFeedKey.DoesNotExist:
            return None

    def replace(self, user_id: str, old_secret: str | None, new_secret: str, now: datetime) -> None:
        """Make `new_secret` the user's feed secret; `old_secret` (None: no feed yet) stops working
        in the same transaction. FeedChanged if the feed is no longer `old_secret`."""
        transaction = Transaction()
        feed = CalendarFeed(pk=user_pk(user_id), sk=FEED_SK, user_id=user_id, secret=new_secret, created_at=now)
        expected = CalendarFeed.pk.does_not_exist() if old_secret is None else CalendarFeed.secret == old_secret
        transaction.put("feed", feed, condition=expected)
        transaction.put(
            "key",
            CalendarFeedKey(pk=_key_pk(new_secret), sk=FEED_SK, user_id=user_id),
            condition=CalendarFeedKey.pk.does_not_exist(),
        )
        if old_secret is not None:
            transaction.delete("old key", CalendarFeedKey(pk=_key_pk(old_secret), sk=FEED_SK))
        try:
            transaction.commit()
        except ConditionsFailed:
            raise FeedChanged() from None
