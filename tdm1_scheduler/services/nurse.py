"""The nurse station: what happens in the chair, one service call per step.

arrive -> start infusion -> (pause <-> resume) -> end infusion -> end observation ->
discharge; a reaction may be recorded from the start of the infusion on. Each step is
one transaction with its audit row; a refused step raises ``DomainError`` and leaves
the database as it was. Instants come from ``ctx.clock``; the phases and countdowns are
computed by ``domain.timers`` from what is stored, so any process shows the same timers.

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
from ..domain.course import CourseStatus
from ..domain.errors import DomainError, require_aware
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
from ..store import repository as repo, visits as visit_store
from ..store.connection import Database
from ..store.database import from_utc_text, to_utc_text
from . import courses, infusion_start, outcomes, visit_times
from .context import ChangeSet, ClinicSettings, Context, audit, load_settings, transaction

# The board's reads live in nurse_reads; callers of nurse keep finding them here.
from .nurse_reads import (
    MAX_REASON_LENGTH as MAX_REASON_LENGTH,
    REACTION_ACTIONS as REACTION_ACTIONS,
    BoardTile as BoardTile,
    ChairView as ChairView,
    ReactionRecord as ReactionRecord,
    _bag_text as _bag_text,
    _reaction_of as _reaction_of,
    _tile as _tile,
    _visit_of as _visit_of,
    board as board,
    chair_board as chair_board,
)

Row = dict[str, Any]


def tile(db: Database, appointment_id: int, now: datetime) -> BoardTile:
    row = _require_row(db, appointment_id)
    return _tile(db, load_settings(db), row, now)


# --- writing helpers ---------------------------------------------------------------------
def _now(ctx: Context) -> datetime:
    """Now, cut to whole seconds as it is stored."""
    return ctx.clock.now().astimezone(UTC).replace(microsecond=0)


def _require_row(db: Database, appointment_id: int) -> Row:
    row = visit_store.board_row(db, appointment_id)
    if row is None or row["kind"] != "dose":
        raise DomainError("appointment", f"#{appointment_id} is not a dose appointment")
    if row["status"] not in ("booked", "given"):
        raise DomainError("appointment", f"#{appointment_id} is {row['status']}")
    return row


def _visit_row(db: Database, row: Row) -> Row:
    """The appointment's visit row, made on first use (seeded from a dose given
    outside the board: its whole visit, so the phase stays what it was)."""
    existing = visit_store.visit_for_appointment(db, row["id"])
    if existing is not None:
        return existing
    visit = _visit_of(row)
    values = {
        "arrived_at": _text(visit.arrived_at),
        "infusion_started_at": _text(visit.infusion_started_at),
        "infusion_ended_at": _text(visit.infusion_ended_at),
        "discharged_at": _text(visit.discharged_at),
    }
    return visit_store.insert_visit(db, row["id"], values)


def _text(instant: datetime | None) -> str | None:
    return None if instant is None else to_utc_text(instant)


def _refuse_phase(action: str, phase: Phase) -> DomainError:
    return DomainError("phase", f"cannot {action}: the visit is {phase.value}")


def _write(db: Database, visit_row: Row, values: dict[str, Any]) -> None:
    visit_store.update_visit(db, visit_row["id"], visit_row["version"], values)


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


def _closed_pause(visit_row: Row, now: datetime) -> dict[str, Any]:
    """Values that end a running pause at ``now`` (nothing when not paused)."""
    if visit_row["paused_at"] is None:
        return {}
    paused = max(0, int((now - from_utc_text(visit_row["paused_at"])).total_seconds()))
    return {"paused_at": None, "paused_seconds": visit_row["paused_seconds"] + paused}


def _acknowledge(visit_row: Row, kind: AlertKind) -> dict[str, Any]:
    kinds = parse_acknowledged(visit_row["alerts_acknowledged"]) | {kind}
    return {"alerts_acknowledged": format_acknowledged(kinds)}


def _step(ctx: Context, appointment_id: int) -> tuple[Database, Row, Row, Visit, Phase, datetime]:
    """Read one appointment's visit inside the open transaction."""
    db = ctx.db
    row = _require_row(db, appointment_id)
    now = _now(ctx)
    visit_row = _visit_row(db, row)
    row = _require_row(db, appointment_id)  # now joined with its visit row
    visit = _visit_of(row)
    return db, row, visit_row, visit, phase_of(visit), now


def _save_outcome(
    ctx: Context,
    row: Row,
    visit: Visit,
    changes: ChangeSet,
    *,
    completed: bool | None = None,
    replan: bool = True,
) -> dict[str, Any]:
    """Write the infusion's outcome to its dose and re-plan the later cycles from it.

    Once ended, the outcome is ``domain.tolerance``'s (``completed`` None keeps what was
    recorded at its end); while it still runs only the reaction is written, and its end
    re-plans."""
    db = ctx.db
    dose = repo.dose_by_id(db, row["dose_id"])
    assert dose is not None
    if visit.infusion_ended_at is None:
        values: dict[str, Any] = {"tolerated": 0, "reaction_grade": visit.reaction_grade}
        replan = False
    else:
        if completed is None:
            completed = dose["infusion_completed"] != 0
        outcome = visit_outcome(visit, completed=completed)
        values = outcomes.dose_values(outcome, visit.reaction_grade)
    repo.update_versioned(db, "doses", dose["id"], dose["version"], values)
    record = courses.load_course(ctx.store, row["mrn"])
    if replan and record.course.status is CourseStatus.ACTIVE and record.booked:
        settings = load_settings(db)
        day = settings.calendar.local_date(from_utc_text(dose["given_at"]))
        replanned = ChangeSet("re-plan")
        courses.replan_after(ctx, settings, record, row["cycle"], day, replanned)
        _note_replanned(settings, replanned, next_infusion_min([g.outcome for g in record.given]))
        _merge(changes, replanned)
    changes.courses.add(row["course_id"])
    return values


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
    with transaction(ctx):
        _db, row, visit_row, _visit, phase, now = _step(ctx, appointment_id)
        if phase is not Phase.EXPECTED:
            raise _refuse_phase("record an arrival", phase)
        _check_today(ctx, row, now)
        _write(ctx.db, visit_row, {"arrived_at": to_utc_text(now)})
        changes.appointments.add(appointment_id)
        audit(ctx, "patient arrived", "visit", visit_row["id"], None, {"arrived_at": now})
    return changes


def _check_today(ctx: Context, row: Row, now: datetime) -> None:
    settings = load_settings(ctx.db)
    calendar = settings.calendar
    booked_day = calendar.local_date(from_utc_text(row["start_utc"]))
    if booked_day != calendar.local_date(now):
        raise DomainError(
            "appointment", f"booked for {booked_day:%a %Y-%m-%d}, not today; move it first"
        )


def _start_facts(db: Database, row: Row) -> start_rule.StartFacts:
    return infusion_start.start_facts(
        db,
        mrn=row["mrn"],
        course_status=row["course_status"],
        dose=infusion_start.dose_of(db, row["dose_id"]),
    )


def start_check(db: Database, appointment_id: int, at: datetime) -> start_rule.Refusal | None:
    """The domain's answer to Start infusion at ``at`` (``domain.infusion_start``): the
    course, the bag, then the readiness gate; None when it may start. The board asks it
    before it offers an override, so none is asked for an infusion that cannot start."""
    return start_rule.start_refusal(_start_facts(db, _require_row(db, appointment_id)), at)


def start_infusion(ctx: Context, *, appointment_id: int) -> ChangeSet:
    """The infusion starts now: the dose is given (its bag is used) and later cycles
    re-anchor 21 days on. Refused when the bag was never prepared, is not diluted, or
    has expired [label]."""
    changes = ChangeSet("infusion started")
    with transaction(ctx):
        db, row, visit_row, _visit, phase, now = _step(ctx, appointment_id)
        if phase not in (Phase.EXPECTED, Phase.PREP):
            raise _refuse_phase("start the infusion", phase)
        _check_today(ctx, row, now)
        infusion_start.require_start(_start_facts(db, row), now)  # the course, bag, gate
        # later cycles re-anchor on the actual start (given_at), not the booking
        given = courses.record_dose_given(ctx, mrn=row["mrn"], cycle=row["cycle"], given_at=now)
        _merge(changes, given)
        retimed = visit_times.follow_actual_start(ctx, appointment_id, now, changes)
        values = {"infusion_started_at": to_utc_text(now)}
        if visit_row["arrived_at"] is None:
            values["arrived_at"] = to_utc_text(now)
        _write(db, visit_row, values)
        changes.appointments.add(appointment_id)
        booked = {"start_utc": row["start_utc"], "end_utc": row["end_utc"]}
        new = {**values, "cycle": row["cycle"], **retimed.get("retimed", booked)}
        audit(ctx, "start infusion", "visit", visit_row["id"], booked, new)
    return changes


def pause_infusion(ctx: Context, *, appointment_id: int) -> ChangeSet:
    """Interrupt the infusion (a reaction); its end moves back by the pause."""
    changes = ChangeSet("infusion paused")
    with transaction(ctx):
        db, _row, visit_row, _visit, phase, now = _step(ctx, appointment_id)
        if phase is not Phase.INFUSING:
            raise _refuse_phase("pause", phase)
        values = {"paused_at": to_utc_text(now), "pause_count": visit_row["pause_count"] + 1}
        _write(db, visit_row, values)
        changes.appointments.add(appointment_id)
        audit(ctx, "pause infusion", "visit", visit_row["id"], None, values)
    return changes


def resume_infusion(ctx: Context, *, appointment_id: int) -> ChangeSet:
    changes = ChangeSet("infusion resumed")
    with transaction(ctx):
        db, _row, visit_row, _visit, phase, now = _step(ctx, appointment_id)
        if phase is not Phase.PAUSED:
            raise _refuse_phase("resume", phase)
        values = _closed_pause(visit_row, now)
        _write(db, visit_row, values)
        changes.appointments.add(appointment_id)
        audit(
            ctx,
            "resume infusion",
            "visit",
            visit_row["id"],
            {"paused_at": visit_row["paused_at"]},
            values,
        )
    return changes


def end_infusion(ctx: Context, *, appointment_id: int, stopped: bool = False) -> ChangeSet:
    """The infusion ended now: its outcome goes to the dose, and the later cycles are
    re-planned from it (``domain.tolerance``); observation begins. ``stopped``: it was
    stopped before it was complete (a partial dose); one ended while paused, never
    resumed, counts as stopped whatever is said."""
    changes = ChangeSet("infusion ended")
    with transaction(ctx):
        db, row, visit_row, visit, phase, now = _step(ctx, appointment_id)
        if phase not in (Phase.INFUSING, Phase.PAUSED):
            raise _refuse_phase("end the infusion", phase)
        values = {**_closed_pause(visit_row, now), "infusion_ended_at": to_utc_text(now)}
        values.update(_acknowledge(visit_row, AlertKind.INFUSION_END))
        _write(db, visit_row, values)
        ended, result = ended_outcome(visit, now, stopped=stopped)
        outcome = _save_outcome(ctx, row, ended, changes, completed=result.completed)
        changes.notes[:0] = outcomes.outcome_notes(result)
        _flag_chair_overrun(db, row, ended, changes)
        changes.appointments.add(appointment_id)
        audit(ctx, "end infusion", "visit", visit_row["id"], None, {**values, **outcome})
    return changes


def _flag_chair_overrun(db: Database, row: Row, visit: Visit, changes: ChangeSet) -> None:
    """Nothing is silently overlapped: when this visit's observation now runs past its
    booking into the next booking of the same chair, say so."""
    due = observation_due_at(visit)
    booked_end = from_utc_text(row["end_utc"])
    if due is None or due <= booked_end:
        return
    settings = load_settings(db)
    for other in repo.appointments_between(db, booked_end, due):
        if other["chair_id"] == row["chair_id"] and other["id"] != row["id"]:
            local = settings.calendar.local
            who = other["patient_name"] or other["label"] or "blocked time"
            changes.notes.append(
                f"{row['chair_name']}: observation runs until {local(due):%H:%M}, past the"
                f" booking of {who} at {local(from_utc_text(other['start_utc'])):%H:%M};"
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
    with transaction(ctx):
        db, row, visit_row, visit, phase, now = _step(ctx, appointment_id)
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
        values: dict[str, Any] = {"reaction_grade": worst}
        updated = replace(visit, reaction_grade=worst)
        completed: bool | None = None  # an ended infusion keeps how it ended
        if action == "interrupted" and phase is Phase.INFUSING:
            values["paused_at"] = to_utc_text(now)
            values["pause_count"] = visit_row["pause_count"] + 1
            updated = replace(updated, paused_at=now, pause_count=updated.pause_count + 1)
        result = None
        if action == "stopped":  # stopped before complete: a partial dose
            values.update(_closed_pause(visit_row, now))
            values["infusion_ended_at"] = to_utc_text(now)
            values.update(_acknowledge(visit_row, AlertKind.INFUSION_END))
            updated, result = ended_outcome(updated, now, stopped=True)
            completed = False
        _write(db, visit_row, values)
        details = {
            "at_utc": to_utc_text(began),
            "grade": grade,
            "symptoms": symptoms_text,
            "action": action,
            "note": note_text,
        }
        visit_store.insert_reaction(
            db,
            visit_row["id"],
            {**details, "recorded_at": to_utc_text(now), "recorded_by": ctx.user},
        )
        outcome = _save_outcome(
            ctx, row, updated, changes, completed=completed, replan=not stopping
        )
        if result is not None:
            changes.notes[:0] = outcomes.outcome_notes(result)
            _flag_chair_overrun(db, row, updated, changes)
        if stopping and row["course_status"] == "active":
            # the same stop as `dose given --reaction-grade 4` (courses._stop)
            stopped = courses.stop_course(
                ctx, mrn=row["mrn"], reason=StopReason.LIFE_THREATENING_REACTION.value
            )
            _merge(changes, stopped)
        changes.appointments.add(appointment_id)
        audit(
            ctx,
            "record reaction",
            "visit",
            visit_row["id"],
            {"reaction_grade": visit.reaction_grade},
            {**values, **outcome, **details, "course_stopped": stopping},
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
    with transaction(ctx):
        db, _row, visit_row, visit, phase, now = _step(ctx, appointment_id)
        if phase not in (Phase.OBSERVING, Phase.READY) or visit.observation_ended_at:
            raise _refuse_phase("end the observation", phase)
        early = _early_reason(visit, now, reason, "ending the observation")
        values: dict[str, Any] = {"observation_ended_at": to_utc_text(now)}
        values.update(_acknowledge(visit_row, AlertKind.OBSERVATION_COMPLETE))
        if early:
            values["early_discharge_reason"] = early
        _write(db, visit_row, values)
        changes.appointments.add(appointment_id)
        audit(ctx, "end observation", "visit", visit_row["id"], None, values)
    return changes


def discharge(ctx: Context, *, appointment_id: int, reason: str | None = None) -> ChangeSet:
    """The patient leaves. Before the minimum observation is over a reason is required
    (and recorded), unless the observation was already ended early with one."""
    changes = ChangeSet("patient discharged")
    with transaction(ctx):
        db, _row, visit_row, visit, phase, now = _step(ctx, appointment_id)
        if phase not in (Phase.OBSERVING, Phase.READY):
            raise _refuse_phase("discharge", phase)
        values: dict[str, Any] = {"discharged_at": to_utc_text(now)}
        if visit.observation_ended_at is None:
            values["observation_ended_at"] = to_utc_text(now)
            early = _early_reason(visit, now, reason, "a discharge")
            if early:
                values["early_discharge_reason"] = early
        values.update(_acknowledge(visit_row, AlertKind.OBSERVATION_COMPLETE))
        _write(db, visit_row, values)
        changes.appointments.add(appointment_id)
        audit(ctx, "discharge", "visit", visit_row["id"], None, values)
    return changes


def acknowledge_alert(ctx: Context, *, appointment_id: int, kind: AlertKind | str) -> ChangeSet:
    """A nurse saw the alert; it does not fire again, in this process or another."""
    try:
        alert = AlertKind(kind)
    except ValueError:
        raise DomainError("alert", f"unknown alert {kind!r}") from None
    changes = ChangeSet("alert acknowledged")
    with transaction(ctx):
        db, _row, visit_row, _visit, _phase, _now = _step(ctx, appointment_id)
        values = _acknowledge(visit_row, alert)
        _write(db, visit_row, values)
        changes.appointments.add(appointment_id)
        audit(ctx, "acknowledge alert", "visit", visit_row["id"], None, {"alert": alert.value})
    return changes
