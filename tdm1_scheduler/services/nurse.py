"""The nurse station: what happens in the chair, one service call per step.

arrive -> start infusion -> (pause <-> resume) -> end infusion -> end observation ->
discharge; a reaction may be recorded from the start of the infusion on. Each step is
one transaction of the store (``ctx.store``) with its audit row; a refused step raises
``DomainError`` and leaves the clinic as it was. Instants come from ``ctx.clock``; the
phases and countdowns are computed by ``domain.timers`` from what is stored, so any
process shows the same timers.

What happened decides the next cycle: an infusion that was paused, slowed or caused a
reaction is recorded as not tolerated with its real length, and the later cycles are
re-planned (``courses.replan_after``) so the next booking keeps that length; a booking
that no longer fits its chair moves to the nearest fitting slot, with a note.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ..domain import infusion_start as start_rule
from ..domain.errors import DomainError, require_aware
from ..domain.records import (
    BoardVisit,
    CourseStatus,
    CycleStatus,
    ReactionAction,
    Visit as VisitRecord,
)
from ..domain.regimen import StopReason
from ..domain.timers import (
    REACTION_GRADES,
    AlertKind,
    Phase,
    Visit,
    format_acknowledged,
    observation_complete,
    observation_due_at,
    parse_acknowledged,
    phase_of,
)
from ..domain.tolerance import (
    ended_outcome,
    ends_course,
    next_infusion_min,
    visit_outcome,
)
from ..store.protocol import Store
from . import courses, infusion_start, outcomes, visit_times
from .context import ChangeSet, ClinicSettings, Context, audit, settings_from, stored_values
from .course_records import load_course, replan_after

# The board's reads live in nurse_reads; callers of nurse keep finding them here.
from .nurse_reads import (
    MAX_REASON_LENGTH as MAX_REASON_LENGTH,
    REACTION_ACTIONS as REACTION_ACTIONS,
    BoardTile as BoardTile,
    ChairView as ChairView,
    ReactionRecord as ReactionRecord,
    _visit_of as _visit_of,
    board as board,
    chair_board as chair_board,
    tile_of,
)

# The booking's columns the start's audit row names.
BOOKED_TIMES = ("start_utc", "end_utc")


def tile(store: Store, appointment_id: int, now: datetime) -> BoardTile:
    """The board's tile of one dose booking (booked or given), as it is at ``now``."""
    with store.read():
        return tile_of(store, _require_booking(store, appointment_id), now)


# --- writing helpers ---------------------------------------------------------------------
def _now(ctx: Context) -> datetime:
    """Now, cut to whole seconds as it is stored."""
    return ctx.clock.now().astimezone(UTC).replace(microsecond=0)


def _require_booking(store: Store, appointment_id: int) -> BoardVisit:
    booking = store.board_visit(appointment_id)
    if booking is None:
        raise DomainError("appointment", f"#{appointment_id} is not a dose appointment")
    status = booking.appointment.status
    if status not in (CycleStatus.BOOKED, CycleStatus.GIVEN):
        raise DomainError("appointment", f"#{appointment_id} is {status.value}")
    return booking


def _visit_record(tx: Store, booking: BoardVisit) -> VisitRecord:
    """The booking's visit, made on first use (seeded from a dose given outside the
    board: its whole visit, so the phase stays what it was)."""
    if booking.visit is not None:
        return booking.visit
    seeded = _visit_of(booking)
    return tx.insert_visit(
        appointment_id=booking.appointment.id,
        arrived_at=seeded.arrived_at,
        infusion_started_at=seeded.infusion_started_at,
        infusion_ended_at=seeded.infusion_ended_at,
        discharged_at=seeded.discharged_at,
    )


def _refuse_phase(action: str, phase: Phase) -> DomainError:
    return DomainError("phase", f"cannot {action}: the visit is {phase.value}")


def _write(tx: Store, record: VisitRecord, fields: dict[str, Any]) -> VisitRecord:
    """The visit with ``fields`` (record fields, named as the columns) written; checked
    against the version read, so a step recorded by someone else since is refused."""
    return tx.update_visit(replace(record, **fields))


def _merge(into: ChangeSet, other: ChangeSet) -> None:
    into.appointments |= other.appointments
    into.patients |= other.patients
    into.courses |= other.courses
    into.chairs |= other.chairs
    into.preparations |= other.preparations
    into.moves.extend(other.moves)
    into.notes.extend(other.notes)


def _reason(reason: str | None) -> str | None:
    cleaned = " ".join((reason or "").split())
    if len(cleaned) > MAX_REASON_LENGTH:
        raise DomainError("reason", f"at most {MAX_REASON_LENGTH} characters")
    return cleaned or None


def _closed_pause(record: VisitRecord, now: datetime) -> dict[str, Any]:
    """Fields that end a running pause at ``now`` (nothing when not paused)."""
    if record.paused_at is None:
        return {}
    paused = max(0, int((now - record.paused_at).total_seconds()))
    return {"paused_at": None, "paused_seconds": record.paused_seconds + paused}


def _acknowledge(record: VisitRecord, kind: AlertKind) -> dict[str, Any]:
    kinds = parse_acknowledged(record.alerts_acknowledged) | {kind}
    return {"alerts_acknowledged": format_acknowledged(kinds)}


def _step(
    ctx: Context, tx: Store, appointment_id: int
) -> tuple[BoardVisit, VisitRecord, Visit, Phase, datetime]:
    """Read one booking and its visit inside the open transaction: the booking (with its
    visit), the stored visit, the domain's visit, its phase, and now."""
    booking = _require_booking(tx, appointment_id)
    now = _now(ctx)
    record = _visit_record(tx, booking)
    booking = replace(booking, visit=record)
    visit = _visit_of(booking)
    return booking, record, visit, phase_of(visit), now


def _save_outcome(
    ctx: Context,
    tx: Store,
    booking: BoardVisit,
    visit: Visit,
    changes: ChangeSet,
    *,
    completed: bool | None = None,
    replan: bool = True,
) -> dict[str, Any]:
    """Write the infusion's outcome to its dose and re-plan the later cycles from it;
    the dose's columns written, as the audit row names them.

    Once ended, the outcome is ``domain.tolerance``'s (``completed`` None keeps what was
    recorded at its end); while it still runs only the reaction is written, and its end
    re-plans."""
    dose = tx.dose_by_id(booking.dose_id)
    assert dose is not None
    if visit.infusion_ended_at is None:
        wanted = replace(dose, tolerated=False, reaction_grade=visit.reaction_grade)
        columns: tuple[str, ...] = ("tolerated", "reaction_grade")
        replan = False
    else:
        if completed is None:
            completed = dose.infusion_completed is not False  # NULL (before m003): completed
        outcome = visit_outcome(visit, completed=completed)
        wanted = outcomes.with_outcome(dose, outcome, visit.reaction_grade)
        columns = outcomes.OUTCOME_COLUMNS
    tx.update_dose(wanted)
    record = load_course(tx, booking.mrn)
    if replan and record.course.status is CourseStatus.ACTIVE and record.booked:
        settings = settings_from(tx)
        assert dose.given_at is not None  # its infusion started: the dose is given
        day = settings.calendar.local_date(dose.given_at)
        replanned = ChangeSet("re-plan")
        replan_after(ctx, settings, record, booking.cycle, day, replanned)
        _note_replanned(settings, replanned, next_infusion_min([g.outcome for g in record.given]))
        _merge(changes, replanned)
    changes.courses.add(booking.course_id)
    return stored_values(wanted, columns)


def _note_replanned(settings: ClinicSettings, replanned: ChangeSet, minutes: int) -> None:
    """Say what happened to each later booking (``minutes``: its new infusion length)."""
    local = settings.calendar.local
    for move in replanned.moves:
        where = f"{move.new_chair} {local(move.new_start):%a %Y-%m-%d %H:%M}"
        if move.old_start is None:
            replanned.notes.append(f"cycle {move.cycle}: booked {where}")
        elif move.old_start == move.new_start and move.old_chair == move.new_chair:
            replanned.notes.append(f"cycle {move.cycle}: keeps {where}, chair time re-sized")
        else:
            replanned.notes.append(
                f"cycle {move.cycle}: moved from {move.old_chair}"
                f" {local(move.old_start):%a %Y-%m-%d %H:%M} to {where}"
                f" (the {minutes}-min infusion no longer fit)"
            )


# --- the steps ---------------------------------------------------------------------------
def arrive(ctx: Context, *, appointment_id: int) -> ChangeSet:
    """The patient is in the chair; prep (vitals, line access) begins."""
    changes = ChangeSet("patient arrived")
    with ctx.store.transaction() as tx:
        booking, record, _visit, phase, now = _step(ctx, tx, appointment_id)
        if phase is not Phase.EXPECTED:
            raise _refuse_phase("record an arrival", phase)
        _check_today(tx, booking, now)
        _write(tx, record, {"arrived_at": now})
        changes.appointments.add(appointment_id)
        audit(ctx, "patient arrived", "visit", record.id, None, {"arrived_at": now})
    return changes


def _check_today(store: Store, booking: BoardVisit, now: datetime) -> None:
    calendar = settings_from(store).calendar
    booked_day = calendar.local_date(booking.appointment.start)
    if booked_day != calendar.local_date(now):
        raise DomainError(
            "appointment", f"booked for {booked_day:%a %Y-%m-%d}, not today; move it first"
        )


def _start_facts(store: Store, booking: BoardVisit) -> start_rule.StartFacts:
    return infusion_start.start_facts(
        store,
        mrn=booking.mrn,
        course_status=booking.course_status,
        dose=infusion_start.dose_of(store, booking.dose_id),
    )


def start_check(store: Store, appointment_id: int, at: datetime) -> start_rule.Refusal | None:
    """The domain's answer to Start infusion at ``at`` (``domain.infusion_start``): the
    course, the bag, then the readiness gate; None when it may start. The board asks it
    before it offers an override, so none is asked for an infusion that cannot start."""
    with store.read():
        facts = _start_facts(store, _require_booking(store, appointment_id))
        return start_rule.start_refusal(facts, at)


def start_infusion(ctx: Context, *, appointment_id: int) -> ChangeSet:
    """The infusion starts now: the dose is given (its bag is used) and later cycles
    re-anchor 21 days on. Refused when the bag was never prepared, is not diluted, or
    has expired [label]."""
    changes = ChangeSet("infusion started")
    with ctx.store.transaction() as tx:
        booking, record, _visit, phase, now = _step(ctx, tx, appointment_id)
        if phase not in (Phase.EXPECTED, Phase.PREP):
            raise _refuse_phase("start the infusion", phase)
        _check_today(tx, booking, now)
        infusion_start.require_start(_start_facts(tx, booking), now)  # the course, bag, gate
        # later cycles re-anchor on the actual start (given_at), not the booking
        cycle = booking.cycle
        given = courses.record_dose_given(ctx, mrn=booking.mrn, cycle=cycle, given_at=now)
        _merge(changes, given)
        retimed = visit_times.follow_actual_start(ctx, appointment_id, now, changes)
        fields: dict[str, Any] = {"infusion_started_at": now}
        if record.arrived_at is None:
            fields["arrived_at"] = now
        written = _write(tx, record, fields)
        changes.appointments.add(appointment_id)
        booked = stored_values(booking.appointment, BOOKED_TIMES)
        new = {**stored_values(written, fields), "cycle": cycle, **retimed.get("retimed", booked)}
        audit(ctx, "start infusion", "visit", record.id, booked, new)
    return changes


def pause_infusion(ctx: Context, *, appointment_id: int) -> ChangeSet:
    """Interrupt the infusion (a reaction); its end moves back by the pause."""
    changes = ChangeSet("infusion paused")
    with ctx.store.transaction() as tx:
        _booking, record, _visit, phase, now = _step(ctx, tx, appointment_id)
        if phase is not Phase.INFUSING:
            raise _refuse_phase("pause", phase)
        fields = {"paused_at": now, "pause_count": record.pause_count + 1}
        written = _write(tx, record, fields)
        changes.appointments.add(appointment_id)
        audit(ctx, "pause infusion", "visit", record.id, None, stored_values(written, fields))
    return changes


def resume_infusion(ctx: Context, *, appointment_id: int) -> ChangeSet:
    changes = ChangeSet("infusion resumed")
    with ctx.store.transaction() as tx:
        _booking, record, _visit, phase, now = _step(ctx, tx, appointment_id)
        if phase is not Phase.PAUSED:
            raise _refuse_phase("resume", phase)
        fields = _closed_pause(record, now)
        written = _write(tx, record, fields)
        changes.appointments.add(appointment_id)
        audit(
            ctx,
            "resume infusion",
            "visit",
            record.id,
            stored_values(record, ("paused_at",)),
            stored_values(written, fields),
        )
    return changes


def end_infusion(ctx: Context, *, appointment_id: int, stopped: bool = False) -> ChangeSet:
    """The infusion ended now: its outcome goes to the dose, and the later cycles are
    re-planned from it (``domain.tolerance``); observation begins. ``stopped``: it was
    stopped before it was complete (a partial dose); one ended while paused, never
    resumed, counts as stopped whatever is said."""
    changes = ChangeSet("infusion ended")
    with ctx.store.transaction() as tx:
        booking, record, visit, phase, now = _step(ctx, tx, appointment_id)
        if phase not in (Phase.INFUSING, Phase.PAUSED):
            raise _refuse_phase("end the infusion", phase)
        fields = {**_closed_pause(record, now), "infusion_ended_at": now}
        fields.update(_acknowledge(record, AlertKind.INFUSION_END))
        written = _write(tx, record, fields)
        ended, result = ended_outcome(visit, now, stopped=stopped)
        outcome = _save_outcome(ctx, tx, booking, ended, changes, completed=result.completed)
        changes.notes[:0] = outcomes.outcome_notes(result)
        _flag_chair_overrun(tx, booking, ended, changes)
        changes.appointments.add(appointment_id)
        new = {**stored_values(written, fields), **outcome}
        audit(ctx, "end infusion", "visit", record.id, None, new)
    return changes


def _flag_chair_overrun(
    store: Store, booking: BoardVisit, visit: Visit, changes: ChangeSet
) -> None:
    """Nothing is silently overlapped: when this visit's observation now runs past its
    booking into the next booking of the same chair, say so."""
    due = observation_due_at(visit)
    mine = booking.appointment
    if due is None or due <= mine.end:
        return
    local = settings_from(store).calendar.local
    for other in store.appointments_between(mine.end, due):
        theirs = other.appointment
        if theirs.chair_id == mine.chair_id and theirs.id != mine.id:
            who = other.patient_name or theirs.label or "blocked time"
            changes.notes.append(
                f"{booking.chair_name}: observation runs until {local(due):%H:%M}, past the"
                f" booking of {who} at {local(theirs.start):%H:%M};"
                " move that booking or use another chair"
            )


def _reaction_details(
    visit: Visit,
    phase: Phase,
    now: datetime,
    *,
    at: datetime | None,
    action: str | None,
    symptoms: str | None,
    note: str | None,
) -> tuple[datetime, str | None, str, str]:
    """The checked details of one reaction: when it began (``at``, default now; not in
    the future, not before the infusion started), the action (one of
    ``REACTION_ACTIONS``, only on a running infusion; "slowed" not while paused), the
    symptoms and the note."""
    if at is not None:
        require_aware("at", at)
    began = now if at is None else at.astimezone(UTC).replace(microsecond=0)
    if began > now:
        raise DomainError("at", "a reaction cannot begin after now")
    started = visit.infusion_started_at
    if started is not None and began < started.astimezone(UTC):
        raise DomainError("at", "a reaction is recorded from the start of the infusion on")
    if action is not None and action not in REACTION_ACTIONS:
        raise DomainError("action", f"must be one of {', '.join(REACTION_ACTIONS)}, got {action!r}")
    running = phase in (Phase.INFUSING, Phase.PAUSED)
    if action is not None and not running:
        raise DomainError("action", f"the infusion has already ended (the visit is {phase.value})")
    if action == "slowed" and phase is Phase.PAUSED:
        raise DomainError("action", "the infusion is paused: resume it before slowing it")
    return began, action, _reason(symptoms) or "", _reason(note) or ""


def record_reaction(
    ctx: Context,
    *,
    appointment_id: int,
    grade: int,
    confirm_stop: bool = False,
    action: str | None = None,
    symptoms: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> ChangeSet:
    """An infusion reaction of ``grade`` 1-4 (CTCAE), which began at ``at`` (default
    now), with its symptoms, a note and the ``action`` taken on a running infusion.
    The infusion is then not tolerated. How the action counts (``domain.tolerance``):
    "slowed" goes on (it ends completed over its real minutes); "interrupted" pauses it
    now (resumed and completed counts as completed; ended without resuming, as
    stopped); "stopped" ends it now as stopped before complete (a partial dose) and
    re-plans the later cycles. A life-threatening one (grade 4) ends the infusion and
    stops the course, cancelling its future bookings [label]; that needs
    ``confirm_stop``. Each reaction is kept in ``visit_reactions``."""
    if isinstance(grade, bool) or grade not in REACTION_GRADES:
        raise DomainError("reaction_grade", f"must be 1-4, got {grade!r}")
    changes = ChangeSet(f"grade {grade} reaction")
    with ctx.store.transaction() as tx:
        booking, record, visit, phase, now = _step(ctx, tx, appointment_id)
        if phase not in (Phase.INFUSING, Phase.PAUSED, Phase.OBSERVING, Phase.READY):
            raise _refuse_phase("record a reaction", phase)
        stopping = ends_course(grade)
        if stopping and not confirm_stop:
            raise DomainError(
                "confirm",
                "a grade 4 (life-threatening) reaction stops the course and cancels its"
                " future bookings; confirm to go on",
            )
        running = phase in (Phase.INFUSING, Phase.PAUSED)
        if stopping and running:
            action = "stopped"  # a life-threatening reaction ends the infusion
        began, action, symptoms_text, note_text = _reaction_details(
            visit, phase, now, at=at, action=action, symptoms=symptoms, note=note
        )
        worst = max(grade, visit.reaction_grade or 0)
        fields: dict[str, Any] = {"reaction_grade": worst}
        updated = replace(visit, reaction_grade=worst)
        completed: bool | None = None  # an ended infusion keeps how it ended
        if action == "interrupted" and phase is Phase.INFUSING:
            fields["paused_at"] = now
            fields["pause_count"] = record.pause_count + 1
            updated = replace(updated, paused_at=now, pause_count=updated.pause_count + 1)
        result = None
        if action == "stopped":  # stopped before complete: a partial dose
            fields.update(_closed_pause(record, now))
            fields["infusion_ended_at"] = now
            fields.update(_acknowledge(record, AlertKind.INFUSION_END))
            updated, result = ended_outcome(updated, now, stopped=True)
            completed = False
        written = _write(tx, record, fields)
        reaction = tx.insert_reaction(
            visit_id=record.id,
            at=began,
            grade=grade,
            symptoms=symptoms_text,
            action=None if action is None else ReactionAction(action),
            note=note_text,
            recorded_at=now,
            recorded_by=ctx.user,
        )
        details = stored_values(reaction, ("at_utc", "grade", "symptoms", "action", "note"))
        outcome = _save_outcome(
            ctx, tx, booking, updated, changes, completed=completed, replan=not stopping
        )
        if result is not None:
            changes.notes[:0] = outcomes.outcome_notes(result)
            _flag_chair_overrun(tx, booking, updated, changes)
        if stopping and booking.course_status is CourseStatus.ACTIVE:
            # the same stop as `dose given --reaction-grade 4` (courses._stop)
            stopped = courses.stop_course(
                ctx, mrn=booking.mrn, reason=StopReason.LIFE_THREATENING_REACTION.value
            )
            _merge(changes, stopped)
        changes.appointments.add(appointment_id)
        audit(
            ctx,
            "record reaction",
            "visit",
            record.id,
            {"reaction_grade": visit.reaction_grade},
            {**stored_values(written, fields), **outcome, **details, "course_stopped": stopping},
        )
    return changes


def _early_reason(visit: Visit, now: datetime, reason: str | None, what: str) -> str | None:
    """Before the minimum observation is over a reason is required, and returned."""
    if observation_complete(visit, now):
        return None
    cleaned = _reason(reason)
    if cleaned is None:
        due = observation_due_at(visit)
        assert due is not None
        left = max(1, round((due - now).total_seconds() / 60))
        raise DomainError(
            "reason",
            f"{what} before the minimum {visit.observation_min}-min observation is over"
            f" ({left} min left) needs a reason",
        )
    return cleaned


def end_observation(ctx: Context, *, appointment_id: int, reason: str | None = None) -> ChangeSet:
    """The observation is over; early (before the minimum) only with a reason."""
    changes = ChangeSet("observation ended")
    with ctx.store.transaction() as tx:
        _booking, record, visit, phase, now = _step(ctx, tx, appointment_id)
        if phase not in (Phase.OBSERVING, Phase.READY) or visit.observation_ended_at:
            raise _refuse_phase("end the observation", phase)
        early = _early_reason(visit, now, reason, "ending the observation")
        fields: dict[str, Any] = {"observation_ended_at": now}
        fields.update(_acknowledge(record, AlertKind.OBSERVATION_COMPLETE))
        if early:
            fields["early_discharge_reason"] = early
        written = _write(tx, record, fields)
        changes.appointments.add(appointment_id)
        audit(ctx, "end observation", "visit", record.id, None, stored_values(written, fields))
    return changes


def discharge(ctx: Context, *, appointment_id: int, reason: str | None = None) -> ChangeSet:
    """The patient leaves. Before the minimum observation is over a reason is required
    (and recorded), unless the observation was already ended early with one."""
    changes = ChangeSet("patient discharged")
    with ctx.store.transaction() as tx:
        _booking, record, visit, phase, now = _step(ctx, tx, appointment_id)
        if phase not in (Phase.OBSERVING, Phase.READY):
            raise _refuse_phase("discharge", phase)
        fields: dict[str, Any] = {"discharged_at": now}
        if visit.observation_ended_at is None:
            fields["observation_ended_at"] = now
            early = _early_reason(visit, now, reason, "a discharge")
            if early:
                fields["early_discharge_reason"] = early
        fields.update(_acknowledge(record, AlertKind.OBSERVATION_COMPLETE))
        written = _write(tx, record, fields)
        changes.appointments.add(appointment_id)
        audit(ctx, "discharge", "visit", record.id, None, stored_values(written, fields))
    return changes


def acknowledge_alert(ctx: Context, *, appointment_id: int, kind: AlertKind | str) -> ChangeSet:
    """A nurse saw the alert; it does not fire again, in this process or another."""
    try:
        alert = AlertKind(kind)
    except ValueError:
        raise DomainError("alert", f"unknown alert {kind!r}") from None
    changes = ChangeSet("alert acknowledged")
    with ctx.store.transaction() as tx:
        _booking, record, _visit, _phase, _now = _step(ctx, tx, appointment_id)
        _write(tx, record, _acknowledge(record, alert))
        changes.appointments.add(appointment_id)
        audit(ctx, "acknowledge alert", "visit", record.id, None, {"alert": alert.value})
    return changes
