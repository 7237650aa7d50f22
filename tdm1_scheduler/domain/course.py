"""Plan and re-plan a course from what was given, missed and tolerated.

The rules [label]: one dose every 21 days; a delayed or missed dose is given as soon as
possible and the schedule is re-anchored so doses stay 3 weeks apart; nothing is ever
doubled up. EBC courses end after 14 given doses; MBC courses run on a rolling horizon.
[policy] a planned date on a closed day moves to the next open day, never earlier.

Every rule takes the course's regimen (``regimen=``), T-DM1 unless told otherwise: the
cycle length, the course lengths and the dose ladder are read from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from .calendar import ClinicCalendar
from .errors import DomainError, require_aware
from .lean import dataclass
from .regimen import (
    CYCLE_LENGTH_DAYS,
    DEFAULT_EARLY_WINDOW_DAYS,
    DEFAULT_PREP_MIN,
    MBC_DEFAULT_HORIZON_CYCLES,
    ChairTime,
    InfusionOutcome,
    Setting,
    StopReason,
    chair_time_for_next,
    check_cycle_number,
    check_dose_level,
    total_cycles,
)
from .regimens import TDM1, Regimen


class CycleStatus(StrEnum):
    BOOKED = "booked"
    GIVEN = "given"
    MISSED = "missed"
    CANCELLED = "cancelled"


class CourseStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"


def check_active(status: CourseStatus | str) -> None:
    """Only an active course is booked, moved or given: DomainError("course", ...)."""
    if CourseStatus(status) is not CourseStatus.ACTIVE:
        raise DomainError("course", f"the course is {CourseStatus(status).value}")


@dataclass(frozen=True)
class PlanningRules:
    """Site settings the planner obeys."""

    prep_min: int = DEFAULT_PREP_MIN
    early_window_days: int = DEFAULT_EARLY_WINDOW_DAYS
    mbc_horizon_cycles: int = MBC_DEFAULT_HORIZON_CYCLES

    def __post_init__(self) -> None:
        if self.prep_min < 0:
            raise DomainError("prep_min", f"must not be negative, got {self.prep_min}")
        if not 0 <= self.early_window_days < CYCLE_LENGTH_DAYS:
            raise DomainError(
                "early_window_days",
                f"must be 0-{CYCLE_LENGTH_DAYS - 1}, got {self.early_window_days}",
            )
        if self.mbc_horizon_cycles < 1:
            raise DomainError(
                "mbc_horizon_cycles", f"must be at least 1, got {self.mbc_horizon_cycles}"
            )


@dataclass(frozen=True)
class GivenDose:
    """A dose actually given: the infusion started at ``given_at``."""

    cycle: int
    given_at: datetime
    outcome: InfusionOutcome


@dataclass(frozen=True)
class PlannedDay:
    cycle: int
    day: date
    chair_time: ChairTime


def check_history(
    given: Sequence[GivenDose],
    calendar: ClinicCalendar,
    rules: PlanningRules,
    *,
    regimen: Regimen = TDM1,
) -> None:
    """Given doses are numbered 1..n in order, each at least 21 days after the one before."""
    for index, dose in enumerate(given):
        require_aware("given_at", dose.given_at)
        if dose.cycle != index + 1:
            raise DomainError(
                "cycle", f"doses are given in order: expected cycle {index + 1}, got {dose.cycle}"
            )
        if index:
            previous = given[index - 1]
            check_spacing(
                previous.cycle,
                previous.given_at,
                calendar.local_date(dose.given_at),
                calendar,
                rules,
                "given_at",
                regimen=regimen,
            )


def days_between(earlier: date, later: date) -> int:
    return (later - earlier).days


def earliest_day_after(
    previous_at: datetime,
    calendar: ClinicCalendar,
    rules: PlanningRules,
    *,
    regimen: Regimen = TDM1,
) -> date:
    """The first calendar day a dose may fall on after a dose at ``previous_at``."""
    return calendar.local_date(previous_at) + timedelta(
        days=regimen.cycle_length_days - rules.early_window_days
    )


def due_day_after(previous_day: date, calendar: ClinicCalendar, *, regimen: Regimen = TDM1) -> date:
    """21 calendar days on; a closed day moves to the next open day [label]/[policy]."""
    return calendar.next_open_day(previous_day + timedelta(days=regimen.cycle_length_days))


def spacing_problem(
    previous_cycle: int,
    previous_at: datetime,
    day: date,
    calendar: ClinicCalendar,
    rules: PlanningRules,
    *,
    regimen: Regimen = TDM1,
) -> str | None:
    """None when ``day`` respects the 21-day rule after a dose at ``previous_at``."""
    previous_day = calendar.local_date(previous_at)
    gap = days_between(previous_day, day)
    minimum = regimen.cycle_length_days - rules.early_window_days
    if gap < minimum:
        if gap < 0:
            return f"before cycle {previous_cycle} ({previous_day:%Y-%m-%d})"
        early = f", early window {rules.early_window_days} d" if rules.early_window_days else ""
        return (
            f"only {gap} days after cycle {previous_cycle} "
            f"({previous_day:%Y-%m-%d}); doses are {regimen.cycle_length_days} days apart{early}"
        )
    return None


def check_spacing(
    previous_cycle: int,
    previous_at: datetime,
    day: date,
    calendar: ClinicCalendar,
    rules: PlanningRules,
    field_name: str,
    *,
    regimen: Regimen = TDM1,
) -> None:
    problem = spacing_problem(previous_cycle, previous_at, day, calendar, rules, regimen=regimen)
    if problem:
        raise DomainError(field_name, problem)


def cycles_to_plan(
    setting: Setting, given_count: int, rules: PlanningRules, *, regimen: Regimen = TDM1
) -> range:
    """Cycle numbers still to plan: EBC through 14; MBC the rolling horizon."""
    limit = total_cycles(setting, regimen)
    if limit is None:
        return range(given_count + 1, given_count + rules.mbc_horizon_cycles + 1)
    return range(given_count + 1, limit + 1)


def projected_chair_times(
    outcomes: Sequence[InfusionOutcome],
    cycles: Sequence[int],
    prep_min: int,
    *,
    regimen: Regimen = TDM1,
) -> list[ChairTime]:
    """Chair time for each future cycle, assuming each planned one is tolerated."""
    history = list(outcomes)
    times = []
    for _ in cycles:
        chair_time = chair_time_for_next(history, prep_min, regimen)
        times.append(chair_time)
        history.append(InfusionOutcome(chair_time.infusion_min, tolerated=True))
    return times


def plan_days(
    setting: Setting,
    given: Sequence[GivenDose],
    calendar: ClinicCalendar,
    rules: PlanningRules,
    *,
    first_day: date | None = None,
    next_day: date | None = None,
    regimen: Regimen = TDM1,
) -> list[PlannedDay]:
    """The day and chair time of every cycle still to give.

    ``first_day`` is the course's first dose day (needed when nothing was given).
    ``next_day`` asks for the next cycle on that day or later (a re-booked missed dose,
    a moved appointment); it may never come sooner than the 21-day rule allows. Every
    later cycle is re-anchored 21 days after the one before it.
    """
    check_history(given, calendar, rules, regimen=regimen)
    for dose in given:
        check_cycle_number(setting, dose.cycle, regimen)  # never a 15th EBC dose
    cycles = cycles_to_plan(setting, len(given), rules, regimen=regimen)
    if not cycles:
        return []
    if given:
        last = given[-1]
        anchor = due_day_after(calendar.local_date(last.given_at), calendar, regimen=regimen)
        if next_day is not None:
            check_spacing(
                last.cycle, last.given_at, next_day, calendar, rules, "start", regimen=regimen
            )
            anchor = next_day
    else:
        start = next_day if next_day is not None else first_day
        if start is None:
            raise DomainError("first_dose", "a course without given doses needs a first dose day")
        anchor = start
    first = calendar.next_open_day(anchor)
    times = projected_chair_times(
        [dose.outcome for dose in given], list(cycles), rules.prep_min, regimen=regimen
    )
    days = [first]
    for _ in cycles[1:]:
        days.append(due_day_after(days[-1], calendar, regimen=regimen))
    return [
        PlannedDay(cycle, day, chair_time)
        for cycle, day, chair_time in zip(cycles, days, times, strict=True)
    ]


def course_status(
    setting: Setting, given_count: int, stopped: bool, *, regimen: Regimen = TDM1
) -> CourseStatus:
    if stopped:
        return CourseStatus.STOPPED
    limit = total_cycles(setting, regimen)
    if limit is not None and given_count >= limit:
        return CourseStatus.COMPLETED
    return CourseStatus.ACTIVE


@dataclass(frozen=True)
class EarlierCourse:
    """What a patient's earlier (stopped or completed) course leaves behind."""

    setting: Setting
    stop_reason: str | None
    dose_level_mg_per_kg: float
    given_at: tuple[datetime, ...]


def check_new_course(
    setting: Setting,
    first_day: date,
    earlier: Sequence[EarlierCourse],
    calendar: ClinicCalendar,
    rules: PlanningRules,
    *,
    regimen: Regimen = TDM1,
) -> float:
    """A new course honours the patient's earlier ones; returns its starting dose level.

    [label] permanently stopped after a life-threatening reaction; no re-escalation
    after a reduction; an EBC course is 14 doses in total (never a 15th); doses stay 21
    days apart (less a site's early window) across courses too.
    """
    if any(c.stop_reason == StopReason.LIFE_THREATENING_REACTION.value for c in earlier):
        raise DomainError(
            "mrn", "treatment was permanently stopped after a life-threatening reaction"
        )
    ebc_given = sum(len(c.given_at) for c in earlier if c.setting is Setting.EBC)
    if setting is Setting.EBC and ebc_given:
        raise DomainError(
            "setting",
            f"{ebc_given} EBC dose(s) were given in an earlier course; an EBC course is "
            f"{total_cycles(Setting.EBC, regimen)} doses in total and is not started again",
        )
    given = sorted(instant for c in earlier for instant in c.given_at)
    if given:
        last_day = calendar.local_date(given[-1])
        gap = days_between(last_day, first_day)
        minimum = regimen.cycle_length_days - rules.early_window_days
        if gap < minimum:
            raise DomainError(
                "first_dose",
                f"only {gap} days after the last dose given ({last_day:%Y-%m-%d}); "
                f"doses are {regimen.cycle_length_days} days apart",
            )
    levels = [check_dose_level(c.dose_level_mg_per_kg, regimen) for c in earlier]
    return min(levels, default=regimen.starting_dose_mg_per_kg)
