"""Chair search, levelling and course booking (tdm1_scheduler.domain.booking).

Facts checked, tags from shared/domain/TDM1_RULES.md:
[label] chair time = prep + infusion + observation, cycles 21 days apart, a delayed dose
is given as soon as possible. [policy] slots inside opening hours on open days, a 5-minute
grid, start-load levelling per 30-minute slot, a closed day moves forward; 09:00 stays
09:00 across a daylight-saving change, elapsed-time windows stay elapsed time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tdm1_scheduler.domain.booking import (
    MAX_DAYS_AHEAD,
    DayLoad,
    Interval,
    Slot,
    SlotPreferences,
    conflict,
    find_slot,
    find_slot_on_day,
    fits,
    schedule_plan,
    slot_key,
    starts_per_slot,
    with_booking,
)
from tdm1_scheduler.domain.calendar import ClinicCalendar, weekday_hours, zone_from_name
from tdm1_scheduler.domain.course import GivenDose, PlanningRules, plan_days
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.regimen import ChairTime, InfusionOutcome, Setting

NY = zone_from_name("America/New_York")
BERLIN = zone_from_name("Europe/Berlin")
CAL = ClinicCalendar(NY, weekday_hours(time(8), time(17)))
MONDAY = date(2026, 6, 1)
LATER = ChairTime(15, 30, 30)  # 75 min
FIRST = ChairTime(15, 90, 90)  # 195 min
EMPTY = DayLoad()


def at(hh: int, mm: int = 0, day: date = MONDAY, calendar: ClinicCalendar = CAL) -> datetime:
    return calendar.at(day, time(hh, mm))


def busy(chair: int, start: datetime, end: datetime) -> dict[int, list[Interval]]:
    return {chair: [Interval(start, end)]}


def wall(slot: Slot | None, calendar: ClinicCalendar = CAL) -> time:
    assert slot is not None
    return calendar.local(slot.start).time()


def empty_lookup(_day: date) -> DayLoad:
    return EMPTY


# --- preferences ------------------------------------------------------------------------


def test_preferences_validate() -> None:
    """[policy] a clinic has chairs, a positive grid and a start cap of at least 1."""
    with pytest.raises(DomainError, match=r"^chair: "):
        SlotPreferences(chairs=[])
    with pytest.raises(DomainError, match=r"^snap_min: "):
        SlotPreferences(chairs=[1], snap_min=0)
    with pytest.raises(DomainError, match=r"^start_cap: "):
        SlotPreferences(chairs=[1], start_cap=0)


def test_slot_times() -> None:
    """[policy]+[label] the infusion starts after prep; the chair is held for prep +
    infusion + observation (195 min for a first cycle)."""
    slot = Slot(1, at(9), FIRST)
    assert slot.infusion_start == at(9, 15)
    assert slot.infusion_end == at(10, 45)
    assert slot.end == at(12, 15)
    assert slot.interval == Interval(at(9), at(12, 15))


# --- chairs -------------------------------------------------------------------------------


def test_preferred_time_and_first_chair() -> None:
    """[policy] an empty day gives the first preferred chair at the preferred time."""
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([3, 1], time(9)), EMPTY)
    assert slot is not None
    assert (slot.chair, wall(slot)) == (3, time(9))
    assert slot.chair_time == LATER


def test_taken_chair_is_skipped() -> None:
    """[policy] chair 1 busy 08:00-12:00 -> chair 2 at the preferred 09:00."""
    load = DayLoad(busy=busy(1, at(8), at(12)))
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1, 2], time(9)), load)
    assert slot is not None
    assert (slot.chair, wall(slot)) == (2, time(9))


def test_all_chairs_taken_moves_to_nearest_free_time() -> None:
    """[policy] both chairs busy 08:00-10:00: preferring 09:00 lands at 10:00 on chair 1."""
    load = DayLoad(busy={1: [Interval(at(8), at(10))], 2: [Interval(at(8), at(10))]})
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1, 2], time(9)), load)
    assert slot is not None
    assert (slot.chair, wall(slot)) == (1, time(10))


def test_back_to_back_is_not_a_conflict() -> None:
    """[policy] intervals are half-open: 09:00-10:15 fits before a booking at 10:15."""
    load = DayLoad(busy=busy(1, at(10, 15), at(12)))
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1], time(9)), load)
    assert wall(slot) == time(9)


def test_one_minute_overlap_is_a_conflict() -> None:
    """[policy] a booking at 10:14 overlaps 09:00-10:15, so the slot moves."""
    load = DayLoad(busy=busy(1, at(10, 14), at(12)))
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1], time(9)), load)
    assert slot is not None
    assert not slot.interval.overlaps(Interval(at(10, 14), at(12)))
    assert wall(slot) == time(8, 55)


def test_busy_interval_given_in_utc_is_respected() -> None:
    """[policy] instants compare as instants: 13:00-15:00Z is 09:00-11:00 in New York."""
    start, end = datetime(2026, 6, 1, 13, tzinfo=UTC), datetime(2026, 6, 1, 15, tzinfo=UTC)
    load = DayLoad(busy=busy(1, start, end))
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1], time(9)), load)
    assert wall(slot) == time(11)


# --- opening hours -------------------------------------------------------------------------


def test_slot_fits_inside_hours_late_preference() -> None:
    """[policy] a 195-min first visit preferring 16:00 starts at 13:45 and ends at 17:00."""
    slot = find_slot_on_day(CAL, MONDAY, FIRST, SlotPreferences([1], time(16)), EMPTY)
    assert slot is not None
    assert wall(slot) == time(13, 45)
    assert slot.end == at(17)


def test_slot_fits_inside_hours_early_preference() -> None:
    """[policy] preferring 07:00 before an 08:00 opening gives 08:00."""
    slot = find_slot_on_day(CAL, MONDAY, FIRST, SlotPreferences([1], time(7)), EMPTY)
    assert wall(slot) == time(8)


def test_no_preference_takes_earliest() -> None:
    """[policy] without a preferred time the earliest free start wins."""
    load = DayLoad(busy=busy(1, at(8), at(8, 40)))
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1]), load)
    assert wall(slot) == time(8, 40)


def test_day_too_short_gives_none() -> None:
    """[policy] a 195-min visit does not fit a 2-hour day."""
    calendar = ClinicCalendar(NY, weekday_hours(time(8), time(10)))
    assert find_slot_on_day(calendar, MONDAY, FIRST, SlotPreferences([1]), EMPTY) is None


def test_closed_day_gives_none() -> None:
    """[policy] nothing is booked on a closed day."""
    saturday = date(2026, 6, 6)
    assert find_slot_on_day(CAL, saturday, LATER, SlotPreferences([1]), EMPTY) is None


# --- snapping ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preferred", "expected"),
    [(time(9, 3), time(9, 5)), (time(9, 2), time(9, 0)), (time(9, 8), time(9, 10))],
)
def test_preferred_time_snaps_to_5_min(preferred: time, expected: time) -> None:
    """[policy] starts are on the 5-minute grid; the nearest grid point wins."""
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1], preferred), EMPTY)
    assert wall(slot) == expected


@pytest.mark.parametrize(
    ("not_before", "expected"),
    [
        (datetime(2026, 6, 1, 10, 2), time(10, 5)),
        (datetime(2026, 6, 1, 10, 5), time(10, 5)),
        (datetime(2026, 6, 1, 10, 5, 1), time(10, 10)),
    ],
)
def test_not_before_snaps_up(not_before: datetime, expected: time) -> None:
    """[policy] a re-booking not before 10:02 starts at 10:05 (rounded up, never down)."""
    aware = not_before.replace(tzinfo=NY)
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1], time(9)), EMPTY, aware)
    assert wall(slot) == expected


def test_custom_grid() -> None:
    """[policy] the grid is a site setting: 15 min, 09:08 -> 09:15."""
    prefs = SlotPreferences([1], time(9, 8), snap_min=15)
    assert wall(find_slot_on_day(CAL, MONDAY, LATER, prefs, EMPTY)) == time(9, 15)


# --- not_before (re-booking as soon as possible) ------------------------------------------------


def test_not_before_same_day_wins_over_preference() -> None:
    """[label] a missed dose is given as soon as possible: not before 13:07 -> 13:10, even
    though 09:00 is preferred."""
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1], time(9)), EMPTY, at(13, 7))
    assert wall(slot) == time(13, 10)


def test_not_before_with_chair_taken() -> None:
    """[label]/[policy] as soon as possible on a free chair, never before not_before."""
    load = DayLoad(busy={1: [Interval(at(13), at(15))], 2: [Interval(at(12), at(14, 30))]})
    slot = find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1, 2], time(9)), load, at(13, 7))
    assert slot is not None
    assert slot.start >= at(13, 7)
    assert (slot.chair, wall(slot)) == (2, time(14, 30))


def test_not_before_too_late_gives_none_then_next_day() -> None:
    """[label] not before 16:30 leaves no room today; find_slot takes the next open day."""
    assert (
        find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1], time(9)), EMPTY, at(16, 30))
        is None
    )
    slot = find_slot(CAL, MONDAY, LATER, SlotPreferences([1], time(9)), empty_lookup, at(16, 30))
    assert CAL.local_date(slot.start) == date(2026, 6, 2)
    assert wall(slot) == time(9)  # the next day keeps the preference


def test_find_slot_not_before_on_a_later_day() -> None:
    """[label] a not_before on Wed skips Mon and Tue and starts no sooner than it."""
    wednesday = date(2026, 6, 3)
    seen: list[date] = []

    def lookup(day: date) -> DayLoad:
        seen.append(day)
        return EMPTY

    not_before = at(11, 1, wednesday)
    slot = find_slot(CAL, MONDAY, LATER, SlotPreferences([1], time(9)), lookup, not_before)
    assert slot.start == at(11, 5, wednesday)
    assert seen == [wednesday]


# --- levelling --------------------------------------------------------------------------------


def two_starts_at_nine() -> DayLoad:
    # One start given in UTC: 13:20Z is 09:20 EDT; both fall in the 09:00-09:30 slot.
    return DayLoad(infusion_starts=[at(9), datetime(2026, 6, 1, 13, 20, tzinfo=UTC)])


def test_levelling_moves_to_nearest_uncapped_slot() -> None:
    """[policy] cap 2, two starts in 09:00-09:30: preferring 09:00 (infusion 09:15) moves
    to 09:15, whose infusion starts 09:30, the nearest start outside the full slot."""
    prefs = SlotPreferences([1, 2], time(9), start_cap=2)
    slot = find_slot_on_day(CAL, MONDAY, LATER, prefs, two_starts_at_nine())
    assert wall(slot) == time(9, 15)
    assert slot is not None
    assert slot_key(CAL, slot.infusion_start) == at(9, 30)


def test_levelling_without_prep_moves_earlier() -> None:
    """[policy] with no prep the infusion starts at the chair start: 08:55 (slot 08:30) is
    the nearest uncapped start, before 09:05 and the other capped ones."""
    prefs = SlotPreferences([1], time(9), start_cap=2)
    slot = find_slot_on_day(CAL, MONDAY, ChairTime(0, 30, 30), prefs, two_starts_at_nine())
    assert wall(slot) == time(8, 55)


def test_levelling_below_cap_keeps_preference() -> None:
    """[policy] one start in the slot is under a cap of 2: 09:00 stays."""
    prefs = SlotPreferences([1], time(9), start_cap=2)
    load = DayLoad(infusion_starts=[at(9, 10)])
    assert wall(find_slot_on_day(CAL, MONDAY, LATER, prefs, load)) == time(9)


def test_no_cap_ignores_starts() -> None:
    """[policy] levelling is off without a cap."""
    prefs = SlotPreferences([1], time(9))
    assert wall(find_slot_on_day(CAL, MONDAY, LATER, prefs, two_starts_at_nine())) == time(9)


def test_levelling_takes_capped_slot_when_window_has_no_uncapped() -> None:
    """[policy] window 10 min: every start within 08:50-09:10 infuses inside the full
    09:00 slot, so the capped preferred 09:00 is taken rather than 09:15 (15 min away)."""
    prefs = SlotPreferences([1], time(9), start_cap=2, preferred_window_min=10)
    assert wall(find_slot_on_day(CAL, MONDAY, LATER, prefs, two_starts_at_nine())) == time(9)


def test_levelling_every_slot_capped_takes_preferred() -> None:
    """[policy] when all slots are at the cap, the nearest (capped) start is taken."""
    starts = [at(8) + timedelta(minutes=30 * i) for i in range(18) for _ in range(2)]
    prefs = SlotPreferences([1], time(11), start_cap=2)
    slot = find_slot_on_day(CAL, MONDAY, LATER, prefs, DayLoad(infusion_starts=starts))
    assert wall(slot) == time(11)


def test_levelling_skips_taken_chair_and_full_slot() -> None:
    """[policy] chair 1 busy 09:00-10:00, cap 2 with the 09:00 slot full: chair 2 at 09:15
    is the nearest free uncapped place."""
    starts = two_starts_at_nine().infusion_starts
    load = DayLoad(busy=busy(1, at(9), at(10)), infusion_starts=starts)
    prefs = SlotPreferences([1, 2], time(9), start_cap=2)
    slot = find_slot_on_day(CAL, MONDAY, LATER, prefs, load)
    assert slot is not None
    assert (slot.chair, wall(slot)) == (2, time(9, 15))


def test_starts_per_slot_counts_local_half_hours() -> None:
    """[policy] nurses' start capacity is counted per 30-minute wall-clock slot."""
    utc_0905 = datetime(2026, 6, 1, 13, 5, tzinfo=UTC)
    counts = starts_per_slot(CAL, [at(9), at(9, 29), at(9, 30), utc_0905])
    assert counts[at(9)] == 3
    assert counts[at(9, 30)] == 1


# --- find_slot across days ---------------------------------------------------------------------


def test_find_slot_from_closed_day_moves_forward() -> None:
    """[policy] a search starting on Sat 2026-06-06 books Mon 2026-06-08, never Fri."""
    slot = find_slot(CAL, date(2026, 6, 6), LATER, SlotPreferences([1], time(9)), empty_lookup)
    assert CAL.local_date(slot.start) == date(2026, 6, 8)


def test_find_slot_full_day_moves_to_next_day() -> None:
    """[policy] Monday fully booked on the only chair -> Tuesday at the preferred time."""

    def lookup(day: date) -> DayLoad:
        return DayLoad(busy=busy(1, at(8, day=day), at(17, day=day))) if day == MONDAY else EMPTY

    slot = find_slot(CAL, MONDAY, LATER, SlotPreferences([1], time(9)), lookup)
    assert slot.start == at(9, day=date(2026, 6, 2))


def test_find_slot_gives_up_after_max_days() -> None:
    """[policy] a bounded search: no chair for 60 open days raises on field 'chair'."""
    calls: list[date] = []

    def lookup(day: date) -> DayLoad:
        calls.append(day)
        return DayLoad(busy=busy(1, at(8, day=day), at(17, day=day)))

    with pytest.raises(DomainError) as err:
        find_slot(CAL, MONDAY, LATER, SlotPreferences([1]), lookup)
    assert err.value.field == "chair"
    assert len(calls) == MAX_DAYS_AHEAD


def test_find_slot_naive_not_before_refused() -> None:
    """[policy] a naive not_before is refused with a DomainError naming the field and the
    rule (time zone-aware required)."""
    with pytest.raises(DomainError) as err:
        find_slot(CAL, MONDAY, LATER, SlotPreferences([1]), empty_lookup, datetime(2026, 6, 1, 10))
    assert err.value.field == "not_before"
    assert "aware" in err.value.rule


def test_find_slot_on_day_naive_not_before_refused() -> None:
    """[policy] naive datetimes where an aware one is needed raise DomainError."""
    with pytest.raises(DomainError) as err:
        find_slot_on_day(CAL, MONDAY, LATER, SlotPreferences([1]), EMPTY, datetime(2026, 6, 1, 10))
    assert err.value.field == "not_before"


# --- elapsed time across DST -------------------------------------------------------------------

ALL_DAY_BERLIN = ClinicCalendar(BERLIN, weekday_hours(time(0), time(23, 55), range(7)))
SPRING_FORWARD = date(2026, 3, 29)  # Berlin: 02:00 CET -> 03:00 CEST


def elapsed(slot: Slot) -> timedelta:
    return slot.end.astimezone(UTC) - slot.start.astimezone(UTC)


def test_chair_time_is_elapsed_on_an_ordinary_day() -> None:
    """[policy] elapsed-time windows stay elapsed: 195 min of chair on an ordinary day."""
    slot = find_slot_on_day(
        ALL_DAY_BERLIN, date(2026, 3, 28), FIRST, SlotPreferences([1], time(1)), EMPTY
    )
    assert slot is not None
    assert elapsed(slot) == timedelta(minutes=195)


def test_chair_time_is_elapsed_across_spring_forward() -> None:
    """[policy] elapsed-time windows stay elapsed time: a 195-min first visit starting
    01:00 CET on 2026-03-29 must end 195 real minutes later (05:15 CEST)."""
    slot = find_slot_on_day(
        ALL_DAY_BERLIN, SPRING_FORWARD, FIRST, SlotPreferences([1], time(1)), EMPTY
    )
    assert slot is not None
    assert slot.start == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert elapsed(slot) == timedelta(minutes=195)


def test_no_double_booking_across_spring_forward() -> None:
    """[policy] elapsed time: a 195-min visit from 01:00 CET runs until 05:15 CEST, so a
    chair busy 04:30-05:00 CEST cannot take it at 01:00."""
    taken = Interval(
        ALL_DAY_BERLIN.at(SPRING_FORWARD, time(4, 30)), ALL_DAY_BERLIN.at(SPRING_FORWARD, time(5))
    )
    slot = find_slot_on_day(
        ALL_DAY_BERLIN, SPRING_FORWARD, FIRST, SlotPreferences([1], time(1)), DayLoad({1: [taken]})
    )
    assert slot is not None
    start_utc = slot.start.astimezone(UTC)
    end_utc = start_utc + timedelta(minutes=FIRST.total_min)
    assert not (start_utc < taken.end.astimezone(UTC) and taken.start.astimezone(UTC) < end_utc)
    # The nearest start to 01:00 CET (00:00Z) that ends by 04:30 CEST (02:30Z) is 00:15 CET.
    assert start_utc == datetime(2026, 3, 28, 23, 15, tzinfo=UTC)
    assert ALL_DAY_BERLIN.local(slot.start).time() == time(0, 15)


def test_chair_time_is_elapsed_across_fall_back() -> None:
    """[policy] elapsed time across Berlin's 2026-10-25 fall-back (03:00 CEST -> 02:00 CET):
    a 195-min visit from 01:00 CEST (23:00Z) ends at 02:15Z, 03:15 CET."""
    slot = find_slot_on_day(
        ALL_DAY_BERLIN, date(2026, 10, 25), FIRST, SlotPreferences([1], time(1)), EMPTY
    )
    assert slot is not None
    assert slot.start == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    assert elapsed(slot) == timedelta(minutes=195)
    assert ALL_DAY_BERLIN.local(slot.end).time() == time(3, 15)


# --- schedule_plan -------------------------------------------------------------------------------


def fresh_plan(first_day: date = date(2026, 1, 5)):
    return plan_days(Setting.EBC, [], CAL, PlanningRules(), first_day=first_day)


def test_schedule_plan_books_every_cycle_at_preferred_time() -> None:
    """[label] 14 EBC cycles 21 days apart; [policy] each at the preferred 09:00."""
    plan = fresh_plan()
    slots = schedule_plan(CAL, plan, SlotPreferences([1, 2], time(9)), empty_lookup)
    assert [CAL.local_date(s.start) for s in slots] == [p.day for p in plan]
    assert {wall(s) for s in slots} == {time(9)}
    assert [s.chair_time for s in slots] == [p.chair_time for p in plan]


def test_schedule_plan_full_day_moves_later_cycles() -> None:
    """[label] re-anchoring: cycle 3's day (Mon 2026-02-16) is full, so cycle 3 goes on
    Tue 02-17 and cycle 4 is 21 days after that, Tue 03-10, and so on."""
    full = date(2026, 2, 16)

    def lookup(day: date) -> DayLoad:
        return DayLoad(busy=busy(1, at(8, day=day), at(17, day=day))) if day == full else EMPTY

    slots = schedule_plan(CAL, fresh_plan(), SlotPreferences([1], time(9)), lookup)
    days = [CAL.local_date(s.start) for s in slots]
    assert days[:5] == [
        date(2026, 1, 5),
        date(2026, 1, 26),
        date(2026, 2, 17),
        date(2026, 3, 10),
        date(2026, 3, 31),
    ]


def test_schedule_plan_not_before_first_cycle_only() -> None:
    """[label] a re-booking as soon as possible: not before 13:07 on the first day gives
    13:10; later cycles return to the preferred 09:00."""
    plan = fresh_plan()
    not_before = at(13, 7, date(2026, 1, 5))
    slots = schedule_plan(CAL, plan[:3], SlotPreferences([1], time(9)), empty_lookup, not_before)
    assert slots[0].start == at(13, 10, date(2026, 1, 5))
    assert [wall(s) for s in slots[1:]] == [time(9), time(9)]


def test_schedule_plan_keeps_wall_time_across_dst() -> None:
    """[policy] dose 2026-10-20 09:00 EDT -> next slot 2026-11-10 09:00 EST (-05:00)."""
    given = [GivenDose(1, at(9, day=date(2026, 10, 20)), InfusionOutcome(90, True))]
    plan = plan_days(Setting.MBC, given, CAL, PlanningRules())
    slots = schedule_plan(CAL, plan[:2], SlotPreferences([1], time(9)), empty_lookup)
    first = slots[0].start
    assert first.isoformat() == "2026-11-10T09:00:00-05:00"
    assert CAL.local(slots[1].start).isoformat() == "2026-12-01T09:00:00-05:00"


def test_schedule_plan_respects_closed_dates() -> None:
    """[policy] Fri 2026-12-25 closed: the cycle due then is booked Mon 12-28, never 12-24."""
    calendar = ClinicCalendar(NY, weekday_hours(time(8), time(17)), frozenset({date(2026, 12, 25)}))
    plan = plan_days(Setting.EBC, [], calendar, PlanningRules(), first_day=date(2026, 12, 4))
    slots = schedule_plan(calendar, plan[:3], SlotPreferences([1], time(9)), empty_lookup)
    days = [calendar.local_date(s.start) for s in slots]
    assert days == [date(2026, 12, 4), date(2026, 12, 28), date(2027, 1, 18)]


def test_schedule_plan_empty() -> None:
    """[label] a completed course books nothing."""
    assert schedule_plan(CAL, [], SlotPreferences([1]), empty_lookup) == []


# --- load helpers ---------------------------------------------------------------------------------


def test_with_booking_adds_interval_and_start() -> None:
    """[policy] a booked slot makes its chair busy and counts its infusion start."""
    slot = Slot(2, at(9), LATER)
    load = with_booking(DayLoad(busy=busy(1, at(8), at(9))), slot)
    assert load.busy[2] == [Interval(at(9), at(10, 15))]
    assert load.busy[1] == [Interval(at(8), at(9))]
    assert list(load.infusion_starts) == [at(9, 15)]


def test_fits_and_conflict() -> None:
    """[policy] a slot fits when it is inside hours and its chair is free."""
    load = DayLoad(busy=busy(1, at(10), at(11)))
    assert fits(CAL, Slot(1, at(8), LATER), load)
    assert not fits(CAL, Slot(1, at(9, 50), LATER), load)
    assert fits(CAL, Slot(2, at(9, 50), LATER), load)
    assert not fits(CAL, Slot(2, at(16, 0), LATER), load)  # ends 17:15
    assert conflict(load.busy[1], Interval(at(10, 30), at(12))) == Interval(at(10), at(11))
    assert conflict(load.busy[1], Interval(at(11), at(12))) is None
