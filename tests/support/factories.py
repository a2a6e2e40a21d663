"""Builders of stored items for tests, going through the same code the product uses."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from mentorship.domain.mentors import session_price
from mentorship.services.profiles import ProfileFacts, build_profile
from mentorship.store.bookings import assign_participant_keys
from mentorship.store.mentors import MentorStore
from mentorship.store.models import Booking, MentorProfile, booking_pk


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
    MentorStore().save_profile(profile)
    return profile


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
