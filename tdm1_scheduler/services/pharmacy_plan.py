"""Pharmacy: the dose and its vials, the weight check, and stored instants.

Pure helpers shared by the pharmacy writes (pharmacy.py) and reads (pharmacy_reads.py);
no database access here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ..domain.dosing import (
    DILUENT,
    WATER_ML_PER_VIAL,
    VialPlan,
    dose_mg,
    needs_recalculation,
    vial_plan,
)
from ..domain.errors import DomainError, require_aware
from ..domain.lean import dataclass
from ..domain.records import Appointment, CycleStatus, Dose, Patient
from ..domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from ..domain.regimens import TDM1
from ..domain.stability import (
    Preparation,
    PrepStatus,
    status_at,
)
from ..store.database import from_utc_text
from .context import ClinicSettings

DRUG_LINE = f"{DRUG_NAME}: {DRUG_NAME_REMINDER}"
STORAGE = TDM1.storage  # [label] 2-8 °C: reconstituted vial and diluted bag, never frozen
MAX_LOT_LENGTH = 40
EXPIRED = frozenset({PrepStatus.VIAL_EXPIRED, PrepStatus.BAG_EXPIRED})


# --- The dose and its vials ----------------------------------------------------------------
@dataclass(frozen=True)
class DosePlan:
    """One dose worked out: mg, vials, water, volume to withdraw, diluent."""

    dose_level_mg_per_kg: float
    weight_kg: float
    vials: VialPlan

    @property
    def dose_mg(self) -> float:
        return self.vials.dose_mg

    @property
    def withdraw_ml(self) -> float:
        return self.vials.withdraw_ml

    @property
    def diluent(self) -> str:
        return DILUENT

    def vial_list(self) -> list[dict[str, int]]:
        """``[{"mg": 160, "count": 1}, {"mg": 100, "count": 1}]``, largest vial first: the
        value the reconstitution's audit row keeps (the reads' JSON is cli.pharmacy_json)."""
        return [{"mg": size, "count": count} for size, count in self.vials.vials]

    def describe_vials(self) -> str:
        parts = [
            f"{count} x {size} mg ({WATER_ML_PER_VIAL[size]:g} mL water each)"
            for size, count in self.vials.vials
        ]
        return " + ".join(parts)


def plan_dose(dose_level_mg_per_kg: float, weight_kg: float) -> DosePlan:
    """Dose = level x weight (0.1 mg); the vials with the least waste, then fewest."""
    mg = dose_mg(dose_level_mg_per_kg, weight_kg)
    return DosePlan(float(dose_level_mg_per_kg), float(weight_kg), vial_plan(mg))


def plan_for_dose(dose: Dose) -> DosePlan:
    """The plan from what the dose keeps: its level and the weight it was worked on."""
    return plan_dose(dose.dose_level_mg_per_kg, dose.weight_kg)


@dataclass(frozen=True)
class WeightCheck:
    recalculate: bool
    reason: str | None
    current_weight_kg: float
    change_percent: float


def weight_check(settings: ClinicSettings, dose: Dose, patient: Patient) -> WeightCheck:
    """Flag the dose when the patient's weight moved by the site's percent or more."""
    return _weight_check(
        settings,
        float(dose.weight_kg),
        dose.weight_measured_at,
        float(patient.weight_kg),
        patient.weight_measured_at,
    )


def _weight_check(
    settings: ClinicSettings, old: float, old_at: datetime, new: float, new_at: datetime
) -> WeightCheck:
    threshold = float(settings.weight_recalc_percent)
    change = float((Decimal(repr(new)) - Decimal(repr(old))) * 100 / Decimal(repr(old)))
    flagged = needs_recalculation(old, new, threshold)
    reason = None
    if flagged:
        reason = (
            f"weight {old:g} kg on {_day(settings, old_at)} -> {new:g} kg"
            f" on {_day(settings, new_at)} ({change:+.1f}%), at or above"
            f" the site's {threshold:g}%: recalculate the dose"
        )
    return WeightCheck(flagged, reason, new, round(change, 1))


# --- Instants ------------------------------------------------------------------------
def instant_of(text: str | None) -> datetime | None:
    """A stored UTC instant, or None."""
    return None if text is None else from_utc_text(text)


def _day(settings: ClinicSettings, instant: datetime) -> str:
    return f"{settings.calendar.local(instant):%Y-%m-%d}"


def _wall(settings: ClinicSettings, instant: datetime) -> str:
    """Short clinic wall time: ``Tue 09:40``."""
    return f"{settings.calendar.local(instant):%a %H:%M}"


def prep_time_left(prep: Preparation, now: datetime) -> timedelta | None:
    """Time left on what is on the shelf at ``now`` (vial, else bag), negative once
    expired; None when nothing is (yet) prepared, or it was used or discarded."""
    status = status_at(prep, now)
    if status in (PrepStatus.RECONSTITUTED, PrepStatus.VIAL_EXPIRED):
        expiry = prep.vial_expires_at
    elif status in (PrepStatus.DILUTED, PrepStatus.BAG_EXPIRED):
        expiry = prep.bag_expires_at
    else:
        return None
    assert expiry is not None
    return expiry - now.astimezone(UTC)


def _to_second(field: str, instant: datetime) -> datetime:
    """Aware and cut to whole seconds, as it will be stored."""
    require_aware(field, instant)
    return instant.replace(microsecond=0)


def parse_lots(lots: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Vial lot numbers: repeated and/or comma separated; blanks dropped, order kept."""
    if lots is None:
        return []
    items = [lots] if isinstance(lots, str) else list(lots)
    found: list[str] = []
    for item in items:
        for part in str(item).split(","):
            lot = " ".join(part.split())
            if not lot:
                continue
            if len(lot) > MAX_LOT_LENGTH:
                raise DomainError("lot", f"a lot number has at most {MAX_LOT_LENGTH} characters")
            if lot not in found:
                found.append(lot)
    return found


def require_booked(dose: Dose, cycle: int) -> None:
    """Only a booked dose is prepared."""
    if dose.status is not CycleStatus.BOOKED:
        raise DomainError(
            "cycle", f"cycle {cycle} is {dose.status.value}; only a booked dose is prepared"
        )


def infusion_start_of(appointment: Appointment | None) -> datetime | None:
    """When the infusion itself starts: the chair booking plus its prep minutes."""
    if appointment is None:
        return None
    return appointment.start + timedelta(minutes=appointment.prep_min)
