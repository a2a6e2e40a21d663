"""Builders of stored items for tests, going through the same code the product uses."""

from __future__ import annotations

import uuid
from datetime import datetime

from mentorship.domain.calendar import Party
from mentorship.domain.instants import epoch_seconds
from mentorship.services.availability import refresh_next_open
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.store.bookings import new_booking
from mentorship.store.mentors import MentorStore
from mentorship.store.models import BookingItem, MentorProfile, Review
from mentorship.store.reviews import new_review
from mentorship.store.slots import SlotStore, new_lock


def add_mentor(
    mentor_id: str,
    name: str,
    now: datetime,
    *,
    job_title: str = "Software Engineer",
    years: int = 5,
    rate: int = 10_000,
    timezone: str = "UTC",
    company: str = "Acme",
    bio: str | None = None,
    specialties: tuple[str, ...] = ("career growth",),
    cancellation_policy: str = "moderate",
) -> MentorProfile:
    facts = ProfileFacts(
        company=company,
        job_title=job_title,
        bio=bio if bio is not None else f"{name} mentors engineers.",
        years_of_experience=years,
        hourly_rate=rate,
        timezone=timezone,
        specialties=list(specialties),
        cancellation_policy=cancellation_policy,
    )
    profile = build_profile(mentor_id, name, f"{mentor_id}@example.com", facts, now)
    return MentorStore().save_profile(profile)


def numbered_mentee(n: int) -> Party:
    """A distinct mentee per number, in UTC (races use fresh ones, so nobody reaches three holds)."""
    return Party(f"mentee-{n:04d}", f"Mentee {n}", f"mentee{n}@example.com", "UTC")


def add_slots(mentor_id: str, starts: list[datetime], now: datetime) -> None:
    SlotStore().add_slots(mentor_id, sorted(starts))
    refresh_next_open(mentor_id, now)


def lock_slot(mentor_id: str, start: datetime, *, booked: bool = False, hold_expires_at: datetime | None = None) -> None:
    """Mark a published slot held (until `hold_expires_at`) or booked, as a booking would."""
    new_lock(
        mentor_id,
        start,
        booking_id=uuid.uuid4().hex,
        holder_id="someone",
        booked=booked,
        hold_expires_at=epoch_seconds(hold_expires_at) if hold_expires_at else None,
    ).save()


def add_review(mentor_id: str, rating: int, created_at: datetime, comment: str = "Very helpful") -> Review:
    review = new_review(
        mentor_id,
        review_id=uuid.uuid4().hex,
        booking_id=uuid.uuid4().hex,
        author_id="mentee",
        author_name="A. Mentee",
        rating=rating,
        comment=comment,
        created_at=created_at,
    )
    review.save()
    return review


def add_booking(
    mentor: MentorProfile,
    mentee_id: str,
    start: datetime,
    *,
    minutes: int = 60,
    status: str = "confirmed",
    now: datetime,
) -> BookingItem:
    booking = new_booking(
        uuid.uuid4().hex,
        mentor=Party(mentor.mentor_id, mentor.name, mentor.email, mentor.timezone),
        mentee=Party(mentee_id, f"Mentee {mentee_id}", None, "UTC"),
        start=start,
        minutes=minutes,
        hourly_rate=int(mentor.hourly_rate),
        currency=mentor.currency,
        topic="Preparing for a staff engineer interview",
        status=status,
        now=now,
    )
    if status == "confirmed":
        booking.meeting_url = "https://meet.example.com/abc"
    booking.save()
    return booking


def use_connections_table(monkeypatch, client, table_name: str) -> None:
    """The functions' live-availability subscriptions in `table_name` (DynamoDB Local; the
    local_table fixture leaves its TTL off, see tests/conftest.py)."""
    from mentorship.settings import get_settings

    monkeypatch.setenv("CONNECTIONS_TABLE_NAME", table_name)
    get_settings.cache_clear()
