"""The move plan, pure: the placement check, the later cycles re-anchored 21 days on,
the order a commit records them in, and the prepared bag against the new start."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from tdm1_scheduler.domain.booking import (
    DayLoad,
    Interval,
    PreviousDose,
    Slot,
    SlotPreferences,
    chair_holder,
)
from tdm1_scheduler.domain.calendar import ClinicCalendar, weekday_hours, zone_from_name
from tdm1_scheduler.domain.course import PlanningRules
from tdm1_scheduler.domain.move_plan import (
    BookedCycle,
    CyclePlacement,
    MoveCourse,
    MovePlan,
    bag_outlook,
    blocked_time_problem,
    plan_move,
    recorded_order,
    replan_later,
)
from tdm1_scheduler.domain.regimen import ChairTime, Setting
from tdm1_scheduler.domain.stability import Preparation

NY = zone_from_name("America/New_York")
CAL = ClinicCalendar(NY, weekday_hours(time(8), time(17)))
RULES = PlanningRules()
FIRST = ChairTime(15, 90, 90)
LATER = ChairTime(15, 30, 30)
MONDAY = date(2026, 6, 1)
PREFS = SlotPreferences([1, 2], time(9))


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return CAL.at(day, time(hh, mm))


def empty(_day: date) -> DayLoad:
    return DayLoad()


def free(_chair: int, _wanted: Interval) -> Interval | None:
    return None


def always_free(_chair: int, _wanted: Interval) -> bool:
    return True


def booked_course(cycles: int = 3) -> MoveCourse:
    """An EBC course booked at 09:00 on chair 1 every 21 days from Monday, nothing given."""
    booked = [
        BookedCycle(
            n, Slot(1, at(MONDAY + timedelta(days=21 * (n - 1)), 9), FIRST if n == 1 else LATER)
        )
        for n in range(1, cycles + 1)
    ]
    return MoveCourse(Setting.EBC, (), booked)


def move(
    course: MoveCourse,
    cycle: int,
    new: Slot,
    *,
    previous: PreviousDose | None = None,
    holder=free,  # type: ignore[no-untyped-def]
    lookup=empty,  # type: ignore[no-untyped-def]
    prep: Preparation | None = None,
) -> MovePlan:
    old = next(b.booking for b in course.booked if b.cycle == cycle)
    assert old is not None
    return plan_move(
        CAL,
        RULES,
        course,
        CyclePlacement(cycle, old, new),
        previous,
        holder,
        PREFS,
        lookup,
        always_free,
        prep,
    )


def test_a_move_re_anchors_every_later_cycle_21_days_on() -> None:
    course = booked_course(3)
    new = Slot(1, at(MONDAY + timedelta(days=2), 10), FIRST)  # Wednesday 10:00
    plan = move(course, 1, new)
    assert plan.allowed and plan.refusal is None
    assert [p.cycle for p in plan.later] == list(range(2, 15))
    days = [CAL.local_date(p.new.start) for p in plan.later]
    assert days[0] == MONDAY + timedelta(days=23)
    assert all(b - a == timedelta(days=21) for a, b in pairwise(days))
    # Booked cycles keep their chair and wall time; cycles 4-14 have no dose yet.
    assert [CAL.local(p.new.start).time() for p in plan.later[:2]] == [time(9), time(9)]
    assert [p.has_dose for p in plan.later] == [True, True, *([False] * 11)]
    assert plan.later[0].shift == timedelta(days=2)
    assert plan.bag is None


def test_the_commit_records_new_bookings_before_re_placed_ones() -> None:
    course = booked_course(3)
    plan = move(course, 1, Slot(2, at(MONDAY + timedelta(days=1), 11), FIRST))
    recorded = plan.recorded()
    assert recorded[0] == plan.moved
    later = recorded[1:]
    assert [p.cycle for p in later] == [*range(4, 15), 2, 3]  # new first, then moved
    assert [p.old is None for p in later] == [True] * 11 + [False, False]


def test_a_move_to_its_own_place_records_only_what_re_plans() -> None:
    course = booked_course(3)
    old = course.booked[0].booking
    assert old is not None
    plan = move(course, 1, old)
    assert plan.allowed
    recorded = plan.recorded()
    assert all(p.cycle != 1 for p in recorded)  # cycle 1 does not move
    assert [p.cycle for p in recorded] == list(range(4, 15))  # 2 and 3 stay put


def test_recorded_order_leaves_out_unmoved() -> None:
    slot = Slot(1, at(MONDAY, 9), LATER)
    other = Slot(2, at(MONDAY, 9), LATER)
    placements = [
        CyclePlacement(2, slot, slot),
        CyclePlacement(3, slot, other),
        CyclePlacement(4, None, other, has_dose=False),
    ]
    assert [p.cycle for p in recorded_order(placements)] == [4, 3]
    assert not placements[0].moves and placements[1].moves and placements[2].moves


def test_refusals_name_the_field_and_rule() -> None:
    course = booked_course(2)
    late = move(course, 1, Slot(1, at(MONDAY, 16), FIRST))
    assert late.refusal is not None and late.refusal.field == "to"
    assert "outside opening hours" in late.refusal.rule
    assert late.later == () and not late.allowed

    taken = Interval(at(MONDAY, 10), at(MONDAY, 11))
    load = DayLoad({2: [taken]})
    holder = chair_holder(CAL, lambda c, w: c != 2, {MONDAY: load}.__getitem__)
    chair = move(course, 1, Slot(2, at(MONDAY, 10, 30), FIRST), holder=holder)
    assert chair.refusal is not None and chair.refusal.rule == "chair taken 10:00-11:00"

    given_at = at(MONDAY, 9)
    early = move(
        course,
        2,
        Slot(1, at(MONDAY + timedelta(days=18), 9), LATER),
        previous=PreviousDose(1, given_at),
    )
    assert early.refusal is not None and "only 18 days after cycle 1" in early.refusal.rule
    error = early.refusal.error()
    assert (error.field, error.rule) == ("to", early.refusal.rule)


def test_a_later_cycle_without_a_chair_refuses_the_move() -> None:
    """The re-plan finds no free chair for 60 open days: the move is refused, by rule."""

    def full(day: date) -> DayLoad:
        if day <= MONDAY + timedelta(days=2):
            return DayLoad()
        start = CAL.at(day, time(0)).astimezone(UTC)
        busy = [Interval(start, start + timedelta(hours=24))]
        return DayLoad({1: busy, 2: busy})

    course = booked_course(2)
    plan = plan_move(
        CAL,
        RULES,
        course,
        CyclePlacement(1, course.booked[0].booking, Slot(1, at(MONDAY, 9), FIRST)),
        None,
        free,
        PREFS,
        full,
        None,
    )
    assert plan.refusal is not None and plan.refusal.field == "chair"
    assert "no chair free" in plan.refusal.rule


def test_the_bag_against_the_new_start() -> None:
    diluted = at(MONDAY, 8)
    prep = Preparation(reconstituted_at=at(MONDAY, 7), diluted_at=diluted)
    assert bag_outlook(None, at(MONDAY, 9)) is None
    assert bag_outlook(Preparation(at(MONDAY, 7), None), at(MONDAY, 9)) is None
    good = bag_outlook(prep, at(MONDAY, 9))
    assert good is not None and good.usable and not good.expires_before_start
    assert good.expires_at == diluted + timedelta(hours=24)
    late = bag_outlook(prep, at(MONDAY + timedelta(days=1), 9))
    assert late is not None and not late.usable and late.expires_before_start
    before = bag_outlook(prep, at(MONDAY, 7, 30))  # before the bag was made
    assert before is not None and not before.usable and not before.expires_before_start

    course = booked_course(1)
    plan = move(course, 1, Slot(1, at(MONDAY + timedelta(days=1), 9), FIRST), prep=prep)
    assert plan.bag is not None and plan.bag.expires_before_start
    assert plan.bag.infusion_start == plan.new.infusion_start


def test_replan_projects_chair_time_from_what_was_given() -> None:
    """Cycle 1 booked at 90 min: cycle 2 after it is planned as a 30 min infusion."""
    course = booked_course(1)
    placements = replan_later(
        CAL, RULES, Setting.EBC, (), course.booked, 1, MONDAY, PREFS, empty, always_free
    )
    assert placements[0].cycle == 2 and placements[0].old is None
    assert placements[0].new.chair_time.infusion_min == 30
    assert len(placements) == 13


def test_blocked_time_problem_hours_then_the_chair() -> None:
    held = Interval(at(MONDAY, 10), at(MONDAY, 11))
    lookup = {MONDAY: DayLoad({1: [held]})}.__getitem__
    ok = Slot(1, at(MONDAY, 11), ChairTime(0, 60, 0))
    assert blocked_time_problem(CAL, ok, lookup) is None
    late = Slot(1, at(MONDAY, 16, 30), ChairTime(0, 60, 0))
    assert "outside opening hours" in (blocked_time_problem(CAL, late, lookup) or "")
    over = Slot(1, at(MONDAY, 10, 30), ChairTime(0, 60, 0))
    assert blocked_time_problem(CAL, over, lookup) == "chair taken 10:00-11:00"
    assert blocked_time_problem(CAL, Slot(2, over.start, over.chair_time), lookup) is None
