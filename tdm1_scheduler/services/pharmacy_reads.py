"""Pharmacy reads: ``prep show`` (preparation_view), the bag check and the queue.

Reads take ``now`` from the caller's clock; nothing here writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.dosing import (
    CONCENTRATION_MG_PER_ML,
)
from ..domain.errors import require_aware
from ..domain.infusion_start import bag_matches_dose
from ..domain.move_plan import bag_outlook
from ..domain.records import (
    Appointment,
    AppointmentKind,
    CycleStatus,
    Dose,
    Preparation as PreparationRecord,
)
from ..domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from ..domain.stability import (
    Preparation,
    PrepStatus,
    bag_usable_at,
    status_at,
)
from ..store.connection import Database
from ..store.protocol import Store
from ..store.sqlite_store import as_store
from .context import ClinicSettings, settings_from
from .course_records import load_course
from .moves import bag_message
from .pharmacy_plan import (
    EXPIRED,
    STORAGE,
    _iso,
    _minutes,
    infusion_start_of,
    plan_for_dose,
    prep_time_left,
    weight_check,
)


def _lots(prep: PreparationRecord) -> list[str]:
    return [lot for lot in (prep.vial_lots or "").split(",") if lot]


# --- Reads ---------------------------------------------------------------------------------------
def preparation_view(
    source: Database | Store, mrn: str, cycle: int, now: datetime
) -> dict[str, Any]:
    """The ``prep show --json`` object: the dose plan and the preparation at ``now``."""
    require_aware("now", now)
    store = as_store(source)
    settings = settings_from(store)
    record = load_course(store, mrn)
    dose = record.dose(cycle)
    plan = plan_for_dose(dose)
    check = weight_check(settings, dose, record.patient)
    found = store.preparation_for_dose(dose.id)
    prep = found.instants() if found else Preparation(None, None)
    start = infusion_start_of(record.current.get(dose.id))
    warnings = [check.reason] if check.reason else []
    # a bag the given dose used needs no advice about serving or re-preparing it
    used = prep.used_at is not None or dose.status is CycleStatus.GIVEN
    if found is not None and not used and not bag_matches_dose(found, dose):
        warnings.append(
            f"prepared {found.dose_mg:g} mg but the dose is now {plan.dose_mg:g} mg:"
            " discard and prepare again"
        )
    bag = None
    if start is not None and prep.diluted_at is not None:
        bag = bag_usable_at(prep, start)
        if not bag and not used:
            warnings.append("the bag cannot serve the booked infusion start")
    return {
        "drug": DRUG_NAME,
        "drug_reminder": DRUG_NAME_REMINDER,
        "mrn": record.patient.mrn,
        "name": record.patient.name,
        "cycle": cycle,
        "dose_status": dose.status.value,
        "infusion_start": _iso(settings, start),
        "dose_mg": plan.dose_mg,
        "dose_level_mg_per_kg": plan.dose_level_mg_per_kg,
        "weight_kg": plan.weight_kg,
        "weight_measured_at": _iso(settings, dose.weight_measured_at),
        "current_weight_kg": check.current_weight_kg,
        "weight_change_percent": check.change_percent,
        "recalculate": check.recalculate,
        "recalculate_reason": check.reason,
        "vials": plan.vial_list(),
        "vial_total_mg": plan.vials.total_mg,
        "vial_waste_mg": plan.vials.waste_mg,
        "water": plan.water_list(),
        "water_ml_total": plan.vials.water_ml_total,
        "concentration_mg_per_ml": CONCENTRATION_MG_PER_ML,
        "withdraw_ml": plan.withdraw_ml,
        "diluent": plan.diluent,
        "storage": STORAGE,
        "prepared_dose_mg": found.dose_mg if found else None,
        "vial_lots": _lots(found) if found else [],
        "reconstituted_at": _iso(settings, prep.reconstituted_at),
        "vial_expires_at": _iso(settings, prep.vial_expires_at),
        "diluted_at": _iso(settings, prep.diluted_at),
        "diluent_used": found.diluent if found else None,
        "bag_expires_at": _iso(settings, prep.bag_expires_at),
        "infuse_by": _iso(settings, prep.infuse_by),
        "bag_usable_at_infusion_start": bag,
        "status": status_at(prep, now).value,
        "time_left_min": _minutes(prep_time_left(prep, now)),
        "warnings": warnings,
    }


def bag_check(
    source: Database | Store, dose_id: int, infusion_start: datetime
) -> dict[str, Any] | None:
    """Can the dose's diluted bag serve an infusion starting at ``infusion_start``?

    None when the dose has no bag (no live preparation, or not diluted yet). Otherwise
    ``{"usable", "bag_expires_at" (clinic-zone datetime), "message"}``, the message in
    clinic wall time, e.g. "bag good until Tue 09:40". ``infusion_start`` is when the
    infusion itself starts (a chair booking's start plus its prep minutes).
    """
    require_aware("infusion_start", infusion_start)
    store = as_store(source)
    found = store.preparation_for_dose(dose_id)
    # the one bag rule: moves.bag_message
    bag = bag_outlook(None if found is None else found.instants(), infusion_start)
    if bag is None:
        return None
    settings = settings_from(store)
    return {
        "usable": bag.usable,
        "bag_expires_at": settings.calendar.local(bag.expires_at),
        "message": bag_message(settings, bag),
    }


def _action(status: PrepStatus, appointment: Appointment | None) -> str:
    if status in EXPIRED or (appointment is None and status is not PrepStatus.NOT_PREPARED):
        return "discard"
    return {
        PrepStatus.NOT_PREPARED: "reconstitute",
        PrepStatus.RECONSTITUTED: "dilute",
        PrepStatus.DILUTED: "ready",
    }.get(status, status.value)


def _queue_item(
    store: Store,
    settings: ClinicSettings,
    dose: Dose,
    appointment: Appointment | None,
    found: PreparationRecord | None,
    now: datetime,
) -> dict[str, Any]:
    course = store.course_by_id(dose.course_id)
    assert course is not None
    patient = store.patient_by_id(course.patient_id)
    assert patient is not None
    plan = plan_for_dose(dose)
    prep = found.instants() if found else Preparation(None, None)
    status = status_at(prep, now)
    start = infusion_start_of(appointment)
    expiry = prep.bag_expires_at or prep.vial_expires_at
    action = _action(status, appointment)
    # The deadline: the infusion start, or the vial/bag expiry if that comes first.
    candidates = [t for t in (start, expiry) if t is not None]
    due = min(candidates) if candidates else now
    chair = store.chair_by_id(appointment.chair_id) if appointment else None
    check = weight_check(settings, dose, patient)
    return {
        "drug": DRUG_NAME,
        "mrn": patient.mrn,
        "name": patient.name,
        "cycle": dose.cycle,
        "dose_id": dose.id,
        "dose_status": dose.status.value,
        "chair": chair.name if chair else None,
        "infusion_start": _iso(settings, start),
        "dose_mg": plan.dose_mg,
        "vials": plan.vial_list(),
        "withdraw_ml": plan.withdraw_ml,
        "status": status.value,
        "action": action,
        "reconstituted_at": _iso(settings, prep.reconstituted_at),
        "vial_expires_at": _iso(settings, prep.vial_expires_at),
        "diluted_at": _iso(settings, prep.diluted_at),
        "bag_expires_at": _iso(settings, prep.bag_expires_at),
        "infuse_by": _iso(settings, prep.infuse_by),
        "time_left_min": _minutes(prep_time_left(prep, now)),
        "due": _iso(settings, due),
        "due_in_min": _minutes(due - now),
        "recalculate": check.recalculate,
        "_sort": (0 if action == "discard" else 1, due, patient.mrn, dose.cycle),
    }


def _current_appointment(store: Store, dose_id: int) -> Appointment | None:
    """The dose's chair booking that still counts (booked or given): the newest."""
    holding = [a for a in store.appointments_of_dose(dose_id) if a.holds_chair]
    return holding[-1] if holding else None


def pharmacy_queue(source: Database | Store, now: datetime) -> list[dict[str, Any]]:
    """Doses to prepare today and tomorrow (clinic-local days) and every live
    preparation on the shelf, most urgent first.

    Order: preparations to discard (expired, or their dose no longer booked) first, then
    by deadline: the infusion start, or the vial/bag expiry when that comes sooner.
    """
    require_aware("now", now)
    store = as_store(source)
    settings = settings_from(store)
    calendar = settings.calendar
    today = calendar.local_date(now)
    start, end = calendar.day_bounds(today, days=2)  # today and tomorrow
    items: dict[int, dict[str, Any]] = {}
    for view in store.appointments_between(start, end):
        booked = view.appointment
        if booked.kind is not AppointmentKind.DOSE or view.dose_status is not CycleStatus.BOOKED:
            continue
        if not start <= booked.start < end:
            continue
        assert booked.dose_id is not None
        dose = store.dose_by_id(booked.dose_id)
        assert dose is not None
        found = store.preparation_for_dose(dose.id)
        items[dose.id] = _queue_item(store, settings, dose, booked, found, now)
    for shelved in store.live_preparations():
        if shelved.dose_id in items:
            continue
        dose = store.dose_by_id(shelved.dose_id)
        if dose is None or dose.status is CycleStatus.GIVEN:
            continue
        live = store.preparation_for_dose(dose.id)
        if live is None or live.id != shelved.id:
            continue
        appointment = (
            _current_appointment(store, dose.id) if dose.status is CycleStatus.BOOKED else None
        )
        items[dose.id] = _queue_item(store, settings, dose, appointment, shelved, now)
    ordered = sorted(items.values(), key=lambda item: item["_sort"])
    for item in ordered:
        del item["_sort"]
    return ordered
