"""Course planning and re-planning (tdm1_scheduler.domain.course).

Facts checked, tags from shared/domain/TDM1_RULES.md:
[label] one dose every 21 days; a delayed or missed dose is given as soon as possible and
the schedule re-anchored 3 weeks apart, never doubled; EBC 14 cycles, MBC no fixed count;
later infusions 30/30 after tolerated ones.
[policy] MBC rolling horizon 6 cycles; a closed day moves forward, never earlier than 21
days after the last dose; an early window of N days (default 0); the date step is taken
in the clinic's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tdm1_scheduler.domain.calendar import ClinicCalendar, weekday_hours, zone_from_name
from tdm1_scheduler.domain.course import (
    CourseStatus,
    GivenDose,
    PlanningRules,
    course_status,
    cycles_to_plan,
    due_day_after,
    earliest_day_after,
    plan_days,
    spacing_problem,
)
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.regimen import ChairTime, InfusionOutcome, Setting

NY = zone_from_name("America/New_York")
BERLIN = zone_from_name("Europe/Berlin")
CHRISTMAS = date(2026, 12, 25)  # Friday
RULES = PlanningRules()
OK = InfusionOutcome(30, tolerated=True)


def clinic(zone=NY, closed: frozenset[date] = frozenset()) -> ClinicCalendar:
    return ClinicCalendar(zone, weekday_hours(time(8), time(17)), closed)


def given_on(
    days: list[date], calendar: ClinicCalendar, wall: time = time(9), outcomes=None
) -> list[GivenDose]:
    outcomes = outcomes or [InfusionOutcome(90, True)] + [OK] * (len(days) - 1)
    return [
        GivenDose(index + 1, calendar.at(day, wall), outcome)
        for index, (day, outcome) in enumerate(zip(days, outcomes, strict=True))
    ]


def every_21(first: date, count: int) -> list[date]:
    return [first + timedelta(days=21 * i) for i in range(count)]


# --- fresh courses ----------------------------------------------------------------------


def test_fresh_ebc_plans_14_cycles_21_days_apart() -> None:
    """[label] EBC: 14 cycles, one every 21 days (Mon 2026-01-05 stays on Mondays)."""
    plan = plan_days(Setting.EBC, [], clinic(), RULES, first_day=date(2026, 1, 5))
    assert [p.cycle for p in plan] == list(range(1, 15))
    assert [p.day for p in plan] == every_21(date(2026, 1, 5), 14)


def test_fresh_course_chair_times() -> None:
    """[label] cycle 1 is 90 + 90; planned later cycles assume tolerance: 30 + 30."""
    plan = plan_days(Setting.EBC, [], clinic(), RULES, first_day=date(2026, 1, 5))
    assert plan[0].chair_time == ChairTime(15, 90, 90)
    assert {p.chair_time for p in plan[1:]} == {ChairTime(15, 30, 30)}


def test_fresh_mbc_plans_rolling_horizon_of_6() -> None:
    """[policy] MBC has no end [label]; it is planned 6 cycles ahead by default."""
    plan = plan_days(Setting.MBC, [], clinic(), RULES, first_day=date(2026, 1, 5))
    assert [p.cycle for p in plan] == [1, 2, 3, 4, 5, 6]


def test_mbc_horizon_is_a_site_setting_and_rolls() -> None:
    """[policy] horizon 3 after 10 given doses plans cycles 11, 12, 13."""
    calendar = clinic()
    given = given_on(every_21(date(2026, 1, 5), 10), calendar)
    plan = plan_days(Setting.MBC, given, calendar, PlanningRules(mbc_horizon_cycles=3))
    assert [p.cycle for p in plan] == [11, 12, 13]


def test_fresh_course_needs_first_day() -> None:
    """[policy] a course with no given dose needs a first dose day (field first_dose)."""
    with pytest.raises(DomainError) as err:
        plan_days(Setting.EBC, [], clinic(), RULES)
    assert err.value.field == "first_dose"


def test_cycles_to_plan() -> None:
    """[label] EBC runs through cycle 14; [policy] MBC plans the horizon."""
    assert cycles_to_plan(Setting.EBC, 5, RULES) == range(6, 15)
    assert cycles_to_plan(Setting.EBC, 14, RULES) == range(15, 15)
    assert cycles_to_plan(Setting.MBC, 5, RULES) == range(6, 12)


# --- EBC ends at 14 -----------------------------------------------------------------------


def test_ebc_given_plus_planned_is_14() -> None:
    """[label] EBC: 14 cycles in total; after 5 given, 9 are planned (6..14)."""
    calendar = clinic()
    given = given_on(every_21(date(2026, 1, 5), 5), calendar)
    plan = plan_days(Setting.EBC, given, calendar, RULES)
    assert [p.cycle for p in plan] == list(range(6, 15))
    assert len(given) + len(plan) == 14


def test_ebc_after_14_nothing_planned_and_completed() -> None:
    """[label] never plan a 15th cycle for an EBC course."""
    calendar = clinic()
    given = given_on(every_21(date(2026, 1, 5), 14), calendar)
    assert plan_days(Setting.EBC, given, calendar, RULES) == []
    assert course_status(Setting.EBC, 14, stopped=False) is CourseStatus.COMPLETED


def test_missed_dose_is_delayed_not_skipped() -> None:
    """[label] a missed dose is given late, not skipped: a 6-week gap after cycle 3 still
    leaves 14 doses in total, cycle 4 is the next one planned."""
    calendar = clinic()
    days = [*every_21(date(2026, 1, 5), 3), date(2026, 3, 30)]  # cycle 4 six weeks late
    given = given_on(days, calendar)
    plan = plan_days(Setting.EBC, given, calendar, RULES)
    assert plan[0].cycle == 5
    assert plan[-1].cycle == 14
    assert len(given) + len(plan) == 14


def test_ebc_history_with_a_15th_dose_refused() -> None:
    """[label] an EBC course has 14 cycles: a history holding a 15th given dose is an
    impossible input and must raise DomainError naming 'cycle'."""
    calendar = clinic()
    given = given_on(every_21(date(2026, 1, 5), 15), calendar)
    with pytest.raises(DomainError) as err:
        plan_days(Setting.EBC, given, calendar, RULES)
    assert err.value.field == "cycle"


@pytest.mark.parametrize(
    ("setting", "given", "stopped", "status"),
    [
        (Setting.EBC, 0, False, CourseStatus.ACTIVE),
        (Setting.EBC, 13, False, CourseStatus.ACTIVE),
        (Setting.EBC, 14, False, CourseStatus.COMPLETED),
        (Setting.EBC, 3, True, CourseStatus.STOPPED),
        (Setting.MBC, 200, False, CourseStatus.ACTIVE),
        (Setting.MBC, 4, True, CourseStatus.STOPPED),
    ],
)
def test_course_status(setting: Setting, given: int, stopped: bool, status: CourseStatus) -> None:
    """[label] EBC completes after 14; MBC runs until stopped (progression/toxicity)."""
    assert course_status(setting, given, stopped) is status


# --- re-planning from the actual given time ----------------------------------------------


def test_next_cycle_21_days_after_actual_given_time() -> None:
    """[label] re-anchored on the dose actually given: cycle 2 given 4 days late on Fri
    2026-01-30 -> cycle 3 due Fri 2026-02-20, cycle 4 Fri 2026-03-13."""
    calendar = clinic()
    given = given_on([date(2026, 1, 5), date(2026, 1, 30)], calendar)
    plan = plan_days(Setting.EBC, given, calendar, RULES)
    assert [p.day for p in plan[:3]] == [date(2026, 2, 20), date(2026, 3, 13), date(2026, 4, 3)]


def test_dst_course_keeps_wall_time_new_york() -> None:
    """[policy] dose Tue 2026-10-20 09:00 EDT -> next Tue 2026-11-10, 09:00 EST: the date
    step is a calendar step, the wall time is kept, the offset goes -04:00 -> -05:00."""
    calendar = clinic()
    given_at = calendar.at(date(2026, 10, 20), time(9))
    assert given_at.utcoffset() == timedelta(hours=-4)
    given = [GivenDose(1, given_at, InfusionOutcome(90, True))]
    plan = plan_days(Setting.MBC, given, calendar, RULES)
    assert plan[0].day == date(2026, 11, 10)
    next_at = calendar.at(plan[0].day, time(9))
    assert next_at.utcoffset() == timedelta(hours=-5)
    assert calendar.local(next_at).time() == time(9)


def test_date_step_uses_clinic_zone_not_utc() -> None:
    """[policy] a dose at 23:30 New York time (03:30 UTC next day) counts from its clinic
    day, 2026-10-20, so the next is 2026-11-10, not 2026-11-11."""
    calendar = clinic()
    given_at = datetime(2026, 10, 21, 3, 30, tzinfo=UTC)
    plan = plan_days(Setting.MBC, [GivenDose(1, given_at, OK)], calendar, RULES)
    assert plan[0].day == date(2026, 11, 10)


def test_date_step_uses_clinic_zone_sydney() -> None:
    """[policy] 21:00 UTC on Tue 2026-03-31 is Wed 08:00 in Sydney: next Wed 2026-04-22."""
    calendar = clinic(zone_from_name("Australia/Sydney"))
    given_at = datetime(2026, 3, 31, 21, tzinfo=UTC)
    plan = plan_days(Setting.MBC, [GivenDose(1, given_at, OK)], calendar, RULES)
    assert plan[0].day == date(2026, 4, 22)


def test_due_day_after() -> None:
    """[label] 21 calendar days on; [policy] closed days move forward."""
    calendar = clinic(closed=frozenset({CHRISTMAS}))
    assert due_day_after(date(2026, 6, 1), calendar) == date(2026, 6, 22)
    assert due_day_after(date(2026, 12, 4), calendar) == date(2026, 12, 28)


# --- closed days push forward ---------------------------------------------------------------


def test_closed_date_pushes_forward_and_later_cycles_follow() -> None:
    """[policy] Fri 2026-12-04 + 21 = Fri 12-25 (closed) -> Mon 12-28, never Thu 12-24;
    the cycle after is 21 days after 12-28: Mon 2027-01-18."""
    calendar = clinic(closed=frozenset({CHRISTMAS}))
    given = given_on([date(2026, 11, 13), date(2026, 12, 4)], calendar)
    plan = plan_days(Setting.EBC, given, calendar, RULES)
    assert plan[0].day == date(2026, 12, 28)
    assert plan[1].day == date(2027, 1, 18)


def test_closed_weekend_pushes_forward() -> None:
    """[policy] a dose on Sat 2026-06-06 is due Sat 06-27 -> Mon 06-29, never Fri 06-26."""
    calendar = clinic()
    given = [GivenDose(1, calendar.at(date(2026, 6, 6), time(10)), OK)]
    plan = plan_days(Setting.MBC, given, calendar, RULES)
    assert plan[0].day == date(2026, 6, 29)


def test_first_day_on_closed_date_moves_forward() -> None:
    """[policy] a planned date on a closed day moves to the next open day."""
    calendar = clinic(closed=frozenset({CHRISTMAS}))
    plan = plan_days(Setting.EBC, [], calendar, RULES, first_day=CHRISTMAS)
    assert plan[0].day == date(2026, 12, 28)


# --- missed / delayed re-booking --------------------------------------------------------------


def test_missed_cycle_rebooked_later_and_everything_moves() -> None:
    """[label] cycle 3 was due Mon 2026-02-16 but missed; re-booked Thu 02-19 (as soon as
    possible), every later cycle moves with it: 03-12, 04-02."""
    calendar = clinic()
    given = given_on(every_21(date(2026, 1, 5), 2), calendar)  # Jan 5, Jan 26
    plan = plan_days(Setting.EBC, given, calendar, RULES, next_day=date(2026, 2, 19))
    assert [p.day for p in plan[:3]] == [date(2026, 2, 19), date(2026, 3, 12), date(2026, 4, 2)]
    assert plan[0].cycle == 3
    assert len(plan) == 12  # cycles 3..14, nothing doubled, nothing skipped


def test_rebooking_on_closed_day_moves_forward() -> None:
    """[policy] a re-booking asked for Sat 2026-02-21 lands on Mon 2026-02-23."""
    calendar = clinic()
    given = given_on(every_21(date(2026, 1, 5), 2), calendar)
    plan = plan_days(Setting.EBC, given, calendar, RULES, next_day=date(2026, 2, 21))
    assert plan[0].day == date(2026, 2, 23)


def test_rebooking_too_soon_refused() -> None:
    """[label] never schedule two doses less than 21 days apart to catch up."""
    calendar = clinic()
    given = given_on(every_21(date(2026, 1, 5), 2), calendar)  # last Mon 2026-01-26
    with pytest.raises(DomainError) as err:
        plan_days(Setting.EBC, given, calendar, RULES, next_day=date(2026, 2, 13))
    assert err.value.field == "start"
    assert "only 18 days" in err.value.rule
    assert "21 days apart" in err.value.rule


def test_rebooking_on_the_21st_day_allowed() -> None:
    """[label] exactly 21 days is allowed."""
    calendar = clinic()
    given = given_on(every_21(date(2026, 1, 5), 2), calendar)
    plan = plan_days(Setting.EBC, given, calendar, RULES, next_day=date(2026, 2, 16))
    assert plan[0].day == date(2026, 2, 16)


# --- early window ------------------------------------------------------------------------------


def test_early_window_allows_n_days_sooner() -> None:
    """[policy] early window 2: after Wed 2026-03-04, Mon 03-23 (19 days) is allowed."""
    calendar = clinic()
    given = [GivenDose(1, calendar.at(date(2026, 3, 4), time(9)), OK)]
    rules = PlanningRules(early_window_days=2)
    plan = plan_days(Setting.MBC, given, calendar, rules, next_day=date(2026, 3, 23))
    assert plan[0].day == date(2026, 3, 23)
    # Later cycles are still 21 days after the one before.
    assert plan[1].day == date(2026, 4, 13)


def test_early_window_never_earlier_than_n() -> None:
    """[policy] early window 2: Sun 2026-03-22 (18 days) is one day too soon."""
    calendar = clinic(BERLIN)
    given = [GivenDose(1, calendar.at(date(2026, 3, 4), time(9)), OK)]
    rules = PlanningRules(early_window_days=2)
    with pytest.raises(DomainError) as err:
        plan_days(Setting.MBC, given, calendar, rules, next_day=date(2026, 3, 22))
    assert err.value.field == "start"
    assert "early window 2 d" in err.value.rule


def test_early_window_zero_by_default() -> None:
    """[policy] default early window 0: 20 days is refused."""
    calendar = clinic()
    given = [GivenDose(1, calendar.at(date(2026, 3, 4), time(9)), OK)]
    with pytest.raises(DomainError, match="only 20 days"):
        plan_days(Setting.MBC, given, calendar, RULES, next_day=date(2026, 3, 24))


def test_early_window_does_not_pull_the_default_plan_earlier() -> None:
    """[policy] the early window allows a sooner re-booking, it never moves the plan."""
    calendar = clinic()
    given = [GivenDose(1, calendar.at(date(2026, 3, 4), time(9)), OK)]
    plan = plan_days(Setting.MBC, given, calendar, PlanningRules(early_window_days=3))
    assert plan[0].day == date(2026, 3, 25)


def test_earliest_day_after() -> None:
    """[policy] earliest day = clinic-local day of the dose + 21 - N."""
    calendar = clinic()
    at = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)  # 22:00 on 4 March in New York
    assert earliest_day_after(at, calendar, RULES) == date(2026, 3, 25)
    assert earliest_day_after(at, calendar, PlanningRules(early_window_days=3)) == date(2026, 3, 22)


def test_spacing_problem_before_previous() -> None:
    """[label] a day before the previous dose is named as such."""
    calendar = clinic()
    at = calendar.at(date(2026, 3, 4), time(9))
    assert "before cycle 1" in (spacing_problem(1, at, date(2026, 3, 1), calendar, RULES) or "")
    assert spacing_problem(1, at, date(2026, 3, 25), calendar, RULES) is None


@pytest.mark.parametrize("days", [-1, 21, 30])
def test_early_window_range(days: int) -> None:
    """[policy] early window must be 0-20 days (less than a cycle)."""
    with pytest.raises(DomainError) as err:
        PlanningRules(early_window_days=days)
    assert err.value.field == "early_window_days"


def test_rules_refuse_bad_prep_and_horizon() -> None:
    """[policy] prep minutes >= 0 and an MBC horizon of at least 1 cycle."""
    with pytest.raises(DomainError, match="prep_min"):
        PlanningRules(prep_min=-1)
    with pytest.raises(DomainError, match="mbc_horizon_cycles"):
        PlanningRules(mbc_horizon_cycles=0)


# --- durations across a plan --------------------------------------------------------------------


def test_plan_after_reaction_keeps_last_given_duration() -> None:
    """[policy] after a reaction (cycle 2 slowed to 60 min) every planned cycle keeps
    60 min infusion and 30 min observation, never shortened to 30."""
    calendar = clinic()
    outcomes = [InfusionOutcome(90, True), InfusionOutcome(60, False)]
    given = given_on(every_21(date(2026, 1, 5), 2), calendar, outcomes=outcomes)
    plan = plan_days(Setting.EBC, given, calendar, RULES)
    assert {p.chair_time for p in plan} == {ChairTime(15, 60, 30)}


def test_plan_uses_site_prep() -> None:
    """[policy] prep minutes come from the site rules."""
    calendar = clinic()
    given = given_on([date(2026, 1, 5)], calendar)
    plan = plan_days(Setting.MBC, given, calendar, PlanningRules(prep_min=20))
    assert plan[0].chair_time == ChairTime(20, 30, 30)


# --- impossible histories -------------------------------------------------------------------------


def test_given_time_before_previous_dose_refused() -> None:
    """[label] a dose given before the previous one is impossible (field given_at)."""
    calendar = clinic()
    given = given_on([date(2026, 3, 4), date(2026, 3, 1)], calendar)
    with pytest.raises(DomainError) as err:
        plan_days(Setting.EBC, given, calendar, RULES)
    assert err.value.field == "given_at"
    assert "before cycle 1" in err.value.rule


def test_given_doses_less_than_21_days_apart_refused() -> None:
    """[label] two given doses 14 days apart break the 21-day rule."""
    calendar = clinic()
    given = given_on([date(2026, 3, 4), date(2026, 3, 18)], calendar)
    with pytest.raises(DomainError) as err:
        plan_days(Setting.EBC, given, calendar, RULES)
    assert err.value.field == "given_at"
    assert "only 14 days" in err.value.rule


def test_given_out_of_order_cycle_refused() -> None:
    """[label] doses are numbered 1..n in order; a history starting at cycle 2 is refused."""
    calendar = clinic()
    dose = GivenDose(2, calendar.at(date(2026, 3, 4), time(9)), OK)
    with pytest.raises(DomainError) as err:
        plan_days(Setting.EBC, [dose], calendar, RULES)
    assert err.value.field == "cycle"


def test_naive_given_at_refused() -> None:
    """[policy] every instant carries its offset: a naive given_at is refused."""
    calendar = clinic()
    dose = GivenDose(1, datetime(2026, 3, 4, 9), OK)
    with pytest.raises(DomainError) as err:
        plan_days(Setting.EBC, [dose], calendar, RULES)
    assert err.value.field == "given_at"
    assert "aware" in err.value.rule
