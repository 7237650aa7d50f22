"""``prep queue --json`` and ``prep show --json``: the one place the pharmacy's read
models (services/pharmacy_views.py) become JSON objects.

Keys, their order and their values are the contract: instants as clinic wall time in
ISO 8601 with the UTC offset, statuses and actions as their words, spans in whole
minutes (floored).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from ..domain.calendar import ClinicCalendar
from ..domain.dosing import CONCENTRATION_MG_PER_ML, WATER_ML_PER_VIAL
from ..domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from ..services.pharmacy_plan import STORAGE, DosePlan
from ..services.pharmacy_views import PreparationView, PrepQueueItem

__all__ = ["minutes", "queue_item_json", "queue_json", "show_json", "vials_json", "water_json"]


def _iso(calendar: ClinicCalendar, instant: datetime | None) -> str | None:
    return None if instant is None else calendar.local(instant).isoformat()


def minutes(delta: timedelta | None) -> int | None:
    """A span in whole minutes, floored (``-0.5 min`` is ``-1``)."""
    return None if delta is None else math.floor(delta.total_seconds() / 60)


def vials_json(plan: DosePlan) -> list[dict[str, int]]:
    """``[{"mg": 160, "count": 1}, {"mg": 100, "count": 1}]``, largest vial first."""
    return [{"mg": size, "count": count} for size, count in plan.vials.vials]


def water_json(plan: DosePlan) -> list[dict[str, Any]]:
    """Sterile Water for Injection per vial size [label]."""
    return [
        {"mg": size, "count": count, "water_ml_per_vial": WATER_ML_PER_VIAL[size]}
        for size, count in plan.vials.vials
    ]


def show_json(view: PreparationView, calendar: ClinicCalendar) -> dict[str, Any]:
    """The ``prep show --json`` object."""
    plan, check, prep = view.plan, view.check, view.prep
    return {
        "drug": DRUG_NAME,
        "drug_reminder": DRUG_NAME_REMINDER,
        "mrn": view.mrn,
        "name": view.name,
        "cycle": view.cycle,
        "dose_status": view.dose_status.value,
        "infusion_start": _iso(calendar, view.infusion_start),
        "dose_mg": plan.dose_mg,
        "dose_level_mg_per_kg": plan.dose_level_mg_per_kg,
        "weight_kg": plan.weight_kg,
        "weight_measured_at": _iso(calendar, view.weight_measured_at),
        "current_weight_kg": check.current_weight_kg,
        "weight_change_percent": check.change_percent,
        "recalculate": check.recalculate,
        "recalculate_reason": check.reason,
        "vials": vials_json(plan),
        "vial_total_mg": plan.vials.total_mg,
        "vial_waste_mg": plan.vials.waste_mg,
        "water": water_json(plan),
        "water_ml_total": plan.vials.water_ml_total,
        "concentration_mg_per_ml": CONCENTRATION_MG_PER_ML,
        "withdraw_ml": plan.withdraw_ml,
        "diluent": plan.diluent,
        "storage": STORAGE,
        "prepared_dose_mg": view.prepared_dose_mg,
        "vial_lots": list(view.vial_lots),
        "reconstituted_at": _iso(calendar, prep.reconstituted_at),
        "vial_expires_at": _iso(calendar, prep.vial_expires_at),
        "diluted_at": _iso(calendar, prep.diluted_at),
        "diluent_used": view.diluent_used,
        "bag_expires_at": _iso(calendar, prep.bag_expires_at),
        "infuse_by": _iso(calendar, prep.infuse_by),
        "bag_usable_at_infusion_start": view.bag_usable_at_infusion_start,
        "status": view.status.value,
        "time_left_min": minutes(view.time_left),
        "warnings": list(view.warnings),
    }


def queue_item_json(item: PrepQueueItem, calendar: ClinicCalendar) -> dict[str, Any]:
    """One ``prep queue --json`` entry."""
    plan, prep = item.plan, item.prep
    return {
        "drug": DRUG_NAME,
        "mrn": item.mrn,
        "name": item.name,
        "cycle": item.cycle,
        "dose_id": item.dose_id,
        "dose_status": item.dose_status.value,
        "chair": item.chair,
        "infusion_start": _iso(calendar, item.infusion_start),
        "dose_mg": plan.dose_mg,
        "vials": vials_json(plan),
        "withdraw_ml": plan.withdraw_ml,
        "status": item.status.value,
        "action": item.action.value,
        "reconstituted_at": _iso(calendar, prep.reconstituted_at),
        "vial_expires_at": _iso(calendar, prep.vial_expires_at),
        "diluted_at": _iso(calendar, prep.diluted_at),
        "bag_expires_at": _iso(calendar, prep.bag_expires_at),
        "infuse_by": _iso(calendar, prep.infuse_by),
        "time_left_min": minutes(item.time_left),
        "due": _iso(calendar, item.due),
        "due_in_min": minutes(item.due_in),
        "recalculate": item.recalculate,
    }


def queue_json(items: list[PrepQueueItem], calendar: ClinicCalendar) -> list[dict[str, Any]]:
    """The ``prep queue --json`` list, in the queue's order."""
    return [queue_item_json(item, calendar) for item in items]
