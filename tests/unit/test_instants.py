"""Instants and zones: RFC 3339 at the edges, aware UTC inside, DST handled on purpose."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorship.domain.instants import (
    EARLIEST,
    LATEST,
    InvalidInstant,
    UnknownTimeZone,
    format_local,
    format_utc,
    is_slot_aligned,
    parse_instant,
    require_utc,
    resolve_zone,
    zone_names,
    zone_or_utc,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24T14:00:00Z", datetime(2026, 11, 24, 14, tzinfo=UTC)),
        ("2026-11-24t14:00:00z", datetime(2026, 11, 24, 14, tzinfo=UTC)),
        ("2026-11-24T09:00:00-05:00", datetime(2026, 11, 24, 14, tzinfo=UTC)),
        ("2026-11-24T19:30:00+05:30", datetime(2026, 11, 24, 14, tzinfo=UTC)),
        ("2026-11-24T14:00:00.123456789Z", datetime(2026, 11, 24, 14, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_parse_accepts_any_offset_and_returns_utc(text, expected):
    parsed = parse_instant(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    ["2026-11-24T14:00:00", "2026-11-24", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "tomorrow", "", "2026-11-24T14:00Z"],
)
def test_parse_refuses_times_without_offset_or_invalid(text):
    with pytest.raises(InvalidInstant):
        parse_instant(text)


def test_naive_datetimes_are_refused_inside():
    with pytest.raises(ValueError):
        require_utc(datetime(2026, 11, 24, 14))
    with pytest.raises(ValueError):
        format_utc(datetime(2026, 11, 24, 14))


def test_format_utc_always_says_z():
    berlin = datetime(2026, 11, 24, 15, tzinfo=timezone(timedelta(hours=1)))
    assert format_utc(berlin) == "2026-11-24T14:00:00Z"


def test_local_times_carry_the_right_offset_on_each_side_of_a_dst_change():
    chicago = resolve_zone("America/Chicago")
    # DST ends in the US on 2026-11-01 at 02:00 local: 15:00 local is 20:00Z before, 21:00Z after.
    assert format_local(datetime(2026, 10, 31, 20, tzinfo=UTC), chicago) == "2026-10-31T15:00:00-05:00"
    assert format_local(datetime(2026, 11, 2, 21, tzinfo=UTC), chicago) == "2026-11-02T15:00:00-06:00"
    # DST starts on 2026-03-08: 15:00 local is 21:00Z before and 20:00Z after.
    assert format_local(datetime(2026, 3, 7, 21, tzinfo=UTC), chicago) == "2026-03-07T15:00:00-06:00"
    assert format_local(datetime(2026, 3, 9, 20, tzinfo=UTC), chicago) == "2026-03-09T15:00:00-05:00"


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../../etc/passwd", "/etc/localtime", "America", "UTC ", "a" * 100])
def test_unknown_zones_are_refused(name):
    with pytest.raises(UnknownTimeZone):
        resolve_zone(name)


@pytest.mark.parametrize("name", ["UTC", "America/Chicago", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
def test_iana_zones_resolve(name):
    assert resolve_zone(name).key == name


def test_slot_alignment():
    assert is_slot_aligned(datetime(2026, 11, 24, 14, 30, tzinfo=UTC))
    assert not is_slot_aligned(datetime(2026, 11, 24, 14, 15, tzinfo=UTC))
    assert not is_slot_aligned(datetime(2026, 11, 24, 14, 30, 1, tzinfo=UTC))


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)))
def test_format_then_parse_round_trips_to_the_second(moment):
    assert parse_instant(format_utc(moment)) == moment.replace(microsecond=0)


@given(st.text(max_size=40))
def test_parse_never_fails_with_anything_but_invalid_instant(text):
    try:
        parsed = parse_instant(text)
    except InvalidInstant:
        return
    assert parsed.tzinfo is UTC


# --- Bounds: every client instant falls in [EARLIEST, LATEST] once its offset is applied ---------

OFFSET_MINUTES = range(-12 * 60, 14 * 60 + 1, 15)  # every offset in use, -12:00 to +14:00
offsets = st.sampled_from(list(OFFSET_MINUTES)).map(lambda minutes: timedelta(minutes=minutes))


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:30:00-12:00",  # past datetime.max once in UTC: was an OverflowError
        "0001-01-01T00:00:00+14:00",  # before datetime.min once in UTC
        "0001-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "1970-01-01T00:59:59+01:00",  # 1969-12-31T23:59:59Z
        "2200-01-01T00:00:00.000001Z",
        "2200-01-01T00:00:01Z",
        "2200-01-01T01:00:00+00:59",  # 2200-01-01T00:01:00Z
    ],
)
def test_instants_outside_1970_to_2200_utc_are_refused(text):
    with pytest.raises(InvalidInstant, match="between 1970-01-01T00:00:00Z and 2200-01-01T00:00:00Z"):
        parse_instant(text)


def test_the_bounds_themselves_are_accepted():
    assert parse_instant("1970-01-01T00:00:00Z") == EARLIEST
    assert parse_instant("1970-01-01T14:00:00+14:00") == EARLIEST
    assert parse_instant("2200-01-01T00:00:00Z") == LATEST
    assert parse_instant("2199-12-31T12:00:00-12:00") == LATEST


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    offsets,
)
def test_any_instant_with_any_offset_parses_in_range_or_is_refused(local, offset):
    """The whole calendar, every offset: never an OverflowError, never an instant out of range."""
    text = _rfc3339(local.replace(tzinfo=timezone(offset)))
    try:
        parsed = parse_instant(text)
    except InvalidInstant:
        assert not EARLIEST <= local.replace(tzinfo=timezone(offset)) <= LATEST
        return
    assert parsed.tzinfo is UTC and EARLIEST <= parsed <= LATEST
    assert parsed == local.replace(tzinfo=timezone(offset))


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)), offsets)
def test_every_allowed_instant_round_trips_through_every_offset(moment, offset):
    """The whole allowed range, written with each offset from -12:00 to +14:00; the arithmetic the
    API does on a client's instant (a 90-minute session, a 31-day window, a local rendering)
    stays inside what datetime can hold."""
    written = _rfc3339(moment.astimezone(timezone(offset)))
    parsed = parse_instant(written)
    assert parsed == moment
    assert parsed + timedelta(days=31) > parsed
    assert format_local(parsed + timedelta(minutes=90), resolve_zone("Pacific/Kiritimati"))
    assert format_local(parsed, resolve_zone("Etc/GMT+12"))


# --- Zone names: IANA zones a person could live in ---------------------------------------------


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "posix/Europe/Berlin", "right/UTC", "SystemV/EST5"])
def test_pseudo_zones_are_refused(name):
    with pytest.raises(UnknownTimeZone):
        resolve_zone(name)


def test_every_listed_zone_resolves_and_utc_is_one():
    names = zone_names()
    assert "UTC" in names and "Europe/Berlin" in names and "Factory" not in names
    assert len(names) > 500
    for name in names:
        assert resolve_zone(name).key == name


@pytest.mark.parametrize(("name", "expected"), [(None, "UTC"), ("", "UTC"), ("Factory", "UTC"), ("localtime", "UTC"),
                                                ("Europe/Berlin", "Europe/Berlin")])
def test_zone_names_that_are_data_fall_back_to_utc(name, expected):
    shown, zone = zone_or_utc(name)
    assert shown == expected and zone.key == expected
