"""Every user's sessions as a subscribed calendar: the feed secret, its rotation, and the feed.

The feed lists the user's confirmed sessions (as mentee and as mentor) that started at most 30
days ago or later, and sessions cancelled within the last 30 days as STATUS:CANCELLED, each with
the UID and SEQUENCE of its emailed invites. Bookings are read through the participant queries
(AP6, AP7); the feed stops at MOST_EVENTS per role so one request stays bounded.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from mentorship.domain.calendar import InviteMethod, SessionInvite, render_feed
from mentorship.errors import NotFound
from mentorship.services.outbox_records import session_invite
from mentorship.settings import get_settings
from mentorship.store.bookings import BookingStore
from mentorship.store.calendar_feeds import CalendarFeedStore, FeedChanged
from mentorship.store.models import BookingItem
from mentorship.store.transactions import retry_on_contention

FEED_SECRET_BYTES = 32  # 256 bits of secret in the URL
FEED_PAST = timedelta(days=30)
MOST_EVENTS = 500  # per role, upcoming and past each
PAGE = 100
SHOWN_STATUSES = {"confirmed", "completed"}


def new_secret() -> str:
    return secrets.token_urlsafe(FEED_SECRET_BYTES)


def feed_secret(user_id: str, now: datetime) -> str:
    """The user's feed secret, made on first use."""
    store = CalendarFeedStore()
    current = store.secret_of(user_id)
    if current is not None:
        return current
    try:
        store.replace(user_id, None, new_secret(), now)
    except FeedChanged:
        pass  # a concurrent first request made it: that one stands
    return store.secret_of(user_id)


def rotate_feed(user_id: str, now: datetime) -> str:
    """A new secret; the old URL answers 404 from the moment this returns."""
    store = CalendarFeedStore()
    for _ in range(3):
        try:
            retry_on_contention(lambda: store.replace(user_id, store.secret_of(user_id), new_secret(), now))
            return store.secret_of(user_id)
        except FeedChanged:
            continue  # rotated concurrently: rotate what is there now
    raise FeedChanged()


def _bookings(role: str, user_id: str, now: datetime) -> list[BookingItem]:
    store, found = BookingStore(), []
    for upcoming in (True, False):
        start_after, taken = None, 0
        while taken < MOST_EVENTS:
            page = store.participant_page(role, user_id, upcoming, now, PAGE, start_after)
            recent = [booking for booking in page.items if upcoming or booking.start >= now - FEED_PAST]
            found += recent
            taken += len(page.items)
            if page.last_key is None or len(recent) < len(page.items):
                break  # the past is read newest first: once one is too old, all after it are
            start_after = page.last_key
    return found


def _feed_entry(booking: BookingItem, now: datetime) -> SessionInvite | None:
    sender = get_settings().sender_email
    if booking.status in SHOWN_STATUSES:
        return session_invite(booking, sender, now)
    if booking.status == "cancelled" and booking.updated_at >= now - FEED_PAST:
        return session_invite(booking, sender, now, InviteMethod.CANCEL)
    return None


def feed_document(secret: str, now: datetime) -> bytes:
    user_id = CalendarFeedStore().user_for(secret)
    if user_id is None:
        raise NotFound("no calendar feed at that address")
    bookings = {b.booking_id: b for role in ("mentee", "mentor") for b in _bookings(role, user_id, now)}
    entries = [entry for b in sorted(bookings.values(), key=lambda b: (b.start, b.booking_id)) if (entry := _feed_entry(b, now))]
    return render_feed(entries, "Mentoring sessions")
