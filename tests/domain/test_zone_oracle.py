"""The clinic's zone through the standard library's ``zoneinfo`` gives the same instants
as dateutil's, which it replaced (issue 19): dateutil's rules live on here only, as the
oracle. Wall times and instants are drawn around the daylight-saving changes of six
zones (whole-hour, half-hour and 45-minute offsets, both hemispheres) from 2000 to the
last change the zone file lists (2037).

After it the two differ, and zoneinfo is right: dateutil's ``tzfile`` ignores the rule
at the end of a TZif file and takes standard time from the file's last listed change on
(Sydney's daylight saving from October 2037 is already missing); zoneinfo follows the
rule (``test_past_2037_zoneinfo_keeps_the_rule``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz
from hypothesis import given, settings, strategies as st

from tdm1_scheduler.domain.calendar import (
    ClinicCalendar,
    OpeningHours,
    resolve_gap,
    wall_in_zone,
    zone_from_name,
)

ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Chatham",
)
FIRST = datetime(2000, 1, 1, tzinfo=UTC)
# A week clear of the file's last listed change: the draws reach 36 h from a change and
# the test's days up to four days after it.
MARGIN = timedelta(days=7)


def _changes(name: str) -> list[datetime]:
    """The zone's changes of offset from FIRST to a week before the last one the zone
    file lists, as UTC instants (dateutil's list); a zone without any (Kolkata) gives
    midsummer and midwinter days to draw around."""
    stored = tz.gettz(name)._trans_list_utc  # type: ignore[union-attr]
    found = [datetime.fromtimestamp(t, UTC) for t in stored]
    inside = [moment for moment in found if FIRST <= moment < found[-1] - MARGIN]
    return inside or [datetime(y, m, 1, tzinfo=UTC) for y in (2000, 2020) for m in (1, 7)]


CHANGES = {name: _changes(name) for name in ZONES}


@st.composite
def near_a_change(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and a UTC instant within a day and a half of one of its changes, often
    within 90 minutes (in the gap or the fold its change makes)."""
    name = draw(st.sampled_from(ZONES))
    change = draw(st.sampled_from(CHANGES[name]))
    minutes = draw(st.one_of(st.integers(-36 * 60, 36 * 60), st.integers(-90, 90)))
    return name, change + timedelta(minutes=minutes)


def old_at(zone: tzinfo, day: date, wall: time) -> datetime:
    """The calendar's ``at`` before zoneinfo (the oracle)."""
    return tz.resolve_imaginary(datetime.combine(day, wall, tzinfo=zone))


def same(new: datetime, old: datetime) -> None:
    """One instant, one wall time, one offset, one text (JSON carries ``isoformat``)."""
    assert new.astimezone(UTC) == old.astimezone(UTC)
    assert new.replace(tzinfo=None) == old.replace(tzinfo=None)
    assert new.utcoffset() == old.utcoffset()
    assert new.isoformat() == old.isoformat()
    assert f"{new:%H:%M %a %Y-%m-%d}" == f"{old:%H:%M %a %Y-%m-%d}"


walls = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@settings(max_examples=600, deadline=None)
@given(near_a_change(), walls, walls, st.integers(1, 2))
def test_the_calendar_gives_dateutils_instants(
    case: tuple[str, datetime], one: time, two: time, days: int
) -> None:
    name, instant = case
    old_zone, new_zone = tz.gettz(name), zone_from_name(name)
    assert isinstance(new_zone, ZoneInfo) and old_zone is not None
    opens, closes = sorted((one, two))
    if opens == closes:  # no such hours: a weekday clinic, 08:00-17:00
        opens, closes = time(8), time(17)
    hours = {d: OpeningHours(opens, closes) for d in range(7) if d != instant.day % 7}
    # the wall time the instant would have at the offset of a day before: the skipped
    # or repeated wall times of a change (and their day)
    before = (instant - timedelta(days=1)).astimezone(old_zone).utcoffset()
    assert before is not None
    prior = (instant + before).replace(tzinfo=None)
    day = prior.date()
    closed = frozenset({day + timedelta(days=3)})
    calendar = ClinicCalendar(new_zone, hours, closed)
    # instants to the clinic's wall time, and its date
    same(calendar.local(instant), instant.astimezone(old_zone))
    assert calendar.local_date(instant) == instant.astimezone(old_zone).date()
    for wall in (one, two, time(0), prior.time()):  # wall times to instants
        same(calendar.at(day, wall), old_at(old_zone, day, wall))
    first, last = calendar.day_bounds(day, days)
    same(first, old_at(old_zone, day, time(0)))
    same(last, old_at(old_zone, day + timedelta(days=days), time(0)))
    for some_day in (day, day + timedelta(days=1), day + timedelta(days=3)):
        window = calendar.opening_window(some_day)
        open_hours = hours.get(some_day.weekday())
        if open_hours is None or some_day in closed:
            assert window is None
        else:
            assert window is not None
            same(window[0], old_at(old_zone, some_day, open_hours.opens))
            same(window[1], old_at(old_zone, some_day, open_hours.closes))
        assert calendar.is_open_day(some_day) == (open_hours is not None and some_day not in closed)


@settings(max_examples=400, deadline=None)
@given(near_a_change())
def test_a_wall_time_read_in_the_zone_is_dateutils(case: tuple[str, datetime]) -> None:
    """``parse_instant``'s reading of a wall time without an offset (``--now``): the
    same instant in a gap (dateutil's offset after the change) and in a fold."""
    name, instant = case
    wall = instant.astimezone(ZoneInfo(name)).replace(tzinfo=None)
    before = (instant - timedelta(days=1)).astimezone(ZoneInfo(name)).utcoffset()
    assert before is not None
    prior = (instant + before).replace(tzinfo=None)  # in the gap or the fold, if any
    for naive in (wall, prior, wall.replace(minute=0), wall.replace(minute=30)):
        same(wall_in_zone(naive, zone_from_name(name)), naive.replace(tzinfo=tz.gettz(name)))


def _repeated_walls(name: str) -> list[datetime]:
    """The first wall time of each fold (clocks set back) of ``name``, 2000-2037."""
    zone = ZoneInfo(name)
    found = []
    for change in CHANGES[name]:
        before = (change - timedelta(seconds=1)).astimezone(zone).utcoffset()
        after = change.astimezone(zone).utcoffset()
        assert before is not None and after is not None
        if after < before:
            found.append((change.astimezone(zone)).replace(tzinfo=None, fold=0))
    return found


@pytest.mark.parametrize("name", [n for n in ZONES if n != "Asia/Kolkata"])
def test_a_repeated_wall_time_is_the_first_in_both(name: str) -> None:
    """Clocks set back: a wall time in the repeated hour (fold=0) is its first, daylight
    saving occurrence, in zoneinfo as in dateutil."""
    repeated = _repeated_walls(name)
    assert len(repeated) >= 30  # about one a year
    old_zone, new_zone = tz.gettz(name), zone_from_name(name)
    for start in repeated:
        wall = start + timedelta(minutes=10)
        calendar = ClinicCalendar(new_zone)
        new = calendar.at(wall.date(), wall.time())
        old = old_at(old_zone, wall.date(), wall.time())  # type: ignore[arg-type]
        same(new, old)
        later = new.replace(fold=1)  # the second occurrence, an offset lower
        assert new.utcoffset() > later.utcoffset()  # type: ignore[operator]
        assert new.dst() != timedelta(0)


NEW_YORK, LORD_HOWE = ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe")


@pytest.mark.parametrize(
    ("wall", "zone", "expected"),
    [
        # spring forward 02:00 -> 03:00: the skipped 02:30 moves on an hour
        (datetime(2026, 3, 8, 2, 30), NEW_YORK, "2026-03-08T03:30:00-04:00"),
        (datetime(2026, 3, 8, 2, 0), NEW_YORK, "2026-03-08T03:00:00-04:00"),
        (datetime(2026, 3, 8, 3, 0), NEW_YORK, "2026-03-08T03:00:00-04:00"),  # exists
        (datetime(2026, 3, 8, 1, 59), NEW_YORK, "2026-03-08T01:59:00-05:00"),
        # fall back: a repeated wall time is kept, its first occurrence
        (datetime(2026, 11, 1, 1, 30), NEW_YORK, "2026-11-01T01:30:00-04:00"),
        # Lord Howe springs forward half an hour, 02:00 -> 02:30
        (
            datetime(2026, 10, 4, 2, 15),
            ZoneInfo("Australia/Lord_Howe"),
            "2026-10-04T02:45:00+11:00",
        ),
        # Chatham, 02:45 -> 03:45 (a 45-minute offset)
        (datetime(2026, 9, 27, 3, 0), ZoneInfo("Pacific/Chatham"), "2026-09-27T04:00:00+13:45"),
        # Santiago skips midnight: the day starts at 01:00
        (datetime(2026, 9, 6, 0, 0), ZoneInfo("America/Santiago"), "2026-09-06T01:00:00-03:00"),
    ],
)
def test_resolve_gap(wall: datetime, zone: ZoneInfo, expected: str) -> None:
    moment = wall.replace(tzinfo=zone)
    assert resolve_gap(moment).isoformat() == expected
    # (not ==: a repeated wall time never equals one in another zone object, PEP 495)
    same(resolve_gap(moment), tz.resolve_imaginary(wall.replace(tzinfo=tz.gettz(zone.key))))


def test_a_skipped_wall_time_read_in_the_zone_takes_dateutils_offset() -> None:
    """``--now 2026-03-08T02:30`` in New York: -04:00 as dateutil read it (zoneinfo alone
    says -05:00)."""
    read = wall_in_zone(datetime(2026, 3, 8, 2, 30), NEW_YORK)
    assert read.isoformat() == "2026-03-08T02:30:00-04:00"
    assert read.astimezone(UTC) == datetime(2026, 3, 8, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "month"),
    [
        ("America/New_York", 7),
        ("Europe/London", 7),
        ("America/St_Johns", 7),
        ("Australia/Sydney", 1),
    ],
)
def test_past_2037_zoneinfo_keeps_the_rule(name: str, month: int) -> None:
    """Midsummer 2038-2040 has daylight saving in zoneinfo (the file's closing rule), as
    in 2037; dateutil, which ignores that rule, had none: the one known difference."""
    for year in (2037, 2038, 2039, 2040):
        summer = datetime(year, month, 1, 12)
        assert zone_from_name(name).dst(summer) == timedelta(hours=1)
        old = summer.replace(tzinfo=tz.gettz(name)).dst()
        assert old == (timedelta(hours=1) if year == 2037 else timedelta(0))


def _names() -> list[str]:
    """Every zone file of the machine's database and of the ``tzdata`` package, and names
    that only dateutil reads (POSIX TZ strings, folders, wrong case)."""
    import zoneinfo
    from pathlib import Path

    found = set(zoneinfo.available_timezones())
    for root in zoneinfo.TZPATH:
        if Path(root).is_dir():
            found |= {str(p.relative_to(root)) for p in Path(root).rglob("*") if "." not in p.name}
    odd = [
        "Foo/Bar5",
        "EST5EDT/x",
        "America/Argentina",
        "America/New_york",
        "UTC/Foo",
        "Asia/Riyadh87",
    ]
    return sorted(found | set(odd))


def _offset(moment: datetime, zone: tzinfo) -> timedelta | str | None:
    """The offset, or the error a nonsense one gives ("Asia/Riyadh87" reads as +87 h)."""
    try:
        return moment.replace(tzinfo=zone).utcoffset()
    except ValueError as error:
        return str(error)


def test_the_same_zone_names_are_accepted_and_refused() -> None:
    """Each name is accepted exactly when dateutil's ``gettz`` accepted it (with the
    same offsets), else refused with the same words. (dateutil reads the leap-second
    files, ``right/...``, without their daylight saving from mid-2026, the date of the
    last leap second they list, as it does the others' after 2037: older years only.)"""
    import re

    from tdm1_scheduler.domain.calendar import _ZONE_NAME
    from tdm1_scheduler.domain.errors import DomainError

    checked = 0
    for name in _names():
        if not (name == "UTC" or _ZONE_NAME.fullmatch(name)):
            continue
        try:
            old = tz.gettz(name)
        except (OSError, ValueError):
            old = None
        if old is None:
            with pytest.raises(DomainError, match=re.escape(f"unknown IANA time zone {name!r}")):
                zone_from_name(name)
            continue
        new = zone_from_name(name)
        years = (2001, 2017) if name.startswith("right/") else (2001, 2026, 2037)
        for moment in (datetime(year, month, 15, 12) for year in years for month in (1, 7)):
            assert _offset(moment, new) == _offset(moment, old), name
        checked += 1
    assert checked > 500
