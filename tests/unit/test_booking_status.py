from dataclasses import replace
from datetime import UTC, datetime, timedelta

from mentorship.domain.bookings import BookingStatus, effective_status

NOW = datetime(2026, 11, 24, 14, tzinfo=UTC)


def test_a_held_booking_past_its_hold_reads_as_expired_before_any_sweep():
    assert effective_status("held", NOW + timedelta(days=1), NOW - timedelta(seconds=1), NOW) is BookingStatus.EXPIRED
    assert effective_status("held", NOW + timedelta(days=1), NOW + timedelta(seconds=1), NOW) is BookingStatus.HELD


def test_a_confirmed_booking_reads_as_completed_once_it_has_ended():
    assert effective_status("confirmed", NOW, None, NOW) is BookingStatus.COMPLETED
    assert effective_status("confirmed", NOW + timedelta(minutes=1), None, NOW) is BookingStatus.CONFIRMED


def test_final_states_stay_as_they_are():
    for status in ("cancelled", "released", "payment_failed", "expired"):
        assert effective_status(status, NOW - timedelta(days=1), None, NOW) is BookingStatus(status)


def _held_row():
    from mentorship.domain.calendar import Party
    from mentorship.domain.instants import epoch_seconds
    from mentorship.store.bookings import new_booking

    row = new_booking(
        "b1", mentor=Party("mentor-grace", "Grace", "grace@example.com", "UTC"),
        mentee=Party("mentee-ada", "Ada", "ada@example.com", "Europe/Berlin"), start=NOW + timedelta(days=3),
        minutes=60, hourly_rate=12_000, currency="USD", topic="Career", status="held", now=NOW,
    )
    row.hold_expires_at = epoch_seconds(NOW + timedelta(minutes=5))
    row.cancellation_policy = "strict"
    return row


def test_the_domain_booking_reads_as_its_row_does():
    from mentorship.domain.commitments import CancellationPolicy, Money, Role
    from mentorship.store.bookings import booking_of

    booking = booking_of(_held_row())
    assert booking.status_at(NOW) is BookingStatus.HELD
    assert booking.status_at(NOW + timedelta(minutes=5)) is BookingStatus.EXPIRED
    assert (booking.price, booking.cancellation_policy) == (Money(12_000, "USD"), CancellationPolicy.STRICT)
    # strict: 24-72 h before the start, half back
    assert booking.refund_if_cancelled(Role.MENTEE, NOW + timedelta(days=1, hours=12)) == Money(6_000, "USD")


def test_the_view_is_built_from_the_domain_booking_not_the_row():
    from zoneinfo import ZoneInfo

    from mentorship.api.booking_view import BookingView
    from mentorship.store.bookings import booking_of

    booking = booking_of(_held_row())
    view = BookingView.from_booking(booking, "Europe/Berlin", ZoneInfo("Europe/Berlin"), NOW, "mentee-ada")
    assert (view.status, view.hold_expires_at, view.local_start) == (
        BookingStatus.HELD, "2026-11-24T14:05:00Z", "2026-11-27T15:00:00+01:00"
    )
    assert view.meeting_url is None and view.refund is None
    confirmed = BookingView.from_booking(
        replace(booking, status="confirmed", meeting_url="https://meet.example/x"), "UTC", ZoneInfo("UTC"), NOW, "mentee-ada"
    )
    assert (confirmed.meeting_url, confirmed.refund_if_cancelled_now.amount) == ("https://meet.example/x", 12_000)
    as_mentor = BookingView.from_booking(replace(booking, status="confirmed"), "UTC", ZoneInfo("UTC"), NOW, "mentor-grace")
    assert as_mentor.refund_if_cancelled_now is None  # the mentee's view only
