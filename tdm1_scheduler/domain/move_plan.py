"""A move of one booked cycle, planned before anything is written.

``plan_move`` answers everything a move does: whether the new place is allowed (and if
not, the field and rule), where each later cycle goes when the course is re-anchored
after it (``replan_later``, the same re-plan a dose given or missed makes), and what
happens to a bag already prepared for the dose. The service writes the plan; the
planner's hover preview shows it without writing. Both ask this module, so the preview
is what the commit does.

The store is not visible here: as in ``booking``, callers pass ``holder``, ``lookup`` and
``probe`` callables that answer for the days asked about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from .booking import (
    ChairHolder,
    ChairProbe,
    LoadLookup,
    PreviousDose,
    Slot,
    SlotPreferences,
    conflict,
    describe_conflict,
    placement_problem,
    reanchor,
)
from .calendar import ClinicCalendar
from .course import GivenDose, PlanningRules, cycles_to_plan, projected_chair_times
from .errors import DomainError
from .lean import dataclass
from .regimen import ChairTime, Setting
from .stability import Preparation, bag_usable_at
from .tolerance import InfusionOutcome


@dataclass(frozen=True)
class BookedCycle:
    """A booked (not yet given) cycle of the course and its chair booking, if any."""

    cycle: int
    booking: Slot | None


@dataclass(frozen=True)
class CyclePlacement:
    """Where one cycle's booking goes: ``old`` None when it gets its first booking;
    ``has_dose`` False when the cycle has no dose yet (a rolling MBC horizon)."""

    cycle: int
    old: Slot | None
    new: Slot
    has_dose: bool = True

    @property
    def moves(self) -> bool:
        """Written at all: a new booking, or one whose chair, start or length changes."""
        return self.old is None or self.old != self.new

    @property
    def shift(self) -> timedelta | None:
        return None if self.old is None else self.new.start - self.old.start


def recorded_order(placements: Sequence[CyclePlacement]) -> list[CyclePlacement]:
    """The placements one write of them records, in its order: the new bookings as met,
    then the re-placed ones (each booking is released before any is placed)."""
    new = [p for p in placements if p.old is None]
    moved = [p for p in placements if p.old is not None and p.old != p.new]
    return [*new, *moved]


@dataclass(frozen=True)
class Refusal:
    field: str
    rule: str

    def error(self) -> DomainError:
        return DomainError(self.field, self.rule)


@dataclass(frozen=True)
class BagOutlook:
    """A diluted bag against an infusion start [label: 24 h from dilution]."""

    usable: bool
    expires_at: datetime
    infusion_start: datetime
    diluted_at: datetime
    used_at: datetime | None

    @property
    def expires_before_start(self) -> bool:
        """The bag will have expired by the start: discard it, prepare a new one."""
        return not self.usable and self.infusion_start > self.expires_at


def bag_outlook(prep: Preparation | None, infusion_start: datetime) -> BagOutlook | None:
    """None without a bag (nothing prepared, or only reconstituted)."""
    if prep is None or prep.diluted_at is None:
        return None
    expiry = prep.bag_expires_at
    assert expiry is not None
    return BagOutlook(
        bag_usable_at(prep, infusion_start), expiry, infusion_start, prep.diluted_at, prep.used_at
    )


def replan_later(
    calendar: ClinicCalendar,
    rules: PlanningRules,
    setting: Setting,
    given: Sequence[GivenDose],
    booked: Sequence[BookedCycle],
    anchor_cycle: int,
    anchor_day: date,
    prefs: SlotPreferences,
    lookup: LoadLookup,
    probe: ChairProbe | None = None,
) -> tuple[CyclePlacement, ...]:
    """Re-anchor every booked cycle after ``anchor_cycle`` 21 days apart from
    ``anchor_day``, and place the cycles not booked yet (an MBC horizon that rolls on).

    Chair times project from what was given, then each booked cycle up to the anchor as
    if tolerated at its booked length. Bookings beyond a horizon made shorter since move
    too: no two doses ever come less than 21 days apart. ``lookup`` and ``probe`` leave
    out the later cycles' own bookings. Raises ``DomainError`` when a cycle finds no chair.
    """
    outcomes = [g.outcome for g in given]
    for item in booked:
        if item.cycle <= anchor_cycle and item.booking is not None:
            outcomes.append(InfusionOutcome(item.booking.chair_time.infusion_min, tolerated=True))
    later = {item.cycle: item for item in booked if item.cycle > anchor_cycle}
    to_plan = cycles_to_plan(setting, len(given), rules)
    planned = sorted({*(c for c in to_plan if c > anchor_cycle), *later})
    times = projected_chair_times(outcomes, planned, rules.prep_min)
    currents = [later[c].booking if c in later else None for c in planned]
    pairs: list[tuple[Slot | None, ChairTime]] = list(zip(currents, times, strict=True))
    slots = reanchor(calendar, anchor_day, pairs, prefs, lookup, probe)
    return tuple(
        CyclePlacement(cycle, current, slot, cycle in later)
        for cycle, current, slot in zip(planned, currents, slots, strict=True)
    )


@dataclass(frozen=True)
class MovePlan:
    """One move, decided: refused (``refusal``), or the moved visit's new place, each
    later cycle's placement and the prepared bag's outlook at the new start."""

    cycle: int
    old: Slot
    new: Slot
    refusal: Refusal | None = None
    later: tuple[CyclePlacement, ...] = ()
    bag: BagOutlook | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def moved(self) -> CyclePlacement:
        return CyclePlacement(self.cycle, self.old, self.new)

    def recorded(self) -> list[CyclePlacement]:
        """What the commit records, in its order: the moved visit (when it moves), then
        the later cycles' new and re-placed bookings (``recorded_order``)."""
        return [*recorded_order([self.moved]), *recorded_order(self.later)]


@dataclass(frozen=True)
class MoveCourse:
    """The course as a move needs it: its setting, what was given, what is booked."""

    setting: Setting
    given: Sequence[GivenDose]
    booked: Sequence[BookedCycle]


def plan_move(
    calendar: ClinicCalendar,
    rules: PlanningRules,
    course: MoveCourse,
    moved: CyclePlacement,
    previous: PreviousDose | None,
    holder: ChairHolder,
    prefs: SlotPreferences,
    lookup: LoadLookup,
    probe: ChairProbe | None = None,
    prep: Preparation | None = None,
) -> MovePlan:
    """Move booked cycle ``moved.cycle`` from ``moved.old`` to ``moved.new``.

    ``holder`` answers for the chairs as they are (the moved visit left out), the rule
    ``booking.placement_problem``. ``lookup`` and ``probe`` answer for the days as they
    will be: the moved visit at its new place, the later cycles' bookings left out, for
    the re-plan of every later cycle 21 days on from the new day.
    """
    assert moved.old is not None
    problem = placement_problem(calendar, rules, moved.new, holder, previous)
    if problem:
        return MovePlan(moved.cycle, moved.old, moved.new, Refusal("to", problem))
    booked = [
        BookedCycle(b.cycle, moved.new) if b.cycle == moved.cycle else b for b in course.booked
    ]
    day = calendar.local_date(moved.new.start)
    try:
        later = replan_later(
            calendar,
            rules,
            course.setting,
            course.given,
            booked,
            moved.cycle,
            day,
            prefs,
            lookup,
            probe,
        )
    except DomainError as error:  # a later cycle finds no chair
        return MovePlan(moved.cycle, moved.old, moved.new, Refusal(error.field, error.rule))
    bag = bag_outlook(prep, moved.new.infusion_start)
    return MovePlan(moved.cycle, moved.old, moved.new, None, later, bag)


# --- blocked chair time: it keeps its length, and nothing moves with it -------------------
def blocked_time_problem(calendar: ClinicCalendar, slot: Slot, lookup: LoadLookup) -> str | None:
    """Why blocked time may not hold ``slot`` (outside opening hours, chair taken), or
    None. ``lookup`` leaves out the blocked time itself when it is being moved."""
    reason = calendar.why_outside_hours(slot.start, slot.end)
    if reason:
        return reason
    load = lookup(calendar.local_date(slot.start))
    taken = conflict(load.busy.get(slot.chair, ()), slot.interval)
    return None if taken is None else describe_conflict(calendar, taken)
