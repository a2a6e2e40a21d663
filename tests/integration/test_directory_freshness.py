"""The directory's read model: snapshots, compaction, and the freshness bound (a profile change,
a review or a booking that moves nextAvailable shows in GET /mentors within 60 seconds), on moto
and on DynamoDB Local."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.api.caching import DIRECTORY_MAX_AGE
from mentorship.services import directory as directory_service
from mentorship.services.directory import SYNC_OVERLAP, compact, read_model
from mentorship.services.sessions import review_session
from mentorship.settings import get_settings
from mentorship.store import directory as directory_store
from mentorship.store.directory import DirectoryStore
from mentorship.store.models import DirectorySnapshotChunk
from tests.support.factories import add_booking, add_mentor

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
SYNC_SECONDS = 10
FRESHNESS_BOUND = timedelta(seconds=60)
MENTOR = {"sub": "fresh-1", "email": "fresh@example.com", "name": "Fresh Mentor"}
PROFILE = {
    "company": "Acme", "jobTitle": "Backend Engineer", "bio": "Databases and queues.", "specialties": ["sql"],
    "yearsOfExperience": 6, "hourlyRate": {"amount": 10_000}, "timezone": "Europe/Berlin",
}


@pytest.fixture
def synced_every_ten_seconds(monkeypatch):
    monkeypatch.setenv("DIRECTORY_SYNC_SECONDS", str(SYNC_SECONDS))
    get_settings.cache_clear()
    directory_service.forget_read_model()
    yield
    get_settings.cache_clear()
    directory_service.forget_read_model()


def cards(mentors_api, **query) -> dict[str, dict]:
    status, body = mentors_api("GET", "/mentors", query={"limit": "100", **query})
    assert status == 200, body
    return {card["mentorId"]: card for card in body["items"]}


def test_changes_show_within_the_sync_interval_and_the_bound_holds(table, clock, mentors_api, synced_every_ten_seconds):
    clock.moment = NOW
    assert mentors_api("PUT", "/mentors/me", body=PROFILE, claims=MENTOR)[0] == 200
    other = add_mentor("other-1", "Other Mentor", NOW)
    assert compact(NOW, force=True).compacted
    before = cards(mentors_api)  # a cold instance: the snapshot, then the changes since
    assert read_model().last_load.source == "snapshot"
    assert before["fresh-1"]["jobTitle"] == "Backend Engineer" and before["fresh-1"]["nextAvailable"] is None

    # A profile change, published availability (nextAvailable) and a review (rating), at once.
    clock.advance(seconds=1)
    changed = {**PROFILE, "jobTitle": "Principal Engineer", "company": "Globex"}
    assert mentors_api("PUT", "/mentors/me", body=changed, claims=MENTOR)[0] == 200
    slot = NOW + timedelta(days=1)
    window = {"start": slot.isoformat(), "end": (slot + timedelta(minutes=30)).isoformat()}
    assert mentors_api("POST", "/mentors/me/availability", body=window, claims=MENTOR)[0] == 201
    booking = add_booking(other, "mentee-9", NOW - timedelta(days=2), now=NOW - timedelta(days=3))
    review_session(booking.booking_id, "mentee-9", 4, "Clear and kind.", clock.moment)

    clock.advance(seconds=SYNC_SECONDS)
    after = cards(mentors_api)
    assert (after["fresh-1"]["jobTitle"], after["fresh-1"]["company"]) == ("Principal Engineer", "Globex")
    assert after["fresh-1"]["nextAvailable"] == "2026-11-25T14:00:00Z"
    assert (after["other-1"]["averageRating"], after["other-1"]["reviewCount"]) == (4.0, 1)
    assert "fresh-1" in cards(mentors_api, q="globex") and "fresh-1" not in cards(mentors_api, q="acme")
    # The worst case for a client: the instance read changes just before the change, then a cache
    # (CloudFront, a browser) kept the answer for its whole max-age.
    assert timedelta(seconds=SYNC_SECONDS + DIRECTORY_MAX_AGE) <= FRESHNESS_BOUND


def test_a_warm_instance_reads_changes_at_most_every_interval(table, clock, mentors_api, synced_every_ten_seconds):
    clock.moment = NOW
    add_mentor("w1", "Wanda Old", NOW)
    assert cards(mentors_api)["w1"]["name"] == "Wanda Old"
    add_mentor("w2", "Walter New", NOW)
    clock.advance(seconds=SYNC_SECONDS - 1)
    assert "w2" not in cards(mentors_api)  # within the interval the instance answers from memory
    clock.advance(seconds=1)
    assert "w2" in cards(mentors_api)


def test_compaction_waits_until_due_then_folds_changes_in(table, clock, mentors_api):
    clock.moment = NOW
    for k in range(5):
        add_mentor(f"c{k}", f"Compact {k}", NOW)
    first = compact(NOW)
    assert (first.compacted, first.reason, first.cards) == (True, "first snapshot", 5)
    clock.advance(minutes=1)
    add_mentor("c9", "Compact Nine", clock.moment)
    idle = compact(clock.moment)
    assert (idle.compacted, idle.reason, idle.changes) == (False, "not due", 1)
    later = clock.advance(hours=1)
    due = compact(later)
    assert (due.compacted, due.cards, due.changes) == (True, 6, 1)
    store = DirectoryStore()
    head = store.head()
    assert head.card_count == 6 and head.built_at == later
    # A cold instance loads the new snapshot and reads only what changed since just before it.
    directory_service.forget_read_model()
    assert "c9" in cards(mentors_api)
    assert read_model().last_load.source == "snapshot" and read_model().last_load.cards == 6
    # A third snapshot deletes the first one's chunks (the second stays for readers of its head).
    third = compact(clock.advance(minutes=1), force=True)
    assert third.compacted
    first_id = head.previous_ids[0].split(":")[0]
    assert not list(DirectorySnapshotChunk.batch_get([(directory_store.chunk_pk(first_id, 0), "CHUNK")]))
    assert store.read_snapshot(head) is not None


def test_a_snapshot_spans_many_chunks(table, clock, monkeypatch):
    clock.moment = NOW
    for k in range(40):
        add_mentor(f"s{k:02d}", f"Chunky {k}", NOW, bio=" ".join(f"word{k}{n}" for n in range(40)))
    monkeypatch.setattr(directory_store, "CHUNK_BYTES", 1_000)
    assert compact(NOW, force=True).compacted
    store = DirectoryStore()
    head = store.head()
    assert head.chunk_count > 3
    snapshot = store.read_snapshot(head)
    assert sorted(card.mentor_id for card in snapshot.cards) == [f"s{k:02d}" for k in range(40)]
    assert snapshot.cards[7].bio_words[:2] == ("word70", "word71")


def test_the_overlap_covers_the_change_index_lag():
    assert SYNC_OVERLAP >= timedelta(seconds=SYNC_SECONDS)
