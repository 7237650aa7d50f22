"""Clinic calendar (tdm1_scheduler.domain.calendar).

Facts checked: [policy] a planned date on a closed day moves to the next open day, never
earlier; opening hours per weekday, closed weekdays, closed dates, an IANA zone; wall
time is kept across daylight-saving changes (09:00 stays 09:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tdm1_scheduler.domain.calendar import (
    ClinicCalendar,
    OpeningHours,
    add_calendar_days,
    parse_hhmm,
    weekday_hours,
    zone_from_name,
)
from tdm1_scheduler.domain.errors import DomainError, require_aware

NY = zone_from_name("America/New_York")
BERLIN = zone_from_name("Europe/Berlin")
SYDNEY = zone_from_name("Australia/Sydney")
CHRISTMAS = date(2026, 12, 25)  # a Friday


def weekday_clinic(zone=NY, closed: frozenset[date] = frozenset()) -> ClinicCalendar:
    return ClinicCalendar(zone, weekday_hours(time(8, 0), time(17, 0)), closed)


# --- zones and parsing ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC"])
def test_known_iana_zones(name: str) -> None:
    """[policy] the clinic's zone is an IANA name."""
    zone = zone_from_name(name)
    summer = datetime(2026, 7, 1, 12, tzinfo=zone).utcoffset()
    expected = {
        "America/New_York": timedelta(hours=-4),
        "Europe/Berlin": timedelta(hours=2),
        "Australia/Sydney": timedelta(hours=10),
        "UTC": timedelta(0),
    }[name]
    assert summer == expected


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "EST", "local", "Europe/Nowhere"])
def test_unknown_zone_refused(name: str) -> None:
    """[policy] an unknown IANA zone is refused, naming the 'timezone' field."""
    with pytest.raises(DomainError) as err:
        zone_from_name(name)
    assert err.value.field == "timezone"
    assert "IANA" in err.value.rule


def test_parse_hhmm() -> None:
    """[policy] opening hours are written HH:MM."""
    assert parse_hhmm("opens", " 08:30 ") == time(8, 30)


@pytest.mark.parametrize("text", ["8", "25:00", "08:60", "eight", "08:00:00"])
def test_parse_hhmm_refuses_bad_text(text: str) -> None:
    """[policy] a malformed time names the field it came from."""
    with pytest.raises(DomainError) as err:
        parse_hhmm("closes", text)
    assert err.value.field == "closes"
    assert "HH:MM" in err.value.rule


# --- opening hours --------------------------------------------------------------------


def test_opening_hours_minutes() -> None:
    """[policy] hours per weekday; 08:15-16:45 is 510 minutes."""
    assert OpeningHours(time(8, 15), time(16, 45)).minutes == 510


@pytest.mark.parametrize(("opens", "closes"), [(time(17), time(8)), (time(9), time(9))])
def test_closing_must_follow_opening(opens: time, closes: time) -> None:
    """[policy] closing must come after opening; the error names opening_hours."""
    with pytest.raises(DomainError) as err:
        OpeningHours(opens, closes)
    assert err.value.field == "opening_hours"


def test_clinic_needs_an_open_weekday() -> None:
    """[policy] a clinic open on no weekday is refused."""
    with pytest.raises(DomainError, match="opening_hours"):
        ClinicCalendar(NY, {})


def test_weekday_out_of_range_refused() -> None:
    """[policy] weekdays are 0 (Mon) to 6 (Sun)."""
    with pytest.raises(DomainError, match="0-6"):
        ClinicCalendar(NY, {7: OpeningHours(time(8), time(17))})


def test_default_hours_mon_to_fri() -> None:
    """[policy] default clinic: Mon-Fri 08:00-17:00, closed weekends."""
    calendar = ClinicCalendar(NY)
    monday = date(2026, 6, 1)
    assert [calendar.is_open_day(monday + timedelta(days=i)) for i in range(7)] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
    ]
    assert calendar.open_minutes(monday) == 9 * 60
    assert calendar.open_minutes(date(2026, 6, 6)) == 0


def test_hours_per_weekday_differ() -> None:
    """[policy] opening hours are set per weekday."""
    hours = {
        0: OpeningHours(time(8), time(17)),
        2: OpeningHours(time(10), time(14)),
    }
    calendar = ClinicCalendar(BERLIN, hours)
    wednesday = date(2026, 6, 3)
    opens, closes = calendar.opening_window(wednesday)  # type: ignore[misc]
    assert (opens.hour, closes.hour) == (10, 14)
    assert calendar.opening_window(date(2026, 6, 2)) is None  # Tuesday closed


# --- closed days push forward ---------------------------------------------------------


def test_open_day_stays() -> None:
    """[policy] an open day is kept as is."""
    assert weekday_clinic().next_open_day(date(2026, 12, 23)) == date(2026, 12, 23)


def test_closed_date_moves_forward_past_weekend() -> None:
    """[policy] Fri 2026-12-25 closed -> Sat, Sun closed -> Mon 2026-12-28, never Thu 24."""
    calendar = weekday_clinic(closed=frozenset({CHRISTMAS}))
    assert calendar.next_open_day(CHRISTMAS) == date(2026, 12, 28)


def test_closed_weekend_moves_to_monday() -> None:
    """[policy] Sat 2026-06-06 -> Mon 2026-06-08 (never back to Fri 06-05)."""
    assert weekday_clinic().next_open_day(date(2026, 6, 6)) == date(2026, 6, 8)


def test_run_of_closed_dates() -> None:
    """[policy] a closed week moves to the first open day after it."""
    closed = frozenset(date(2026, 12, 21) + timedelta(days=i) for i in range(12))
    calendar = weekday_clinic(closed=closed)  # Mon 21 Dec .. Fri 1 Jan closed
    assert calendar.next_open_day(date(2026, 12, 21)) == date(2027, 1, 4)


def test_open_days_iterates_in_order_skipping_closed() -> None:
    """[policy] open days are the open weekdays minus closed dates, in date order."""
    calendar = weekday_clinic(closed=frozenset({CHRISTMAS}))
    days = []
    for day in calendar.open_days(date(2026, 12, 23)):
        days.append(day)
        if len(days) == 4:
            break
    assert days == [date(2026, 12, 23), date(2026, 12, 24), date(2026, 12, 28), date(2026, 12, 29)]


def test_why_closed_gives_the_reason() -> None:
    """[policy] refusals say why a day is closed."""
    calendar = weekday_clinic(closed=frozenset({CHRISTMAS}))
    assert "closed date" in (calendar.why_closed(CHRISTMAS) or "")
    weekend = calendar.why_closed(date(2026, 12, 26)) or ""
    assert "Sat" in weekend and "2026-12-26" in weekend
    assert "closed date" not in weekend
    assert calendar.why_closed(date(2026, 12, 24)) is None


def test_no_open_day_in_search_window_refused() -> None:
    """[policy] a calendar whose only weekday is closed for years is refused, not looped."""
    first = date(2026, 6, 1)  # a Monday
    closed = frozenset(first + timedelta(weeks=i) for i in range(400))
    calendar = ClinicCalendar(NY, {0: OpeningHours(time(8), time(17))}, closed)
    with pytest.raises(DomainError) as err:
        calendar.next_open_day(first)
    assert err.value.field == "calendar"


# --- wall time and DST ------------------------------------------------------------------


def test_wall_time_kept_across_fall_back_new_york() -> None:
    """[policy] 09:00 stays 09:00: 2026-10-20 is -04:00 (EDT), 2026-11-10 is -05:00 (EST)."""
    calendar = weekday_clinic()
    before = calendar.at(date(2026, 10, 20), time(9))
    after = calendar.at(add_calendar_days(date(2026, 10, 20), 21), time(9))
    assert after.date() == date(2026, 11, 10)
    assert (before.hour, after.hour) == (9, 9)
    assert before.utcoffset() == timedelta(hours=-4)
    assert after.utcoffset() == timedelta(hours=-5)
    # 21 calendar days here are 21 days and one hour of elapsed time.
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(days=21, hours=1)


def test_wall_time_kept_across_spring_forward_berlin() -> None:
    """[policy] 09:00 stays 09:00 across Europe's 2026-03-29 change (+01:00 -> +02:00)."""
    calendar = weekday_clinic(BERLIN)
    before = calendar.at(date(2026, 3, 20), time(9))
    after = calendar.at(date(2026, 4, 10), time(9))
    assert before.utcoffset() == timedelta(hours=1)
    assert after.utcoffset() == timedelta(hours=2)
    assert calendar.local(after).time() == time(9)


def test_local_date_uses_clinic_zone() -> None:
    """[policy] 23:30 in New York on 20 Oct is 03:30 UTC on 21 Oct; the clinic day is 20 Oct."""
    calendar = weekday_clinic()
    instant = datetime(2026, 10, 21, 3, 30, tzinfo=UTC)
    assert calendar.local_date(instant) == date(2026, 10, 20)


def test_local_date_sydney_is_ahead_of_utc() -> None:
    """[policy] 21:00 UTC on 31 Mar is 08:00 on 1 Apr in Sydney (+11:00)."""
    calendar = weekday_clinic(SYDNEY)
    assert calendar.local_date(datetime(2026, 3, 31, 21, tzinfo=UTC)) == date(2026, 4, 1)


def test_nonexistent_wall_time_is_resolved_forward() -> None:
    """[policy] 02:30 does not exist in New York on 2026-03-08; the instant moves forward."""
    calendar = ClinicCalendar(NY, weekday_hours(time(0), time(23), range(7)))
    instant = calendar.at(date(2026, 3, 8), time(2, 30))
    assert calendar.local(instant).time() == time(3, 30)
    assert instant.utcoffset() == timedelta(hours=-4)


# --- inside hours -----------------------------------------------------------------------


def test_inside_hours_accepts_a_visit_that_fits() -> None:
    """[policy] a visit inside one open day's hours is accepted."""
    calendar = weekday_clinic()
    start = calendar.at(date(2026, 6, 1), time(8))
    assert calendar.why_outside_hours(start, start + timedelta(minutes=540)) is None
    calendar.check_inside_hours("start", start, start + timedelta(minutes=540))


def test_inside_hours_accepts_utc_instants() -> None:
    """[policy] instants are compared as instants: 12:00Z is 08:00 in New York in June."""
    calendar = weekday_clinic()
    start = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert calendar.why_outside_hours(start, start + timedelta(hours=2)) is None


@pytest.mark.parametrize(
    ("start_wall", "minutes", "reason"),
    [(time(7, 55), 60, "outside opening hours"), (time(16, 0), 65, "outside opening hours")],
)
def test_outside_hours_refused(start_wall: time, minutes: int, reason: str) -> None:
    """[policy] a visit starting before opening or ending after closing is refused."""
    calendar = weekday_clinic()
    start = calendar.at(date(2026, 6, 1), start_wall)
    end = start + timedelta(minutes=minutes)
    assert reason in (calendar.why_outside_hours(start, end) or "")
    with pytest.raises(DomainError) as err:
        calendar.check_inside_hours("start", start, end)
    assert err.value.field == "start"


def test_closed_day_visit_refused() -> None:
    """[policy] nothing is booked on a closed date."""
    calendar = weekday_clinic(closed=frozenset({CHRISTMAS}))
    start = calendar.at(CHRISTMAS, time(9))
    assert "closed date" in (calendar.why_outside_hours(start, start + timedelta(hours=1)) or "")


@pytest.mark.parametrize("method", ["local", "local_date"])
def test_naive_instant_refused(method: str) -> None:
    """[policy] naive datetimes are refused where an instant is needed (field 'instant')."""
    calendar = weekday_clinic()
    with pytest.raises(DomainError) as err:
        getattr(calendar, method)(datetime(2026, 6, 1, 9))
    assert err.value.field == "instant"
    assert "aware" in err.value.rule


def test_naive_start_refused_in_hours_check() -> None:
    """[policy] why_outside_hours names the naive field ('end')."""
    calendar = weekday_clinic()
    start = calendar.at(date(2026, 6, 1), time(9))
    with pytest.raises(DomainError) as err:
        calendar.why_outside_hours(start, datetime(2026, 6, 1, 10))
    assert err.value.field == "end"


def test_require_aware_refuses_non_datetime() -> None:
    """[policy] a date where an instant is needed is refused, naming the field."""
    with pytest.raises(DomainError) as err:
        require_aware("given_at", date(2026, 6, 1))
    assert err.value.field == "given_at"
    assert "date" in err.value.rule


def test_open_minutes_are_elapsed_across_a_dst_change() -> None:
    """[policy] chair capacity is elapsed time: a day when clocks spring forward has an
    hour less to offer (Berlin, 2026-03-29, 02:00 CET -> 03:00 CEST)."""
    from dateutil import tz as dateutil_tz

    berlin = ClinicCalendar(
        dateutil_tz.gettz("Europe/Berlin"), weekday_hours(time(0), time(23, 55), range(7))
    )
    assert berlin.open_minutes(date(2026, 3, 28)) == 23 * 60 + 55
    assert berlin.open_minutes(date(2026, 3, 29)) == 22 * 60 + 55
    assert berlin.open_minutes(date(2026, 10, 25)) == 24 * 60 + 55  # falls back: one more
