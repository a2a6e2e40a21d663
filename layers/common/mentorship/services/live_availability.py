"""Live availability: the stream batch's slot changes, coalesced per mentor, posted to the
connections subscribed to that mentor (docs/decisions.md §25).

Per changed mentor and batch: one Query of its subscribers (nothing else when there are none),
one strongly consistent Query of the changed slots' window for their state now, then one
PostToConnection per subscriber. The cost follows the changed mentor's audience, never the
number of connections. A 410 (the client went away without $disconnect) drops that subscription.
"""

from __future__ import annotations

import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from mentorship.domain.instants import SLOT, format_utc
from mentorship.domain.slots import PROFILE_CALENDAR, slots_for_session
from mentorship.gateways.connections import ApiGatewayConnections, ConnectionGateway
from mentorship.observability import logger
from mentorship.services.availability import takes_or_frees_slots
from mentorship.services.stream import Change
from mentorship.settings import get_settings
from mentorship.store.models import Booking, Slot, SlotLock
from mentorship.store.slots import SlotStore
from mentorship.store.subscriptions import SubscriptionStore

POST_THREADS = 16  # posts to one mentor's subscribers run side by side (each is one HTTPS call)


def _session_starts(booking: Booking | None) -> list[datetime]:
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
        if isinstance(change.new, Booking) and takes_or_frees_slots(change.old, change.new):
            mentor_id = change.new.mentor_id
            touched[mentor_id].update(_session_starts(change.old))
            touched[mentor_id].update(_session_starts(change.new))
    return touched


def availability_message(mentor_id: str, slots: list[dict]) -> bytes:
    return json.dumps({"type": "availability_changed", "mentorId": mentor_id, "slots": slots}).encode()


class AvailabilityFanOut:
    """The StreamFunction's batch handler (functions/stream/app.py)."""

    def __init__(
        self,
        subscriptions: SubscriptionStore | None = None,
        connections: ConnectionGateway | None = None,
        slots: SlotStore | None = None,
    ) -> None:
        self._subscriptions = subscriptions
        self._connections = connections
        self._slots = slots

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
        for mentor_id, starts in changed_slots(changes).items():
            offered = sorted(start for start in starts if now < start + SLOT and start < now + PROFILE_CALENDAR)
            if not offered:
                continue
            try:
                self.notify(mentor_id, offered, now)
            except Exception:  # noqa: BLE001 - one mentor's failure must not hold back the others
                logger.exception("live availability fan-out failed", extra={"mentor_id": mentor_id})

    def notify(self, mentor_id: str, starts: list[datetime], now: datetime) -> int:
        """Post the current state of `starts` (sorted) to the mentor's subscribers; returns how many."""
        listeners = list(self._subscription_store().subscribers(mentor_id))
        if not listeners:
            return 0
        self._slots = self._slots or SlotStore()
        states = {state.start: state for state in self._slots.window(mentor_id, starts[0], starts[-1] + SLOT, consistent=True)}
        slots = [
            {
                "start": format_utc(start),
                "end": format_utc(start + SLOT),
                "available": start in states and states[start].is_open(now),
            }
            for start in starts
        ]
        message = availability_message(mentor_id, slots)
        gateway = self._gateway()
        with ThreadPoolExecutor(max_workers=min(POST_THREADS, len(listeners))) as pool:
            delivered = list(pool.map(lambda connection_id: gateway.post(connection_id, message), listeners))
        for connection_id, ok in zip(listeners, delivered):
            if not ok:
                self._subscription_store().drop_subscription(connection_id, mentor_id)
        return len(listeners)
