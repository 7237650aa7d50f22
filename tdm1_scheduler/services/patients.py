"""Patients: add one, record a new weight.

The patient, the clinic's limits and the doses to flag are read as records through
``ctx.store``; the writes go through ``repository`` in the same transaction."""

from __future__ import annotations

import math
from datetime import datetime

from ..domain.errors import DomainError, require_aware
from ..domain.records import CycleStatus
from ..store import repository as repo
from ..store.database import to_utc_text
from ..store.mapping import record_to_row
from .context import ChangeSet, Context, audit, patient_record, settings_from, transaction


def check_weight(value: object, low: float, high: float) -> float:
    """[policy] a plausible adult weight within the site's bounds (default 20-300 kg)."""
    try:
        weight = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError("weight_kg", f"must be a number, got {value!r}") from None
    if not math.isfinite(weight) or weight <= 0:
        raise DomainError("weight_kg", f"must be a positive number, got {value!r}")
    if not low <= weight <= high:
        raise DomainError(
            "weight_kg", f"{weight:g} kg is outside the plausible {low:g}-{high:g} kg"
        )
    return weight


def check_mrn(mrn: str) -> str:
    mrn = mrn.strip()
    if not mrn:
        raise DomainError("mrn", "must not be empty")
    if len(mrn) > 40 or any(ch.isspace() for ch in mrn):
        raise DomainError("mrn", f"must be one word of at most 40 characters, got {mrn!r}")
    return mrn


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError("name", "must not be empty")
    if len(name) > 120:
        raise DomainError("name", "must be at most 120 characters")
    return name


def add_patient(
    ctx: Context, *, mrn: str, name: str, weight_kg: object, measured_at: datetime | None = None
) -> ChangeSet:
    mrn = check_mrn(mrn)
    name = check_name(name)
    measured = measured_at or ctx.clock.now()
    require_aware("measured_at", measured)
    changes = ChangeSet(f"add patient {mrn}")
    with transaction(ctx) as db:
        settings = settings_from(ctx.store)
        weight = check_weight(weight_kg, settings.weight_min_kg, settings.weight_max_kg)
        if ctx.store.patient_by_mrn(mrn) is not None:
            raise DomainError("mrn", f"a patient with MRN {mrn!r} already exists")
        values = {
            "mrn": mrn,
            "name": name,
            "weight_kg": weight,
            "weight_measured_at": to_utc_text(measured),
        }
        patient_id = repo.insert_patient(db, values)
        changes.patients.add(patient_id)
        audit(ctx, "add patient", "patient", patient_id, None, values)
    return changes


def record_weight(
    ctx: Context, *, mrn: str, weight_kg: object, measured_at: datetime | None = None
) -> ChangeSet:
    measured = measured_at or ctx.clock.now()
    require_aware("measured_at", measured)
    changes = ChangeSet(f"weigh {mrn}")
    with transaction(ctx) as db:
        settings = settings_from(ctx.store)
        weight = check_weight(weight_kg, settings.weight_min_kg, settings.weight_max_kg)
        patient = patient_record(ctx.store, mrn)
        new = {"weight_kg": weight, "weight_measured_at": to_utc_text(measured)}
        repo.update_versioned(db, "patients", patient.id, patient.version, new)
        changes.patients.add(patient.id)
        stored = record_to_row(patient)  # the audit keeps the columns as stored
        audit(ctx, "record weight", "patient", patient.id, {k: stored[k] for k in new}, new)
    return changes


def update_patient(
    ctx: Context, *, mrn: str, weight_kg: object | None = None, name: str | None = None
) -> ChangeSet:
    """A new weight (measured now) and/or name. A weight that moved by the site's percent
    or more from a booked dose's is flagged for recalculation (the pharmacy queue and the
    dose's readiness reasons say so); the notes name each such cycle."""
    from ..domain.dosing import needs_recalculation

    if weight_kg is None and name is None:
        raise DomainError("patient", "nothing to update: give --weight-kg and/or --name")
    changes = ChangeSet(f"update patient {mrn}")
    with transaction(ctx) as db:
        store = ctx.store
        settings = settings_from(store)
        patient = patient_record(store, mrn.strip())
        new: dict[str, object] = {}
        if name is not None:
            new["name"] = check_name(name)
        if weight_kg is not None:
            new["weight_kg"] = check_weight(
                weight_kg, settings.weight_min_kg, settings.weight_max_kg
            )
            new["weight_measured_at"] = to_utc_text(ctx.clock.now())
        repo.update_versioned(db, "patients", patient.id, patient.version, new)
        changes.patients.add(patient.id)
        stored = record_to_row(patient)  # the audit keeps the columns as stored
        audit(ctx, "update patient", "patient", patient.id, {k: stored[k] for k in new}, new)
        if "weight_kg" not in new:
            return changes
        course = store.latest_course(patient.id)
        for dose in store.doses_of_course(course.id) if course else []:
            old = dose.weight_kg
            weight = float(new["weight_kg"])  # type: ignore[arg-type]
            if dose.status is CycleStatus.BOOKED and needs_recalculation(
                old, weight, settings.weight_recalc_percent
            ):
                changes.notes.append(
                    f"cycle {dose.cycle}: weight {old:g} -> {weight:g} kg "
                    f"({(weight - old) * 100 / old:+.1f}%): recalculate the dose"
                )
    return changes
