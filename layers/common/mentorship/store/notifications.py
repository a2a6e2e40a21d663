"""A user's inbox, newest first (AP8); its entries, each in DueWork until pushed."""

from __future__ import annotations

from datetime import datetime

from mentorship.domain.instants import format_utc_precise
from mentorship.store.binding import ensure_bound
from mentorship.store.due_work import make_due
from mentorship.store.models import Notification, user_pk
from mentorship.store.outbox import mark_done
from mentorship.store.paging import Page, starting_after, take_page, to_start_key

NOTIFICATION_KEY_FIELDS = ("pk", "sk")
NOTIFICATION_PREFIX = "NOTIFICATION#"


def notification_item(
    user_id: str,
    notification_type: str,
    title: str,
    body: str,
    url: str,
    booking_id: str,
    created_at: datetime,
    notification_id: str,
    due: datetime,
) -> Notification:
    """An inbox entry of `user_id`, ordered in the inbox by `created_at` (then id), due on the
    push channel at `due`."""
    return make_due(
        Notification(
            pk=user_pk(user_id),
            sk=f"{NOTIFICATION_PREFIX}{format_utc_precise(created_at)}#{notification_id}",
            notification_id=notification_id,
            user_id=user_id,
            notification_type=notification_type,
            title=title,
            body=body,
            url=url,
            booking_id=booking_id,
            created_at=created_at,
        ),
        due,
    )


def mark_pushed(notification: Notification, lease: int) -> bool:
    """`mark_done` for an entry the push channel took: it is recorded as pushed."""
    return mark_done(notification, lease, [Notification.pushed.set(True)])


class NotificationStore:
    def __init__(self) -> None:
        ensure_bound()

    def newest(self, user_id: str, limit: int, start_after: dict[str, str] | None = None) -> Page[Notification]:
        results = Notification.query(
            user_pk(user_id),
            range_key_condition=Notification.sk.startswith(NOTIFICATION_PREFIX),
            scan_index_forward=False,
            limit=limit + 1,
            last_evaluated_key=to_start_key(start_after),
        )
        with starting_after(start_after):
            return take_page(results, limit, NOTIFICATION_KEY_FIELDS)
