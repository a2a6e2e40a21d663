"""AP20/AP21: waitlist entries, the mentee's waiting places, and the offer's claim on an entry.

An entry lives in its mentee's partition (`USER#<id> / WAITLIST#<waitlistId>`), so listing and
removing the caller's own entries are a Query and a GetItem there (someone else's id is simply
absent). While `waiting` it is also in the sparse `Waitlist` index under its mentor:
`WAITLIST#<mentorId>` / `<window start Z>#<created, precise>#<id>`. A window spans at most 14
days, so every entry whose window can hold a session touching [start, end) has its window start
in [start - 14 days, end): one Query, filtered on the window's end; first come, first served
is then decided among those few by `created_at`.

At most five waiting entries per mentee: each takes one of five places (`WAITING#<0..4>`) in the
same transaction, on condition that the place is free (absent, or its entry's window is over),
as the three hold places do; an offer or a removal gives the place back.

An offer's hold claims its entry inside the hold's own transaction (`claim_actions`): the entry
turns `offered` on condition that it is still `waiting`, so two frees at once can never offer one
entry twice, and the slot locks decide which of two entries gets one slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from pynamodb.exceptions import UpdateError

from mentorship.domain.calendar import Party
from mentorship.domain.instants import epoch_seconds, format_utc, format_utc_precise
from mentorship.domain.waitlist import LONGEST_WINDOW, WaitlistStatus, last_start, oldest_first
from mentorship.errors import NotFound
from mentorship.store.binding import ensure_bound
from mentorship.store.due_work import due_again_actions, done_actions, make_due
from mentorship.store.models import WaitlistEntry, WaitPlace, user_pk
from mentorship.store.transactions import ConditionsFailed, Transaction, retry_on_contention

ENTRY_PREFIX = "WAITLIST#"
PLACE_PREFIX = "WAITING#"
INDEX_PREFIX = "WAITLIST#"
CONDITION_FAILED = "ConditionalCheckFailedException"
KEPT_AFTER_WINDOW = timedelta(days=30)  # TTL housekeeping: a finished entry is listed this long
RECHECK_EVERY = timedelta(minutes=10)  # the per-minute run looks again at a waiting entry this often


class TooManyWaiting(Exception):
    """The mentee already has the most waiting entries allowed."""


@dataclass(frozen=True)
class WaitlistClaim:
    """An offer's hold taking its entry: written in the hold's transaction (store.booking_writes)."""

    mentee_id: str
    waitlist_id: str
    booking_id: str
    wait_place: int | None
    now: datetime


def entry_key(mentee_id: str, waitlist_id: str) -> tuple[str, str]:
    return user_pk(mentee_id), f"{ENTRY_PREFIX}{waitlist_id}"


def new_entry(
    waitlist_id: str,
    *,
    mentor_id: str,
    mentee: Party,
    window_from: datetime,
    window_to: datetime,
    minutes: int,
    topic: str,
    now: datetime,
) -> WaitlistEntry:
    """A waiting entry, in the mentor's Waitlist index (and in DueWork)."""
    pk, sk = entry_key(mentee.user_id, waitlist_id)
    # In DueWork while waiting: the per-minute run's safety net (services.waitlist.recheck_entry).
    entry = WaitlistEntry(
        pk=pk,
        sk=sk,
        waitlist_id=waitlist_id,
        mentor_id=mentor_id,
        mentee_id=mentee.user_id,
        mentee_name=mentee.name,
        mentee_email=mentee.email,
        mentee_timezone=mentee.timezone,
        window_from=window_from,
        window_to=window_to,
        duration_minutes=minutes,
        topic=topic,
        status=WaitlistStatus.WAITING.value,
        created_at=now,
        updated_at=now,
        waitlist_pk=f"{INDEX_PREFIX}{mentor_id}",
        waitlist_sk=f"{format_utc(window_from)}#{format_utc_precise(now)}#{waitlist_id}",
        expires_at=window_to + KEPT_AFTER_WINDOW,
    )
    return make_due(entry, now + RECHECK_EVERY)


def _place(mentee_id: str, number: int) -> WaitPlace:
    return WaitPlace(pk=user_pk(mentee_id), sk=f"{PLACE_PREFIX}{number}")


def claim_actions(transaction: Transaction, claim: WaitlistClaim) -> None:
    """The entry turns `offered` (with the hold's booking) only if it is still waiting, and gives
    its waiting place back; both named `claim:...`, so the hold can tell a lost claim apart."""
    pk, sk = entry_key(claim.mentee_id, claim.waitlist_id)
    transaction.update(
        "claim:entry",
        WaitlistEntry(pk=pk, sk=sk),
        actions=[
            WaitlistEntry.status.set(WaitlistStatus.OFFERED.value),
            WaitlistEntry.booking_id.set(claim.booking_id),
            WaitlistEntry.updated_at.set(claim.now),
            WaitlistEntry.waitlist_pk.remove(),
            WaitlistEntry.waitlist_sk.remove(),
            *done_actions(),
        ],
        condition=WaitlistEntry.status == WaitlistStatus.WAITING.value,
    )
    if claim.wait_place is not None:
        transaction.delete(
            "claim:place", _place(claim.mentee_id, claim.wait_place), condition=WaitPlace.waitlist_id == claim.waitlist_id
        )


class WaitlistRepository(Protocol):
    def add(self, entry: WaitlistEntry, most: int, now: datetime) -> None:
        """Write a waiting entry if the mentee has fewer than `most` waiting (TooManyWaiting)."""

    def entries_of(self, mentee_id: str) -> list[WaitlistEntry]:
        """The mentee's entries (strongly consistent), any status."""

    def remove(self, mentee_id: str, waitlist_id: str) -> None:
        """Delete the mentee's entry and give its place back (NotFound if they have none by that id)."""

    def waiting_for(self, mentor_id: str, start: datetime, end: datetime) -> list[WaitlistEntry]:
        """Waiting entries of the mentor whose window overlaps [start, end), oldest first."""

    def recheck_later(self, entry: WaitlistEntry, at: datetime | None) -> None:
        """While it still waits, the per-minute run looks at the entry again at `at` (None: never,
        its window is over)."""

    def expire_offer(self, mentee_id: str, waitlist_id: str, booking_id: str, now: datetime) -> bool:
        """The offer `booking_id` lapsed or was released: the entry is done (False if it was not
        that offer's any more)."""


class DynamoWaitlistRepository:
    """The repository on the table."""

    def __init__(self) -> None:
        ensure_bound()

    def _free_places(self, mentee_id: str, most: int, now: datetime) -> list[int]:
        taken = {
            int(place.sk.removeprefix(PLACE_PREFIX))
            for place in WaitPlace.query(user_pk(mentee_id), WaitPlace.sk.startswith(PLACE_PREFIX), consistent_read=True)
            if isinstance(place, WaitPlace) and int(place.until) > epoch_seconds(now)
        }
        return [number for number in range(most) if number not in taken]

    def add(self, entry: WaitlistEntry, most: int, now: datetime, attempts: int = 3) -> None:
        until = epoch_seconds(last_start(entry.window_to, int(entry.duration_minutes)))
        for _ in range(attempts):
            places = self._free_places(entry.mentee_id, most, now)
            if not places:
                raise TooManyWaiting()
            place = _place(entry.mentee_id, places[0])
            place.user_id, place.waitlist_id, place.until = entry.mentee_id, entry.waitlist_id, until
            place.expires_at = entry.expires_at
            entry.wait_place = places[0]

            def attempt() -> None:
                transaction = Transaction()
                transaction.put(
                    "place", place, condition=WaitPlace.pk.does_not_exist() | (WaitPlace.until <= epoch_seconds(now))
                )
                transaction.put("entry", entry, condition=WaitlistEntry.pk.does_not_exist())
                transaction.commit()

            try:
                retry_on_contention(attempt)
                return
            except ConditionsFailed as failed:
                if "place" not in failed.names:
                    raise
                # another add of the same mentee took that place meanwhile: read again
        raise TooManyWaiting()

    def entries_of(self, mentee_id: str) -> list[WaitlistEntry]:
        found = WaitlistEntry.query(user_pk(mentee_id), WaitlistEntry.sk.startswith(ENTRY_PREFIX), consistent_read=True)
        return [item for item in found if isinstance(item, WaitlistEntry)]

    def _get(self, mentee_id: str, waitlist_id: str) -> WaitlistEntry | None:
        try:
            item = WaitlistEntry.get(*entry_key(mentee_id, waitlist_id), consistent_read=True)
        except WaitlistEntry.DoesNotExist:
            return None
        return item if isinstance(item, WaitlistEntry) else None

    def remove(self, mentee_id: str, waitlist_id: str) -> None:
        entry = self._get(mentee_id, waitlist_id)
        if entry is None:
            raise NotFound("you have no waitlist entry with that id")
        holds_place = entry.status == WaitlistStatus.WAITING.value and entry.wait_place is not None
        for attempt in range(2):
            transaction = Transaction()
            transaction.delete("entry", entry, condition=WaitlistEntry.pk.exists())
            if holds_place and attempt == 0:
                place = _place(mentee_id, int(entry.wait_place))
                transaction.delete("place", place, condition=WaitPlace.waitlist_id == waitlist_id)
            try:
                retry_on_contention(transaction.commit)
                return
            except ConditionsFailed as failed:
                if "entry" in failed.names:
                    raise NotFound("you have no waitlist entry with that id") from None
                # the place went meanwhile (an offer claimed it): delete the entry alone

    def waiting_for(self, mentor_id: str, start: datetime, end: datetime) -> list[WaitlistEntry]:
        found = WaitlistEntry.waitlist.query(
            f"{INDEX_PREFIX}{mentor_id}",
            WaitlistEntry.waitlist_sk.between(format_utc(start - LONGEST_WINDOW), format_utc(end)),
            filter_condition=WaitlistEntry.window_to > start,
        )
        # `between` is inclusive: an entry whose window starts exactly at `end` cannot overlap it.
        return oldest_first(
            item for item in found if isinstance(item, WaitlistEntry) and item.window_from < end and item.window_to > start
        )

    def recheck_later(self, entry: WaitlistEntry, at: datetime | None) -> None:
        if at is None:
            actions = done_actions()
        else:
            actions = due_again_actions(at)
        try:
            WaitlistEntry(pk=entry.pk, sk=entry.sk).update(
                actions=actions, condition=WaitlistEntry.status == WaitlistStatus.WAITING.value
            )
        except UpdateError as error:
            if error.cause_response_code != CONDITION_FAILED:
                raise
            # offered or removed meanwhile: the offer took it out of DueWork already

    def expire_offer(self, mentee_id: str, waitlist_id: str, booking_id: str, now: datetime) -> bool:
        pk, sk = entry_key(mentee_id, waitlist_id)
        try:
            WaitlistEntry(pk=pk, sk=sk).update(
                actions=[WaitlistEntry.status.set(WaitlistStatus.EXPIRED.value), WaitlistEntry.updated_at.set(now)],
                condition=(WaitlistEntry.status == WaitlistStatus.OFFERED.value) & (WaitlistEntry.booking_id == booking_id),
            )
        except UpdateError as error:
            if error.cause_response_code == CONDITION_FAILED:
                return False  # removed, or expired by an earlier delivery of the same record
            raise
        return True


_override: WaitlistRepository | None = None


def waitlist_repository() -> WaitlistRepository:
    return _override or DynamoWaitlistRepository()


def use_waitlist_repository(repository: WaitlistRepository | None) -> None:
    """Swap the repository (a fake in unit tests); None restores the table's."""
    global _override
    _override = repository
