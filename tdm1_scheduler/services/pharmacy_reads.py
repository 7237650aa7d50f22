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
from ..domain.records import Dose, Preparation as PreparationRecord
from ..domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from ..domain.stability import (
    Preparation,
    PrepStatus,
    bag_usable_at,
    status_at,
)
from ..store import repository as repo
from ..store.connection import Database
from ..store.database import from_utc_text
from ..store.mapping import row_to_dose, row_to_preparation
from .context import ClinicSettings, load_settings
from .courses import load_course
from .moves import bag_message, bag_outlook_of
from .pharmacy_plan import (
    EXPIRED,
    STORAGE,
    Row,
    _infusion_start,
    _iso,
    _lots,
    _minutes,
    plan_for_dose_row,
    prep_time_left,
    preparation_of,
    weight_check,
)
from .queries import iso_local


def typed(prep: Row, dose: Row) -> tuple[PreparationRecord, Dose]:
    """A preparation row and its dose row as the records the domain's rules take."""
    return row_to_preparation(prep), row_to_dose(dose)


# --- Reads ---------------------------------------------------------------------------------------
def preparation_view(db: Database, mrn: str, cycle: int, now: datetime) -> dict[str, Any]:
    """The ``prep show --json`` object: the dose plan and the preparation at ``now``."""
    require_aware("now", now)
    settings = load_settings(db)
    record = load_course(db, mrn)
    dose = record.dose(cycle)
    plan = plan_for_dose_row(dose)
    check = weight_check(settings, dose, record.patient)
    row = repo.preparation_for_dose(db, dose["id"])
    prep = preparation_of(row) if row else Preparation(None, None)
    appointment = record.current.get(dose["id"])
    start = _infusion_start(appointment)
    warnings = [check.reason] if check.reason else []
    # a bag the given dose used needs no advice about serving or re-preparing it
    used = prep.used_at is not None or dose["status"] == "given"
    if row is not None and not used and not bag_matches_dose(*typed(row, dose)):
        warnings.append(
            f"prepared {row['dose_mg']:g} mg but the dose is now {plan.dose_mg:g} mg:"
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
        "mrn": record.patient["mrn"],
        "name": record.patient["name"],
        "cycle": cycle,
        "dose_status": dose["status"],
        "infusion_start": _iso(settings, start),
        "dose_mg": plan.dose_mg,
        "dose_level_mg_per_kg": plan.dose_level_mg_per_kg,
        "weight_kg": plan.weight_kg,
        "weight_measured_at": iso_local(settings, dose["weight_measured_at"]),
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
        "prepared_dose_mg": row["dose_mg"] if row else None,
        "vial_lots": _lots(row) if row else [],
        "reconstituted_at": _iso(settings, prep.reconstituted_at),
        "vial_expires_at": _iso(settings, prep.vial_expires_at),
        "diluted_at": _iso(settings, prep.diluted_at),
        "diluent_used": row["diluent"] if row else None,
        "bag_expires_at": _iso(settings, prep.bag_expires_at),
        "infuse_by": _iso(settings, prep.infuse_by),
        "bag_usable_at_infusion_start": bag,
        "status": status_at(prep, now).value,
        "time_left_min": _minutes(prep_time_left(prep, now)),
        "warnings": warnings,
    }


def bag_check(db: Database, dose_id: int, infusion_start: datetime) -> dict[str, Any] | None:
    """Can the dose's diluted bag serve an infusion starting at ``infusion_start``?

    None when the dose has no bag (no live preparation, or not diluted yet). Otherwise
    ``{"usable", "bag_expires_at" (clinic-zone datetime), "message"}``, the message in
    clinic wall time, e.g. "bag good until Tue 09:40". ``infusion_start`` is when the
    infusion itself starts (a chair booking's start plus its prep minutes).
    """
    require_aware("infusion_start", infusion_start)
    bag = bag_outlook_of(db, dose_id, infusion_start)  # the one bag rule: moves.bag_message
    if bag is None:
        return None
    settings = load_settings(db)
    return {
        "usable": bag.usable,
        "bag_expires_at": settings.calendar.local(bag.expires_at),
        "message": bag_message(settings, bag),
    }


def _action(status: PrepStatus, appointment: Row | None) -> str:
    if status in EXPIRED or (appointment is None and status is not PrepStatus.NOT_PREPARED):
        return "discard"
    return {
        PrepStatus.NOT_PREPARED: "reconstitute",
        PrepStatus.RECONSTITUTED: "dilute",
        PrepStatus.DILUTED: "ready",
    }.get(status, status.value)


def _queue_item(
    db: Database,
    settings: ClinicSettings,
    dose: Row,
    appointment: Row | None,
    prep_row: Row | None,
    now: datetime,
) -> dict[str, Any]:
    course = repo.course_by_id(db, dose["course_id"])
    assert course is not None
    patient = repo.patient_by_id(db, course["patient_id"])
    assert patient is not None
    plan = plan_for_dose_row(dose)
    prep = preparation_of(prep_row) if prep_row else Preparation(None, None)
    status = status_at(prep, now)
    start = _infusion_start(appointment)
    expiry = prep.bag_expires_at or prep.vial_expires_at
    action = _action(status, appointment)
    # The deadline: the infusion start, or the vial/bag expiry if that comes first.
    candidates = [t for t in (start, expiry) if t is not None]
    due = min(candidates) if candidates else now
    chair = repo.chair_by_id(db, appointment["chair_id"]) if appointment else None
    check = weight_check(settings, dose, patient)
    return {
        "drug": DRUG_NAME,
        "mrn": patient["mrn"],
        "name": patient["name"],
        "cycle": dose["cycle"],
        "dose_id": dose["id"],
        "dose_status": dose["status"],
        "chair": chair["name"] if chair else None,
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
        "_sort": (0 if action == "discard" else 1, due, patient["mrn"], dose["cycle"]),
    }


def pharmacy_queue(db: Database, now: datetime) -> list[dict[str, Any]]:
    """Doses to prepare today and tomorrow (clinic-local days) and every live
    preparation on the shelf, most urgent first.

    Order: preparations to discard (expired, or their dose no longer booked) first, then
    by deadline: the infusion start, or the vial/bag expiry when that comes sooner.
    """
    require_aware("now", now)
    settings = load_settings(db)
    calendar = settings.calendar
    today = calendar.local_date(now)
    start, end = calendar.day_bounds(today, days=2)  # today and tomorrow
    items: dict[int, dict[str, Any]] = {}
    for booked in repo.appointments_between(db, start, end):
        if booked["kind"] != "dose" or booked["dose_status"] != "booked":
            continue
        if not start <= from_utc_text(booked["start_utc"]) < end:
            continue
        dose = repo.dose_by_id(db, booked["dose_id"])
        assert dose is not None
        prep_row = repo.preparation_for_dose(db, dose["id"])
        items[dose["id"]] = _queue_item(db, settings, dose, booked, prep_row, now)
    for prep_row in repo.live_preparations(db):
        if prep_row["dose_id"] in items:
            continue
        dose = repo.dose_by_id(db, prep_row["dose_id"])
        if dose is None or dose["status"] == "given":
            continue
        live = repo.preparation_for_dose(db, dose["id"])
        if live is None or live["id"] != prep_row["id"]:
            continue
        appointment = (
            repo.current_appointment(db, dose["id"]) if dose["status"] == "booked" else None
        )
        items[dose["id"]] = _queue_item(db, settings, dose, appointment, prep_row, now)
    ordered = sorted(items.values(), key=lambda item: item["_sort"])
    for item in ordered:
        del item["_sort"]
    return ordered
