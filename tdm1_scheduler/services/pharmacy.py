"""Pharmacy: the dose and vial plan, reconstitution and dilution, the queue, discards.

Ado-trastuzumab emtansine (KADCYLA) is not trastuzumab and not fam-trastuzumab
deruxtecan (Enhertu); everything shown to a person names it that way (DRUG_LINE).

The arithmetic is the domain's (dosing.py, stability.py): dose = level x the weight kept
with the dose; 100/160 mg vials with the least waste, then the fewest vials; 5 mL water
per 100 mg, 8 mL per 160 mg; withdraw dose / 20 mg/mL; dilute in 250 mL 0.9% Sodium
Chloride, never dextrose [label]. A reconstituted vial is good for 24 h, the diluted bag
for 24 h after dilution, both elapsed hours (also across a DST change).

Three rooms: pharmacy_plan.py (the dose plan, weight check, stored instants),
pharmacy_reads.py (``prep show``, the bag check, the queue) and here the writes
(reconstitute, dilute, discard); every public name is importable from here.

Each write is one transaction with one audit row and returns a ChangeSet whose
``preparations`` names the row written. Reads take ``now`` from the caller's clock.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ..domain.dosing import (
    CONCENTRATION_MG_PER_ML,
    DILUENT,
    validate_weight,
    vial_plan,
)
from ..domain.errors import DomainError
from ..domain.records import Preparation as PreparationRecord
from ..domain.regimen import DRUG_NAME
from ..domain.stability import (
    bag_usable_at,
    check_diluent,
    check_dilution,
    status_at,
)
from .context import ChangeSet, Context, audit, settings_from, stored_values
from .course_records import load_course
from .pharmacy_plan import (
    DRUG_LINE,
    EXPIRED,
    MAX_LOT_LENGTH,
    STORAGE,
    DosePlan,
    WeightCheck,
    _to_second,
    _wall,
    infusion_start_of,
    instant_of,
    parse_lots,
    plan_dose,
    plan_for_dose,
    prep_time_left,
    require_booked,
    weight_check,
)
from .pharmacy_reads import bag_check, pharmacy_queue, preparation_view, queue_order
from .pharmacy_views import BagCheck, PrepAction, PreparationView, PrepQueueItem
from .readiness import require_ready

__all__ = [
    "DRUG_LINE",
    "EXPIRED",
    "MAX_LOT_LENGTH",
    "STORAGE",
    "BagCheck",
    "DosePlan",
    "PrepAction",
    "PrepQueueItem",
    "PreparationView",
    "WeightCheck",
    "bag_check",
    "discard_expired",
    "discard_preparation",
    "instant_of",
    "parse_lots",
    "pharmacy_queue",
    "plan_dose",
    "plan_for_dose",
    "prep_time_left",
    "preparation_view",
    "queue_order",
    "record_dilution",
    "record_reconstitution",
    "wasted_mg_of",
    "weight_check",
]


# --- Writes --------------------------------------------------------------------------------------
RECONSTITUTED = ("dose_id", "reconstituted_at", "vial_lots", "storage", "dose_mg")
DILUTED = ("diluted_at", "diluent")
DISCARDED = ("discarded_at", "discard_reason", "wasted_mg")


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
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        record = load_course(tx, mrn)
        dose = record.dose(cycle)
        require_booked(dose, cycle)
        require_ready(ctx, mrn=mrn, cycle=cycle, action="reconstitute")  # issue 17
        existing = tx.preparation_for_dose(dose.id)
        if existing is not None:
            when = existing.reconstituted_at
            shown = _wall(settings, when) if when else "earlier"
            raise DomainError(
                "cycle",
                f"cycle {cycle} was already reconstituted ({shown}); discard it before"
                " preparing again",
            )
        validate_weight(dose.weight_kg, settings.weight_min_kg, settings.weight_max_kg)
        plan = plan_for_dose(dose)
        if len(lot_list) > plan.vials.vial_count:
            raise DomainError(
                "lot",
                f"{len(lot_list)} lot numbers for {plan.vials.vial_count} vial(s)",
            )
        stored = tx.insert_preparation(
            dose_id=dose.id,
            reconstituted_at=at,
            vial_lots=",".join(lot_list),
            storage=STORAGE,
            dose_mg=plan.dose_mg,
        )
        changes.preparations.add(stored.id)
        expiry = stored.instants().vial_expires_at
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
        values = {**stored_values(stored, RECONSTITUTED), "dose_mg": plan.dose_mg}
        audit(
            ctx,
            "record reconstitution",
            "preparation",
            stored.id,
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
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        record = load_course(tx, mrn)
        dose = record.dose(cycle)
        require_booked(dose, cycle)
        found = tx.preparation_for_dose(dose.id)
        if found is None or found.reconstituted_at is None:
            raise DomainError(
                "cycle", f"cycle {cycle} has no reconstitution recorded; reconstitute first"
            )
        if found.diluted_at is not None:
            raise DomainError(
                "cycle",
                f"cycle {cycle} was already diluted ({_wall(settings, found.diluted_at)})",
            )
        if found.used_at is not None:
            raise DomainError("cycle", f"cycle {cycle}'s preparation was already used")
        check_dilution(found.reconstituted_at, at)
        diluted = dataclasses.replace(found, diluted_at=at, diluent=canonical)
        tx.update_preparation(diluted)
        changes.preparations.add(found.id)
        prep = diluted.instants()
        bag_expiry = prep.bag_expires_at
        assert bag_expiry is not None
        changes.notes.append(DRUG_LINE)
        changes.notes.append(
            f"in {canonical}; bag good until {_wall(settings, bag_expiry)} at {STORAGE}"
        )
        start = infusion_start_of(record.current.get(dose.id))
        if start is not None and not bag_usable_at(prep, start):
            changes.notes.append(
                f"warning: the booked infusion start {_wall(settings, start)} is outside the"
                f" bag's window (until {_wall(settings, bag_expiry)})"
            )
        audit(
            ctx,
            "record dilution",
            "preparation",
            found.id,
            {"diluted_at": None, "diluent": None},
            {**stored_values(diluted, DILUTED), "cycle": cycle},
        )
    return changes


def wasted_mg_of(prep: PreparationRecord) -> float:
    """Drug lost when a preparation is discarded: every mg in the vials opened for it
    (the dose plus the single-dose vials' overage)."""
    assert prep.dose_mg is not None  # a reconstitution records the dose it was made for
    plan = vial_plan(float(prep.dose_mg))
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
    with ctx.store.transaction() as tx:
        record = load_course(tx, mrn)
        dose = record.dose(cycle)
        found = tx.preparation_for_dose(dose.id)
        if found is None:
            raise DomainError("cycle", f"cycle {cycle} has no preparation to discard")
        _discard(ctx, found, now, reason_text, changes, cycle)
    return changes


def _discard(
    ctx: Context,
    found: PreparationRecord,
    now: datetime,
    reason: str,
    changes: ChangeSet,
    cycle: int,
) -> None:
    if found.used_at is not None:
        raise DomainError("cycle", f"cycle {cycle}'s preparation was used; nothing to discard")
    prep = found.instants()
    before = status_at(prep, now)
    # Steps entered ahead of the clock (a time typed for later today): the discard is
    # recorded at the last of them, never before the step it ends.
    last_step = prep.diluted_at or prep.reconstituted_at
    if last_step is not None and last_step > now:
        now = last_step
    wasted = wasted_mg_of(found)
    discarded = dataclasses.replace(
        found, discarded_at=now, discard_reason=reason, wasted_mg=wasted
    )
    ctx.store.update_preparation(discarded)
    changes.preparations.add(found.id)
    changes.notes.append(
        f"{wasted:g} mg of {DRUG_NAME} wasted ({found.dose_mg:g} mg dose); reason: {reason}"
    )
    audit(
        ctx,
        "discard preparation",
        "preparation",
        found.id,
        {"status": before.value},
        {
            **stored_values(discarded, DISCARDED),
            "wasted_mg": wasted,
            "cycle": cycle,
            "dose_mg": found.dose_mg,
        },
    )


def discard_expired(ctx: Context, *, reason: str = "expired") -> ChangeSet:
    """Discard every live preparation whose vial or bag window has passed at the clock's
    now; one transaction, one audit row per preparation discarded."""
    reason_text = " ".join(reason.split())
    if not reason_text:
        raise DomainError("reason", "a discard needs a reason")
    now = _to_second("now", ctx.clock.now())
    changes = ChangeSet(f"discarded expired {DRUG_NAME} preparations")
    with ctx.store.transaction() as tx:
        for found in tx.live_preparations():
            if status_at(found.instants(), now) not in EXPIRED:
                continue
            dose = tx.dose_by_id(found.dose_id)
            assert dose is not None
            _discard(ctx, found, now, reason_text, changes, dose.cycle)
    if not changes.preparations:
        changes.notes.append("nothing expired")
    return changes
