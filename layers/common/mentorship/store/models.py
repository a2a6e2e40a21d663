"""The single table: every item type, its keys, and the access pattern each key or index serves.

Item types (pk / sk), one partition per aggregate:

  MENTOR#<mentorId> / PROFILE                        MentorProfile
  MENTOR#<mentorId> / SLOT#<startZ>                  Slot         published 30-minute slot
  MENTOR#<mentorId> / SLOT#<startZ>#LOCK             SlotLock     who holds or booked that slot
  MENTOR#<mentorId> / REVIEW#<createdAt>#<reviewId>  Review
  BOOKING#<bookingId> / BOOKING                      Booking      (held, confirmed, cancelled, ...)
  BOOKING#<bookingId> / EMAIL#<sequence>#<role>      PendingEmail an email to send (outbox)
  BOOKING#<bookingId> / REMINDER#<kind>#<role>       Reminder     a reminder to send
  USER#<userId> / NOTIFICATION#<createdAt>#<id>      Notification the user's inbox (+ push outbox)
  USER#<userId> / HOLD#<0..2>                        UserHold     one of the user's 3 hold places
  BOOKING#<bookingId> / CHARGE                       Charge       the mock payment gateway's record
  DIRECTORY / SNAPSHOT                               DirectorySnapshotHead  which snapshot of the directory is current
  DIRECTORY#SNAPSHOT#<id>#<n> / CHUNK                DirectorySnapshotChunk one compressed slice of it
  MENTOR#<mentorId> / PROFILE#SCHEDULE               MentorSchedule  weekly rules, overrides, policy
  MENTOR#<mentorId> / PROFILE#CALENDAR#<calendarId>  CalendarConnection  an external calendar + its busy cache
  USER#<userId> / CALENDAR_FEED                      CalendarFeed the user's feed secret
  CALENDAR_FEED#<sha256(secret)> / CALENDAR_FEED     CalendarFeedKey  the feed URL's lookup -> user
  USER#<userId> / WEBHOOK#<webhookId>                Webhook      an integrator's endpoint (secret sealed)
  USER#<userId> / WEBHOOKS                           WebhookCount how many the user has (at most 5)
  BOOKING#<bookingId> / EVENT#<createdAt>#<eventId>  WebhookEvent what changed, written with the change
  WEBHOOK#<webhookId> / DELIVERY#<createdAt>#<eventId> WebhookDelivery one event to one endpoint (outbox)
  USER#<userId> / WAITLIST#<waitlistId>              WaitlistEntry a mentee waiting for a mentor's time
  USER#<userId> / WAITING#<0..4>                     WaitPlace    one of the mentee's 5 waiting places

A slot and its lock sort next to each other, so one Query over `SLOT#<from>`..`SLOT#<to>`
reads a window of availability together with who holds it.

Access patterns:

  AP1  mentor profile by id ..................... GetItem  pk=MENTOR#id, sk=PROFILE
  AP2  mentor directory page, stable order ...... Query    index Directory  (sparse: profiles only)
  AP3  a mentor's slots + locks in a window ..... Query    pk=MENTOR#id, sk BETWEEN SLOT#from AND SLOT#to
  AP4  a mentor's reviews, newest first ......... Query    pk=MENTOR#id, sk BEGINS_WITH REVIEW#, descending
  AP5  a booking by id .......................... GetItem  pk=BOOKING#id, sk=BOOKING
  AP6  a mentee's bookings by start ............. Query    index ByMentee   menteePk=MENTEE#id, menteeSk=<startZ>#<bookingId>
  AP7  a mentor's bookings by start ............. Query    index ByMentor   mentorPk=MENTOR#id, mentorSk=<startZ>#<bookingId>
  AP8  a user's inbox, newest first ............. Query    pk=USER#id, sk BEGINS_WITH NOTIFICATION#, descending
  AP9  work that is due (reminders, unsent email) Query    index DueWork    dueShard=DUE#n, dueAt <= now (sparse:
                                                          the attributes are removed once the work is done)
  AP11 the directory's snapshot ................. GetItem  DIRECTORY/SNAPSHOT, then BatchGetItem of its chunks
  AP12 profiles changed since a moment .......... Query    index DirectoryChanges changesPk=CHANGES#<hour>#<n>,
                                                          changesSk >= since (profiles only)
  AP13 profile + schedule + calendars (offering)  Query    pk=MENTOR#id, sk BEGINS_WITH PROFILE
  AP14 a mentor's calendars and busy caches ..... Query    pk=MENTOR#id, sk BEGINS_WITH PROFILE#CALENDAR#
  AP15 a user's calendar feed secret ............ GetItem  pk=USER#id, sk=CALENDAR_FEED
  AP16 a calendar feed by its URL's secret ...... GetItem  pk=CALENDAR_FEED#<sha256(secret)>, sk=CALENDAR_FEED
  AP17 a user's webhooks ........................ Query    pk=USER#id, sk BEGINS_WITH WEBHOOK#
  AP18 a webhook's deliveries, newest first ..... Query    pk=WEBHOOK#id, sk BEGINS_WITH DELIVERY#, descending
  AP19 a mentor's paid sessions by start ....... Query    index ByMentor mentorSk BETWEEN from AND to#~ (earnings)
  AP20 who waits for a mentor's time around ..... Query    index Waitlist waitlistPk=WAITLIST#mentorId,
       a start (oldest first among them)                   waitlistSk BETWEEN <start-14d>Z AND <end>Z (sparse:
                                                          waiting entries only)
  AP21 a mentee's waitlist entries / places ..... Query    pk=USER#id, sk BEGINS_WITH WAITLIST# / WAITING#

No request path scans; each request reads only what it returns plus what its filter skips.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from mentorship.domain.instants import format_utc_precise, parse_instant

DIRECTORY_PARTITION = "MENTORS"
DUE_SHARDS = 4  # DueWork partitions; a run queries each, so no single partition runs hot
DIRECTORY_CHANGE_SHARDS = 4  # DirectoryChanges partitions per hour


class InstantAttribute(UnicodeAttribute):
    """An aware UTC datetime stored as fixed-width RFC 3339 text (sorts as it reads)."""

    def serialize(self, value: datetime) -> str:  # type: ignore[override]
        return format_utc_precise(value)

    def deserialize(self, value: str) -> datetime:  # type: ignore[override]
        return parse_instant(value)


class DirectoryIndex(GlobalSecondaryIndex):
    """AP2: every mentor profile in one ordered list (name, then id)."""

    class Meta:
        index_name = "Directory"
        projection = AllProjection()

    directory_pk = UnicodeAttribute(hash_key=True)
    directory_sk = UnicodeAttribute(range_key=True)


class ByMenteeIndex(GlobalSecondaryIndex):
    """AP6: a mentee's bookings ordered by start."""

    class Meta:
        index_name = "ByMentee"
        projection = AllProjection()

    mentee_pk = UnicodeAttribute(hash_key=True)
    mentee_sk = UnicodeAttribute(range_key=True)


class ByMentorIndex(GlobalSecondaryIndex):
    """AP7: a mentor's bookings ordered by start (the mentor's dashboard)."""

    class Meta:
        index_name = "ByMentor"
        projection = AllProjection()

    mentor_pk = UnicodeAttribute(hash_key=True)
    mentor_sk = UnicodeAttribute(range_key=True)


class DueWorkIndex(GlobalSecondaryIndex):
    """AP9: pending reminders and unsent emails, ordered by when they fall due."""

    class Meta:
        index_name = "DueWork"
        projection = AllProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class DirectoryChangesIndex(GlobalSecondaryIndex):
    """AP12: mentor profiles by the time of their last change, in hourly buckets spread over
    DIRECTORY_CHANGE_SHARDS partitions; what keeps each instance's in-memory directory current."""

    class Meta:
        index_name = "DirectoryChanges"
        projection = AllProjection()

    changes_pk = UnicodeAttribute(hash_key=True)
    changes_sk = UnicodeAttribute(range_key=True)


class WaitlistIndex(GlobalSecondaryIndex):
    """AP20: waiting entries per mentor, by the start of their window (sparse: an entry leaves
    it when it is offered)."""

    class Meta:
        index_name = "Waitlist"
        projection = AllProjection()

    waitlist_pk = UnicodeAttribute(hash_key=True)
    waitlist_sk = UnicodeAttribute(range_key=True)


class TableItem(Model):
    """Base of every item in the table. Table name, region and endpoint are bound at run time
    by `store.binding.bind_table`, never read from the environment at import."""

    class Meta:
        table_name = "unbound"  # replaced by bind_table() before the first request

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()

    directory_pk = UnicodeAttribute(null=True)
    directory_sk = UnicodeAttribute(null=True)
    mentee_pk = UnicodeAttribute(null=True)
    mentee_sk = UnicodeAttribute(null=True)
    mentor_pk = UnicodeAttribute(null=True)
    mentor_sk = UnicodeAttribute(null=True)
    due_shard = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    changes_pk = UnicodeAttribute(null=True)
    changes_sk = UnicodeAttribute(null=True)
    waitlist_pk = UnicodeAttribute(null=True)
    waitlist_sk = UnicodeAttribute(null=True)
    # TTL attribute of the table: housekeeping only, never relied on for correctness
    # (AWS deletes expired items within days; reads return them until then).
    expires_at = TTLAttribute(null=True)
    # Outbox delivery (emails, reminders, pushes): a sender's lease and how often it tried.
    claimed_until = NumberAttribute(null=True)  # epoch seconds: other senders keep off until then
    attempts = NumberAttribute(null=True)

    directory = DirectoryIndex()
    by_mentee = ByMenteeIndex()
    by_mentor = ByMentorIndex()
    due_work = DueWorkIndex()
    directory_changes = DirectoryChangesIndex()
    waitlist = WaitlistIndex()


def mentor_pk(mentor_id: str) -> str:
    return f"MENTOR#{mentor_id}"


def booking_pk(booking_id: str) -> str:
    return f"BOOKING#{booking_id}"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def slot_sk(start_z: str) -> str:
    return f"SLOT#{start_z}"


def reminder_sk(kind: str, role: str) -> str:
    """A booking's reminder of `kind` ("24h" | "10m") to `role` ("mentee" | "mentor")."""
    return f"REMINDER#{kind}#{role}"


class MentorProfile(TableItem, discriminator="MentorProfile"):
    mentor_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    avatar_url = UnicodeAttribute(null=True)
    company = UnicodeAttribute()
    job_title = UnicodeAttribute()
    job_title_folded = UnicodeAttribute()  # casefolded, for the jobFamily substring filter
    bio = UnicodeAttribute()
    specialties = ListAttribute(of=UnicodeAttribute, default=list)
    years_of_experience = NumberAttribute()
    experience_level = UnicodeAttribute()
    hourly_rate = NumberAttribute()  # minor units
    currency = UnicodeAttribute(default="USD")
    timezone = UnicodeAttribute()
    video_provider = UnicodeAttribute(default="generated")
    manual_meeting_url = UnicodeAttribute(null=True)
    cancellation_policy = UnicodeAttribute(null=True)  # flexible | moderate | strict; absent reads moderate
    rating_total = NumberAttribute(default=0)  # sum of ratings; averageRating = total / count
    review_count = NumberAttribute(default=0)
    total_sessions = NumberAttribute(default=0)
    # Earliest open, unheld slot (absent when none): what the directory's availability filter
    # reads. Refreshed after every change to the mentor's slots and, through DueWork, when it
    # may change by itself (that slot starts, or an earlier hold expires).
    next_open_at = InstantAttribute(null=True)
    next_open_checked_at = InstantAttribute(null=True)  # the read it came from; older never wins
    # Rises with every change the directory shows (the read model keeps the highest it has seen);
    # each such change also moves the profile into DirectoryChanges under the change's time.
    change_seq = NumberAttribute(default=0)
    created_at = InstantAttribute()
    updated_at = InstantAttribute()


class Slot(TableItem, discriminator="Slot"):
    mentor_id = UnicodeAttribute()
    start = InstantAttribute()


class SlotLock(TableItem, discriminator="SlotLock"):
    """Who holds (until `hold_expires_at`) or booked a slot. A lock whose hold has expired is free,
    whether or not TTL has deleted it yet: every condition says `hold_expires_at < :now`."""

    mentor_id = UnicodeAttribute()
    start = InstantAttribute()
    booking_id = UnicodeAttribute()
    holder_id = UnicodeAttribute()
    booked = BooleanAttribute(default=False)
    hold_expires_at = NumberAttribute(null=True)  # epoch seconds; absent once booked


class MentorDay(TableItem, discriminator="MentorDay"):
    """A mentor's local day in the hold ledger (`SLOT#<the day's first instant>#DAY`): only a
    version, bumped by every hold whose session or buffer touches the day. Holds condition on the
    versions they read with the locks, so two holds that a buffer or the daily cap puts in
    conflict cannot both commit (decisions §19)."""

    mentor_id = UnicodeAttribute()
    day = UnicodeAttribute()  # the local date, ISO
    version = NumberAttribute()


class Review(TableItem, discriminator="Review"):
    review_id = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    rating = NumberAttribute()
    comment = UnicodeAttribute()
    created_at = InstantAttribute()


class BookingItem(TableItem, discriminator="Booking"):
    booking_id = UnicodeAttribute()
    status = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    mentor_name = UnicodeAttribute()
    mentor_email = UnicodeAttribute(null=True)
    mentor_timezone = UnicodeAttribute()
    mentee_id = UnicodeAttribute()
    mentee_name = UnicodeAttribute()
    mentee_email = UnicodeAttribute(null=True)
    mentee_timezone = UnicodeAttribute()
    start = InstantAttribute()
    end = InstantAttribute()
    duration_minutes = NumberAttribute()
    price_amount = NumberAttribute()
    currency = UnicodeAttribute(default="USD")
    topic = UnicodeAttribute()
    hold_expires_at = NumberAttribute(null=True)  # epoch seconds, while held
    hold_place = NumberAttribute(null=True)  # which of the mentee's UserHold places it took
    meeting_url = UnicodeAttribute(null=True)
    payment_reference = UnicodeAttribute(null=True)  # the gateway's charge id
    calendar_sequence = NumberAttribute(default=0)  # iCalendar SEQUENCE, rises on every change
    cancelled_by = UnicodeAttribute(null=True)  # "mentee" | "mentor"
    cancel_reason = UnicodeAttribute(null=True)
    absent = UnicodeAttribute(null=True)  # "mentee" | "mentor", once marked no_show
    cancellation_policy = UnicodeAttribute(null=True)  # the mentor's when confirmed (shown from the hold); absent reads moderate
    refund_amount = NumberAttribute(null=True)  # minor units owed back to the mentee, decided by the cancel
    refund_state = UnicodeAttribute(null=True)  # "pending" until the gateway gave it back, then "refunded"
    refund_attempts = NumberAttribute(null=True)  # gateway calls that failed, while pending
    reviewed = BooleanAttribute(null=True)  # set once, by the review transaction
    waitlist_id = UnicodeAttribute(null=True)  # a hold made as a waitlist entry's offer
    created_at = InstantAttribute()
    updated_at = InstantAttribute()


class PendingEmail(TableItem, discriminator="PendingEmail"):
    """Outbox entry: recorded in the same transaction as the change it announces, sent after.
    A sender first claims it (a lease, so overlapping runs do not both send), sends, then marks
    it sent, which also takes it out of DueWork."""

    booking_id = UnicodeAttribute()
    recipient = UnicodeAttribute()
    subject = UnicodeAttribute()
    raw_message = UnicodeAttribute()  # full MIME text
    sent = BooleanAttribute(default=False)
    created_at = InstantAttribute()


class Reminder(TableItem, discriminator="Reminder"):
    booking_id = UnicodeAttribute()
    reminder_kind = UnicodeAttribute()  # "24h" | "10m"
    recipient_role = UnicodeAttribute()  # "mentee" | "mentor"
    session_start = InstantAttribute()
    sent = BooleanAttribute(default=False)


class Notification(TableItem, discriminator="Notification"):
    """An inbox entry; until it has gone out on the push channel it is also in DueWork."""

    notification_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    notification_type = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    url = UnicodeAttribute(null=True)
    booking_id = UnicodeAttribute(null=True)
    pushed = BooleanAttribute(default=False)
    created_at = InstantAttribute()


class UserHold(TableItem, discriminator="UserHold"):
    """One of a user's three hold places. Taking a hold puts one with the condition that it is
    free (absent, released, or expired by now), so a fourth concurrent hold cannot slip in."""

    user_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    hold_expires_at = NumberAttribute()  # epoch seconds


class Charge(TableItem, discriminator="Charge"):
    """The mock payment gateway's own record of a charge, keyed by its idempotency key
    (the booking), so a retried confirm never charges twice."""

    charge_id = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    payment_method = UnicodeAttribute()
    outcome = UnicodeAttribute()  # "succeeded" | "declined" | "refunded"
    refunded_amount = NumberAttribute(null=True)  # minor units given back (the whole amount when absent)
    created_at = InstantAttribute()


class DirectorySnapshotHead(TableItem, discriminator="DirectorySnapshotHead"):
    """Which snapshot of the directory is current: its chunks, and the moment it holds every
    change up to (a loader reads DirectoryChanges from a little before it)."""

    snapshot_id = UnicodeAttribute()
    chunk_count = NumberAttribute()
    card_count = NumberAttribute()
    byte_count = NumberAttribute(default=0)  # compressed size over all chunks
    built_at = InstantAttribute()
    previous_ids = ListAttribute(of=UnicodeAttribute, default=list)  # older snapshots, deleted later


class DirectorySnapshotChunk(TableItem, discriminator="DirectorySnapshotChunk"):
    """One slice (at most ~350 KB) of a compressed snapshot; each chunk its own partition."""

    data = BinaryAttribute(legacy_encoding=False)
class MentorSchedule(TableItem, discriminator="MentorSchedule"):
    """The mentor's weekly schedule (one item): wall-clock rules in `timezone`, date overrides,
    the booking policy, and rule slots removed one at a time (`blocked`, UTC starts)."""

    mentor_id = UnicodeAttribute()
    timezone = UnicodeAttribute()
    weekly = UnicodeAttribute()  # JSON [{"day", "start", "end"}], as the mentor sent it
    overrides = UnicodeAttribute()  # JSON [{"date", "intervals": [{"start", "end"}]}]
    buffer_minutes = NumberAttribute()
    minimum_notice_minutes = NumberAttribute()
    horizon_days = NumberAttribute()
    max_sessions_per_day = NumberAttribute(null=True)
    blocked = ListAttribute(of=UnicodeAttribute, default=list)
    updated_at = InstantAttribute()


class CalendarConnection(TableItem, discriminator="CalendarConnection"):
    """An external calendar of a mentor and the busy times last read from it (the cache
    listings use while it is at most 5 minutes old)."""

    mentor_id = UnicodeAttribute()
    calendar_id = UnicodeAttribute()
    calendar_type = UnicodeAttribute()  # "caldav" | "ics"
    url = UnicodeAttribute()
    username = UnicodeAttribute(null=True)
    password_sealed = UnicodeAttribute(null=True)  # KMS ciphertext (base64); never returned or logged
    status = UnicodeAttribute()  # "ok" | "error"
    error = UnicodeAttribute(null=True)  # for the mentor, while status is "error"
    last_synced_at = InstantAttribute(null=True)  # the last successful read
    checked_at = InstantAttribute(null=True)  # the last read attempt, successful or not
    busy = UnicodeAttribute(null=True)  # JSON: {"intervals": [[epoch, epoch]], "allDay": [date], "covers": [epoch, epoch]}
    created_at = InstantAttribute()


class CalendarFeed(TableItem, discriminator="CalendarFeed"):
    """A user's calendar feed: the secret in its URL (shown to its owner again on request)."""

    user_id = UnicodeAttribute()
    secret = UnicodeAttribute()
    created_at = InstantAttribute()


class CalendarFeedKey(TableItem, discriminator="CalendarFeedKey"):
    """The feed URL's lookup: keyed by a hash of the secret, so the URL finds its user in one
    GetItem and the key itself does not reveal the secret."""

    user_id = UnicodeAttribute()


ALL_MODELS: tuple[type[TableItem], ...] = (
    TableItem,
    MentorProfile,
    Slot,
    SlotLock,
    MentorDay,
    Review,
    BookingItem,
    PendingEmail,
    Reminder,
    Notification,
    UserHold,
    Charge,
    DirectorySnapshotHead,
    DirectorySnapshotChunk,
    MentorSchedule,
    CalendarConnection,
    CalendarFeed,
    CalendarFeedKey,
)


class Webhook(TableItem, discriminator="Webhook"):
    """An integrator's endpoint; its signing secret is sealed with KMS, bound to user and webhook."""

    webhook_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    secret_sealed = UnicodeAttribute()
    created_at = InstantAttribute()


class WebhookCount(TableItem, discriminator="WebhookCount"):
    """How many webhooks a user has: adding one is conditioned on it, so a sixth cannot slip in."""

    count = NumberAttribute(default=0)


class WebhookEvent(TableItem, discriminator="WebhookEvent"):
    """A change integrators hear about, written in the change's own transaction with what each
    participant's webhooks will carry; in DueWork until fanned out (the stream does it at once)."""

    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    mentee_id = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    # The body's `data` each participant may see (JSON), built when the change is written.
    mentee_data = UnicodeAttribute()
    mentor_data = UnicodeAttribute()
    created_at = InstantAttribute()


class WebhookDelivery(TableItem, discriminator="WebhookDelivery"):
    """One event to one webhook: the body signed and sent (the same on every retry), in DueWork
    until delivered or given up."""

    webhook_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    body = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | delivered | failed
    last_status_code = NumberAttribute(null=True)
    last_attempt_at = InstantAttribute(null=True)
    created_at = InstantAttribute()


class WaitlistEntry(TableItem, discriminator="WaitlistEntry"):
    """A mentee waiting for a mentor's time in [window_from, window_to); in the Waitlist index
    while `waiting`. The mentee's name, email and zone are kept for the hold an offer makes."""

    waitlist_id = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    mentee_id = UnicodeAttribute()
    mentee_name = UnicodeAttribute()
    mentee_email = UnicodeAttribute(null=True)
    mentee_timezone = UnicodeAttribute()
    window_from = InstantAttribute()
    window_to = InstantAttribute()
    duration_minutes = NumberAttribute()
    topic = UnicodeAttribute()
    status = UnicodeAttribute()  # waiting | offered | expired
    booking_id = UnicodeAttribute(null=True)  # the offer's hold, once offered
    wait_place = NumberAttribute(null=True)  # which of the mentee's WaitPlace it took while waiting
    created_at = InstantAttribute()
    updated_at = InstantAttribute()


class WaitPlace(TableItem, discriminator="WaitPlace"):
    """One of a mentee's five waiting places, taken by a waiting entry until it is offered or
    removed, or until `until` (epoch seconds: the last moment its window could be offered)."""

    user_id = UnicodeAttribute()
    waitlist_id = UnicodeAttribute()
    until = NumberAttribute()
