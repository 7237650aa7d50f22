"""Pharmacy: the dose and vial plan, reconstitution and dilution, the queue, discards.

Ado-trastuzumab emtansine (KADCYLA) is not trastuzumab and not fam-trastuzumab
deruxtecan (Enhertu); everything shown to a person names it that way (DRUG_LINE).

The arithmetic is the domain's (dosing.py, stability.py): dose = level x the weight kept
with the dose; 100/160 mg vials with the least waste, then the fewest vials; 5 mL water
per 100 mg, 8 mL per 160 mg; withdraw dose / 20 mg/mL; dilute in 250 mL 0.9% Sodium
Chloride, never dextrose [label]. A reconstituted vial is good for 24 h, the diluted bag
for 24 h after dilution, both elapsed hours (also across a DST change).

Each write is one transaction with one audit row and returns a ChangeSet whose
``preparations`` names the row written. Reads take ``now`` from the caller's clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlite_utils import Database

from ..domain.dosing import (
    CONCENTRATION_MG_PER_ML,
    DILUENT,
    WATER_ML_PER_VIAL,
    VialPlan,
    dose_mg,
    needs_recalculation,
    validate_weight,
    vial_plan,
)
from ..domain.errors import DomainError, require_aware
from ..domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from ..domain.stability import (
    Preparation,
    PrepStatus,
    bag_usable_at,
    check_diluent,
    check_dilution,
    status_at,
)
from ..store import repository as repo
from ..store.database import from_utc_text, to_utc_text
from .context import ChangeSet, ClinicSettings, Context, audit, load_settings, transaction
from .courses import load_course
from .queries import iso_local

Row = dict[str, Any]

DRUG_LINE = f"{DRUG_NAME}: {DRUG_NAME_REMINDER}"
STORAGE = "2-8 °C"  # [label] reconstituted vial and diluted bag, never frozen
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
        """``[{"mg": 160, "count": 1}, {"mg": 100, "count": 1}]``, largest vial first."""
        return [{"mg": size, "count": count} for size, count in self.vials.vials]

    def water_list(self) -> list[dict[str, Any]]:
        """Sterile Water for Injection per vial size [label]."""
        return [
            {"mg": size, "count": count, "water_ml_per_vial": WATER_ML_PER_VIAL[size]}
            for size, count in self.vials.vials
        ]

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


def plan_for_dose_row(dose: Row) -> DosePlan:
    """The plan from what the dose row keeps: its level and the weight it was worked on."""
    return plan_dose(dose["dose_level_mg_per_kg"], dose["weight_kg"])


def check_bag_matches_dose(prep: Row, dose: Row) -> None:
    """A bag made for another dose (the level was reduced since) is never infused."""
    made = prep["dose_mg"]
    wanted = plan_for_dose_row(dose).dose_mg
    if made is not None and abs(float(made) - wanted) > 0.05:
        raise DomainError(
            "preparation",
            f"the bag holds {float(made):g} mg but the dose is now {wanted:g} mg "
            f"({dose['dose_level_mg_per_kg']:g} mg/kg x {dose['weight_kg']:g} kg): "
            "discard it and prepare a new one",
        )


@dataclass(frozen=True)
class WeightCheck:
    recalculate: bool
    reason: str | None
    current_weight_kg: float
    change_percent: float


def weight_check(settings: ClinicSettings, dose: Row, patient: Row) -> WeightCheck:
    """Flag the dose when the patient's weight moved by the site's percent or more."""
    old, new = float(dose["weight_kg"]), float(patient["weight_kg"])
    threshold = float(settings.weight_recalc_percent)
    change = float((Decimal(repr(new)) - Decimal(repr(old))) * 100 / Decimal(repr(old)))
    flagged = needs_recalculation(old, new, threshold)
    reason = None
    if flagged:
        reason = (
            f"weight {old:g} kg on {_day(settings, dose['weight_measured_at'])} -> {new:g} kg"
            f" on {_day(settings, patient['weight_measured_at'])} ({change:+.1f}%), at or above"
            f" the site's {threshold:g}%: recalculate the dose"
        )
    return WeightCheck(flagged, reason, new, round(change, 1))


# --- Rows and instants ------------------------------------------------------------------------
def instant_of(text: str | None) -> datetime | None:
    """A stored UTC instant, or None."""
    return None if text is None else from_utc_text(text)


def preparation_of(row: Row) -> Preparation:
    """The domain's Preparation for a stored row."""
    return Preparation(
        reconstituted_at=instant_of(row["reconstituted_at"]),
        diluted_at=instant_of(row["diluted_at"]),
        discarded_at=instant_of(row["discarded_at"]),
        used_at=instant_of(row["used_at"]),
    )


def _day(settings: ClinicSettings, text: str) -> str:
    return f"{settings.calendar.local(from_utc_text(text)):%Y-%m-%d}"


def _wall(settings: ClinicSettings, instant: datetime) -> str:
    """Short clinic wall time: ``Tue 09:40``."""
    return f"{settings.calendar.local(instant):%a %H:%M}"


def _iso(settings: ClinicSettings, instant: datetime | None) -> str | None:
    return None if instant is None else settings.calendar.local(instant).isoformat()


def _minutes(delta: timedelta | None) -> int | None:
    return None if delta is None else math.floor(delta.total_seconds() / 60)


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


def _lots(row: Row) -> list[str]:
    return [lot for lot in (row["vial_lots"] or "").split(",") if lot]


def _require_booked(dose: Row, cycle: int) -> None:
    if dose["status"] != "booked":
        raise DomainError(
            "cycle", f"cycle {cycle} is {dose['status']}; only a booked dose is prepared"
        )


def _infusion_start(appointment: Row | None) -> datetime | None:
    """When the infusion itself starts: the chair booking plus its prep minutes."""
    if appointment is None:
        return None
    return from_utc_text(appointment["start_utc"]) + timedelta(minutes=appointment["prep_min"])


# --- Writes --------------------------------------------------------------------------------------
def record_reconstitution(
    ctx: Context,
    *,
    mrn: str,
    cycle: int,
    at: datetime,
    lots: str | list[str] | tuple[str, ...] | None = None,
) -> ChangeSet:
    """Vials reconstituted at ``at`` and kept at 2-8 °C; good until ``at`` + 24 h [label].

    Refused: a dose that is not booked (given, cancelled), a dose that already has a
    live preparation (discard it first), more lot numbers than vials.
    """
    at = _to_second("reconstituted_at", at)
    lot_list = parse_lots(lots)
    changes = ChangeSet(f"reconstituted {DRUG_NAME} for {mrn} cycle {cycle}")
    with transaction(ctx) as db:
        settings = load_settings(db)
        record = load_course(db, mrn)
        dose = record.dose(cycle)
        _require_booked(dose, cycle)
        existing = repo.preparation_for_dose(db, dose["id"])
        if existing is not None:
            when = instant_of(existing["reconstituted_at"])
            shown = _wall(settings, when) if when else "earlier"
            raise DomainError(
                "cycle",
                f"cycle {cycle} was already reconstituted ({shown}); discard it before"
                " preparing again",
            )
        validate_weight(dose["weight_kg"], settings.weight_min_kg, settings.weight_max_kg)
        plan = plan_for_dose_row(dose)
        if len(lot_list) > plan.vials.vial_count:
            raise DomainError(
                "lot",
                f"{len(lot_list)} lot numbers for {plan.vials.vial_count} vial(s)",
            )
        values = {
            "dose_id": dose["id"],
            "reconstituted_at": to_utc_text(at),
            "vial_lots": ",".join(lot_list),
            "storage": STORAGE,
            "dose_mg": plan.dose_mg,
        }
        prep_id = repo.insert_preparation(db, values)
        changes.preparations.add(prep_id)
        prep = preparation_of({**values, "diluted_at": None, "discarded_at": None, "used_at": None})
        expiry = prep.vial_expires_at
        assert expiry is not None
        changes.notes.append(DRUG_LINE)
        changes.notes.append(
            f"{plan.dose_mg:g} mg: {plan.describe_vials()}; withdraw {plan.withdraw_ml:g} mL"
            f" ({CONCENTRATION_MG_PER_ML:g} mg/mL); vial good until {_wall(settings, expiry)}"
            f" at {STORAGE}"
        )
        if not lot_list:
            changes.notes.append("no vial lot recorded: the label asks for the batch number")
        check = weight_check(settings, dose, record.patient)
        if check.reason:
            changes.notes.append(check.reason)
        audit(
            ctx,
            "record reconstitution",
            "preparation",
            prep_id,
            None,
            {**values, "cycle": cycle, "vials": plan.vial_list(), "withdraw_ml": plan.withdraw_ml},
        )
    return changes


def record_dilution(
    ctx: Context, *, mrn: str, cycle: int, at: datetime, diluent: str = DILUENT
) -> ChangeSet:
    """The dose diluted at ``at``; the bag is good until ``at`` + 24 h [label].

    Refused: a dextrose (or any other non 0.9% NaCl) diluent, no reconstitution, a
    second dilution, a dilution before reconstitution or after the vial's 24 h.
    """
    at = _to_second("diluted_at", at)
    canonical = check_diluent(diluent)
    changes = ChangeSet(f"diluted {DRUG_NAME} for {mrn} cycle {cycle}")
    with transaction(ctx) as db:
        settings = load_settings(db)
        record = load_course(db, mrn)
        dose = record.dose(cycle)
        _require_booked(dose, cycle)
        row = repo.preparation_for_dose(db, dose["id"])
        if row is None or row["reconstituted_at"] is None:
            raise DomainError(
                "cycle", f"cycle {cycle} has no reconstitution recorded; reconstitute first"
            )
        if row["diluted_at"] is not None:
            raise DomainError(
                "cycle",
                f"cycle {cycle} was already diluted"
                f" ({_wall(settings, from_utc_text(row['diluted_at']))})",
            )
        if row["used_at"] is not None:
            raise DomainError("cycle", f"cycle {cycle}'s preparation was already used")
        check_dilution(from_utc_text(row["reconstituted_at"]), at)
        new = {"diluted_at": to_utc_text(at), "diluent": canonical}
        repo.update_versioned(db, "preparations", row["id"], row["version"], new)
        changes.preparations.add(row["id"])
        prep = preparation_of({**row, **new})
        bag_expiry = prep.bag_expires_at
        assert bag_expiry is not None
        changes.notes.append(DRUG_LINE)
        changes.notes.append(
            f"in {canonical}; bag good until {_wall(settings, bag_expiry)} at {STORAGE}"
        )
        start = _infusion_start(record.current.get(dose["id"]))
        if start is not None and not bag_usable_at(prep, start):
            changes.notes.append(
                f"warning: the booked infusion start {_wall(settings, start)} is outside the"
                f" bag's window (until {_wall(settings, bag_expiry)})"
            )
        audit(
            ctx,
            "record dilution",
            "preparation",
            row["id"],
            {"diluted_at": None, "diluent": None},
            {**new, "cycle": cycle},
        )
    return changes


def wasted_mg_of(row: Row) -> float:
    """Drug lost when a preparation is discarded: every mg in the vials opened for it
    (the dose plus the single-dose vials' overage)."""
    plan = vial_plan(float(row["dose_mg"]))
    return float(plan.total_mg)


def discard_preparation(ctx: Context, *, mrn: str, cycle: int, reason: str) -> ChangeSet:
    """Discard the dose's live preparation now, with a reason; records the wasted mg.

    Any dose status (a cancelled dose's bag is discarded too); not a used one.
    """
    reason_text = " ".join(reason.split())
    if not reason_text:
        raise DomainError("reason", "a discard needs a reason")
    now = _to_second("now", ctx.clock.now())
    changes = ChangeSet(f"discarded {DRUG_NAME} preparation for {mrn} cycle {cycle}")
    with transaction(ctx) as db:
        record = load_course(db, mrn)
        dose = record.dose(cycle)
        row = repo.preparation_for_dose(db, dose["id"])
        if row is None:
            raise DomainError("cycle", f"cycle {cycle} has no preparation to discard")
        _discard(ctx, row, now, reason_text, changes, cycle)
    return changes


def _discard(
    ctx: Context, row: Row, now: datetime, reason: str, changes: ChangeSet, cycle: int
) -> None:
    if row["used_at"] is not None:
        raise DomainError("cycle", f"cycle {cycle}'s preparation was used; nothing to discard")
    prep = preparation_of(row)
    before = status_at(prep, now)
    # Steps entered ahead of the clock (a time typed for later today): the discard is
    # recorded at the last of them, never before the step it ends.
    last_step = prep.diluted_at or prep.reconstituted_at
    if last_step is not None and last_step > now:
        now = last_step
    wasted = wasted_mg_of(row)
    new = {"discarded_at": to_utc_text(now), "discard_reason": reason, "wasted_mg": wasted}
    repo.update_versioned(ctx.db, "preparations", row["id"], row["version"], new)
    changes.preparations.add(row["id"])
    changes.notes.append(
        f"{wasted:g} mg of {DRUG_NAME} wasted ({row['dose_mg']:g} mg dose); reason: {reason}"
    )
    audit(
        ctx,
        "discard preparation",
        "preparation",
        row["id"],
        {"status": before.value},
        {**new, "cycle": cycle, "dose_mg": row["dose_mg"]},
    )


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
    if row is not None and row["dose_mg"] is not None and row["dose_mg"] != plan.dose_mg:
        warnings.append(
            f"prepared {row['dose_mg']:g} mg but the dose is now {plan.dose_mg:g} mg:"
            " discard and prepare again"
        )
    bag = None
    if start is not None and prep.diluted_at is not None:
        bag = bag_usable_at(prep, start)
        if not bag:
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
    row = repo.preparation_for_dose(db, dose_id)
    if row is None or row["diluted_at"] is None:
        return None
    settings = load_settings(db)
    prep = preparation_of(row)
    expiry = prep.bag_expires_at
    assert expiry is not None
    usable = bag_usable_at(prep, infusion_start)
    until = _wall(settings, expiry)
    start = _wall(settings, infusion_start)
    if usable:
        message = f"bag good until {until}"
    elif prep.used_at is not None:
        message = f"bag already used ({_wall(settings, prep.used_at)})"
    elif infusion_start > expiry:
        message = (
            f"bag good until {until} only: an infusion at {start} needs a new bag; discard this one"
        )
    else:  # the infusion would start before the bag was made (a move into the past)
        assert prep.diluted_at is not None
        diluted = _wall(settings, prep.diluted_at)
        message = f"the bag was diluted {diluted}, after an infusion at {start}"
    return {
        "usable": usable,
        "bag_expires_at": settings.calendar.local(expiry),
        "message": message,
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


def discard_expired(ctx: Context, *, reason: str = "expired") -> ChangeSet:
    """Discard every live preparation whose vial or bag window has passed at the clock's
    now; one transaction, one audit row per preparation discarded."""
    reason_text = " ".join(reason.split())
    if not reason_text:
        raise DomainError("reason", "a discard needs a reason")
    now = _to_second("now", ctx.clock.now())
    changes = ChangeSet(f"discarded expired {DRUG_NAME} preparations")
    with transaction(ctx) as db:
        for row in repo.live_preparations(db):
            if status_at(preparation_of(row), now) not in EXPIRED:
                continue
            dose = repo.dose_by_id(db, row["dose_id"])
            assert dose is not None
            _discard(ctx, row, now, reason_text, changes, dose["cycle"])
    if not changes.preparations:
        changes.notes.append("nothing expired")
    return changes
