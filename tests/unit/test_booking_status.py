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
