"""Undo and redo: put back exactly the rows a recorded change wrote. Nothing is re-planned.

A ChangeSet holds every appointment (and new dose) row its action wrote, before and after
(``ChangeSet.rows``, filled by ``services/journal.py``). ``restore_placements`` writes the
"before" side back, in one transaction with one audit row, and returns a ChangeSet that
records the restore the same way: restoring that one again is the redo.

The rows are records (``Appointment``, ``Dose``), written back by the store
(``write_back``, ``delete_row``, ``insert_again``). Each row goes back whole, its version
included: a row put back is the row that was there, so an older step of the undo stack
(recorded against that version) can still be undone, and a redo gives the very rows the
action wrote. A reader holding that version read exactly this content, so its write
stays safe.
"""

from __future__ import annotations

from ..domain.errors import DomainError
from ..domain.records import Appointment, CycleStatus
from ..store.protocol import ConflictError, IntegrityError, Store
from . import journal
from .context import ChangeSet, Context, CycleMove, RowChange, Written, audit

APPOINTMENTS, DOSES = "appointments", "doses"
FIELD = {APPOINTMENTS: "appointment", DOSES: "dose"}
OCCUPYING = (CycleStatus.BOOKED, CycleStatus.GIVEN)
VERBS = ("undo", "redo")


def restore_placements(ctx: Context, changes: ChangeSet, *, verb: str = "undo") -> ChangeSet:
    """Put every row ``changes`` wrote back as it was before it (``verb``: "undo" or
    "redo", for messages and the audit log). Refused with a ConflictError naming the
    row, and nothing written, when any of those rows changed since."""
    if verb not in VERBS:
        raise DomainError("verb", f"must be undo or redo, got {verb!r}")
    recorded = list(changes.rows.values())  # none for a move onto its own place
    base = changes.action.removeprefix("undo ").removeprefix("redo ")
    result = ChangeSet(f"{verb} {base}")
    with ctx.store.transaction() as tx:
        now = {key: _read(tx, change) for key, change in changes.rows.items()}
        for key, change in changes.rows.items():
            _require_unchanged(tx, change, now[key], verb)
        appointments = [c for c in recorded if c.table == APPOINTMENTS]
        doses = [c for c in recorded if c.table == DOSES]
        # 1. Remove what the change inserted; appointments first, they point at doses.
        for change in [*appointments, *doses]:
            if change.before is None:
                _delete(tx, change, now[(change.table, change.row_id)], verb, result)
        # 2. Release every booking that goes back, so none trips on another's old place.
        placed: dict[int, Written] = {}
        for change in appointments:
            row = now[(APPOINTMENTS, change.row_id)]
            if change.before is not None and isinstance(row, Appointment):
                free = row.status not in OCCUPYING
                placed[change.row_id] = (
                    row
                    if free
                    else journal.update_appointment(tx, result, row, status=CycleStatus.CANCELLED)
                )
        # 3. Insert again what the change removed (doses first), then put back the rest.
        for change in [*doses, *appointments]:
            if change.before is not None and change.after is None:
                _insert_again(tx, change, verb, result)
        for change in doses:
            row = now[(DOSES, change.row_id)]
            if change.before is not None and row is not None:
                _put_back(tx, change, row, verb, result)
        for change in appointments:
            if change.row_id in placed:
                _put_back(tx, change, placed[change.row_id], verb, result)
        _announce(tx, recorded, result)
        audit(
            ctx,
            verb,
            "appointment",
            min((c.row_id for c in appointments), default=None),
            {"change": changes.action},
            {t: sorted(c.row_id for c in recorded if c.table == t) for t in (APPOINTMENTS, DOSES)},
        )
    return result


def _read(store: Store, change: RowChange) -> Written | None:
    if change.table == APPOINTMENTS:
        return store.appointment_by_id(change.row_id)
    return store.dose_by_id(change.row_id)


def _describe(store: Store, table: str, row_id: int) -> str:
    """A booking in words for a refusal: 'cycle 5 of P1 (appointment #12)'."""
    if table == APPOINTMENTS:
        view = store.appointment_view(row_id)
        if view is not None and view.cycle is not None:
            return f"cycle {view.cycle} of {view.mrn} (appointment #{row_id})"
        if view is not None:
            label = view.appointment.label
            return f"blocked time '{label or 'blocked'}' (appointment #{row_id})"
    return f"{FIELD[table]} #{row_id}"


def _require_unchanged(store: Store, change: RowChange, now: Written | None, verb: str) -> None:
    """The row must be as the change left it (version check), else nothing is done."""
    field, what = FIELD[change.table], _describe(store, change.table, change.row_id)
    if change.after is None:
        if now is not None:
            raise ConflictError(field, f"cannot {verb}: {what} was booked again since")
        return
    if now is None:
        raise ConflictError(field, f"cannot {verb}: {what} was removed since")
    if now.version != change.after.version:
        raise ConflictError(field, f"cannot {verb}: {what} was changed since")


def _delete(
    store: Store, change: RowChange, row: Written | None, verb: str, result: ChangeSet
) -> None:
    assert row is not None
    what = _describe(store, change.table, change.row_id)
    in_use = (
        store.visit_for_appointment(row.id)
        if isinstance(row, Appointment)
        else store.preparation_for_dose(row.id)
    )
    if in_use is not None:
        raise ConflictError(FIELD[change.table], f"cannot {verb}: {what} is in use since")
    try:
        store.delete_row(row)
    except IntegrityError as error:  # something else points at it now
        raise ConflictError(FIELD[change.table], f"cannot {verb}: {what} is in use") from error
    result.record(change.table, row, None)
    if change.table == APPOINTMENTS:
        result.appointments.add(row.id)


def _insert_again(store: Store, change: RowChange, verb: str, result: ChangeSet) -> None:
    """A row the change removed comes back whole, under its id."""
    assert change.before is not None
    try:
        row = store.insert_again(change.before)
    except (ConflictError, IntegrityError) as error:
        what = _describe(store, change.table, change.row_id)
        raise ConflictError(
            FIELD[change.table], f"cannot {verb}: {what} no longer fits ({error})"
        ) from error
    if isinstance(row, Appointment):
        result.record(APPOINTMENTS, None, row)
        result.appointments.add(row.id)
    else:
        journal.inserted_dose(result, row)
    assert row.id == change.row_id


def _put_back(store: Store, change: RowChange, row: Written, verb: str, result: ChangeSet) -> None:
    """Write ``change.before`` over ``row`` (read in this transaction), version and all."""
    target = change.before
    assert target is not None
    try:
        store.write_back(target, row.version)
    except IntegrityError as error:  # the old place was taken by a booking since
        what = _describe(store, change.table, change.row_id)
        rule = "chair already taken at that time" if "chair_overlap" in str(error) else error
        raise ConflictError("chair", f"cannot {verb}: {what}: {rule}") from error
    result.record(change.table, row, target)
    if change.table == APPOINTMENTS:
        result.appointments.add(change.row_id)


def _announce(store: Store, recorded: list[RowChange], result: ChangeSet) -> None:
    """Name what moved the way the services do: cycles (for the day strip), chairs."""
    for change in recorded:
        if change.table != APPOINTMENTS:
            continue
        old, new = change.after, change.before  # the restore goes from after to before
        assert old is None or isinstance(old, Appointment)
        assert new is None or isinstance(new, Appointment)
        row = new or old
        assert row is not None
        if row.dose_id is None:  # blocked time: its chairs, as move_blocked_time says
            result.chairs.update(r.chair_id for r in (old, new) if r is not None)
            continue
        dose = store.dose_by_id(row.dose_id)
        if dose is None or new is None:
            continue
        result.courses.add(dose.course_id)
        result.moves.append(
            CycleMove(
                dose.cycle,
                None if old is None else old.start,
                new.start,
                None if old is None else _chair(store, old.chair_id),
                _chair(store, new.chair_id),
            )
        )


def _chair(store: Store, chair_id: int) -> str:
    chair = store.chair_by_id(chair_id)
    return chair.name if chair else f"#{chair_id}"
