"""Moving one booked cycle: load, ask the domain (``domain.move_plan``), write.

``load_move`` reads what a move needs (the course, its doses and bookings, the target
chair, the dose's bag) and ``plan_of`` asks the domain, reading the affected days as the
plan looks at them. The commit (``courses.move_appointment``) does both inside its write
transaction and then ``write_move``; the planner's hover preview
(``preview.preview_move``) does both inside one read transaction and only shows the
plan (``planned_changes``). One plan, two uses: the preview is what the commit does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..domain.booking import (
    ChairProbe,
    DayLoad,
    Interval,
    LoadLookup,
    Slot,
    chair_holder,
)
from ..domain.calendar import ClinicCalendar
from ..domain.errors import DomainError
from ..domain.lean import dataclass
from ..domain.move_plan import (
    BagOutlook,
    CyclePlacement,
    MoveCourse,
    MovePlan,
    bag_outlook,
    plan_move,
)
from ..domain.records import Appointment, CycleStatus, Dose
from ..domain.stability import Preparation
from ..store.database import to_utc_text as utc_text
from ..store.protocol import ConflictError, Store
from .context import (
    ChangeSet,
    ClinicSettings,
    Context,
    CycleMove,
    audit,
    chair_ids_in_order,
    chair_record,
    settings_from,
)
from .course_records import (
    CourseRecord,
    _preferred_time,
    _write_slots,
    booked_cycles,
    chair_name,
    day_loads,
    free_probe,
    load_course,
    previous_dose,
    slot_of,
    whole_seconds,
    write_later,
)
from .pharmacy_plan import _wall


@dataclass(frozen=True)
class MoveSnapshot:
    """What a move of one cycle reads before the domain decides."""

    settings: ClinicSettings
    record: CourseRecord
    dose: Dose
    appointment: Appointment  # the cycle's booking now
    target: Slot  # where it is asked to go
    prep: Preparation | None  # the dose's live preparation


def load_move(
    store: Store,
    *,
    mrn: str,
    cycle: int,
    to: datetime,
    chair: str | None = None,
    expected_version: int | None = None,
) -> MoveSnapshot:
    """The move's records; refuses (``DomainError``, ``ConflictError``) a course that is
    not active, a cycle that is not booked, a booking changed since it was read, or an
    unknown chair."""
    settings = settings_from(store)
    record = load_course(store, mrn)
    record.require_active()
    dose = record.dose(cycle)
    if dose.status is not CycleStatus.BOOKED:
        raise DomainError("cycle", f"cycle {cycle} is {dose.status}; only a booked one moves")
    old = record.current[dose.id]
    if expected_version is not None and old.version != expected_version:
        raise ConflictError("appointment", "it was changed by someone else since it was read")
    chair_id = chair_record(store, chair).id if chair is not None else old.chair_id
    target = Slot(chair_id, to, slot_of(old).chair_time)
    prep = store.preparation_for_dose(dose.id)
    return MoveSnapshot(
        settings, record, dose, old, target, None if prep is None else prep.instants()
    )


def stored_interval(slot: Slot) -> Interval:
    """The interval a booking at ``slot`` holds once written (whole seconds, UTC)."""
    return Interval(whole_seconds(slot.start), whole_seconds(slot.end))


def lookup_with(lookup: LoadLookup, calendar: ClinicCalendar, slot: Slot) -> LoadLookup:
    """``lookup`` as it reads once a dose booking at ``slot`` is written."""
    held = stored_interval(slot)
    starts = held.start + timedelta(minutes=slot.chair_time.prep_min)
    cache: dict[date, DayLoad] = {}

    def after(day: date) -> DayLoad:
        if day not in cache:
            load = lookup(day)
            if Interval(*calendar.day_bounds(day)).overlaps(held):
                busy = {chair: list(intervals) for chair, intervals in load.busy.items()}
                busy.setdefault(slot.chair, []).append(held)
                load = DayLoad(busy, [*load.infusion_starts, starts])
            cache[day] = load
        return cache[day]

    return after


def probe_with(probe: ChairProbe, slot: Slot) -> ChairProbe:
    """``probe`` as it answers once a booking at ``slot`` is written."""
    held = stored_interval(slot)

    def after(chair: int, wanted: Interval) -> bool:
        if chair == slot.chair and held.overlaps(wanted):
            return False
        return probe(chair, wanted)

    return after


def plan_of(store: Store, snapshot: MoveSnapshot) -> MovePlan:
    """The domain's plan for the move, the days read as it asks for them."""
    settings, record = snapshot.settings, snapshot.record
    calendar = settings.calendar
    moved_id = snapshot.appointment.id
    cycle = snapshot.dose.cycle
    # The chairs as they are, the moved booking left out: where it may go.
    skip = {moved_id}
    holder = chair_holder(calendar, free_probe(store, skip), day_loads(store, calendar, skip))
    # The days as they will be: the moved booking at its new place, the later cycles'
    # bookings left out (they are re-placed).
    later_ids = {
        record.current[d.id].id for d in record.booked if d.cycle > cycle and d.id in record.current
    }
    away = {moved_id, *later_ids}
    lookup = lookup_with(day_loads(store, calendar, away), calendar, snapshot.target)
    probe = probe_with(free_probe(store, away), snapshot.target)
    preferred_chair = record.course.preferred_chair_id
    prefs = settings.prefs(chair_ids_in_order(store, preferred_chair), _preferred_time(record))
    course = MoveCourse(record.setting, record.given, booked_cycles(record))
    moved = CyclePlacement(cycle, slot_of(snapshot.appointment), snapshot.target)
    previous = previous_dose(record, cycle)
    return plan_move(
        calendar,
        settings.rules,
        course,
        moved,
        previous,
        holder,
        prefs,
        lookup,
        probe,
        snapshot.prep,
    )


# --- the bag ------------------------------------------------------------------------------
def bag_message(settings: ClinicSettings, bag: BagOutlook) -> str:
    """The bag against the infusion start in clinic wall time: "bag good until Tue 09:40"."""
    until = _wall(settings, bag.expires_at)
    start = _wall(settings, bag.infusion_start)
    if bag.usable:
        return f"bag good until {until}"
    if bag.used_at is not None:
        return f"bag already used ({_wall(settings, bag.used_at)})"
    if bag.infusion_start > bag.expires_at:
        return (
            f"bag good until {until} only: an infusion at {start} needs a new bag; discard this one"
        )
    # the infusion would start before the bag was made (a move into the past)
    return f"the bag was diluted {_wall(settings, bag.diluted_at)}, after an infusion at {start}"


def bag_notes(settings: ClinicSettings, bag: BagOutlook | None) -> list[str]:
    """What a move (or a re-booking) says about the dose's bag at its new start."""
    if bag is None:
        return []
    notes = [bag_message(settings, bag)]
    if bag.expires_before_start:
        notes.append("the bag will have expired: discard it and prepare a new one")
    return notes


def bag_outlook_for(store: Store, dose_id: int, infusion_start: datetime) -> BagOutlook | None:
    """The dose's live bag (if diluted) against an infusion start."""
    prep = store.preparation_for_dose(dose_id)
    return bag_outlook(None if prep is None else prep.instants(), infusion_start)


# --- the commit and the preview -----------------------------------------------------------
def cycle_move(store: Store, placement: CyclePlacement) -> CycleMove:
    old = placement.old
    return CycleMove(
        placement.cycle,
        None if old is None else old.start,
        placement.new.start,
        None if old is None else chair_name(store, old.chair),
        chair_name(store, placement.new.chair),
    )


def planned_changes(store: Store, snapshot: MoveSnapshot, plan: MovePlan, action: str) -> ChangeSet:
    """The ChangeSet the commit of an allowed ``plan`` returns, as far as it is known
    before writing: the moves, the notes, the course and the bookings already there
    (the ids and rows of new bookings only exist once written)."""
    record = snapshot.record
    changes = ChangeSet(action)
    changes.moves.extend(cycle_move(store, p) for p in plan.recorded())
    changes.notes.extend(bag_notes(snapshot.settings, plan.bag))
    changes.courses.add(record.course.id)
    doses = {d.cycle: d for d in record.booked}
    for placement in (plan.moved, *plan.later):
        dose = doses.get(placement.cycle)
        current = record.current.get(dose.id) if dose is not None else None
        if current is not None and placement.moves:
            changes.appointments.add(current.id)
    return changes


def write_move(ctx: Context, snapshot: MoveSnapshot, plan: MovePlan, changes: ChangeSet) -> None:
    """Write an allowed plan with its audit row (inside the caller's transaction); a
    refused one raises its rule."""
    if plan.refusal is not None:
        raise plan.refusal.error()
    record, dose, old = snapshot.record, snapshot.dose, snapshot.appointment
    _write_slots(ctx, [(dose, plan.new)], record, changes)
    changes.notes.extend(bag_notes(snapshot.settings, plan.bag))
    write_later(ctx, record, plan.later, changes)
    changes.courses.add(record.course.id)
    audit(
        ctx,
        "move appointment",
        "appointment",
        old.id,
        {"start": utc_text(old.start), "chair": old.chair_id},
        {
            "start": utc_text(plan.new.start),
            "chair": plan.new.chair,
            "later_moved": len(changes.later_moves),
        },
    )
