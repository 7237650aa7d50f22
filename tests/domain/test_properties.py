"""Property tests for course planning and booking (hypothesis).

Random clinic calendars (zone, open weekdays, hours, closed dates), random histories of
given doses (late by random days, tolerated or not, infusion minutes 30-180), random
re-bookings and early windows. Each property restates a rule from
shared/domain/TDM1_RULES.md and checks it with arithmetic written here, not with the
domain's own helpers:

[label] doses at least 21 days apart (minus a site's early window [policy]); EBC 14 cycles
in total; first infusion 90 + 90, later 30 + 30 when all prior were tolerated.
[policy] a closed day moves forward to the first open day; after a reaction the next
infusion keeps the duration last given, observation 30; slots inside opening hours on open
days, on the 5-minute grid, never overlapping a busy chair.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tdm1_scheduler.domain.booking import (
    DayLoad,
    Interval,
    Slot,
    SlotPreferences,
    find_slot_on_day,
    schedule_plan,
)
from tdm1_scheduler.domain.calendar import ClinicCalendar, OpeningHours, zone_from_name
from tdm1_scheduler.domain.course import (
    CourseStatus,
    GivenDose,
    PlannedDay,
    PlanningRules,
    course_status,
    plan_days,
)
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.regimen import ChairTime, InfusionOutcome, Setting

ZONES = ("America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC")
CYCLE = 21
EBC_TOTAL = 14

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- strategies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Clinic:
    calendar: ClinicCalendar
    zone: tzinfo
    hours: dict[int, OpeningHours]
    closed: frozenset[date]
    base: date  # around where the course starts


@st.composite
def clinics(draw: st.DrawFn) -> Clinic:
    zone = zone_from_name(draw(st.sampled_from(ZONES)))
    weekdays = draw(st.sets(st.integers(0, 6), min_size=1))
    hours = {}
    for weekday in sorted(weekdays):
        # Hours on the quarter hour: open 00:00-10:00, at least 5 h long and closing by
        # 23:45, so the longest visit (30 prep + 180 infusion + 30 observation = 240 min)
        # always fits; early openings put some days across a daylight-saving change.
        opens_q = draw(st.integers(0, 10 * 4))
        closes_q = min(opens_q + draw(st.integers(5 * 4, 14 * 4)), 23 * 4 + 3)
        hours[weekday] = OpeningHours(
            time(opens_q // 4, 15 * (opens_q % 4)), time(closes_q // 4, 15 * (closes_q % 4))
        )
    base = draw(st.dates(date(2025, 1, 1), date(2027, 12, 31)))
    offsets = draw(st.lists(st.integers(0, 420), max_size=25))
    closed = frozenset(base + timedelta(days=offset) for offset in offsets)
    return Clinic(ClinicCalendar(zone, hours, closed), zone, hours, closed, base)


@dataclass(frozen=True)
class Scenario:
    clinic: Clinic
    setting: Setting
    rules: PlanningRules
    given: list[GivenDose]
    first_day: date
    next_day: date | None


@st.composite
def outcomes(draw: st.DrawFn, first: bool) -> InfusionOutcome:
    tolerated = draw(st.booleans())
    if first and tolerated and draw(st.booleans()):
        return InfusionOutcome(90, True)
    return InfusionOutcome(draw(st.integers(30, 180)), tolerated)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    clinic = draw(clinics())
    setting = draw(st.sampled_from(list(Setting)))
    early = draw(st.integers(0, 3))
    rules = PlanningRules(
        prep_min=draw(st.sampled_from([0, 10, 15, 30])),
        early_window_days=early,
        mbc_horizon_cycles=draw(st.integers(1, 8)),
    )
    count = draw(st.integers(0, EBC_TOTAL if setting is Setting.EBC else 10))
    first_day = clinic.base + timedelta(days=draw(st.integers(0, 30)))
    doses: list[GivenDose] = []
    day = first_day
    for index in range(count):
        if index:
            # Given on time, late by up to 10 days, or early inside the site window.
            day = day + timedelta(days=CYCLE - early + draw(st.integers(0, early + 10)))
        wall = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
        instant = datetime.combine(day, wall, tzinfo=clinic.zone)
        if draw(st.booleans()):
            instant = instant.astimezone(UTC)  # stored as UTC, same instant
        doses.append(GivenDose(index + 1, instant, draw(outcomes(first=index == 0))))
    next_day = None
    if draw(st.booleans()):
        if doses:
            due = local_day(doses[-1].given_at, clinic.zone) + timedelta(days=CYCLE)
            # A missed dose re-booked later than due, or early inside the window.
            next_day = due + timedelta(days=draw(st.integers(-early, 20)))
        else:
            next_day = first_day + timedelta(days=draw(st.integers(0, 20)))
    return Scenario(clinic, setting, rules, doses, first_day, next_day)


def local_day(instant: datetime, zone: tzinfo) -> date:
    return instant.astimezone(zone).date()


def is_open(clinic: Clinic, day: date) -> bool:
    return day.weekday() in clinic.hours and day not in clinic.closed


def plan_of(scenario: Scenario) -> list[PlannedDay]:
    return plan_days(
        scenario.setting,
        scenario.given,
        scenario.clinic.calendar,
        scenario.rules,
        first_day=scenario.first_day,
        next_day=scenario.next_day,
    )


def random_lookup(clinic: Clinic, seed: int, chairs: list[int], density: float):
    """A deterministic DayLoad per day: random busy intervals and infusion starts."""
    cache: dict[date, DayLoad] = {}

    def lookup(day: date) -> DayLoad:
        if day in cache:
            return cache[day]
        rng = random.Random(seed * 1_000_003 + day.toordinal())
        hours = clinic.hours.get(day.weekday())
        load = DayLoad()
        if hours is not None:
            opens = datetime.combine(day, hours.opens, tzinfo=clinic.zone)
            span = hours.minutes
            busy: dict[int, list[Interval]] = {}
            for chair in chairs:
                if rng.random() < density:
                    intervals = []
                    for _ in range(rng.randint(1, 3)):
                        start = opens + timedelta(minutes=rng.randrange(0, span, 5))
                        end = start + timedelta(minutes=rng.randint(10, 240))
                        # Some intervals are given in UTC, as a store might hand them over.
                        if rng.random() < 0.5:
                            start, end = start.astimezone(UTC), end.astimezone(UTC)
                        intervals.append(Interval(start, end))
                    busy[chair] = intervals
            starts = [
                opens + timedelta(minutes=rng.randrange(0, span, 5))
                for _ in range(rng.randint(0, 8))
            ]
            load = DayLoad(busy, starts)
        cache[day] = load
        return load

    return lookup


def empty_lookup(_day: date) -> DayLoad:
    return DayLoad()


def utc_window(slot: Slot) -> tuple[datetime, datetime]:
    """The slot's chair time as elapsed time, computed here from its chair time."""
    start = slot.start.astimezone(UTC)
    return start, start + timedelta(minutes=slot.chair_time.total_min)


def expected_chair_times(
    outcomes_given: list[InfusionOutcome], count: int, prep: int
) -> list[ChairTime]:
    """[label]/[policy] the tolerance rule written out for a whole plan."""
    if not outcomes_given:
        return [ChairTime(prep, 90, 90)] + [ChairTime(prep, 30, 30)] * (count - 1)
    if all(outcome.tolerated for outcome in outcomes_given):
        return [ChairTime(prep, 30, 30)] * count
    # [label] never under 30 min, nor under 90 while none was yet tolerated
    floor = 30 if any(outcome.tolerated for outcome in outcomes_given) else 90
    return [ChairTime(prep, max(outcomes_given[-1].infusion_min, floor), 30)] * count


# --- planning properties ---------------------------------------------------------------------


@PROPERTY
@given(scenarios())
def test_doses_never_closer_than_21_days_minus_window(scenario: Scenario) -> None:
    """[label] never two doses less than 21 days apart, beyond the [policy] early window:
    given and planned days, compared as clinic-local dates."""
    plan = plan_of(scenario)
    zone = scenario.clinic.zone
    days = [local_day(dose.given_at, zone) for dose in scenario.given] + [p.day for p in plan]
    minimum = CYCLE - scenario.rules.early_window_days
    for earlier, later in pairwise(days):
        assert (later - earlier).days >= minimum, (earlier, later)
    # Planned cycles after the first are re-anchored a full 21 days after the one before.
    for earlier, later in pairwise(plan):
        assert (later.day - earlier.day).days >= CYCLE


@PROPERTY
@given(scenarios())
def test_course_length(scenario: Scenario) -> None:
    """[label] EBC holds at most 14 doses, and given + planned == 14 while active; MBC is
    planned on the [policy] rolling horizon. Cycles continue 1..n without gaps."""
    plan = plan_of(scenario)
    given_count = len(scenario.given)
    assert [p.cycle for p in plan] == list(range(given_count + 1, given_count + len(plan) + 1))
    status = course_status(scenario.setting, given_count, stopped=False)
    if scenario.setting is Setting.EBC:
        assert given_count + len(plan) <= EBC_TOTAL
        assert all(p.cycle <= EBC_TOTAL for p in plan)
        if status is CourseStatus.ACTIVE:
            assert given_count + len(plan) == EBC_TOTAL
        else:
            assert (status, plan) == (CourseStatus.COMPLETED, [])
    else:
        assert status is CourseStatus.ACTIVE
        assert len(plan) == scenario.rules.mbc_horizon_cycles


@PROPERTY
@given(scenarios())
def test_planned_days_are_first_open_day_on_or_after_due(scenario: Scenario) -> None:
    """[policy] every planned cycle falls on an open day; a closed day moves forward to the
    next open day, never back. [label] the first is due 21 days after the last given dose
    (or on the re-booked day), each later one 21 days after the one before."""
    plan = plan_of(scenario)
    clinic = scenario.clinic
    for index, planned in enumerate(plan):
        if index:
            wanted = plan[index - 1].day + timedelta(days=CYCLE)
        elif scenario.next_day is not None:
            wanted = scenario.next_day
        elif scenario.given:
            wanted = local_day(scenario.given[-1].given_at, clinic.zone) + timedelta(days=CYCLE)
        else:
            wanted = scenario.first_day
        assert is_open(clinic, planned.day), planned
        assert planned.day >= wanted
        skipped = (wanted + timedelta(days=i) for i in range((planned.day - wanted).days))
        assert not any(is_open(clinic, day) for day in skipped), (wanted, planned.day)


@PROPERTY
@given(scenarios())
def test_durations_follow_tolerance_rule(scenario: Scenario) -> None:
    """[label] first 90/90; 30/30 when all prior infusions were tolerated. [policy] after any
    reaction, the last given infusion minutes and 30 min observation; prep from the site."""
    plan = plan_of(scenario)
    outcomes_given = [dose.outcome for dose in scenario.given]
    expected = expected_chair_times(outcomes_given, len(plan), scenario.rules.prep_min)
    assert [p.chair_time for p in plan] == expected


@PROPERTY
@given(scenarios(), st.integers(1, 6))
def test_rebooking_sooner_than_window_refused(scenario: Scenario, too_soon: int) -> None:
    """[label] no catching up: a re-booking before 21 - N days is refused (field start)."""
    if not scenario.given:
        # Need a previous dose to be too close to; a 0-dose history cannot be too soon.
        scenario = Scenario(
            scenario.clinic,
            scenario.setting,
            scenario.rules,
            [
                GivenDose(
                    1,
                    datetime.combine(scenario.first_day, time(12), tzinfo=UTC),
                    InfusionOutcome(90, True),
                )
            ],
            scenario.first_day,
            None,
        )
    last = local_day(scenario.given[-1].given_at, scenario.clinic.zone)
    day = last + timedelta(days=CYCLE - scenario.rules.early_window_days - too_soon)
    if scenario.setting is Setting.EBC and len(scenario.given) == EBC_TOTAL:
        return  # a completed course plans nothing, so there is nothing to re-book
    with pytest.raises(DomainError) as err:
        plan_days(
            scenario.setting,
            scenario.given,
            scenario.clinic.calendar,
            scenario.rules,
            next_day=day,
        )
    assert err.value.field == "start"


# --- booking properties -------------------------------------------------------------------------


@st.composite
def booking_inputs(draw: st.DrawFn):
    scenario = draw(scenarios())
    chairs = draw(st.lists(st.integers(1, 6), min_size=1, max_size=3, unique=True))
    preferred = draw(
        st.none() | st.builds(time, st.integers(5, 19), st.sampled_from([0, 5, 10, 30, 47]))
    )
    prefs = SlotPreferences(
        chairs,
        preferred,
        start_cap=draw(st.none() | st.integers(1, 3)),
        preferred_window_min=draw(st.sampled_from([0, 30, 120])),
    )
    if draw(st.booleans()):
        lookup: Callable[[date], DayLoad] = empty_lookup
    else:
        lookup = random_lookup(
            scenario.clinic, draw(st.integers(0, 10**6)), chairs, draw(st.floats(0.0, 0.8))
        )
    return scenario, prefs, lookup


@PROPERTY
@given(booking_inputs())
def test_schedule_plan_slots_are_bookable(inputs) -> None:
    """[policy] every slot from schedule_plan lies inside opening hours on an open day, on
    the 5-minute grid, never overlapping a busy interval in its chair; [label] slots stay
    21 days apart (21 - N after the last given dose) and keep the planned chair times."""
    scenario, prefs, lookup = inputs
    clinic = scenario.clinic
    plan = plan_of(scenario)
    slots = schedule_plan(clinic.calendar, plan, prefs, lookup)
    assert len(slots) == len(plan)
    previous = local_day(scenario.given[-1].given_at, clinic.zone) if scenario.given else None
    for index, (slot, planned) in enumerate(zip(slots, plan, strict=True)):
        start, end = utc_window(slot)
        local_start, local_end = start.astimezone(clinic.zone), end.astimezone(clinic.zone)
        day = local_start.date()
        assert slot.chair in prefs.chairs
        assert slot.chair_time == planned.chair_time
        assert is_open(clinic, day), slot
        hours = clinic.hours[day.weekday()]
        assert local_end.date() == day
        assert hours.opens <= local_start.time() and local_end.time() <= hours.closes, slot
        assert local_start.minute % 5 == 0 and local_start.second == 0
        for taken in lookup(day).busy.get(slot.chair, ()):
            taken_start, taken_end = taken.start.astimezone(UTC), taken.end.astimezone(UTC)
            assert not (start < taken_end and taken_start < end), (slot, taken)
        if index == 0:
            assert day >= planned.day
        if previous is not None:
            minimum = CYCLE - scenario.rules.early_window_days if index == 0 else CYCLE
            assert (day - previous).days >= minimum, (previous, day)
        previous = day


@PROPERTY
@given(booking_inputs(), st.integers(0, 24 * 60 - 1), st.data())
def test_not_before_is_as_soon_as_possible(inputs, minute_of_day: int, data) -> None:
    """[label] a delayed dose is given as soon as possible: with not_before on the same
    day, the slot never starts before not_before and no free chair exists on the 5-minute
    grid between not_before and the slot (levelling off: start_cap=None)."""
    scenario, prefs, lookup = inputs
    clinic = scenario.clinic
    day = clinic.calendar.next_open_day(scenario.first_day)
    chair_time = ChairTime(data.draw(st.sampled_from([0, 15])), data.draw(st.integers(30, 180)), 30)
    not_before = datetime.combine(day, time(0), tzinfo=clinic.zone).astimezone(UTC) + timedelta(
        minutes=minute_of_day
    )
    prefs = SlotPreferences(prefs.chairs, prefs.preferred_time)
    load = lookup(day)
    slot = find_slot_on_day(clinic.calendar, day, chair_time, prefs, load, not_before)

    hours = clinic.hours[day.weekday()]
    opens = datetime.combine(day, hours.opens, tzinfo=clinic.zone).astimezone(UTC)
    closes = datetime.combine(day, hours.closes, tzinfo=clinic.zone).astimezone(UTC)
    length = timedelta(minutes=chair_time.total_min)

    def free(chair: int, start: datetime) -> bool:
        for taken in load.busy.get(chair, ()):
            if start < taken.end and taken.start < start + length:
                return False
        return True

    grid = [opens + timedelta(minutes=5 * i) for i in range(25 * 12)]
    candidates = [s for s in grid if not_before <= s and s + length <= closes]
    first_free = next(
        (s for s in candidates if any(free(chair, s) for chair in prefs.chairs)), None
    )
    if first_free is None:
        assert slot is None
    else:
        assert slot is not None
        assert slot.start >= not_before
        assert slot.start.astimezone(UTC) == first_free
        assert free(slot.chair, first_free)


# The 2026 daylight-saving changes of the zones above (all at night, local time).
DST_DAYS = [
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
    ("Europe/Berlin", date(2026, 3, 29)),
    ("Europe/Berlin", date(2026, 10, 25)),
    ("Australia/Sydney", date(2026, 4, 5)),
    ("Australia/Sydney", date(2026, 10, 4)),
]


@PROPERTY
@given(
    st.sampled_from(DST_DAYS),
    st.builds(
        ChairTime, st.sampled_from([0, 15, 30]), st.integers(30, 180), st.sampled_from([30, 90])
    ),
    st.builds(time, st.integers(0, 5), st.sampled_from([0, 5, 30, 55])),
    st.lists(st.tuples(st.integers(0, 23 * 60), st.integers(10, 300)), max_size=4),
)
def test_slots_on_dst_change_days_hold_elapsed_time(
    zone_day: tuple[str, date],
    chair_time: ChairTime,
    preferred: time,
    busy_minutes: list[tuple[int, int]],
) -> None:
    """[policy] elapsed-time windows stay elapsed time: on the day of a daylight-saving
    change, a round-the-clock clinic books a slot that holds its chair for exactly the chair
    minutes, inside the (elapsed) opening window, on the 5-minute grid, clear of every busy
    interval (given as UTC instants, minutes after local midnight)."""
    name, day = zone_day
    zone = zone_from_name(name)
    calendar = ClinicCalendar(zone, {d: OpeningHours(time(0), time(23, 55)) for d in range(7)})
    midnight = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    taken = [
        Interval(midnight + timedelta(minutes=m), midnight + timedelta(minutes=m + length))
        for m, length in busy_minutes
    ]
    slot = find_slot_on_day(
        calendar, day, chair_time, SlotPreferences([1], preferred), DayLoad({1: taken})
    )
    opens = midnight
    closes = datetime.combine(day, time(23, 55), tzinfo=zone).astimezone(UTC)
    length = timedelta(minutes=chair_time.total_min)
    if slot is None:
        # Only acceptable when no grid start is free all day.
        grid = [opens + timedelta(minutes=5 * i) for i in range(25 * 12)]
        assert not any(
            s + length <= closes and all(not (s < t.end and t.start < s + length) for t in taken)
            for s in grid
        )
        return
    start = slot.start.astimezone(UTC)
    assert slot.end.astimezone(UTC) - start == length
    assert opens <= start and start + length <= closes
    assert (start - opens) % timedelta(minutes=5) == timedelta(0)
    assert slot.start.astimezone(zone).date() == day
    for interval in taken:
        assert not (start < interval.end and interval.start < start + length), (slot, interval)
