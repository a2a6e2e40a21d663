"""Live availability: the stream batch's slot changes, coalesced per mentor, posted to the
connections subscribed to that mentor (docs/decisions.md §25).

Two kinds of change move what a mentor offers. Slot changes (a published or deleted slot, a lock
taken, released or booked, a booking that takes or frees slots) name their slots; their
availability now is asked of the offering (services.offering.availability_at). Changes to the
mentor's head (the weekly schedule, a calendar's busy times or status) name no slot: the
offering over the next 30 days is computed as it was before the batch (the old images) and as it
is now, and the slots that differ are announced (services.offering.offering_changes).

Per changed mentor and batch: one Query of its subscribers (nothing else when there are none),
two strongly consistent Queries (the mentor's head, the window) per kind of change, then one
PostToConnection per subscriber. The cost follows the changed mentor's audience, never the
number of connections. A 410 (the client went away without $disconnect) drops that subscription.
"""

from __future__ import annotations

import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from dataclasses import dataclass, field, replace

from mentorship.domain.instants import SLOT, format_utc
from mentorship.domain.slots import PROFILE_CALENDAR, slots_for_session
from mentorship.gateways.connections import ApiGatewayConnections, ConnectionGateway
from mentorship.observability import logger
from mentorship.services.availability import takes_or_frees_slots
from mentorship.services.offering import availability_at, offering_changes
from mentorship.services.stream import Change
from mentorship.settings import get_settings
from mentorship.store.calendars import StoredCalendar, calendar_from_item
from mentorship.store.models import BookingItem, CalendarConnection, MentorSchedule, Slot, SlotLock
from mentorship.store.offering import MentorHead
from mentorship.store.schedules import schedule_from_item
from mentorship.store.subscriptions import SubscriptionStore

POST_THREADS = 16  # posts to one mentor's subscribers run side by side (each is one HTTPS call)


def _session_starts(booking: BookingItem | None) -> list[datetime]:
    if booking is None:
        return []
    return slots_for_session(booking.start, int(booking.duration_minutes))


def changed_slots(changes: list[Change]) -> dict[str, set[datetime]]:
    """The slot starts, per mentor, whose availability a batch of changes may have moved:
    published or deleted slots, locks taken, released or booked, and bookings that take or free
    slots (a reschedule frees the old slots and takes the new)."""
    touched: dict[str, set[datetime]] = defaultdict(set)
    for change in changes:
        for item in (change.old, change.new):
            if isinstance(item, (Slot, SlotLock)):
                touched[item.mentor_id].add(item.start)
        if isinstance(change.new, BookingItem) and takes_or_frees_slots(change.old, change.new):
            mentor_id = change.new.mentor_id
            touched[mentor_id].update(_session_starts(change.old))
            touched[mentor_id].update(_session_starts(change.new))
    return touched


_UNSET = object()


@dataclass
class HeadBefore:
    """A mentor's schedule and calendars as they were before a batch: the first old image seen
    of each (None: it did not exist). Applied to the mentor as stored now, it rebuilds the
    offering's inputs of before the batch."""

    schedule: object = _UNSET  # the old MentorSchedule item or None; _UNSET: not changed
    calendars: dict[str, CalendarConnection | None] = field(default_factory=dict)

    def __call__(self, now_head: MentorHead) -> MentorHead:
        schedule = now_head.schedule
        if self.schedule is not _UNSET:
            schedule = schedule_from_item(self.schedule) if self.schedule is not None else None
        calendars: dict[str, StoredCalendar] = {calendar.calendar_id: calendar for calendar in now_head.calendars}
        for calendar_id, old in self.calendars.items():
            if old is None:
                calendars.pop(calendar_id, None)
            else:
                calendars[calendar_id] = calendar_from_item(old)
        return replace(now_head, schedule=schedule, calendars=list(calendars.values()))


def head_changes(changes: list[Change]) -> dict[str, HeadBefore]:
    """Per mentor, how its schedule and calendars were before the batch, for those the batch
    changed (a mentor's PUT schedule, a blocked rule slot, a calendar read again)."""
    before: dict[str, HeadBefore] = {}
    for change in changes:
        item = change.new if change.new is not None else change.old
        if isinstance(item, MentorSchedule):
            head = before.setdefault(item.mentor_id, HeadBefore())
            if head.schedule is _UNSET:
                head.schedule = change.old
        elif isinstance(item, CalendarConnection):
            head = before.setdefault(item.mentor_id, HeadBefore())
            head.calendars.setdefault(item.calendar_id, change.old)
    return before


def availability_message(mentor_id: str, slots: list[dict]) -> bytes:
    return json.dumps({"type": "availability_changed", "mentorId": mentor_id, "slots": slots}).encode()


class AvailabilityFanOut:
    """The StreamFunction's batch handler (functions/stream/app.py)."""

    def __init__(
        self,
        subscriptions: SubscriptionStore | None = None,
        connections: ConnectionGateway | None = None,
    ) -> None:
        self._subscriptions = subscriptions
        self._connections = connections

    # built on first use: the StreamFunction starts (and SnapStart snapshots) without clients
    def _subscription_store(self) -> SubscriptionStore:
        self._subscriptions = self._subscriptions or SubscriptionStore()
        return self._subscriptions

    def _gateway(self) -> ConnectionGateway:
        self._connections = self._connections or ApiGatewayConnections()
        return self._connections

    def __call__(self, changes: list[Change], now: datetime) -> None:
        if self._subscriptions is None and not get_settings().connections_table_name:
            return  # live availability is not deployed with this function
        touched, heads = changed_slots(changes), head_changes(changes)
        for mentor_id in sorted(touched.keys() | heads.keys()):
            offered = sorted(start for start in touched.get(mentor_id, ()) if now < start + SLOT and start < now + PROFILE_CALENDAR)
            if not offered and mentor_id not in heads:
                continue
            try:
                self.notify(mentor_id, offered, now, heads.get(mentor_id))
            except Exception:  # noqa: BLE001 - one mentor's failure must not hold back the others
                logger.exception("live availability fan-out failed", extra={"mentor_id": mentor_id})

    def notify(self, mentor_id: str, starts: list[datetime], now: datetime, head_before: HeadBefore | None = None) -> int:
        """Post to the mentor's subscribers the availability now of `starts` (sorted) and of the
        slots a change of its head moved (`head_before`); returns how many subscribers."""
        listeners = list(self._subscription_store().subscribers(mentor_id))
        if not listeners:
            return 0
        available = availability_at(mentor_id, starts, now) if starts else {}
        if head_before is not None:
            available.update(offering_changes(mentor_id, head_before, now, now + PROFILE_CALENDAR, now))
        if not available:
            return 0
        slots = [
            {"start": format_utc(start), "end": format_utc(start + SLOT), "available": available[start]}
            for start in sorted(available)
        ]
        message = availability_message(mentor_id, slots)
        gateway = self._gateway()
        with ThreadPoolExecutor(max_workers=min(POST_THREADS, len(listeners))) as pool:
            delivered = list(pool.map(lambda connection_id: gateway.post(connection_id, message), listeners))
        for connection_id, ok in zip(listeners, delivered):
            if not ok:
                self._subscription_store().drop_subscription(connection_id, mentor_id)
        return len(listeners)
