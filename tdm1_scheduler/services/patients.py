"""Patients: add one, record a new weight.

Everything goes through ``ctx.store``: the patient, the clinic's limits and the doses to
flag are read as records, and the patient is written as one, in one transaction with its
audit row."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime

from ..domain.errors import DomainError, require_aware
from ..domain.records import CycleStatus
from .context import ChangeSet, Context, audit, patient_record, settings_from, stored_values


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
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        weight = check_weight(weight_kg, settings.weight_min_kg, settings.weight_max_kg)
        if tx.patient_by_mrn(mrn) is not None:
            raise DomainError("mrn", f"a patient with MRN {mrn!r} already exists")
        patient = tx.insert_patient(
            mrn=mrn, name=name, weight_kg=weight, weight_measured_at=measured
        )
        changes.patients.add(patient.id)
        values = stored_values(patient, ("mrn", "name", "weight_kg", "weight_measured_at"))
        audit(ctx, "add patient", "patient", patient.id, None, values)
    return changes


def record_weight(
    ctx: Context, *, mrn: str, weight_kg: object, measured_at: datetime | None = None
) -> ChangeSet:
    measured = measured_at or ctx.clock.now()
    require_aware("measured_at", measured)
    changes = ChangeSet(f"weigh {mrn}")
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        weight = check_weight(weight_kg, settings.weight_min_kg, settings.weight_max_kg)
        patient = patient_record(tx, mrn)
        weighed = dataclasses.replace(patient, weight_kg=weight, weight_measured_at=measured)
        tx.update_patient(weighed)
        changes.patients.add(patient.id)
        columns = ("weight_kg", "weight_measured_at")
        old, new = stored_values(patient, columns), stored_values(weighed, columns)
        audit(ctx, "record weight", "patient", patient.id, old, new)
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
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        patient = patient_record(tx, mrn.strip())
        wanted: dict[str, object] = {}
        if name is not None:
            wanted["name"] = check_name(name)
        if weight_kg is not None:
            wanted["weight_kg"] = check_weight(
                weight_kg, settings.weight_min_kg, settings.weight_max_kg
            )
            wanted["weight_measured_at"] = ctx.clock.now()
        updated = dataclasses.replace(patient, **wanted)  # type: ignore[arg-type]
        tx.update_patient(updated)
        changes.patients.add(patient.id)
        old, new = stored_values(patient, wanted), stored_values(updated, wanted)
        audit(ctx, "update patient", "patient", patient.id, old, new)
        if weight_kg is None:
            return changes
        course = tx.latest_course(patient.id)
        weight = updated.weight_kg
        for dose in tx.doses_of_course(course.id) if course else []:
            old_weight = dose.weight_kg
            if dose.status is CycleStatus.BOOKED and needs_recalculation(
                old_weight, weight, settings.weight_recalc_percent
            ):
                changes.notes.append(
                    f"cycle {dose.cycle}: weight {old_weight:g} -> {weight:g} kg "
                    f"({(weight - old_weight) * 100 / old_weight:+.1f}%): recalculate the dose"
                )
    return changes
