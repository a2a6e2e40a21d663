"""Builders of stored items for tests, going through the same code the product uses."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from mentorship.domain.instants import format_utc
from mentorship.domain.mentors import session_price
from mentorship.services.availability import refresh_next_open
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.store.bookings import assign_participant_keys
from mentorship.store.mentors import MentorStore
from mentorship.store.models import Booking, MentorProfile, Review, SlotLock, booking_pk, mentor_pk
from mentorship.store.reviews import review_sk
from mentorship.store.slots import SlotStore, lock_sk


def add_mentor(
    mentor_id: str,
    name: str,
    now: datetime,
    *,
    job_title: str = "Software Engineer",
    years: int = 5,
    rate: int = 10_000,
    timezone: str = "UTC",
) -> MentorProfile:
    facts = ProfileFacts(
        company="Acme",
        job_title=job_title,
        bio=f"{name} mentors engineers.",
        years_of_experience=years,
        hourly_rate=rate,
        timezone=timezone,
        specialties=["career growth"],
    )
    profile = build_profile(mentor_id, name, f"{mentor_id}@example.com", facts, now)
    return MentorStore().save_profile(profile)


def add_slots(mentor_id: str, starts: list[datetime], now: datetime) -> None:
    SlotStore().add_slots(mentor_id, sorted(starts))
    refresh_next_open(mentor_id, now)


def lock_slot(mentor_id: str, start: datetime, *, booked: bool = False, hold_expires_at: datetime | None = None) -> None:
    """Mark a published slot held (until `hold_expires_at`) or booked, as a booking would."""
    SlotLock(
        pk=mentor_pk(mentor_id),
        sk=lock_sk(format_utc(start)),
        mentor_id=mentor_id,
        start=start,
        booking_id=uuid.uuid4().hex,
        holder_id="someone",
        booked=booked,
        hold_expires_at=int(hold_expires_at.timestamp()) if hold_expires_at else None,
    ).save()


def add_review(mentor_id: str, rating: int, created_at: datetime, comment: str = "Very helpful") -> Review:
    review_id = uuid.uuid4().hex
    review = Review(
        pk=mentor_pk(mentor_id),
        sk=review_sk(created_at, review_id),
        review_id=review_id,
        mentor_id=mentor_id,
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
) -> Booking:
    booking_id = uuid.uuid4().hex
    booking = Booking(
        pk=booking_pk(booking_id),
        sk="BOOKING",
        booking_id=booking_id,
        status=status,
        mentor_id=mentor.mentor_id,
        mentor_name=mentor.name,
        mentor_timezone=mentor.timezone,
        mentee_id=mentee_id,
        mentee_name=f"Mentee {mentee_id}",
        mentee_timezone="UTC",
        start=start,
        end=start + timedelta(minutes=minutes),
        duration_minutes=minutes,
        price_amount=session_price(int(mentor.hourly_rate), minutes),
        topic="Preparing for a staff engineer interview",
        meeting_url="https://meet.example.com/abc" if status == "confirmed" else None,
        created_at=now,
        updated_at=now,
    )
    assign_participant_keys(booking)
    booking.save()
    return booking
