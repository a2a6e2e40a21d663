"""The directory's read model in the table: compact snapshots (AP11) and the change feed (AP12).

A snapshot is every mentor's `DirectoryCard`, as compressed JSON cut into chunks of at most
CHUNK_BYTES, each chunk under its own partition key (so cold starts reading it spread over many
partitions), plus a head item naming the current one. The change feed is the DirectoryChanges
index: every write that changes what the directory shows also sets the profile's `changes_pk`
(the hour of the change and a shard of the mentor) and `changes_sk` (the instant), and adds 1
to its `change_seq`; a reader asks each shard of the hours since its last read for what
changed from then on.
"""

from __future__ import annotations

import json
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Iterator

from pynamodb.exceptions import PutError

from mentorship.domain.directory import DirectoryCard
from mentorship.domain.instants import epoch_seconds, format_utc_precise, require_utc
from mentorship.domain.search_text import unique_words
from mentorship.store.binding import ensure_bound
from mentorship.store.models import (
    DIRECTORY_CHANGE_SHARDS,
    DIRECTORY_PARTITION,
    DirectorySnapshotChunk,
    DirectorySnapshotHead,
    MentorProfile,
    TableItem,
)

SNAPSHOT_PK = "DIRECTORY"
SNAPSHOT_SK = "SNAPSHOT"
CHUNK_SK = "CHUNK"
CHUNK_BYTES = 350_000  # under DynamoDB's 400 KB item limit with room for the keys
FORMAT = 1
HOUR = timedelta(hours=1)


# ---------------------------------------------------------------- change marks

def changes_partition(mentor_id: str, at: datetime) -> str:
    shard = zlib.crc32(mentor_id.encode()) % DIRECTORY_CHANGE_SHARDS
    return f"CHANGES#{require_utc(at):%Y-%m-%dT%H}#{shard}"


def change_actions(mentor_id: str, at: datetime) -> list:
    """Update actions that announce a change of the mentor's card at `at` (add them to any
    update of the profile that changes what the directory shows)."""
    return [
        MentorProfile.changes_pk.set(changes_partition(mentor_id, at)),
        MentorProfile.changes_sk.set(format_utc_precise(at)),
        MentorProfile.change_seq.add(1),
    ]


def mark_changed(profile: MentorProfile, at: datetime) -> None:
    """The same marks on a profile about to be put whole."""
    profile.changes_pk = changes_partition(profile.mentor_id, at)
    profile.changes_sk = format_utc_precise(at)


# ---------------------------------------------------------------- cards

def card_from_profile(profile: MentorProfile) -> DirectoryCard:
    return DirectoryCard(
        mentor_id=profile.mentor_id,
        name=profile.name,
        avatar_url=profile.avatar_url,
        company=profile.company,
        job_title=profile.job_title,
        years_of_experience=int(profile.years_of_experience),
        experience_level=profile.experience_level,
        hourly_rate=int(profile.hourly_rate),
        currency=profile.currency,
        rating_total=int(profile.rating_total),
        review_count=int(profile.review_count),
        total_sessions=int(profile.total_sessions),
        specialties=tuple(profile.specialties or ()),
        next_open_at=epoch_seconds(profile.next_open_at) if profile.next_open_at else None,
        bio_words=unique_words(profile.bio),
        version=int(profile.change_seq or 0),
    )


def _row(card: DirectoryCard) -> list:
    return [
        card.mentor_id, card.name, card.avatar_url, card.company, card.job_title, card.years_of_experience,
        card.experience_level, card.hourly_rate, card.currency, card.rating_total, card.review_count,
        card.total_sessions, list(card.specialties), card.next_open_at, " ".join(card.bio_words), card.version,
    ]


def _card(row: list) -> DirectoryCard:
    (mentor_id, name, avatar_url, company, job_title, years, level, rate, currency, rating_total,
     review_count, sessions, specialties, next_open_at, bio_words, version) = row
    return DirectoryCard(
        mentor_id, name, avatar_url, company, job_title, years, level, rate, currency, rating_total,
        review_count, sessions, tuple(specialties), next_open_at, tuple(bio_words.split()), version,
    )


def encode_cards(cards: Iterable[DirectoryCard]) -> bytes:
    payload = {"format": FORMAT, "cards": [_row(card) for card in cards]}
    return zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 6)


def decode_cards(blob: bytes) -> list[DirectoryCard]:
    payload = json.loads(zlib.decompress(blob))
    if payload.get("format") != FORMAT:
        raise ValueError(f"directory snapshot format {payload.get('format')} is not {FORMAT}")
    return [_card(row) for row in payload["cards"]]


def chunk_pk(snapshot_id: str, number: int) -> str:
    return f"DIRECTORY#SNAPSHOT#{snapshot_id}#{number:05d}"


@dataclass(frozen=True)
class Snapshot:
    head: DirectorySnapshotHead
    cards: list[DirectoryCard]
    compressed_bytes: int


class DirectoryStore:
    def __init__(self) -> None:
        ensure_bound()

    def head(self) -> DirectorySnapshotHead | None:
        try:
            return DirectorySnapshotHead.get(SNAPSHOT_PK, SNAPSHOT_SK)
        except DirectorySnapshotHead.DoesNotExist:
            return None

    def read_snapshot(self, head: DirectorySnapshotHead) -> Snapshot | None:
        """The cards of the snapshot `head` names (BatchGetItem of its chunks), or None when a
        chunk is missing (deleted after a newer snapshot replaced it: read the head again)."""
        keys = [(chunk_pk(head.snapshot_id, number), CHUNK_SK) for number in range(int(head.chunk_count))]
        parts = {chunk.pk: bytes(chunk.data) for chunk in DirectorySnapshotChunk.batch_get(keys)}
        if len(parts) != len(keys):
            return None
        blob = b"".join(parts[pk] for pk, _ in keys)
        return Snapshot(head, decode_cards(blob), len(blob))

    def write_snapshot(
        self, cards: list[DirectoryCard], built_at: datetime, replaces: DirectorySnapshotHead | None
    ) -> DirectorySnapshotHead | None:
        """Write a new snapshot and make it current, unless another writer replaced `replaces`
        first (then ours is deleted and None returned). The snapshot before `replaces` is deleted:
        a reader that read the old head has had a whole compaction interval to fetch its chunks."""
        blob = encode_cards(cards)
        snapshot_id = uuid.uuid4().hex
        chunks = [blob[offset : offset + CHUNK_BYTES] for offset in range(0, len(blob), CHUNK_BYTES)] or [b""]
        self._put_chunks(snapshot_id, chunks)
        head = DirectorySnapshotHead(
            pk=SNAPSHOT_PK,
            sk=SNAPSHOT_SK,
            snapshot_id=snapshot_id,
            chunk_count=len(chunks),
            card_count=len(cards),
            byte_count=len(blob),
            built_at=built_at,
            previous_ids=[f"{replaces.snapshot_id}:{int(replaces.chunk_count)}"] if replaces else [],
        )
        if replaces is None:
            condition = DirectorySnapshotHead.pk.does_not_exist()
        else:
            condition = DirectorySnapshotHead.snapshot_id == replaces.snapshot_id
        try:
            head.save(condition=condition)
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            self._delete_chunks(snapshot_id, len(chunks))
            return None
        for previous in replaces.previous_ids if replaces else []:
            old_id, count = previous.rsplit(":", 1)
            self._delete_chunks(old_id, int(count))
        return head

    @staticmethod
    def _put_chunks(snapshot_id: str, chunks: list[bytes]) -> None:
        with DirectorySnapshotChunk.batch_write() as batch:
            for number, data in enumerate(chunks):
                batch.save(DirectorySnapshotChunk(pk=chunk_pk(snapshot_id, number), sk=CHUNK_SK, data=data))

    @staticmethod
    def _delete_chunks(snapshot_id: str, count: int) -> None:
        with DirectorySnapshotChunk.batch_write() as batch:
            for number in range(count):
                batch.delete(DirectorySnapshotChunk(pk=chunk_pk(snapshot_id, number), sk=CHUNK_SK))

    def changed_since(self, since: datetime, until: datetime) -> Iterator[MentorProfile]:
        """Profiles whose last change is at or after `since`: one Query per shard of each hour
        from `since` to `until` (the hour buckets a reader asks about are the recent ones only)."""
        since_key = format_utc_precise(since)
        hour = require_utc(since).replace(minute=0, second=0, microsecond=0)
        while hour <= until:
            for shard in range(DIRECTORY_CHANGE_SHARDS):
                partition = f"CHANGES#{hour:%Y-%m-%dT%H}#{shard}"
                for item in TableItem.directory_changes.query(partition, TableItem.changes_sk >= since_key):
                    if isinstance(item, MentorProfile):
                        yield item
            hour += HOUR

    def all_profiles(self) -> Iterator[MentorProfile]:
        """Every profile, through the Directory index: only to build the first snapshot."""
        for item in TableItem.directory.query(DIRECTORY_PARTITION):
            if isinstance(item, MentorProfile):
                yield item
