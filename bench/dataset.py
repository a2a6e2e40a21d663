"""What a benchmark run seeds: the same "current" data at every size, plus history up to the size.

The measured requests may read only the current data: 60 mentors (varied titles, rates,
experience and zones), their open slots in the next 30 days, a few held and booked slots, the
measured mentee's upcoming sessions. Everything else is history and other people's data, and
it is all that grows with the size: past slots and sessions, reviews, other mentees' bookings
(past, and a few upcoming ones with pending reminders in the DueWork index) and inbox
notifications. The measured mentor's reviews and the measured mentee's past sessions grow too,
from more than a page at the smallest size to thousands and hundreds at 100,000 items, so their
pages are full at every size and only what a request skips could differ.

Items are pynamodb model instances built as the product builds them (profiles through
`build_profile`, reminders and notifications through `services.outbox_records`, all over the
store's item builders; index and sort keys through the store's helpers), in the state the app leaves them: a past session still reads
"confirmed", a delivered notification is out of DueWork. The seeder serializes them with the
models themselves, so the stored shapes are the app's. No item carries the TTL attribute: DynamoDB
Local deletes by the real clock, which would change the data during a run (and the app never
relies on it). The same size and population give the same data (only notification ids vary).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from mentorship.domain.bookings import BookingStatus
from mentorship.domain.calendar import Party
from mentorship.domain.instants import SLOT, epoch_seconds
from mentorship.domain.sessions import HOLD_DURATION
from mentorship.services.outbox_records import notification_record, reminder_records
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.store.booking_writes import new_hold_place
from mentorship.store.bookings import new_booking
from mentorship.store.due_work import make_due
from mentorship.store.models import BookingItem, MentorProfile, Notification, TableItem
from mentorship.store.reviews import new_review
from mentorship.store.slots import new_lock, new_slot


def mentor_id(k: int) -> str:
    return f"m{k + 1:04d}"


NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # what every measured request sees (as in events/)
MEASURED_MENTOR = mentor_id(0)
MEASURED_MENTEE = "mentee-00001"
MEASURED_MENTEE_NAME = "Ada Measured"
MEASURED_MENTEE_ZONE = "America/Chicago"

SESSION_MINUTES = 30
CURRENT_MENTEES = 50  # other mentees in the current data; history has one per 25 items
DAY = timedelta(days=1)
HISTORY_DAYS = 730  # past slots and sessions spread over two years

# History per item of history: at 100,000 items the measured mentor has 2,000+ past sessions,
# each reviewed (4 items each: slot, lock, booking, review), the measured mentee 500+ past
# sessions and 500+ notifications, and the other mentors about a dozen upcoming sessions each
# with other mentees (7 items: slot, lock, booking, four reminders), spread evenly.
MEASURED_MENTOR_SESSIONS_PER_ITEM = 0.021
MEASURED_MENTEE_SESSIONS_PER_ITEM = 0.0055
MEASURED_MENTEE_NOTIFICATIONS_PER_ITEM = 0.0055
OTHER_UPCOMING_SESSIONS_PER_ITEM = 0.007
# The rest is chosen by weight (a past session is at most 4 items).
HISTORY_WEIGHTS = {"past_session": 45, "past_slot": 25, "notification": 30}
LARGEST_HISTORY_UNIT = 4

_TITLES = (
    "Staff Software Engineer",
    "Software Engineer",
    "Engineering Manager",
    "Data Scientist",
    "Senior Software Engineer",
    "Product Designer",
    "Site Reliability Engineer",
    "Product Manager",
    "Machine Learning Engineer",
    "Security Engineer",
    "Senior Data Engineer",
)
_ZONES = (
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Europe/Berlin",
    "America/Los_Angeles",
    "UTC",
    "Asia/Tokyo",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "America/Chicago",
)
_FIRST_NAMES = "Ada Bruno Chen Priya Daniel Elena Fatima Gabriel Hannah Isaac Julia Kenji".split()
_LAST_NAMES = "Okafor Carvalho Wei Raman Kim Petrova Haddad Moreau Schmidt Mensah Nowak Sato".split()
_COMPANIES = (
    "Northwind Labs",
    "Tidewater Bank",
    "Lumen Analytics",
    "Kestrel Health",
    "Cobalt Cloud",
    "Orchard Pay",
)
_COMMENTS = (
    "Clear, practical advice.",
    "Great mock interview.",
    "Helpful, if a bit general.",
    "Would book again.",
)


CONFIRMED_AGO = 3 * DAY  # when the upcoming sessions were booked: long enough ahead for both reminders


def session_booking(
    booking_id: str,
    mentor: Party,
    mentee: Party,
    start: datetime,
    status: BookingStatus,
    *,
    hourly_rate: int,
    created_at: datetime,
) -> BookingItem:
    """A 30-minute session's booking as the app stores it; a confirmed one has its meeting link."""
    booking = new_booking(
        booking_id,
        mentor=mentor,
        mentee=mentee,
        start=start,
        minutes=SESSION_MINUTES,
        hourly_rate=hourly_rate,
        currency="USD",
        topic="Preparing for a system design interview",
        status=status.value,
        now=created_at,
    )
    if status is BookingStatus.CONFIRMED:
        booking.meeting_url = f"https://meet.mentor-booking.example/{booking_id}"
    return booking


@dataclass(frozen=True)
class Population:
    """The current data, the same at every size. The defaults are the benchmark's; a test may
    use a smaller one to fit smaller sizes."""

    mentors: int = 60
    measured_open_slots: int = 20
    open_slots: tuple[int, int] = (2, 8)  # other mentors: between these many open slots (some none)
    measured_mentee_upcoming: int = 5  # sessions, each with another mentor
    page_history: int = 25  # at least this many reviews of the measured mentor, past sessions and
    # notifications of the measured mentee, so their pages are full at every size

    def __post_init__(self) -> None:
        if self.mentors <= self.measured_mentee_upcoming:
            raise ValueError("the measured mentee's upcoming sessions need that many other mentors")


@dataclass(frozen=True)
class Shape:
    """What the measured users have at one size (the report shows it)."""

    items: int
    current_items: int
    mentors: int
    measured_mentor_open_slots: int
    measured_mentor_reviews: int
    measured_mentee_upcoming: int
    measured_mentee_past: int
    measured_mentee_notifications: int
    kinds: dict[str, int]  # items by model


@dataclass
class Dataset:
    size: int
    profiles: list[MentorProfile]  # written through the store (it sets the directory keys)
    items: list[TableItem]  # everything else, bulk-written
    shape: Shape

    @property
    def mentor_ids(self) -> list[str]:
        return [profile.mentor_id for profile in self.profiles]


@dataclass
class _Mentor:
    mentor_id: str
    name: str
    email: str
    title: str
    company: str
    years: int
    rate: int
    timezone: str
    created_at: datetime
    taken: set[datetime] = field(default_factory=set)  # slot starts in use in the partition
    rating_total: int = 0
    review_count: int = 0
    sessions: int = 0


@dataclass(frozen=True)
class _Mentee:
    user_id: str
    name: str
    timezone: str


def _first_open(k: int) -> tuple[datetime, bool]:
    """Mentor k's first open slot: later today, tomorrow, in 4 days, in 12 days, or none (then
    the anchor of its held and booked slots), so each availability filter keeps a different set."""
    pattern = k % 5
    if pattern == 0:
        return NOW + (1 + k % 6) * SLOT, True
    if pattern == 4:
        return NOW + 2 * DAY, False
    return NOW + {1: 1, 2: 4, 3: 12}[pattern] * DAY, True


class _Builder:
    def __init__(self, size: int, population: Population):
        self.size = size
        self.population = population
        # The current data comes from a generator that ignores the size, so it is the same at every
        # size, down to its ids (which decide, say, the DueWork shard a hold lands in).
        self.rng = random.Random(f"mentor-booking-bench:{population}")
        self.mentee_pool = CURRENT_MENTEES
        self.items: list[TableItem] = []
        self.mentors = [self._mentor(k) for k in range(population.mentors)]
        self.measured_mentee = _Mentee(MEASURED_MENTEE, MEASURED_MENTEE_NAME, MEASURED_MENTEE_ZONE)
        self.holders = 0

    # ---------------------------------------------------------------- ids and people

    def _id(self) -> str:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4).hex

    @staticmethod
    def _mentor(k: int) -> _Mentor:
        name = f"{_FIRST_NAMES[k % 12]} {_LAST_NAMES[(k + k // 12) % 12]}"  # unique for k < 144
        rate = 4_000 + (k * 3_700) % 26_000
        return _Mentor(
            mentor_id=mentor_id(k),
            name=name,
            email=f"{mentor_id(k)}@mentors.example.com",
            title=_TITLES[k % len(_TITLES)],
            company=_COMPANIES[k % len(_COMPANIES)],
            years=(k * 7 + 3) % 21,
            rate=rate - rate % 500,
            timezone=_ZONES[k % len(_ZONES)],
            created_at=NOW - timedelta(days=900 + 3 * k),
        )

    def other_mentee(self) -> _Mentee:
        """One of the other mentees (more of them in the history of a bigger table)."""
        n = self.rng.randrange(2, self.mentee_pool + 2)
        return _Mentee(f"mentee-{n:05d}", f"Mentee {n:05d}", _ZONES[n % len(_ZONES)])

    # ---------------------------------------------------------------- items

    def slot(self, mentor: _Mentor, start: datetime) -> None:
        if start in mentor.taken:
            raise ValueError(f"two slots of {mentor.mentor_id} at {start}")
        mentor.taken.add(start)
        self.items.append(new_slot(mentor.mentor_id, start))

    def lock(
        self, mentor: _Mentor, booking: BookingItem, *, booked: bool, hold_expires_at: datetime | None = None
    ) -> None:
        self.items.append(
            new_lock(
                mentor.mentor_id,
                booking.start,
                booking_id=booking.booking_id,
                holder_id=booking.mentee_id,
                booked=booked,
                hold_expires_at=epoch_seconds(hold_expires_at) if hold_expires_at else None,
            )
        )

    def booking(
        self,
        mentor: _Mentor,
        mentee: _Mentee,
        start: datetime,
        status: BookingStatus,
        *,
        created_at: datetime,
        hold_expires_at: datetime | None = None,
    ) -> BookingItem:
        booking = session_booking(
            self._id(),
            Party(mentor.mentor_id, mentor.name, mentor.email, mentor.timezone),
            Party(mentee.user_id, mentee.name, f"{mentee.user_id}@example.com", mentee.timezone),
            start,
            status,
            hourly_rate=mentor.rate,
            created_at=created_at,
        )
        booking.hold_expires_at = epoch_seconds(hold_expires_at) if hold_expires_at else None
        self.items.append(booking)
        return booking

    def review(self, mentor: _Mentor, booking: BookingItem, mentee: _Mentee) -> None:
        rating = self.rng.choices((5, 4, 3, 2, 1), weights=(55, 28, 10, 5, 2))[0]
        created_at = booking.end + timedelta(hours=self.rng.randint(1, 20), seconds=self.rng.randint(0, 3599))
        review_id = self._id()
        self.items.append(
            new_review(
                mentor.mentor_id,
                review_id=review_id,
                booking_id=booking.booking_id,
                author_id=mentee.user_id,
                author_name=mentee.name,
                rating=rating,
                comment=self.rng.choice(_COMMENTS),
                created_at=created_at,
            )
        )
        mentor.rating_total += rating
        mentor.review_count += 1

    def notification(self, user_id: str) -> None:
        """An inbox entry that has gone out on the push channel (so no longer in DueWork)."""
        created_at = NOW - timedelta(seconds=self.rng.randint(60, 365 * 86_400))
        notification = notification_record(
            user_id,
            "booking_confirmed",
            "Session booked",
            "A mentoring session was booked.",
            self._id(),
            created_at,
        )
        notification.pushed, notification.due_shard, notification.due_at = True, None, None
        self.items.append(notification)

    # ---------------------------------------------------------------- sessions

    def upcoming_session(self, mentor: _Mentor, mentee: _Mentee, start: datetime) -> None:
        """A confirmed session: its slot booked, its reminders waiting in DueWork."""
        self.slot(mentor, start)
        booking = self.booking(mentor, mentee, start, BookingStatus.CONFIRMED, created_at=NOW - CONFIRMED_AGO)
        self.lock(mentor, booking, booked=True)
        self.items += reminder_records(booking, confirmed_at=booking.created_at)

    def held_slot(self, mentor: _Mentor, start: datetime, hold_expires_at: datetime) -> None:
        """A hold as BookingWrites.hold leaves it: the slot's lock, one of the holder's hold places,
        and the held booking, in DueWork until the hold expires."""
        self.holders += 1
        holder = _Mentee(f"holder-{self.holders:04d}", f"Holder {self.holders:04d}", "UTC")
        self.slot(mentor, start)
        booking = self.booking(
            mentor,
            holder,
            start,
            BookingStatus.HELD,
            created_at=hold_expires_at - HOLD_DURATION,
            hold_expires_at=hold_expires_at,
        )
        booking.hold_place = 0
        make_due(booking, hold_expires_at)
        self.lock(mentor, booking, booked=False, hold_expires_at=hold_expires_at)
        self.items.append(new_hold_place(holder.user_id, 0, booking.booking_id, epoch_seconds(hold_expires_at)))

    def past_session(
        self, mentor: _Mentor, mentee: _Mentee, review_probability: float, cancelled: float = 0.05
    ) -> None:
        start = self.free_start(mentor, past=True)
        self.slot(mentor, start)
        if self.rng.random() < cancelled:  # the slot was freed, nothing to review
            self.booking(mentor, mentee, start, BookingStatus.CANCELLED, created_at=start - 5 * DAY)
            return
        # Stored as the app leaves it: "confirmed" (a session past its end reads as completed).
        booking = self.booking(mentor, mentee, start, BookingStatus.CONFIRMED, created_at=start - 5 * DAY)
        self.lock(mentor, booking, booked=True)
        mentor.sessions += 1
        if self.rng.random() < review_probability:
            self.review(mentor, booking, mentee)

    def free_start(self, mentor: _Mentor, *, past: bool) -> datetime:
        """A slot start not yet used in the mentor's partition: in the two years before
        yesterday, or beyond the current 30 days and within the 90 a mentor may publish. History's
        upcoming sessions stay out of the current calendar, so every size has the same current
        calendars (what the next-open walk of a mentor reads depends on that calendar, not on
        the table)."""
        while True:
            if past:
                start = NOW - self.rng.randint(48, HISTORY_DAYS * 48) * SLOT
            else:
                start = NOW + self.rng.randint(31 * 48, 89 * 48) * SLOT
            if start not in mentor.taken:
                return start

    # ---------------------------------------------------------------- the two parts

    def current(self) -> None:
        """Open slots, holds and booked sessions in the next 30 days (the same at every size)."""
        population = self.population
        measured, others = self.mentors[0], self.mentors[1:]
        first = NOW + timedelta(hours=1)
        for j in range(population.measured_open_slots):
            self.slot(measured, first + (j // 2) * DAY + (j % 2) * SLOT)
        self.held_slot(measured, first + 2 * SLOT, hold_expires_at=NOW + timedelta(minutes=3))
        self.held_slot(
            measured, first + 3 * SLOT, hold_expires_at=NOW - timedelta(minutes=2)
        )  # expired: open
        for days in (2, 5):  # the measured mentor's own upcoming sessions
            self.upcoming_session(measured, self.other_mentee(), first + days * DAY + 4 * SLOT)

        low, high = population.open_slots
        for k, mentor in enumerate(others, start=1):
            anchor, has_open_slots = _first_open(k)
            if has_open_slots:
                for j in range(low + (k * 3) % (high - low + 1)):
                    self.slot(mentor, anchor + (j // 2) * DAY + (j % 2) * SLOT)
            if k % 4 == 1:  # a hold before the first open slot, when there is room for one
                held_at = anchor - 2 * SLOT if anchor - 2 * SLOT > NOW + SLOT else anchor + 4 * SLOT
                self.held_slot(mentor, held_at, hold_expires_at=NOW + timedelta(minutes=1 + k % 4))
            if k <= population.measured_mentee_upcoming:
                self.upcoming_session(mentor, self.measured_mentee, anchor + 5 * DAY + 8 * SLOT)
            if k % 3 == 2:
                self.upcoming_session(mentor, self.other_mentee(), anchor + 3 * DAY + 6 * SLOT)

    def history(self, budget: int) -> None:
        """Fill the table to exactly `size` items with what the measured requests must not read."""
        self.rng = random.Random(f"mentor-booking-bench:{self.population}:{self.size}")
        self.mentee_pool = max(CURRENT_MENTEES, self.size // 25)
        measured, others = self.mentors[0], self.mentors[1:]

        def quota(per_item: float, at_least: int = self.population.page_history) -> range:
            return range(max(at_least, round(budget * per_item)))

        for _ in quota(MEASURED_MENTOR_SESSIONS_PER_ITEM):
            self.past_session(measured, self.other_mentee(), review_probability=1.0, cancelled=0.0)
        for _ in quota(MEASURED_MENTEE_SESSIONS_PER_ITEM):
            self.past_session(self.rng.choice(others), self.measured_mentee, review_probability=0.5)
        for _ in quota(MEASURED_MENTEE_NOTIFICATIONS_PER_ITEM):
            self.notification(MEASURED_MENTEE)
        for n in quota(OTHER_UPCOMING_SESSIONS_PER_ITEM, at_least=0):
            mentor = others[n % len(others)]
            self.upcoming_session(mentor, self.other_mentee(), self.free_start(mentor, past=False))
        kinds, weights = list(HISTORY_WEIGHTS), list(HISTORY_WEIGHTS.values())
        while self.size - self.total() >= LARGEST_HISTORY_UNIT:
            kind = self.rng.choices(kinds, weights)[0]
            mentor = self.rng.choice(others)
            if kind == "past_session":
                self.past_session(mentor, self.other_mentee(), review_probability=0.6)
            elif kind == "past_slot":  # published, never booked
                self.slot(mentor, self.free_start(mentor, past=True))
            else:
                self.notification(self.other_mentee().user_id)
        while self.total() < self.size:
            self.notification(self.other_mentee().user_id)

    def total(self) -> int:
        return len(self.items) + len(self.mentors)  # + one profile each

    def profiles(self) -> list[MentorProfile]:
        profiles = []
        for mentor in self.mentors:
            facts = ProfileFacts(
                company=mentor.company,
                job_title=mentor.title,
                bio=f"{mentor.title} at {mentor.company}.",
                years_of_experience=mentor.years,
                hourly_rate=mentor.rate,
                timezone=mentor.timezone,
                specialties=["career growth", "interviews"],
            )
            profile = build_profile(mentor.mentor_id, mentor.name, mentor.email, facts, mentor.created_at)
            profile.rating_total = mentor.rating_total
            profile.review_count = mentor.review_count
            profile.total_sessions = mentor.sessions
            profiles.append(profile)
        return profiles


def build(size: int, population: Population = Population()) -> Dataset:
    """The items of a `size`-item table (profiles included)."""
    builder = _Builder(size, population)
    builder.current()
    current_items = builder.total()
    builder.history(size - current_items)
    if builder.total() != size:
        raise ValueError(
            f"{size} items are too few for this population: the current data and a page of history "
            f"take {builder.total()}"
        )
    profiles = builder.profiles()
    items = builder.items
    kinds = Counter(TableItem.kind.get_discriminator(type(item)) for item in items)  # stored kinds: data, not class names
    kinds["MentorProfile"] = len(profiles)
    measured_mentor = builder.mentors[0]
    shape = Shape(
        items=size,
        current_items=current_items,
        mentors=len(profiles),
        measured_mentor_open_slots=population.measured_open_slots + 1,  # + the slot whose hold expired
        measured_mentor_reviews=measured_mentor.review_count,
        measured_mentee_upcoming=population.measured_mentee_upcoming,
        measured_mentee_past=sum(
            1
            for item in items
            if isinstance(item, BookingItem) and item.mentee_id == MEASURED_MENTEE and item.start < NOW
        ),
        measured_mentee_notifications=sum(
            1 for item in items if isinstance(item, Notification) and item.user_id == MEASURED_MENTEE
        ),
        kinds=dict(sorted(kinds.items())),
    )
    return Dataset(size=size, profiles=profiles, items=items, shape=shape)
