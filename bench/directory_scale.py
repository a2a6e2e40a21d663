"""The directory at marketplace scale: GET /mentors against 1,000 to 100,000 mentors.

Each size gets fresh tables holding the directory's snapshot of that many mentors (varied names
with accents, titles from a dozen families and a rare one, specialties, companies, bios, levels,
rates, zones, ratings and next open slots), as the DirectoryFunction would have written it a
minute before the measurement, and the profiles of RECENT_CHANGES of them that changed since
(the same ones at every size), written as the store writes them, so every read of the change
index finds them. The other profiles are not written: no directory read touches them, and
building and writing a hundred thousand would take minutes of the bench's budget.

Measured, with the clock pinned: the cold load of the read model (a fresh instance: snapshot
head, chunks, changes since), then each query shape of the contract through the real handler,
its DynamoDB requests and items read counted with the instance's change read forced (the worst
case: a request that pays the sync), matches on page 1, total, and warm p50/p99 (an instance
that synced within its interval, as most requests find it).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bench.dataset import NOW
from bench.invoke import BenchError, Call, check_success, http_call, invoke, json_body
from bench.runner import RouteCost, fresh_tables, log, measure_call, pinned_clock
from bench.seeding import write_items
from tooling.dynamodb_local import DynamoDBLocal
from mentorship.domain.directory import DirectoryCard
from mentorship.domain.instants import SLOT, epoch_seconds
from mentorship.domain.mentors import experience_level
from mentorship.domain.search_text import unique_words
from mentorship.services import directory as directory_service
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.store.directory import DirectoryStore, mark_changed
from mentorship.store.mentors import directory_sort_key
from mentorship.store.models import DIRECTORY_PARTITION, MentorProfile

DEFAULT_MENTORS = (1_000, 20_000, 100_000)
RECENT_CHANGES = 20  # profiles changed after the snapshot: what every sync reads
SNAPSHOT_AGE = timedelta(minutes=1)
LIMIT = 20

_FIRST = "Ada Bruno Chen Priya Daniel Elena Fatima Gabriel Hannah Isaac Julia Kenji José Søren Zoë Łukasz Amélie Nguyễn Oluwaseun Mateo".split()
_LAST = "Okafor Carvalho Wei Raman Kim Petrova Haddad Moreau Schmidt Mensah Nowak Sato Señor Müller García Østergaard Dubois Kowalski Tanaka Singh".split()
# (title, share): a dozen families, and rare ones for selective filters.
_TITLES = (
    ("Software Engineer", 14), ("Senior Software Engineer", 12), ("Staff Software Engineer", 6),
    ("Engineering Manager", 8), ("Data Scientist", 8), ("Product Designer", 7), ("Product Manager", 8),
    ("Site Reliability Engineer", 6), ("Machine Learning Engineer", 6), ("Security Engineer", 5),
    ("Data Engineer", 6), ("Frontend Developer", 6), ("Mobile Developer", 4), ("Solutions Architect", 3.5),
    ("Quantum Computing Researcher", 0.5),
)
_SPECIALTIES = (
    "system design", "kubernetes", "career growth", "interviews", "leadership", "python", "react", "machine learning",
    "product strategy", "ux research", "security", "go", "rust", "data pipelines", "aws", "negotiation", "public speaking",
    "sql", "distributed systems", "ios", "android", "typescript", "hiring", "startups", "observability", "compilers",
)
_COMPANY_WORDS = "Northwind Tidewater Lumen Kestrel Cobalt Orchard Globex Initech Umbrella Stark Wayne Acme Hooli Vandelay".split()
_COMPANY_KINDS = "Labs Bank Analytics Health Cloud Pay Systems Robotics Media Games".split()
_BIO = (
    "I help engineers grow into senior and staff roles.", "Ten years of building payment systems at scale.",
    "Ask me about distributed systems, queues and databases.", "Former founder; I mentor first-time managers.",
    "I review resumes and run mock interviews every week.", "Passionate about accessible, fast user interfaces.",
    "Kubernetes, Terraform and cloud migrations are my daily work.", "I moved from academia to industry and can help you too.",
    "Let's talk about negotiation, promotions and career changes.", "Machine learning in production: data, models, monitoring.",
    "Señor engineer of many rewrites; now I teach testing.", "Product thinking for engineers and engineering for PMs.",
)
_ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Europe/Berlin", "America/Los_Angeles", "UTC",
          "Asia/Tokyo", "America/Sao_Paulo", "Australia/Sydney", "America/Chicago")

# The contract's query shapes: (name, query parameters). Each must fill page 1 in one request.
QUERY_SHAPES: tuple[tuple[str, dict[str, str]], ...] = (
    ("no filter (name)", {}),
    ("q=engineer (relevance)", {"q": "engineer"}),
    ("q=kube cloud (2 words)", {"q": "kube cloud"}),
    ("q=senor (accent folded)", {"q": "senor"}),
    ("specialty=system design", {"specialty": "system design"}),
    ("jobFamily=quantum (0.5%)", {"jobFamily": "quantum"}),
    ("level staff, minRate 28000 (~1%)", {"experienceLevel": "staff", "minRate": "28000"}),
    ("jobFamily, level, maxRate (~0.1%)", {"jobFamily": "architect", "experienceLevel": "senior", "maxRate": "9000"}),
    ("availability=today", {"availability": "today", "tz": "America/Chicago"}),
    ("sort=rating", {"sort": "rating"}),
    ("sort=-price, availability=week", {"sort": "-price", "availability": "week"}),
    ("sort=availability", {"sort": "availability"}),
    ("q + every filter", {"q": "eng", "jobFamily": "engineer", "experienceLevel": "mid", "minRate": "8000",
                          "maxRate": "20000", "availability": "month", "sort": "price"}),
)
PAGED_SHAPE = "page 3 of q=engineer"


@dataclass(frozen=True)
class ShapeResult:
    name: str
    cost: RouteCost
    count: int  # matches on page 1
    total: int
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class DirectoryScaleResult:
    mentors: int
    seed_seconds: float
    load: RouteCost  # the cold load of the read model (first request of a fresh instance)
    load_seconds: float
    snapshot_bytes: int
    snapshot_chunks: int
    shapes: list[ShapeResult]


@dataclass(frozen=True)
class _Mentor:
    mentor_id: str
    name: str
    facts: ProfileFacts
    reviews: int
    rating_total: int
    sessions: int
    next_open_at: datetime | None


def mentors(count: int) -> Iterator[_Mentor]:
    """`count` varied mentors, the same for the same count."""
    rng = random.Random(f"directory-scale:{count}")
    titles, weights = zip(*_TITLES)
    for k, title in enumerate(rng.choices(titles, weights, k=count)):
        facts = ProfileFacts(
            company=f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_KINDS)}",
            job_title=title,
            bio=" ".join(rng.sample(_BIO, 3)) + f" Based in {_ZONES[k % len(_ZONES)].split('/')[-1]}.",
            years_of_experience=rng.randint(0, 25),
            hourly_rate=rng.randrange(3_000, 30_001, 500),
            timezone=_ZONES[k % len(_ZONES)],
            specialties=rng.sample(_SPECIALTIES, rng.randint(1, 5)),
        )
        reviews = rng.choice((0, 0, rng.randint(1, 10), rng.randint(10, 200)))
        yield _Mentor(
            mentor_id=f"dm{k:06d}",
            name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            facts=facts,
            reviews=reviews,
            rating_total=sum(rng.choices((5, 4, 3, 2, 1), (55, 28, 10, 5, 2), k=reviews)),
            sessions=reviews + rng.randint(0, 20),
            # a fifth have nothing open; the rest within 40 days, on slot boundaries
            next_open_at=NOW + SLOT * rng.randint(1, 40 * 48) if rng.random() < 0.8 else None,
        )


def card(mentor: _Mentor, version: int = 1) -> DirectoryCard:
    """The mentor's card as `card_from_profile` reads it from the profile (built directly: a
    hundred thousand pynamodb profiles would take most of the seeding time)."""
    facts = mentor.facts
    return DirectoryCard(
        mentor.mentor_id, mentor.name, None, facts.company, facts.job_title, facts.years_of_experience,
        experience_level(facts.years_of_experience).value, facts.hourly_rate, facts.currency, mentor.rating_total,
        mentor.reviews, mentor.sessions, tuple(facts.specialties),
        epoch_seconds(mentor.next_open_at) if mentor.next_open_at else None, unique_words(facts.bio), version,
    )


def changed_profile(mentor: _Mentor) -> MentorProfile:
    """The profile of a mentor who changed their title 30 s before the measurement, as the store
    writes it (directory keys, change marks, a higher version than the snapshot's card)."""
    changed_at = NOW - timedelta(seconds=30)
    facts = replace(mentor.facts, job_title=f"Principal {mentor.facts.job_title}")
    profile = build_profile(mentor.mentor_id, mentor.name, f"{mentor.mentor_id}@mentors.example.com", facts, changed_at)
    profile.review_count, profile.rating_total, profile.total_sessions = mentor.reviews, mentor.rating_total, mentor.sessions
    profile.next_open_at = mentor.next_open_at
    profile.directory_pk = DIRECTORY_PARTITION
    profile.directory_sk = directory_sort_key(profile.name, profile.mentor_id)
    mark_changed(profile, changed_at)
    profile.change_seq = 2
    return profile


def seed(client, table_name: str, count: int) -> tuple[int, int]:
    """The snapshot a compaction a minute ago would have written for `count` mentors, then the
    profiles of RECENT_CHANGES of them changed since; returns the snapshot's bytes and chunks.
    The other profiles are not written: the directory's reads never touch them."""
    everyone = list(mentors(count))
    head = DirectoryStore().write_snapshot([card(mentor) for mentor in everyone], NOW - SNAPSHOT_AGE, replaces=None)
    if head is None:
        raise BenchError("the directory snapshot was written twice")
    write_items(client, table_name, [changed_profile(mentor) for mentor in everyone[:RECENT_CHANGES]])
    return int(head.byte_count), int(head.chunk_count)


def _call(query: dict[str, str]) -> Call:
    return http_call("GET", "/mentors", {"limit": str(LIMIT), **query})


def _page_three() -> Call:
    call = _call({"q": "engineer"})
    for _ in range(2):
        response = invoke(call)
        check_success(PAGED_SHAPE, response)
        call = call.with_query(cursor=json_body(response)["nextCursor"])
    return call


def _latency(call: Call, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        check_success("latency", invoke(call))
        samples.append((time.perf_counter() - started) * 1000)
    percentiles = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), percentiles[98]


def measure_shape(name: str, call: Call, runs: int) -> ShapeResult:
    directory_service.read_model().expire_sync()
    cost, response = measure_call(name, call)
    body = json_body(response)
    if body["nextCursor"] is not None and body["count"] != LIMIT:
        raise BenchError(f"{name}: page 1 holds {body['count']} of {LIMIT} with more to follow")
    p50, p99 = _latency(call, runs) if runs else (0.0, 0.0)
    return ShapeResult(name, cost, body["count"], body["total"], p50, p99)


def run_one(engine: DynamoDBLocal, mentors: int, runs: int) -> DirectoryScaleResult:
    with fresh_tables(engine, f"directory-{mentors}") as (client, table_name):
        log(f"directory, {mentors:,} mentors: seeding")
        started = time.perf_counter()
        snapshot_bytes, chunks = seed(client, table_name, mentors)
        seed_seconds = time.perf_counter() - started
        log(f"directory, {mentors:,} mentors: seeded in {seed_seconds:.1f} s; measuring")
        with pinned_clock(NOW):
            directory_service.forget_read_model()
            load, _ = measure_call("GET /mentors (cold: loads the read model)", _call({}))
            model = directory_service.read_model()
            if model.last_load is None or model.last_load.source != "snapshot" or model.last_load.cards != mentors:
                raise BenchError(f"the read model did not load the {mentors:,}-card snapshot: {model.last_load}")
            load_seconds = model.last_load.seconds
            shapes = [measure_shape(name, _call(query), runs) for name, query in QUERY_SHAPES]
            shapes.append(measure_shape(PAGED_SHAPE, _page_three(), runs))
        directory_service.forget_read_model()
    return DirectoryScaleResult(mentors, seed_seconds, load, load_seconds, snapshot_bytes, chunks, shapes)


def run(engine: DynamoDBLocal, sizes: tuple[int, ...] = DEFAULT_MENTORS, runs: int = 30) -> list[DirectoryScaleResult]:
    return [run_one(engine, mentors, runs) for mentors in sizes]


