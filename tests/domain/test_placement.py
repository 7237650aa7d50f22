"""The one placement check (move and slot finder) and the slot finder's search.

[label] doses at least 21 days apart (or the site's early window); [policy] opening
hours, closed dates and weekdays, no chair overlap, a start cap per 30-minute slot;
09:00 stays 09:00 across a daylight-saving change while chair time stays elapsed time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tdm1_scheduler.domain.booking import (
    DayLoad,
    Interval,
    PreviousDose,
    Slot,
    SlotPreferences,
    chair_holder,
    placement_problem,
)
from tdm1_scheduler.domain.calendar import ClinicCalendar, weekday_hours, zone_from_name
from tdm1_scheduler.domain.course import PlanningRules
from tdm1_scheduler.domain.free_slots import free_placements
from tdm1_scheduler.domain.regimen import ChairTime

NY = zone_from_name("America/New_York")
TIME = ChairTime(15, 30, 30)  # 75 min
RULES = PlanningRules()


def at(day: date, hh: int, mm: int = 0, cal: ClinicCalendar | None = None) -> datetime:
    return (cal or CAL).at(day, time(hh, mm))


CAL = ClinicCalendar(NY, weekday_hours(time(8), time(17)))
MONDAY = date(2026, 6, 1)


def empty(_day: date) -> DayLoad:
    return DayLoad()


def free(_chair: int, _wanted: Interval) -> Interval | None:
    return None


def test_placement_problem_names_each_rule() -> None:
    ok = Slot(1, at(MONDAY, 9), TIME)
    assert placement_problem(CAL, RULES, ok, free, None) is None
    assert "outside opening hours" in (
        placement_problem(CAL, RULES, Slot(1, at(MONDAY, 16), TIME), free, None) or ""
    )
    saturday = MONDAY + timedelta(days=5)
    assert "Saturday" in (
        placement_problem(CAL, RULES, Slot(1, at(saturday, 9), TIME), free, None) or ""
    )
    taken = Interval(at(MONDAY, 8), at(MONDAY, 9, 30))
    load = DayLoad({1: [taken]})
    holder = chair_holder(CAL, lambda c, w: load.busy.get(c) is None, {MONDAY: load}.__getitem__)
    assert placement_problem(CAL, RULES, ok, holder, None) == "chair taken 08:00-09:30"
    assert placement_problem(CAL, RULES, Slot(2, at(MONDAY, 9), TIME), holder, None) is None
    previous = PreviousDose(1, at(MONDAY - timedelta(days=20), 9))
    assert "only 20 days after cycle 1" in (placement_problem(CAL, RULES, ok, free, previous) or "")
    early = PlanningRules(early_window_days=1)
    assert placement_problem(CAL, early, ok, free, previous) is None


def test_earliest_first_one_per_30_minute_slot_from_not_before() -> None:
    # A 15-minute grid from 09:07: 09:15 (the 09:00 slot's earliest), then 09:30, 10:00;
    # 09:45 shares the 09:30 slot and is not listed.
    prefs = SlotPreferences([1, 2], snap_min=15)
    found = free_placements(CAL, RULES, TIME, prefs, empty, at(MONDAY, 9, 7), None, 3)
    assert [s.start for s in found] == [at(MONDAY, 9, 15), at(MONDAY, 9, 30), at(MONDAY, 10)]
    assert {s.chair for s in found} == {1}


def test_a_5_minute_grid_lists_the_earliest_acceptable_start_of_each_slot() -> None:
    # Chair 1 is busy until 10:10: the 10:00 slot's earliest acceptable start is 10:10,
    # then 10:30 and 11:00, never 10:15, 10:20, ... (one choice per half hour).
    busy = DayLoad({1: [Interval(at(MONDAY, 8), at(MONDAY, 10, 10))]})
    prefs = SlotPreferences([1], snap_min=5)
    found = free_placements(CAL, RULES, TIME, prefs, lambda d: busy, at(MONDAY, 10), None, 3)
    assert [s.start for s in found] == [at(MONDAY, 10, 10), at(MONDAY, 10, 30), at(MONDAY, 11)]


def test_busy_chair_falls_to_the_next_and_skip_is_never_listed() -> None:
    busy = DayLoad({1: [Interval(at(MONDAY, 8), at(MONDAY, 12))]})
    prefs = SlotPreferences([1, 2], snap_min=60)
    skip = Slot(2, at(MONDAY, 8), TIME)
    found = free_placements(CAL, RULES, TIME, prefs, lambda d: busy, at(MONDAY, 8), None, 3, skip)
    # 08:00: chair 1 busy, chair 2 is the skipped (current) placement; then chair 2.
    assert [(s.chair, CAL.local(s.start).hour) for s in found] == [(2, 9), (2, 10), (2, 11)]


def test_start_cap_passes_over_a_full_slot_and_spacing_sets_the_first_day() -> None:
    # Two infusion starts at 08:15 fill the 08:00 slot under a cap of 2.
    starts = [at(MONDAY, 8, 15)] * 2
    load = DayLoad({}, starts)
    capped = SlotPreferences([1], snap_min=30, start_cap=2)
    found = free_placements(CAL, RULES, TIME, capped, lambda d: load, at(MONDAY, 8), None, 1)
    assert found[0].start == at(MONDAY, 8, 30)  # infusion starts 08:45, the next slot
    uncapped = SlotPreferences([1], snap_min=30)
    found = free_placements(CAL, RULES, TIME, uncapped, lambda d: load, at(MONDAY, 8), None, 1)
    assert found[0].start == at(MONDAY, 8)
    previous = PreviousDose(1, at(MONDAY, 9))
    found = free_placements(CAL, RULES, TIME, uncapped, empty, at(MONDAY, 8), previous, 1)
    assert CAL.local_date(found[0].start) == MONDAY + timedelta(days=21)


def test_a_closed_date_inside_the_search_is_skipped() -> None:
    tuesday = MONDAY + timedelta(days=1)
    cal = ClinicCalendar(NY, weekday_hours(time(8), time(10)), frozenset({tuesday}))
    prefs = SlotPreferences([1], snap_min=30)
    found = free_placements(cal, RULES, TIME, prefs, empty, at(MONDAY, 9, cal=cal), None, 3)
    days = [cal.local_date(s.start) for s in found]
    assert tuesday not in days
    # Monday from 09:00 leaves no 75 min before 10:00; Wednesday holds 08:00 and 08:30.
    wednesday, thursday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)
    assert days == [wednesday, wednesday, thursday]


def test_dst_week_keeps_wall_time_and_elapsed_chair_time() -> None:
    # New York springs forward on Sun 2026-03-08: Friday 08:00 is 13:00 UTC, Monday 12:00.
    friday, monday = date(2026, 3, 6), date(2026, 3, 9)
    cal = ClinicCalendar(NY, weekday_hours(time(8), time(9, 15)))  # room for one a day
    prefs = SlotPreferences([1], snap_min=60)
    found = free_placements(cal, RULES, TIME, prefs, empty, at(friday, 8, cal=cal), None, 2)
    assert [cal.local_date(s.start) for s in found] == [friday, monday]
    assert [cal.local(s.start).time() for s in found] == [time(8), time(8)]
    assert [s.start.astimezone(UTC).hour for s in found] == [13, 12]
    assert all(s.end - s.start == timedelta(minutes=75) for s in found)


def test_dst_day_itself_open_on_sunday() -> None:
    # A clinic open on Sundays 01:00-05:00: 02:00-03:00 does not exist on 2026-03-08,
    # so that day holds only 3 elapsed hours; 75-min visits still fit and stay 75 min.
    sunday = date(2026, 3, 8)
    cal = ClinicCalendar(NY, weekday_hours(time(1), time(5), [6]))
    prefs = SlotPreferences([1], snap_min=75)
    found = free_placements(cal, RULES, TIME, prefs, empty, at(sunday, 1, cal=cal), None, 3)
    on_sunday = [s for s in found if cal.local_date(s.start) == sunday]
    assert len(on_sunday) == 2  # 3 elapsed hours hold two 75-min visits, not three
    assert all(cal.why_outside_hours(s.start, s.end) is None for s in found)
    assert all(s.end - s.start == timedelta(minutes=75) for s in found)
