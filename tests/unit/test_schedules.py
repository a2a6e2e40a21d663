"""The offering core: weekly rules in the mentor's zone (DST in both hemispheres), overrides,
explicit slots, locks with buffers, notice, horizon, the daily cap and busy times."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorship.domain.instants import SLOT, resolve_zone
from mentorship.domain.schedules import (
    BusyTimes,
    Lock,
    OfferingInputs,
    Schedule,
    WallInterval,
    build_schedule,
    offer,
    rule_slot_starts,
    session_offered,
    wall_instants,
)
from mentorship.errors import ValidationFailed

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def hhmm(start: str, end: str) -> WallInterval:
    def minutes(text):
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    return WallInterval(minutes(start), minutes(end))


def every_day(zone: str, start: str, end: str, **policy) -> Schedule:
    return Schedule(timezone=zone, weekly={day: (hhmm(start, end),) for day in range(7)}, **policy)


def starts_on(schedule: Schedule, day: str) -> list[str]:
    """Rule slots (UTC, Z) whose local date in the schedule's zone is `day`."""
    local_day = date.fromisoformat(day)
    window_start = datetime.fromisoformat(day).replace(tzinfo=UTC) - timedelta(days=1)
    found = rule_slot_starts(schedule, window_start, window_start + timedelta(days=3))
    return [
        moment.strftime("%Y-%m-%dT%H:%MZ") for moment in found if moment.astimezone(schedule.zone).date() == local_day
    ]


def inputs(schedule=None, *, zone=None, published=(), locks=(), busy=BusyTimes.none()) -> OfferingInputs:
    return OfferingInputs(
        zone=zone or (schedule.timezone if schedule else "UTC"),
        schedule=schedule,
        published=tuple(published),
        locks=tuple(locks),
        busy=busy,
    )


def available(offering) -> list[datetime]:
    return [slot.start for slot in offering if slot.available]


# ------------------------------------------------------------------ wall clock and DST


def test_the_wall_clock_is_what_the_mentor_means_winter_and_summer_in_berlin():
    tuesday = Schedule(timezone="Europe/Berlin", weekly={1: (hhmm("18:00", "20:00"),)})
    assert starts_on(tuesday, "2026-12-08") == [f"2026-12-08T{t}Z" for t in ("17:00", "17:30", "18:00", "18:30")]
    assert starts_on(tuesday, "2027-06-08") == [f"2027-06-08T{t}Z" for t in ("16:00", "16:30", "17:00", "17:30")]


# Each case: zone, the DST day (local), a rule for that day, the slots it offers (UTC).
DST_CASES = {
    # Spring forward: the skipped hour offers nothing; the rest of the rule stands.
    "berlin-skipped-hour-inside-a-rule": (
        "Europe/Berlin", "2027-03-28", ("01:00", "04:00"), ["2027-03-28T00:00Z", "2027-03-28T00:30Z", "2027-03-28T01:00Z", "2027-03-28T01:30Z"],
    ),
    "berlin-rule-exactly-at-the-skipped-hour": ("Europe/Berlin", "2027-03-28", ("02:00", "03:00"), []),
    "new-york-skipped-hour-inside-a-rule": (
        "America/New_York", "2027-03-14", ("01:00", "04:00"), ["2027-03-14T06:00Z", "2027-03-14T06:30Z", "2027-03-14T07:00Z", "2027-03-14T07:30Z"],
    ),
    "new-york-rule-starting-in-the-skipped-hour": (
        "America/New_York", "2027-03-14", ("02:30", "04:00"), ["2027-03-14T07:00Z", "2027-03-14T07:30Z"],
    ),
    "sydney-skipped-hour-inside-a-rule": (
        "Australia/Sydney", "2027-10-03", ("01:00", "04:00"), ["2027-10-02T15:00Z", "2027-10-02T15:30Z", "2027-10-02T16:00Z", "2027-10-02T16:30Z"],
    ),
    "sydney-rule-exactly-at-the-skipped-hour": ("Australia/Sydney", "2027-10-03", ("02:00", "03:00"), []),
    # Fall back: the repeated hour is offered twice (both occurrences), so the day's rule is longer.
    "berlin-rule-exactly-at-the-repeated-hour": (
        "Europe/Berlin", "2027-10-31", ("02:00", "03:00"), ["2027-10-31T00:00Z", "2027-10-31T00:30Z", "2027-10-31T01:00Z", "2027-10-31T01:30Z"],
    ),
    "new-york-repeated-hour-inside-a-rule": (
        "America/New_York", "2027-11-07", ("01:00", "03:00"),
        ["2027-11-07T05:00Z", "2027-11-07T05:30Z", "2027-11-07T06:00Z", "2027-11-07T06:30Z", "2027-11-07T07:00Z", "2027-11-07T07:30Z"],
    ),
    "sydney-rule-exactly-at-the-repeated-hour": (
        "Australia/Sydney", "2027-04-04", ("02:00", "03:00"), ["2027-04-03T15:00Z", "2027-04-03T15:30Z", "2027-04-03T16:00Z", "2027-04-03T16:30Z"],
    ),
}


@pytest.mark.parametrize(("zone", "day", "rule", "expected"), DST_CASES.values(), ids=DST_CASES.keys())
def test_a_dst_day_offers_what_exists_of_it(zone, day, rule, expected):
    schedule = every_day(zone, *rule)
    assert starts_on(schedule, day) == expected
    # And the day before, an ordinary day, offers the rule's full length.
    before = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    assert len(starts_on(schedule, before)) == (hhmm(*rule).end - hhmm(*rule).start) // 30


@pytest.mark.parametrize(
    ("zone", "day", "minute", "count"),
    [
        ("America/New_York", date(2027, 3, 14), 150, 0),  # 02:30 does not exist
        ("America/New_York", date(2027, 11, 7), 90, 2),  # 01:30 happens twice
        ("Australia/Sydney", date(2027, 4, 4), 120, 2),
        ("Europe/Berlin", date(2027, 7, 1), 600, 1),
    ],
)
def test_wall_instants_count_the_occurrences_of_a_wall_time(zone, day, minute, count):
    assert len(wall_instants(day, minute, resolve_zone(zone))) == count


def test_offer_on_dst_days_with_a_pinned_clock_lists_rule_slots_as_utc():
    now = z("2027-11-06T12:00:00Z")
    schedule = every_day("America/New_York", "01:00", "02:00", horizon_days=7)
    offering = offer(inputs(schedule), now, now + timedelta(days=1, hours=12), now)
    assert [slot.start.strftime("%d %H:%M") for slot in offering] == [
        "07 05:00", "07 05:30", "07 06:00", "07 06:30",  # the repeated hour, twice
    ]
    assert all(slot.available for slot in offering)


# ------------------------------------------------------------------ overrides and blocked slots


def test_an_override_replaces_that_local_dates_weekly_intervals():
    schedule = Schedule(
        timezone="Europe/Berlin",
        weekly={day: (hhmm("09:00", "10:00"),) for day in range(7)},
        overrides={date(2026, 12, 24): (), date(2026, 12, 27): (hhmm("10:00", "11:00"),)},
    )
    assert starts_on(schedule, "2026-12-24") == []
    assert starts_on(schedule, "2026-12-27") == ["2026-12-27T09:00Z", "2026-12-27T09:30Z"]
    assert starts_on(schedule, "2026-12-28") == ["2026-12-28T08:00Z", "2026-12-28T08:30Z"]


def test_an_override_can_open_a_day_the_weekly_rules_leave_empty():
    schedule = Schedule(timezone="UTC", overrides={date(2026, 12, 5): (hhmm("23:00", "24:00"),)})
    assert starts_on(schedule, "2026-12-05") == ["2026-12-05T23:00Z", "2026-12-05T23:30Z"]


def test_a_blocked_rule_slot_is_not_offered():
    schedule = every_day("UTC", "10:00", "11:00", blocked=frozenset({z("2026-12-02T10:30:00Z")}))
    assert starts_on(schedule, "2026-12-02") == ["2026-12-02T10:00Z"]


# ------------------------------------------------------------------ notice, horizon, buffer, cap


def test_minimum_notice_and_the_horizon_bound_what_is_offered():
    schedule = every_day("UTC", "00:00", "24:00", minimum_notice_minutes=120, horizon_days=2)
    offering = offer(inputs(schedule), NOW, NOW + timedelta(days=5), NOW)
    offered = available(offering)
    assert offered[0] == NOW + timedelta(hours=2)
    assert offered[-1] == NOW + timedelta(days=2)
    assert all(slot.start <= NOW + timedelta(days=2) for slot in offering)  # nothing listed past the horizon


def test_explicit_slots_obey_notice_horizon_and_are_listed_unavailable_beyond():
    schedule = Schedule(timezone="UTC", minimum_notice_minutes=60, horizon_days=1)
    published = [NOW + timedelta(minutes=30), NOW + timedelta(hours=2), NOW + timedelta(days=3)]
    offering = offer(inputs(schedule, published=published), NOW, NOW + timedelta(days=4), NOW)
    assert [(slot.start, slot.available) for slot in offering] == [
        (published[0], False), (published[1], True), (published[2], False),
    ]


def test_without_a_schedule_explicit_slots_are_offered_as_before():
    published = [NOW - SLOT, NOW + SLOT, NOW + 2 * SLOT]
    locks = [Lock(NOW + 2 * SLOT, "b1", hold_expires_at=NOW + timedelta(minutes=3))]
    offering = offer(inputs(None, published=published, locks=locks), NOW - SLOT, NOW + timedelta(days=1), NOW)
    assert [(slot.start, slot.available) for slot in offering] == [
        (published[0], False), (published[1], True), (published[2], False),
    ]


def test_an_expired_hold_blocks_nothing():
    locks = [Lock(NOW + SLOT, "b1", hold_expires_at=NOW)]
    assert available(offer(inputs(None, published=[NOW + SLOT], locks=locks), NOW, NOW + timedelta(hours=1), NOW)) == [
        NOW + SLOT
    ]


@pytest.mark.parametrize("buffer", [0, 30, 60])
def test_a_buffer_keeps_free_time_before_and_after_every_session(buffer):
    schedule = every_day("UTC", "08:00", "18:00", buffer_minutes=buffer)
    session = [z("2026-12-02T12:00:00Z"), z("2026-12-02T12:30:00Z")]  # a 60-minute session
    locks = [Lock(moment, "b1", booked=True) for moment in session]
    offering = offer(inputs(schedule, locks=locks), z("2026-12-02T00:00:00Z"), z("2026-12-03T00:00:00Z"), NOW)
    offered = set(available(offering))
    blocked_from = session[0] - timedelta(minutes=buffer)
    blocked_to = session[-1] + SLOT + timedelta(minutes=buffer)
    for slot in offering:
        inside = slot.start < blocked_to and slot.end > blocked_from
        assert (slot.start in offered) is not inside, slot.start


def test_the_daily_cap_counts_sessions_per_local_day_of_the_mentor():
    # Sydney is UTC+11 in December: local 2026-12-03 runs from 2026-12-02T13:00Z.
    schedule = every_day("Australia/Sydney", "08:00", "20:00", max_sessions_per_day=2)
    day_start = z("2026-12-02T13:00:00Z")
    locks = [
        Lock(day_start + timedelta(hours=9), "b1", booked=True),  # 09:00 local, 2026-12-03
        Lock(day_start + timedelta(hours=9, minutes=30), "b1", booked=True),  # same session: counts once
        Lock(day_start + timedelta(hours=11), "b2", hold_expires_at=NOW + timedelta(minutes=5)),  # held counts
    ]
    offering = offer(inputs(schedule, locks=locks), day_start - timedelta(days=1), day_start + timedelta(days=2), NOW)
    by_local_day = {}
    for slot in offering:
        by_local_day.setdefault(slot.start.astimezone(schedule.zone).date(), []).append(slot.available)
    assert not any(by_local_day[date(2026, 12, 3)])  # capped
    assert all(by_local_day[date(2026, 12, 4)])  # the next local day is open
    # With one session fewer the day is open again, except the locked slots themselves.
    fewer = offer(inputs(schedule, locks=locks[:2]), day_start, day_start + timedelta(days=1), NOW)
    assert len(available(fewer)) == 24 - 2


def test_a_cap_reached_by_an_expired_hold_does_not_count():
    schedule = every_day("UTC", "08:00", "10:00", max_sessions_per_day=1)
    locks = [Lock(z("2026-12-02T08:00:00Z"), "b1", hold_expires_at=NOW)]
    offering = offer(inputs(schedule, locks=locks), z("2026-12-02T00:00:00Z"), z("2026-12-03T00:00:00Z"), NOW)
    assert len(available(offering)) == 4


# ------------------------------------------------------------------ busy times


def test_busy_times_block_the_slots_they_overlap_even_partly():
    schedule = every_day("UTC", "09:00", "12:00")
    busy = BusyTimes(intervals=((z("2026-12-02T09:45:00Z"), z("2026-12-02T10:10:00Z")),))
    offering = offer(inputs(schedule, busy=busy), z("2026-12-02T00:00:00Z"), z("2026-12-03T00:00:00Z"), NOW)
    assert [slot.start.strftime("%H:%M") for slot in offering if not slot.available] == ["09:30", "10:00"]


def test_an_all_day_event_blocks_the_mentors_whole_local_day():
    # New York mentor: local 2026-12-02 is 05:00Z to 05:00Z next day.
    schedule = every_day("America/New_York", "00:00", "24:00")
    busy = BusyTimes(all_day=frozenset({date(2026, 12, 2)}))
    offering = offer(inputs(schedule, busy=busy), z("2026-12-02T00:00:00Z"), z("2026-12-04T00:00:00Z"), NOW)
    blocked = [slot.start for slot in offering if not slot.available]
    assert blocked[0] == z("2026-12-02T05:00:00Z")
    assert blocked[-1] == z("2026-12-03T04:30:00Z")
    assert len(blocked) == 48


def test_an_unreadable_calendar_offers_nothing_fail_closed():
    schedule = every_day("UTC", "09:00", "12:00")
    offering = offer(inputs(schedule, published=[NOW + SLOT], busy=BusyTimes.unknown()), NOW, NOW + timedelta(days=2), NOW)
    assert offering and not available(offering)


def test_slots_beyond_what_the_calendars_were_read_for_are_not_offered():
    schedule = every_day("UTC", "09:00", "12:00")
    busy = BusyTimes(covers=(NOW, z("2026-12-02T10:00:00Z")))
    offering = offer(inputs(schedule, busy=busy), NOW, NOW + timedelta(days=2), NOW)
    assert available(offering) == [z("2026-12-02T09:00:00Z"), z("2026-12-02T09:30:00Z")]


def test_combined_busy_times_are_busy_if_any_calendar_is_and_covered_where_all_are():
    first = BusyTimes(intervals=((NOW, NOW + SLOT),), covers=(NOW, NOW + timedelta(days=10)))
    second = BusyTimes(all_day=frozenset({date(2026, 12, 5)}), covers=(NOW - SLOT, NOW + timedelta(days=5)))
    combined = BusyTimes.combine([first, second])
    assert combined.intervals == first.intervals and combined.all_day == second.all_day
    assert combined.covers == (NOW, NOW + timedelta(days=5))
    assert BusyTimes.combine([first, BusyTimes.unknown()]).unreadable
    assert BusyTimes.combine([]) == BusyTimes.none()


def test_session_offered_needs_every_slot_of_the_session():
    schedule = every_day("UTC", "09:00", "10:00")
    start = z("2026-12-02T09:00:00Z")
    assert session_offered(inputs(schedule), start, 60, NOW)
    assert not session_offered(inputs(schedule), start, 90, NOW)
    assert not session_offered(inputs(schedule), start + SLOT, 60, NOW)


# ------------------------------------------------------------------ validation


def build(**changes):
    fields = dict(
        timezone="Europe/Berlin",
        weekly=[("tuesday", "18:00", "20:00")],
        overrides=[(date(2026, 12, 24), [])],
        buffer_minutes=30,
        minimum_notice_minutes=120,
        horizon_days=60,
        max_sessions_per_day=3,
        now=NOW,
    )
    return build_schedule(**{**fields, **changes})


def test_build_schedule_accepts_the_contracts_example():
    schedule = build(overrides=[(date(2026, 12, 24), []), (date(2026, 12, 27), [("10:00", "12:00")])])
    assert schedule.weekly == {1: (hhmm("18:00", "20:00"),)}
    assert schedule.overrides[date(2026, 12, 27)] == (hhmm("10:00", "12:00"),)
    assert build(weekly=[("sunday", "22:00", "24:00")]).weekly == {6: (hhmm("22:00", "24:00"),)}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekly": [("tuesday", "18:00", "20:00"), ("tuesday", "19:00", "21:00")]}, "body.weekly[1]"),
        ({"weekly": [("monday", "09:15", "10:00")]}, "body.weekly[0].start"),
        ({"weekly": [("monday", "10:00", "10:00")]}, "body.weekly[0].end"),
        ({"weekly": [("monday", "10:00", "09:00")]}, "body.weekly[0].end"),
        ({"weekly": [("monday", "24:00", "24:00")]}, "body.weekly[0].start"),
        ({"weekly": [("funday", "10:00", "11:00")]}, "body.weekly[0].day"),
        ({"weekly": [("monday", "10:00", "25:00")]}, "body.weekly[0].end"),
        ({"overrides": [(date(2026, 12, 27), [("10:00", "12:00"), ("11:30", "13:00")])]}, "body.overrides[0].intervals[1]"),
        ({"overrides": [(date(2026, 12, 27), []), (date(2026, 12, 27), [])]}, "body.overrides[1].date"),
        ({"timezone": "Moon/Base"}, "body.timezone"),
        ({"timezone": "Asia/Kathmandu"}, "body.timezone"),
        ({"buffer_minutes": 15}, "body.bufferMinutes"),
        ({"minimum_notice_minutes": 10_081}, "body.minimumNoticeMinutes"),
        ({"horizon_days": 0}, "body.horizonDays"),
        ({"horizon_days": 91}, "body.horizonDays"),
        ({"max_sessions_per_day": 49}, "body.maxSessionsPerDay"),
    ],
)
def test_build_schedule_refuses_with_the_field_named(changes, field):
    with pytest.raises(ValidationFailed) as refused:
        build(**changes)
    assert field in [issue.field for issue in refused.value.details]


def test_overlap_is_reported_at_the_row_sent_even_when_rows_of_other_days_come_between():
    with pytest.raises(ValidationFailed) as refused:
        build(weekly=[("monday", "09:00", "11:00"), ("friday", "09:00", "10:00"), ("monday", "10:00", "12:00")])
    assert [issue.field for issue in refused.value.details] == ["body.weekly[2]"]


# ------------------------------------------------------------------ properties

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC", "Australia/Lord_Howe"]
half_hours = st.integers(min_value=0, max_value=47)


@st.composite
def schedules(draw):
    weekly = {}
    for day in range(7):
        edges = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
        pairs = [WallInterval(a * 30, b * 30) for a, b in zip(edges[::2], edges[1::2]) if a < b]
        if pairs:
            weekly[day] = tuple(pairs)
    return Schedule(
        timezone=draw(st.sampled_from(ZONES)),
        weekly=weekly,
        buffer_minutes=draw(st.sampled_from([0, 30, 60])),
        minimum_notice_minutes=draw(st.sampled_from([0, 30, 120, 1440])),
        horizon_days=draw(st.integers(1, 90)),
        max_sessions_per_day=draw(st.none() | st.integers(1, 4)),
    )


@st.composite
def situations(draw):
    schedule = draw(schedules())
    # A pinned `now` somewhere around both hemispheres' DST changes, on a minute boundary.
    now = datetime(2027, 3, 10, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 60 * 24 * 240)))
    base = now.replace(minute=0, second=0, microsecond=0)
    published = [base + SLOT * n for n in draw(st.lists(st.integers(-4, 400), max_size=20))]
    locks = []
    for index, n in enumerate(draw(st.lists(st.integers(-4, 400), max_size=8))):
        length = draw(st.integers(1, 3))
        booked = draw(st.booleans())
        expiry = None if booked else now + timedelta(minutes=draw(st.integers(-10, 10)))
        locks += [Lock(base + SLOT * (n + k), f"s{index}", booked, expiry) for k in range(length)]
    busy = tuple(
        (base + timedelta(minutes=a), base + timedelta(minutes=a + d))
        for a, d in draw(st.lists(st.tuples(st.integers(-60, 12_000), st.integers(1, 600)), max_size=6))
    )
    return schedule, now, inputs(schedule, published=published, locks=locks, busy=BusyTimes(intervals=busy))


@settings(max_examples=150, deadline=None)
@given(situations())
def test_every_offered_slot_obeys_every_rule(situation):
    schedule, now, offering_inputs = situation
    window_start, window_end = now - timedelta(hours=2), now + timedelta(days=8)
    offering = offer(offering_inputs, window_start, window_end, now)
    zone = schedule.zone
    rule_slots = set(rule_slot_starts(schedule, window_start, window_end))
    buffer = timedelta(minutes=schedule.buffer_minutes)
    active = [lock for lock in offering_inputs.locks if lock.is_active(now)]
    sessions_per_day = {}
    for session in {lock.session_id for lock in active}:
        first = min(lock.start for lock in active if lock.session_id == session)
        sessions_per_day[first.astimezone(zone).date()] = sessions_per_day.get(first.astimezone(zone).date(), 0) + 1
    starts = [slot.start for slot in offering]
    assert starts == sorted(set(starts))
    for slot in offering:
        assert window_start <= slot.start < window_end
        assert slot.start in rule_slots or slot.start in offering_inputs.published
        if not slot.available:
            continue
        assert slot.start.minute in (0, 30) and slot.start.second == 0
        assert slot.start >= now + timedelta(minutes=schedule.minimum_notice_minutes) and slot.start > now
        assert slot.start <= now + timedelta(days=schedule.horizon_days)
        for busy_start, busy_end in offering_inputs.busy.intervals:
            assert not (slot.start < busy_end and slot.end > busy_start)
        for lock in active:
            assert not (slot.start < lock.start + SLOT + buffer and slot.end > lock.start - buffer)
        if schedule.max_sessions_per_day:
            assert sessions_per_day.get(slot.start.astimezone(zone).date(), 0) < schedule.max_sessions_per_day


@settings(max_examples=100, deadline=None)
@given(schedules(), st.integers(0, 60 * 24 * 365))
def test_every_rule_slot_lies_inside_a_rule_of_its_local_date(schedule, minutes):
    start = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    zone = schedule.zone
    found = rule_slot_starts(schedule, start, start + timedelta(days=3))
    for moment in found:
        local = moment.astimezone(zone)
        minute = local.hour * 60 + local.minute
        assert any(interval.start <= minute < interval.end for interval in schedule.intervals_on(local.date()))
    # And every wall time of a rule that exists on a day fully inside the window is offered.
    day = start.astimezone(zone).date() + timedelta(days=1)
    for interval in schedule.intervals_on(day):
        for minute in range(interval.start, interval.end, 30):
            for instant in wall_instants(day, minute, zone):
                if instant.minute in (0, 30):
                    assert instant in found
