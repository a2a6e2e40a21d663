"""Demo data for the local stack: mentors with slots and reviews, and demo users to sign in as.

Deterministic: the same start time gives the same data (a fixed random seed), and every instant
is relative to that start time, so the demo always has availability in the next 30 days:
some mentors have slots today, most have a weekly rhythm from tomorrow, some only from next
week, and a few none. Each mentor's rating_total / review_count match the reviews written.

Items are written through the store's pynamodb models (MentorStore.save_profile sets the
directory keys), so the seed stays in step with the data model.
"""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from mentorship.domain.instants import SLOT, is_slot_aligned, resolve_zone
from mentorship.store.binding import bind_table
from mentorship.services.availability import refresh_next_open
from mentorship.store.mentors import MentorStore
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.store.models import MentorProfile, Review, Slot
from mentorship.store.reviews import new_review
from mentorship.store.slots import new_slot

RANDOM_SEED = 20261124
AVAILABILITY_DAYS = 30
WRITER_THREADS = 4
_IDS = uuid.UUID("5b0f4a1e-6f1d-4c7e-9a57-3c2f1d0e8b11")  # namespace of the demo ids


@dataclass(frozen=True)
class DemoUser:
    """Someone to sign in as locally (POST /_local/token takes these claims)."""

    sub: str
    email: str
    name: str
    zoneinfo: str
    role: str  # "mentee" | "mentor" (a mentor's sub is their mentorId)

    def claims(self) -> dict[str, str]:
        return {"sub": self.sub, "email": self.email, "name": self.name, "zoneinfo": self.zoneinfo}


@dataclass(frozen=True)
class MentorSeed:
    name: str
    company: str
    job_title: str
    years: int
    hourly_rate: int  # minor units, USD
    timezone: str
    specialties: tuple[str, ...]
    availability: str  # "today" | "weekly" | "next_week" | "none"
    manual_meeting_url: str | None = None

    @property
    def mentor_id(self) -> str:
        return str(uuid.uuid5(_IDS, f"mentor:{self.name}"))

    @property
    def email(self) -> str:
        return _email(self.name, "mentors.example.com")


def _email(name: str, domain: str) -> str:
    dotted = name.lower().replace(" ", ".")
    local_part = "".join(ch for ch in dotted if ch.isascii() and (ch.isalnum() or ch == "."))
    return f"{local_part}@{domain}"


MENTORS: tuple[MentorSeed, ...] = (
    MentorSeed("Ada Okafor", "Northwind Labs", "Staff Software Engineer", 14, 22000, "Europe/London",
               ("distributed systems", "system design", "promotion to staff"), "today"),
    MentorSeed("Bruno Carvalho", "Tidewater Bank", "Senior Software Engineer", 9, 15000, "America/Sao_Paulo",
               ("Java", "payments", "code review"), "weekly"),
    MentorSeed("Chen Wei", "Lumen Analytics", "Data Scientist", 4, 9000, "Asia/Singapore",
               ("A/B testing", "Python", "statistics interviews"), "today"),
    MentorSeed("Priya Raman", "Kestrel Health", "Engineering Manager", 11, 18000, "Asia/Kolkata",
               ("first-time managers", "hiring", "one-on-ones"), "weekly"),
    MentorSeed("Daniel Kim", "Arcadia Games", "Software Engineer", 2, 4500, "America/Los_Angeles",
               ("C++", "first job", "game engines"), "today"),
    MentorSeed("Elena Petrova", "Brightline Logistics", "Site Reliability Engineer", 8, 14000,
               "Europe/Berlin",
               ("Kubernetes", "incident response", "SLOs"), "next_week"),
    MentorSeed("Fatima Al-Sayed", "Orchard Pay", "Senior Product Manager", 10, 17500, "UTC",
               ("product strategy", "fintech", "PM interviews"), "weekly"),
    MentorSeed("Gabriel Moreau", "Atelier Studio", "Product Designer", 6, 9500, "Europe/Berlin",
               ("portfolio review", "design systems", "Figma"), "today"),
    MentorSeed("Hannah Schmidt", "Cobalt Cloud", "Staff Site Reliability Engineer", 16, 26000,
               "Europe/Berlin",
               ("observability", "capacity planning", "on-call culture"), "weekly"),
    MentorSeed("Isaac Mensah", "Savanna Mobile", "Mobile Engineer (Android)", 5, 8000, "Africa/Lagos",
               ("Kotlin", "offline-first apps", "mobile performance"), "weekly"),
    MentorSeed("Julia Nowak", "Northwind Labs", "Data Engineer", 3, 7000, "Europe/Warsaw",
               ("Spark", "data modelling", "SQL"), "next_week"),
    MentorSeed("Kenji Watanabe", "Hoshi Robotics", "Machine Learning Engineer", 12, 24000, "Asia/Tokyo",
               ("MLOps", "computer vision", "research to production"), "weekly"),
    MentorSeed("Laura Bianchi", "Fennel Foods", "UX Designer", 1, 4000, "Europe/Rome",
               ("user research", "career change into UX"), "none"),
    MentorSeed("Marcus Johnson", "Meridian Media", "Director of Engineering", 20, 30000, "America/New_York",
               ("org design", "engineering strategy", "executive presence"), "next_week",
               manual_meeting_url="https://meet.example.com/marcus-johnson"),
    MentorSeed("Nadia Haddad", "Orchard Pay", "Security Engineer", 7, 16000, "America/Chicago",
               ("threat modelling", "application security", "security interviews"), "today"),
    MentorSeed("Oliver Brown", "Granite Insurance", "Engineering Manager", 13, 21000, "America/Chicago",
               ("managing managers", "performance reviews", "roadmaps"), "weekly"),
    MentorSeed("Paula Jiménez", "Lumen Analytics", "Senior Data Scientist", 8, 16500, "America/Mexico_City",
               ("causal inference", "forecasting", "stakeholder communication"), "weekly"),
    MentorSeed("Quentin Dubois", "Atelier Studio", "Frontend Engineer", 4, 8500, "Europe/Paris",
               ("React", "accessibility", "TypeScript"), "today"),
    MentorSeed("Rahul Verma", "Kestrel Health", "Product Manager", 5, 11000, "Asia/Kolkata",
               ("discovery", "healthtech", "metrics"), "next_week"),
    MentorSeed("Sara Lindqvist", "Fjord Energy", "DevOps Engineer", 3, 7500, "Europe/Stockholm",
               ("CI/CD", "Terraform", "AWS"), "weekly"),
    MentorSeed("Tomás Herrera", "Cobalt Cloud", "Senior Site Reliability Engineer", 10, 19000,
               "America/New_York",
               ("Linux internals", "postmortems", "chaos engineering"), "none"),
    MentorSeed("Uma Krishnan", "Brightline Logistics", "Technical Program Manager", 9, 15500,
               "America/Los_Angeles",
               ("cross-team programs", "risk management", "TPM interviews"), "weekly"),
    MentorSeed("Victor Osei", "Tidewater Bank", "Software Engineer", 1, 4000, "UTC",
               ("first job", "Python", "interview practice"), "weekly"),
    MentorSeed("Wen Li", "Hoshi Robotics", "Staff Data Scientist", 15, 28000, "Asia/Shanghai",
               ("recommendation systems", "leading without authority", "ML strategy"), "today"),
    MentorSeed("Yasmin Costa", "Fennel Foods", "Senior Product Designer", 9, 13000, "Europe/Lisbon",
               ("design leadership", "service design", "critique"), "next_week"),
    MentorSeed("Zoe Taylor", "Meridian Media", "Senior Software Engineer", 7, 14500, "Australia/Sydney",
               ("Go", "API design", "remote work"), "weekly"),
)

DEMO_MENTEES: tuple[DemoUser, ...] = tuple(
    DemoUser(str(uuid.uuid5(_IDS, f"mentee:{name}")), _email(name, "example.com"), name, zone, "mentee")
    for name, zone in (
        ("Maya Patel", "Asia/Kolkata"),
        ("Jonas Weber", "Europe/Berlin"),
        ("Sofia Alvarez", "America/Chicago"),
        ("Liam O'Brien", "America/New_York"),
        ("Aiko Tanaka", "Asia/Tokyo"),
        ("Noah Williams", "UTC"),
    )
)
DEMO_MENTORS: tuple[DemoUser, ...] = tuple(
    DemoUser(mentor.mentor_id, mentor.email, mentor.name, mentor.timezone, "mentor") for mentor in MENTORS
)
DEMO_USERS: tuple[DemoUser, ...] = DEMO_MENTEES + DEMO_MENTORS

_OTHER_REVIEWERS = ("Grace Ho", "Mateo Rossi", "Amara Nwosu", "Lukas Berg", "Ines Duarte", "Omar Farouk")
_COMMENTS = {
    5: (
        "Clear, practical advice I could use the next day. Highly recommended.",
        "Went through my system design answer step by step; I finally get the trade-offs.",
        "Incredibly generous with time and honest feedback on my resume.",
        "Helped me prepare for my promotion conversation. It went great!",
    ),
    4: (
        "Very helpful session, we ran slightly over on one topic but it was worth it.",
        "Good mock interview with concrete feedback on what to improve.",
        "Solid advice on team dynamics; would book again.",
    ),
    3: (
        "Useful overall, though some of it was more general than I hoped.",
        "Decent session; I would have liked more time on my specific question.",
    ),
    2: ("We started late and the advice felt generic for my situation.",),
}


@dataclass(frozen=True)
class SeedSummary:
    mentors: int
    slots: int
    reviews: int


def seed(now: datetime, table_name: str, region: str, endpoint: str) -> SeedSummary:
    """Write the demo data into `table_name` (an empty table of template.yaml's shape).

    The items are made first, in one thread (so the random sequence, and the data, are always
    the same); then they are written by a few threads, one mentor at a time, because DynamoDB
    Local takes a few milliseconds per item and a serial seed would dominate the start time."""
    bind_table(table_name, region, host=endpoint)
    rng = random.Random(RANDOM_SEED)
    plans = [_mentor_items(mentor, now, rng) for mentor in MENTORS]
    with ThreadPoolExecutor(max_workers=WRITER_THREADS, thread_name_prefix="seed") as writers:
        list(writers.map(lambda plan: _write(plan, now), plans))
    return SeedSummary(
        mentors=len(plans),
        slots=sum(len(plan.slots) for plan in plans),
        reviews=sum(len(plan.reviews) for plan in plans),
    )


@dataclass(frozen=True)
class _MentorItems:
    profile: MentorProfile
    slots: list[Slot]
    reviews: list[Review]


def _mentor_items(mentor: MentorSeed, now: datetime, rng: random.Random) -> _MentorItems:
    reviews = _reviews(mentor, now, rng)
    slots = [new_slot(mentor.mentor_id, start) for start in _slot_starts(mentor, now, rng)]
    return _MentorItems(_profile(mentor, reviews, now, rng), slots, reviews)


def _write(items: _MentorItems, now: datetime) -> None:
    with Slot.batch_write() as batch:
        for slot in items.slots:
            batch.save(slot)
    with Review.batch_write() as batch:
        for review in items.reviews:
            batch.save(review)
    MentorStore().save_profile(items.profile)  # last: a mentor is listed once their slots exist
    refresh_next_open(items.profile.mentor_id, now)  # what the directory's availability filter reads


def _profile(mentor: MentorSeed, reviews: list[Review], now: datetime, rng: random.Random) -> MentorProfile:
    created_at = now - timedelta(days=200 + rng.randint(0, 400), minutes=rng.randint(0, 1439))
    if len(mentor.specialties) > 1:
        bio = (
            f"{mentor.job_title} at {mentor.company} with {mentor.years} "
            f"year{'s' if mentor.years != 1 else ''} in the industry. "
            f"Happy to talk about {', '.join(mentor.specialties[:-1])} and {mentor.specialties[-1]}."
        )
    else:
        bio = f"{mentor.job_title} at {mentor.company}. Happy to talk about {mentor.specialties[0]}."
    facts = ProfileFacts(
        company=mentor.company,
        job_title=mentor.job_title,
        bio=bio,
        years_of_experience=mentor.years,
        hourly_rate=mentor.hourly_rate,
        timezone=mentor.timezone,
        specialties=list(mentor.specialties),
        video_provider="manual" if mentor.manual_meeting_url else "generated",
        manual_meeting_url=mentor.manual_meeting_url,
    )
    profile = build_profile(mentor.mentor_id, mentor.name, mentor.email, facts, created_at)
    profile.rating_total = sum(int(review.rating) for review in reviews)
    profile.review_count = len(reviews)
    # Every review comes from a completed session; some sessions were never reviewed.
    profile.total_sessions = len(reviews) + (rng.randint(0, 12) if reviews else 0)
    return profile


def _reviews(mentor: MentorSeed, now: datetime, rng: random.Random) -> list[Review]:
    """A few reviews (none for the newest mentors, so `averageRating: null` shows up too)."""
    count = 0 if mentor.years <= 1 else rng.randint(1, 6)
    authors = [user.name for user in DEMO_MENTEES] + list(_OTHER_REVIEWERS)
    reviews = []
    for _ in range(count):
        rating = rng.choices((5, 4, 3, 2), weights=(55, 30, 10, 5))[0]
        created_at = (now - timedelta(days=rng.uniform(1, 180))).replace(microsecond=0)
        review_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        author = rng.choice(authors)
        reviews.append(
            new_review(
                mentor.mentor_id,
                review_id=review_id,
                booking_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                author_id=str(uuid.uuid5(_IDS, f"mentee:{author}")),  # a demo mentee's sub when it is one
                author_name=author,
                rating=rating,
                comment=rng.choice(_COMMENTS[rating]),
                created_at=created_at,
            )
        )
    return reviews


def _slot_starts(mentor: MentorSeed, now: datetime, rng: random.Random) -> list[datetime]:
    """30-minute slot starts within the next 30 days, on :00/:30, in the mentor's working hours."""
    if mentor.availability == "none":
        return []
    zone = resolve_zone(mentor.timezone)
    window_end = now + timedelta(days=AVAILABILITY_DAYS)
    starts: set[datetime] = set()
    if mentor.availability == "today":
        # A block starting within the next 35 minutes: the `today` filter finds these mentors
        # whenever the stack starts, except in the last half hour of the caller's day.
        first = _next_slot_boundary(now + timedelta(minutes=5))
        starts.update(first + i * SLOT for i in range(6))
    # "next_week": nothing in the coming 7 days (the `week` filter leaves them out, `month` has them).
    not_before = now + timedelta(days=7) if mentor.availability == "next_week" else now
    first_day = 7 if mentor.availability == "next_week" else 1
    weekdays = set(rng.sample(range(7), rng.randint(2, 3)))
    block_start = time(rng.choice((8, 9, 10, 13, 17, 18)), rng.choice((0, 30)))
    block_slots = rng.choice((4, 6))
    today_there = now.astimezone(zone).date()
    for offset in range(first_day, AVAILABILITY_DAYS + 1):
        day: date = today_there + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        local_start = datetime.combine(day, block_start, tzinfo=zone)
        starts.update(local_start.astimezone(UTC) + i * SLOT for i in range(block_slots))
    return sorted(start for start in starts if not_before < start < window_end and is_slot_aligned(start))


def _next_slot_boundary(moment: datetime) -> datetime:
    utc = moment.astimezone(UTC)
    floor = utc.replace(minute=utc.minute - utc.minute % 30, second=0, microsecond=0)
    return floor if floor == utc else floor + SLOT
