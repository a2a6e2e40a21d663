"""A user's inbox, newest first (AP8)."""

from __future__ import annotations

from mentorship.store.binding import ensure_bound
from mentorship.store.models import Notification, user_pk
from mentorship.store.paging import Page, starting_after, take_page, to_start_key

NOTIFICATION_KEY_FIELDS = ("pk", "sk")


class NotificationStore:
    def __init__(self) -> None:
        ensure_bound()

    def newest(self, user_id: str, limit: int, start_after: dict[str, str] | None = None) -> Page[Notification]:
        results = Notification.query(
            user_pk(user_id),
            range_key_condition=Notification.sk.startswith("NOTIFICATION#"),
            scan_index_forward=False,
            limit=limit + 1,
            last_evaluated_key=to_start_key(start_after),
        )
        with starting_after(start_after):
            return take_page(results, limit, NOTIFICATION_KEY_FIELDS)
