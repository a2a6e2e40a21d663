"""The directory each warm instance holds in memory, and the compaction of its snapshot.

A cold instance reads the current snapshot (a GetItem and one BatchGetItem of its chunks), then
everything that changed since a little before the snapshot was built; from then on it reads what
changed since its last read at most every `directory_sync_seconds` (10 by default), before
answering a request. A change is therefore in the answers within that interval plus the change
index's own lag. Reads overlap by SYNC_OVERLAP, which covers that lag and the writers' clocks;
reading a change twice is harmless, since a card replaces another only with a higher version.

Compaction (the DirectoryFunction, every minute) folds the changes into a new snapshot once
COMPACT_AFTER_CHANGES have gathered or the snapshot is COMPACT_AFTER_AGE old, so a cold start
reads a bounded number of changes besides the snapshot.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from mentorship.domain.directory import DirectoryCard, DirectoryIndex
from mentorship.observability import logger
from mentorship.settings import get_settings
from mentorship.store import binding
from mentorship.store.directory import DirectoryStore, card_from_profile

SYNC_OVERLAP = timedelta(seconds=20)
COMPACT_AFTER_CHANGES = 2_000
COMPACT_AFTER_AGE = timedelta(hours=1)
# A snapshot older than this is not worth replaying changes onto: build from the profiles.
LONGEST_REPLAY = timedelta(hours=24)


@dataclass(frozen=True)
class LoadReport:
    """What a cold load cost: where the cards came from and how long it took."""

    source: str  # "snapshot" or "profiles" (no usable snapshot yet)
    cards: int
    changes: int
    compressed_bytes: int
    seconds: float


class DirectoryReadModel:
    def __init__(self, store: DirectoryStore | None = None, sync_every: timedelta | None = None) -> None:
        self._store = store or DirectoryStore()
        seconds = get_settings().directory_sync_seconds if sync_every is None else sync_every.total_seconds()
        self._sync_every = timedelta(seconds=seconds)
        self._index: DirectoryIndex | None = None
        self._synced_at: datetime | None = None  # the `now` of the last read of changes
        self.last_load: LoadReport | None = None

    def index(self, now: datetime) -> DirectoryIndex:
        """The directory as of `now` give or take the sync interval: loaded on first use, then
        brought up to date when the interval has passed."""
        if self._index is None:
            self._load(now)
        elif now - self._synced_at >= self._sync_every:
            self._apply_changes(self._synced_at - SYNC_OVERLAP, now)
        return self._index

    def expire_sync(self) -> None:
        """Make the next request read the changes (the benchmark measures that worst case)."""
        if self._synced_at is not None:
            self._synced_at -= self._sync_every + timedelta(seconds=1)

    def _load(self, now: datetime) -> None:
        started = time.perf_counter()
        snapshot, since = None, now - SYNC_OVERLAP
        head = self._store.head()
        if head is not None and now - head.built_at <= LONGEST_REPLAY:
            snapshot = self._store.read_snapshot(head)
        if snapshot is not None:
            cards, since, source = snapshot.cards, head.built_at - SYNC_OVERLAP, "snapshot"
        else:
            logger.warning("no usable directory snapshot: building the directory from every profile")
            cards, source = [card_from_profile(profile) for profile in self._store.all_profiles()], "profiles"
        self._index = DirectoryIndex(cards)
        changes = self._apply_changes(since, now)
        self.last_load = LoadReport(
            source, len(cards), changes, snapshot.compressed_bytes if snapshot else 0, time.perf_counter() - started
        )
        logger.info("directory loaded", extra=self.last_load.__dict__)

    def _apply_changes(self, since: datetime, now: datetime) -> int:
        changes = 0
        for profile in self._store.changed_since(since, now):
            changes += self._index.upsert(card_from_profile(profile))
        self._synced_at = now
        return changes


_model: DirectoryReadModel | None = None
_model_table: object = None


def read_model() -> DirectoryReadModel:
    """This instance's directory (one per process, as Lambda keeps one per warm instance); a
    fresh one if the table binding changed (tests and the benchmark bind new tables)."""
    global _model, _model_table
    binding.ensure_bound()
    if _model is None or _model_table != binding.bound_target():
        _model, _model_table = DirectoryReadModel(), binding.bound_target()
    return _model


def forget_read_model() -> None:
    global _model, _model_table
    _model, _model_table = None, None


@dataclass(frozen=True)
class CompactionReport:
    compacted: bool
    reason: str
    cards: int = 0
    changes: int = 0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def compact(now: datetime, store: DirectoryStore | None = None, force: bool = False) -> CompactionReport:
    """Fold the changes gathered since the current snapshot into a new one when enough have
    gathered or it is old (or there is none, or `force`)."""
    store = store or DirectoryStore()
    head = store.head()
    snapshot = store.read_snapshot(head) if head is not None and now - head.built_at <= LONGEST_REPLAY else None
    if snapshot is None:
        cards = {card.mentor_id: card for card in map(card_from_profile, store.all_profiles())}
        changes, reason = 0, "first snapshot" if head is None else "snapshot unusable: rebuilt from the profiles"
    else:
        cards = {card.mentor_id: card for card in snapshot.cards}
        newer = [
            card
            for card in map(card_from_profile, store.changed_since(head.built_at - SYNC_OVERLAP, now))
            if card.mentor_id not in cards or cards[card.mentor_id].version < card.version
        ]
        changes = len(newer)
        if not force and changes < COMPACT_AFTER_CHANGES and now - head.built_at < COMPACT_AFTER_AGE:
            return CompactionReport(False, "not due", len(snapshot.cards), changes)
        cards.update((card.mentor_id, card) for card in newer)
        reason = "forced" if force else "due"
    written = store.write_snapshot(sorted(cards.values(), key=_by_id), now, replaces=head)
    if written is None:
        return CompactionReport(False, "another compaction won", len(cards), changes)
    return CompactionReport(True, reason, len(cards), changes)


def _by_id(card: DirectoryCard) -> str:
    return card.mentor_id
