"""Course actions: book, move, give, miss, reduce, stop.

Each function is one user action: one transaction, the domain decides what is allowed
and what moves with it, one audit row, a ChangeSet back.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, time

from ..domain import booking
from ..domain.booking import Slot
from ..domain.course import (
    CourseStatus,
    EarlierCourse,
    check_new_course,
    course_status,
    cycles_to_plan,
    earliest_day_after,
    projected_chair_times,
    spacing_problem,
)
from ..domain.errors import DomainError, require_aware
from ..domain.records import Course, CycleStatus, Preparation
from ..domain.regimen import (
    EBC_TOTAL_CYCLES,
    ChairTime,
    Setting,
    StopReason,
    check_dose_level,
    check_reduction,
    next_lower_dose_level,
    parse_setting,
)
from ..domain.tolerance import ends_course, recorded_outcome
from ..store.database import to_utc_text as utc_text
from ..store.protocol import Store
from . import infusion_start, journal, moves, outcomes

# The shared reads and writes, and blocked chair time, have rooms of their own; callers
# of courses keep finding them here.
from .blocked_time import (
    book_blocked_time as book_blocked_time,
    cancel_blocked_time as cancel_blocked_time,
    move_blocked_time as move_blocked_time,
)
from .context import (
    ChangeSet,
    ClinicSettings,
    Context,
    CycleMove,
    audit,
    chair_ids_in_order,
    chair_record,
    patient_record,
    settings_from,
    stored_values,
)

# A course as records (``course_records``), for callers of courses (nurse, slots, tests).
from .course_records import (
    CourseRecord,
    _new_dose,
    _write_slots,
    chair_name as chair_name,
    chair_name as named_chair,
    check_move as check_move,
    day_loads,
    load_course as course_record,
    load_course as load_course,
    previous_dose as previous_dose,
    replan_after as replan_after,
    replan_after as replan_course_after,
    slot_of as booking_slot,
    slot_of as slot_of,
)
from .day_loads import chair_free_probe, day_load_lookup as day_load_lookup, store_probe
from .missed import missed_placement

# The course row's columns the booking's audit row names, in its order.
BOOKED_COURSE_COLUMNS = (
    "patient_id",
    "setting",
    "status",
    "dose_level_mg_per_kg",
    "preferred_time",
    "preferred_chair_id",
    "created_at",
)


def _exact_first_slot(
    store: Store,
    settings: ClinicSettings,
    start: datetime,
    chair_time: ChairTime,
    chair_id: int | None,
) -> Slot:
    calendar = settings.calendar
    wanted = Slot(chair_id or 0, start, chair_time)
    reason = calendar.why_outside_hours(wanted.start, wanted.end)
    if reason:
        raise DomainError("first_dose", reason)
    is_free = chair_free_probe(store)  # inside opening hours: exact, and no day to load
    candidates = [chair_id] if chair_id is not None else chair_ids_in_order(store)
    for candidate in candidates:
        slot = Slot(candidate, start, chair_time)
        if is_free(candidate, slot.interval):
            return slot
        if chair_id is not None:
            # Taken: read the day only to name what holds the chair.
            load = day_loads(store, calendar)(calendar.local_date(start))
            taken = booking.conflict(load.busy.get(candidate, ()), slot.interval)
            if taken is None:
                return slot
            raise DomainError(
                "chair",
                f"{named_chair(store, candidate)} {booking.describe_conflict(calendar, taken)}",
            )
    raise DomainError("first_dose", f"no chair free at {calendar.local(start):%a %Y-%m-%d %H:%M}")


def propose_course(
    store: Store,
    settings: ClinicSettings,
    *,
    setting: Setting,
    first_dose: datetime,
    chair_id: int | None,
    preferred_time: time | None = None,
    exact: bool = True,
) -> list[Slot]:
    """Every cycle's slot for a new course, without writing anything.

    ``exact`` books cycle 1 exactly at ``first_dose``; otherwise cycle 1 takes the best
    slot that day around the preferred time, levelled against the start cap.
    """
    require_aware("first_dose", first_dose)
    calendar = settings.calendar
    day = calendar.local_date(first_dose)
    closed = calendar.why_closed(day)
    if closed:
        raise DomainError("first_dose", closed)
    cycles = list(cycles_to_plan(setting, 0, settings.rules))
    times = projected_chair_times([], cycles, settings.rules.prep_min)
    wall = preferred_time or calendar.local(first_dose).time().replace(second=0, microsecond=0)
    prefs = settings.prefs(chair_ids_in_order(store, chair_id), wall)
    lookup = day_loads(store, calendar)
    probe = store_probe(store)
    if exact:
        first = _exact_first_slot(store, settings, first_dose, times[0], chair_id)
    else:
        # The first choice when it is free (asked of the store), else the day's search
        # (over the day's bookings as seconds, ``slot_on_day``).
        found = booking.first_choice(
            calendar, day, times[0], prefs, probe, first_free=probe.first_free
        ) or booking.slot_on_day(calendar, day, times[0], prefs, lookup, probe.spans)
        if found is None:
            raise DomainError("first_dose", f"no chair free on {day:%a %Y-%m-%d}")
        first = found
    prefs = settings.prefs(chair_ids_in_order(store, first.chair), wall)
    later = booking.reanchor(calendar, day, [(None, t) for t in times[1:]], prefs, lookup, probe)
    return [first, *later]


def _earlier_course(store: Store, course: Course) -> EarlierCourse:
    return EarlierCourse(
        course.setting,
        course.stop_reason,
        course.dose_level_mg_per_kg,
        tuple(
            dose.given_at
            for dose in store.doses_of_course(course.id)
            if dose.status is CycleStatus.GIVEN and dose.given_at is not None
        ),
    )


def book_course(
    ctx: Context,
    *,
    mrn: str,
    setting: str | Setting,
    first_dose: datetime,
    chair: str | None = None,
    preferred_time: time | None = None,
    exact: bool = True,
) -> ChangeSet:
    setting = setting if isinstance(setting, Setting) else parse_setting(setting)
    require_aware("first_dose", first_dose)
    changes = ChangeSet(f"book {setting} course for {mrn}")
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        patient = patient_record(tx, mrn)
        earlier = tx.courses_of_patient(patient.id)
        if any(course.status is CourseStatus.ACTIVE for course in earlier):
            raise DomainError("mrn", f"patient {mrn} already has an active course")
        start_level = check_new_course(
            setting,
            settings.calendar.local_date(first_dose),
            [_earlier_course(tx, course) for course in earlier],
            settings.calendar,
            settings.rules,
        )
        chair_id = chair_record(tx, chair).id if chair is not None else None
        slots = propose_course(
            tx,
            settings,
            setting=setting,
            first_dose=first_dose,
            chair_id=chair_id,
            preferred_time=preferred_time,
            exact=exact,
        )
        wall = preferred_time or settings.calendar.local(slots[0].start).time()
        course = tx.insert_course(
            patient_id=patient.id,
            setting=setting,
            dose_level_mg_per_kg=start_level,  # never above an earlier reduction
            preferred_time=wall.replace(second=0, microsecond=0),
            preferred_chair_id=slots[0].chair,
            created_at=ctx.clock.now(),
        )
        record = CourseRecord(patient, course, [], {})
        placements = [(_new_dose(tx, record, n + 1, changes), slot) for n, slot in enumerate(slots)]
        _write_slots(ctx, placements, record, changes)
        changes.courses.add(course.id)
        changes.patients.add(patient.id)
        audit(
            ctx,
            "book course",
            "course",
            course.id,
            None,
            {
                **stored_values(course, BOOKED_COURSE_COLUMNS),
                "cycles": [
                    [n + 1, utc_text(s.start), named_chair(tx, s.chair)]
                    for n, s in enumerate(slots)
                ],
            },
        )
    return changes


def move_appointment(
    ctx: Context,
    *,
    mrn: str,
    cycle: int,
    to: datetime,
    chair: str | None = None,
    expected_version: int | None = None,
) -> ChangeSet:
    """Move one booked cycle; every later cycle is re-anchored 21 days after it. Load,
    ask the domain (``moves.plan_of``), write the plan with its audit row."""
    require_aware("to", to)
    changes = ChangeSet(f"move cycle {cycle} of {mrn}")
    with ctx.store.transaction() as tx:
        snapshot = moves.load_move(
            tx, mrn=mrn, cycle=cycle, to=to, chair=chair, expected_version=expected_version
        )
        moves.write_move(ctx, snapshot, moves.plan_of(tx, snapshot), changes)
    return changes


def record_dose_given(
    ctx: Context,
    *,
    mrn: str,
    cycle: int,
    given_at: datetime,
    infusion_min: int | None = None,
    tolerated: bool = True,
    reaction_grade: int | None = None,
    completed: bool = True,
) -> ChangeSet:
    """A dose was given (its infusion started at ``given_at``); later cycles re-anchor
    (``domain.tolerance``). ``tolerated`` False: a reaction; ``completed`` False: stopped
    before complete. A grade 4 reaction stops the course instead."""
    require_aware("given_at", given_at)
    changes = ChangeSet(f"record cycle {cycle} given for {mrn}")
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        record = course_record(tx, mrn)
        dose = record.next_dose(cycle)
        facts = infusion_start.start_facts(
            tx,
            mrn=mrn,
            course_status=record.course.status,
            dose=dose,
            action="dose given",
            after_the_fact=True,
        )
        infusion_start.require_start(facts, given_at)  # its bag [label], the gate (issue 17)
        given = record.given
        if given:
            last = given[-1]
            if given_at <= last.given_at:
                raise DomainError("given_at", f"before cycle {last.cycle} was given")
            problem = spacing_problem(
                last.cycle,
                last.given_at,
                settings.calendar.local_date(given_at),
                settings.calendar,
                settings.rules,
            )
            if problem:
                raise DomainError("given_at", problem)
        appointment = record.current[dose.id]
        _use_bag(tx, facts.prep, given_at, changes)
        if reaction_grade is not None and reaction_grade not in range(1, 5):
            raise DomainError("reaction_grade", f"must be 1-4, got {reaction_grade}")
        outcome = recorded_outcome(
            planned_min=appointment.infusion_min,
            infusion_min=infusion_min,
            completed=completed,
            reaction=not tolerated or reaction_grade is not None,
        )
        new = {
            "status": "given",
            "given_at": utc_text(given_at),
            **outcomes.dose_values(outcome, reaction_grade),
        }
        given_dose = dataclasses.replace(
            dose,
            status=CycleStatus.GIVEN,
            given_at=given_at,
            infusion_actual_min=outcome.infusion_min,
            infusion_planned_min=outcome.planned_min,
            infusion_completed=outcome.completed,
            tolerated=outcome.tolerated,
            reaction_grade=reaction_grade,
        )
        tx.update_dose(given_dose)
        tx.update_appointment(dataclasses.replace(appointment, status=CycleStatus.GIVEN))
        changes.appointments.add(appointment.id)
        record = course_record(tx, mrn)
        status = course_status(record.setting, len(record.given), stopped=False)
        changes.notes.extend(outcomes.outcome_notes(outcome))
        if ends_course(reaction_grade):  # the nurse board's stop_course does the same
            reason = StopReason.LIFE_THREATENING_REACTION.value
            _stop(ctx, tx, record, reason, changes, f"course stopped: {reason} (grade 4)")
        elif status is CourseStatus.COMPLETED:
            tx.update_course(dataclasses.replace(record.course, status=status))
            changes.notes.append(f"course completed: all {EBC_TOTAL_CYCLES} doses given")
        else:
            replan_course_after(
                ctx, settings, record, cycle, settings.calendar.local_date(given_at), changes
            )
        changes.courses.add(record.course.id)
        audit(
            ctx,
            "record dose given",
            "dose",
            dose.id,
            {"status": dose.status.value},
            {**new, "cycle": cycle},
        )
    return changes


def _use_bag(tx: Store, prep: Preparation | None, started: datetime, changes: ChangeSet) -> None:
    """The live bag the domain let serve this infusion is used by it (``require_start``
    refused an expired one or one for another dose [label]); none on record: nothing."""
    if prep is None or prep.used_at is not None:
        return  # no preparation on record (a dose recorded after the fact)
    tx.update_preparation(dataclasses.replace(prep, used_at=started))
    changes.preparations.add(prep.id)


def _note_bag(store: Store, dose_id: int, slot: Slot, changes: ChangeSet) -> None:
    """Tell whether an existing bag is still usable at the moved infusion start."""
    bag = moves.bag_outlook_for(store, dose_id, slot.infusion_start)
    changes.notes.extend(moves.bag_notes(settings_from(store), bag))


def mark_dose_missed(
    ctx: Context, *, mrn: str, cycle: int, to: datetime | None = None, chair: str | None = None
) -> ChangeSet:
    """The patient did not come: re-book as soon as possible (or at ``to`` by a move's
    rules), keep doses 21 days apart, move later cycles with it [label]; no doubling up."""
    changes = ChangeSet(f"mark cycle {cycle} missed for {mrn}")
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        calendar = settings.calendar
        record = course_record(tx, mrn)
        dose = record.next_dose(cycle)
        old = record.current[dose.id]
        old_slot = booking_slot(old)
        # As soon as possible from now; a miss announced ahead never re-books its own slot.
        not_before = old_slot.end if now < old_slot.start else now
        first_day = calendar.local_date(not_before)
        given = record.given
        if given:
            earliest = earliest_day_after(given[-1].given_at, calendar, settings.rules)
            if earliest > first_day:
                first_day, not_before = earliest, calendar.at(earliest, time(0))
        chair_time = old_slot.chair_time
        later_ids = {record.current[d.id].id for d in record.booked if d.id in record.current}
        lookup = day_loads(tx, calendar, later_ids)
        prefs = settings.prefs(chair_ids_in_order(tx, old.chair_id), None)
        if to is None:
            slot = booking.find_slot(calendar, first_day, chair_time, prefs, lookup, not_before)
        else:  # the scheduler's choice
            slot = missed_placement(ctx, settings, record, cycle, old, to, chair)
        journal.update_appointment(tx, changes, old, status=CycleStatus.MISSED)
        new_id = journal.insert_appointment(tx, changes, slot, dose_id=dose.id).id
        _note_bag(tx, dose.id, slot, changes)
        changes.moves.append(
            CycleMove(
                cycle,
                old_slot.start,
                slot.start,
                named_chair(tx, old.chair_id),
                named_chair(tx, slot.chair),
            )
        )
        day = settings.calendar.local_date(slot.start)
        replan_course_after(ctx, settings, course_record(tx, mrn), cycle, day, changes)
        changes.courses.add(record.course.id)
        audit(
            ctx,
            "mark dose missed",
            "dose",
            dose.id,
            {"appointment": old.id, "start": utc_text(old.start)},
            {
                "appointment": new_id,
                "start": utc_text(slot.start),
                "later_moved": len(changes.later_moves),
            },
        )
    return changes


def reduce_dose_level(ctx: Context, *, mrn: str, mg_per_kg: float) -> ChangeSet:
    """Lower the dose level one or more rungs [label]; from 2.4 mg/kg a further
    reduction stops the course (reason: toxicity)."""
    changes = ChangeSet(f"reduce dose level for {mrn}")
    with ctx.store.transaction() as tx:
        record = course_record(tx, mrn)
        record.require_active()
        current = check_dose_level(record.course.dose_level_mg_per_kg)
        if next_lower_dose_level(current) is None and 0 < mg_per_kg < current:
            _stop(
                ctx,
                tx,
                record,
                StopReason.TOXICITY.value,
                changes,
                f"a reduction below {current} mg/kg means stopping treatment",
            )
            return changes
        level = check_reduction(current, mg_per_kg)
        tx.update_course(dataclasses.replace(record.course, dose_level_mg_per_kg=level))
        for dose in record.booked:
            tx.update_dose(dataclasses.replace(dose, dose_level_mg_per_kg=level))
        changes.courses.add(record.course.id)
        audit(
            ctx,
            "reduce dose level",
            "course",
            record.course.id,
            {"dose_level_mg_per_kg": current},
            {"dose_level_mg_per_kg": level},
        )
    return changes


def parse_stop_reason(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise DomainError("reason", "a stopped course needs a reason")
    for reason in StopReason:
        if cleaned.lower().replace("_", " ").replace("-", " ") == reason.value.replace("-", " "):
            return reason.value
    return cleaned if cleaned.lower().startswith("other") else f"other: {cleaned}"


def stop_course(ctx: Context, *, mrn: str, reason: str) -> ChangeSet:
    reason_text = parse_stop_reason(reason)
    changes = ChangeSet(f"stop course for {mrn}")
    with ctx.store.transaction() as tx:
        record = course_record(tx, mrn)
        record.require_active()
        _stop(ctx, tx, record, reason_text, changes, None)
    return changes


def _stop(
    ctx: Context,
    tx: Store,
    record: CourseRecord,
    reason: str,
    changes: ChangeSet,
    note: str | None,
) -> None:
    now = ctx.clock.now()
    stopped = dataclasses.replace(
        record.course, status=CourseStatus.STOPPED, stop_reason=reason, stopped_at=now
    )
    tx.update_course(stopped)
    cancelled, lines, local = [], [], settings_from(tx).calendar.local  # lines: for people
    for dose in record.booked:
        tx.update_dose(dataclasses.replace(dose, status=CycleStatus.CANCELLED))
        appointment = record.current.get(dose.id)
        if appointment is not None:
            tx.update_appointment(dataclasses.replace(appointment, status=CycleStatus.CANCELLED))
            changes.appointments.add(appointment.id)
            when = local(appointment.start)
            where = f"{when:%a %Y-%m-%d %H:%M} {named_chair(tx, appointment.chair_id)}"
            lines.append(f"cancelled cycle {dose.cycle}: {where}")
        cancelled.append(dose.cycle)
    changes.courses.add(record.course.id)
    if note:
        changes.notes.append(note)
    changes.notes.extend([f"{len(cancelled)} future booking(s) cancelled", *lines])
    audit(
        ctx,
        "stop course",
        "course",
        record.course.id,
        {"status": "active"},
        {"status": "stopped", "reason": reason, "cancelled_cycles": cancelled},
    )


def later_shift_summary(changes: ChangeSet) -> str:
    """'3 later cycles move by +2 days' style text for confirmations."""
    shifts = [m.shift for m in changes.later_moves if m.shift is not None]
    days = [round(shift.total_seconds() / 86400) for shift in shifts]
    moved = sorted(d for d in days if d)
    if not moved:
        retimed = len(shifts)
        return f"{retimed} later booking(s) re-timed the same day" if retimed else ""
    span = (
        f"{moved[0]:+d} days" if moved[0] == moved[-1] else f"{moved[0]:+d} to {moved[-1]:+d} days"
    )
    return f"{len(moved)} later cycle(s) move by {span}"
