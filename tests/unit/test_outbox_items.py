"""The store's outbox item builders: keys, DueWork membership, and the claim's condition as a
stream image shows it (no table needed)."""

from datetime import UTC, datetime, timedelta

from mentorship.domain.instants import epoch_seconds, format_utc_precise
from mentorship.store.due_work import due_shard_for, is_due_work
from mentorship.store.notifications import notification_item
from mentorship.store.outbox import claimable, email_item
from mentorship.store.reminders import reminder_item
from mentorship.store.webhooks import event_item

NOW = datetime(2026, 11, 24, 14, 0, 30, tzinfo=UTC)
START = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


def test_each_builder_keys_its_item_and_puts_it_in_due_work_at_its_due_time():
    email = email_item("b1", "0001#confirmed#mentee", "ada@example.com", "Confirmed", "MIME", NOW)
    reminder = reminder_item("b1", "24h", "mentor", START, START - timedelta(hours=24))
    notice = notification_item("u1", "booking_confirmed", "T", "B", "/bookings/b1", "b1", NOW, "n1", NOW)
    event = event_item("evt_1", "booking.confirmed", "b1", "u1", "m1", "{}", "{}", NOW)
    assert (email.pk, email.sk) == ("BOOKING#b1", "EMAIL#0001#confirmed#mentee")
    assert (reminder.pk, reminder.sk) == ("BOOKING#b1", "REMINDER#24h#mentor")
    assert (notice.pk, notice.sk) == ("USER#u1", f"NOTIFICATION#{format_utc_precise(NOW)}#n1")
    assert (event.pk, event.sk) == ("BOOKING#b1", f"EVENT#{format_utc_precise(NOW)}#evt_1")
    for item in (email, notice, event):
        assert is_due_work(item) and item.due_at == format_utc_precise(NOW)
        assert item.due_shard == due_shard_for(item.pk + item.sk)
    assert reminder.due_at == format_utc_precise(START - timedelta(hours=24)) and not reminder.sent


def test_claimable_is_pending_due_and_unleased_as_the_image_shows():
    email = email_item("b1", "k", "ada@example.com", "S", "MIME", NOW + timedelta(minutes=5))
    assert claimable(email, NOW, just_recorded=True)  # recorded due later: the stream sends it now
    assert not claimable(email, NOW)  # made due again for later: not yet
    assert claimable(email, NOW + timedelta(minutes=5))
    email.claimed_until = epoch_seconds(NOW + timedelta(minutes=1))
    assert not claimable(email, NOW, just_recorded=True)  # someone's lease is on it
    assert claimable(email, NOW + timedelta(minutes=6))  # that lease has run out
    email.due_shard = email.due_at = None
    assert not claimable(email, NOW + timedelta(minutes=6), just_recorded=True)  # done: out of DueWork
