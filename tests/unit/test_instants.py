"""Instants and zones: RFC 3339 at the edges, aware UTC inside, DST handled on purpose."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorship.domain.instants import (
    InvalidInstant,
    UnknownTimeZone,
    format_local,
    format_utc,
    is_slot_aligned,
    parse_instant,
    require_utc,
    resolve_zone,
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
