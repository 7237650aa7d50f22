"""Ready for the dose (issue 17): results in, a verdict per booked dose out, and the one
gate every write path calls (``require_ready``).

Results are recorded with their sample instant and an audit row each. The verdict is
``domain.readiness.assess``'s; this module only reads what it needs (one query per table
for a whole day's appointments) and writes results, overrides and the gate settings.

The gate (site setting ``readiness_gate``): ``off`` checks nothing; ``warn`` hands the
readiness back for the caller to show and proceeds; ``enforce`` refuses a dose whose
verdict is not ``ready`` unless a clinician's override is recorded for that action.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .. import settings as declared
from ..domain.dosing import needs_recalculation
from ..domain.errors import DomainError, require_aware
from ..domain.readiness import (
    DEFAULT_GATE,
    DEFAULT_LAB_FRESHNESS_DAYS,
    DEFAULT_LVEF_INTERVAL_WEEKS,
    DoseFacts,
    LabResult,
    LvefResult,
    Readiness,
    Reason,
    assess,
    check_gate_mode,
    check_lab,
    check_lvef,
)
from ..domain.readiness_gate import GateCheck, is_ready, not_ready_rule
from ..store import labs as lab_store, repository as repo
from ..store.connection import Database
from ..store.database import from_utc_text, to_utc_text
from .context import ChangeSet, Context, audit, load_settings, require_patient, transaction

Row = dict[str, Any]
GATE_ACTIONS = ("start infusion", "reconstitute", "dose given")
# Starting the infusion records the dose given: its override covers both.
OVERRIDES_COVERING = {
    "start infusion": ("start infusion",),
    "reconstitute": ("reconstitute",),
    "dose given": ("dose given", "start infusion"),
}
MAX_REASON_LENGTH = 500
# The gate's settings: key -> (low, high) for the numbers; readiness_gate is a choice.
NUMBER_SETTINGS = {
    key: (int(declared.by_key(key).low or 0), int(declared.by_key(key).high or 0))
    for key in ("lab_freshness_days", "lvef_interval_weeks")
}
SETTING_KEYS = ("readiness_gate", *NUMBER_SETTINGS)


class NotReady(DomainError):
    """``enforce`` refused an action for a dose that is not ready and has no override."""

    def __init__(self, action: str, mrn: str, cycle: int, readiness: Readiness) -> None:
        super().__init__("readiness", not_ready_rule(action, mrn, cycle, readiness))
        self.action = action
        self.mrn = mrn
        self.cycle = cycle
        self.readiness = readiness


# --- settings ---------------------------------------------------------------------------
def readiness_settings(db: Database) -> dict[str, Any]:
    row = repo.clinic(db) or {}
    return {
        "readiness_gate": row.get("readiness_gate", DEFAULT_GATE),
        "lab_freshness_days": row.get("lab_freshness_days", DEFAULT_LAB_FRESHNESS_DAYS),
        "lvef_interval_weeks": row.get("lvef_interval_weeks", DEFAULT_LVEF_INTERVAL_WEEKS),
    }


def readiness_gate(db: Database) -> str:
    """The site's ``readiness_gate``: "off" | "warn" | "enforce"."""
    return str(readiness_settings(db)["readiness_gate"])


def check_setting(key: str, value: object) -> object:
    if key == "readiness_gate":
        return check_gate_mode(str(value))
    if key not in NUMBER_SETTINGS:
        raise DomainError(key, "not a readiness setting")
    low, high = NUMBER_SETTINGS[key]
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise DomainError(key, f"expected a whole number, got {value!r}")
    number = int(text)
    if not low <= number <= high:
        raise DomainError(key, f"must be {low}-{high}, got {value}")
    return number


def set_readiness_settings(ctx: Context, values: dict[str, object]) -> ChangeSet:
    """Change the gate's settings (``settings set``), audited, all or nothing."""
    clean = {key: check_setting(key, value) for key, value in values.items()}
    changes = ChangeSet("change settings", settings=True)
    with transaction(ctx) as db:
        load_settings(db)  # refuses a database without a clinic
        old = readiness_settings(db)
        repo.update_clinic(db, clean)
        audit(ctx, "change settings", "clinic", 1, {k: old[k] for k in clean}, clean)
    return changes


# --- recording results ----------------------------------------------------------------------
def add_lab(
    ctx: Context, *, mrn: str, test: str, value: object, uln: object | None, at: datetime
) -> ChangeSet:
    """One AST, ALT, total bilirubin (with its ULN) or platelet (per mm³) result."""
    require_aware("at", at)
    name, number, limit = check_lab(test, value, uln)
    changes = ChangeSet(f"record {name} for {mrn}")
    with transaction(ctx) as db:
        patient = require_patient(db, mrn)
        values = {
            "patient_id": patient["id"],
            "test": name,
            "value": number,
            "uln": limit,
            "sampled_at": to_utc_text(at),
            "recorded_at": to_utc_text(ctx.clock.now()),
        }
        result_id = lab_store.insert_lab(db, values)
        changes.patients.add(patient["id"])
        audit(ctx, "record lab result", "lab_result", result_id, None, values)
    return changes


def add_lvef(
    ctx: Context, *, mrn: str, percent: object, at: datetime, modality: str = "echo"
) -> ChangeSet:
    """One LVEF in % (5-95) by echo or MUGA."""
    require_aware("at", at)
    number, kind = check_lvef(percent, modality)
    changes = ChangeSet(f"record LVEF for {mrn}")
    with transaction(ctx) as db:
        patient = require_patient(db, mrn)
        values = {
            "patient_id": patient["id"],
            "percent": number,
            "modality": kind,
            "sampled_at": to_utc_text(at),
            "recorded_at": to_utc_text(ctx.clock.now()),
        }
        result_id = lab_store.insert_lvef(db, values)
        changes.patients.add(patient["id"])
        audit(ctx, "record LVEF", "lvef_result", result_id, None, values)
    return changes


# --- reading the verdict ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Reads:
    labs: dict[int, list[LabResult]]
    lvefs: dict[int, list[LvefResult]]
    given: dict[int, list[Row]]
    settings: dict[str, Any]
    recalc_percent: float
    zone: Any


def _read(db: Database, rows: list[Row]) -> _Reads:
    settings = load_settings(db)
    zone = settings.calendar.zone
    labs: dict[int, list[LabResult]] = {}
    for r in lab_store.labs_of_patients(db, (row["patient_id"] for row in rows)):
        at = from_utc_text(r["sampled_at"]).astimezone(zone)
        result = LabResult(r["test"], r["value"], r["uln"], at)
        labs.setdefault(r["patient_id"], []).append(result)
    lvefs: dict[int, list[LvefResult]] = {}
    for r in lab_store.lvefs_of_patients(db, (row["patient_id"] for row in rows)):
        at = from_utc_text(r["sampled_at"]).astimezone(zone)
        lvef = LvefResult(r["percent"], at, r["modality"])
        lvefs.setdefault(r["patient_id"], []).append(lvef)
    given: dict[int, list[Row]] = {}
    for r in lab_store.given_doses_of_courses(db, (row["course_id"] for row in rows)):
        given.setdefault(r["course_id"], []).append(r)
    return _Reads(labs, lvefs, given, readiness_settings(db), settings.weight_recalc_percent, zone)


def _weight_note(reads: _Reads, row: Row) -> tuple[Reason, ...]:
    old, new = float(row["dose_weight_kg"]), float(row["weight_kg"])
    if row["dose_status"] != "booked" or not needs_recalculation(old, new, reads.recalc_percent):
        return ()
    change = (new - old) * 100 / old
    return (
        Reason(
            "weight-recalculate",
            f"weight {old:g} kg -> {new:g} kg ({change:+.1f}%), at or above the site's "
            f"{reads.recalc_percent:g}%: the pharmacy recalculates the dose",
        ),
    )


def _assess_row(reads: _Reads, row: Row) -> Readiness:
    given = [g for g in reads.given.get(row["course_id"], []) if g["cycle"] < row["cycle"]]
    first = next((g for g in reads.given.get(row["course_id"], []) if g["cycle"] == 1), None)
    level = float(row["dose_level_mg_per_kg"])
    start = from_utc_text(row["start_utc"]) + timedelta(minutes=row["prep_min"])
    facts = DoseFacts(
        setting=row["setting"],
        cycle=row["cycle"],
        infusion_start=start.astimezone(reads.zone),
        dose_level=level,
        base_level=float(given[-1]["dose_level_mg_per_kg"]) if given else level,
        last_given_at=from_utc_text(given[-1]["given_at"]) if given else None,
        course_started_at=(
            from_utc_text(first["given_at"]) if first and row["cycle"] > 1 else None
        ),
        given_at=from_utc_text(row["given_at"]) if row["given_at"] else None,
        freshness_days=int(reads.settings["lab_freshness_days"]),
        lvef_interval_weeks=int(reads.settings["lvef_interval_weeks"]),
        notes=_weight_note(reads, row),
    )
    patient = row["patient_id"]
    return assess(facts, reads.labs.get(patient, []), reads.lvefs.get(patient, []))


def _dose_row(db: Database, mrn: str, cycle: int) -> Row:
    patient = require_patient(db, mrn)
    course = repo.latest_course(db, patient["id"])
    if course is None:
        raise DomainError("mrn", f"patient {mrn} has no course")
    if isinstance(cycle, bool) or not isinstance(cycle, int) or cycle < 1:
        raise DomainError("cycle", f"must be a whole number from 1, got {cycle!r}")
    row = lab_store.current_dose_row(db, course["id"], cycle)
    if row is None:
        raise DomainError("cycle", f"cycle {cycle} of {mrn} has no booking")
    return row


def dose_readiness(db: Database, *, mrn: str, cycle: int) -> Readiness:
    """The readiness of one booked (or given) dose of the patient's current course."""
    row = _dose_row(db, mrn.strip(), cycle)
    return _assess_row(_read(db, [row]), row)


def readiness_for_appointments(
    db: Database, appointment_ids: Iterable[int]
) -> dict[int, Readiness]:
    """Each dose appointment's readiness (blocked time is left out), in one read."""
    rows = lab_store.dose_rows_of_appointments(db, appointment_ids)
    if not rows:
        return {}
    reads = _read(db, rows)
    return {row["appointment_id"]: _assess_row(reads, row) for row in rows}


# --- the gate ----------------------------------------------------------------------------
def has_override(db: Database, *, mrn: str, cycle: int, action: str) -> bool:
    """A clinician's override is recorded for this action on this dose."""
    if action not in OVERRIDES_COVERING:
        raise DomainError("action", f"must be one of {', '.join(GATE_ACTIONS)}, got {action!r}")
    row = _dose_row(db, mrn.strip(), cycle)
    return lab_store.override_exists(db, row["dose_id"], OVERRIDES_COVERING[action])


def _text(field: str, value: str) -> str:
    text = " ".join(str(value).split())
    if not text:
        raise DomainError(field, "must not be empty")
    if len(text) > MAX_REASON_LENGTH:
        raise DomainError(field, f"must be at most {MAX_REASON_LENGTH} characters")
    return text


def record_override(
    ctx: Context, *, mrn: str, cycle: int, reason: str, clinician: str, action: str
) -> ChangeSet:
    """A clinician overrides the gate for one action on one dose, with a reason; audited."""
    if action not in GATE_ACTIONS:
        raise DomainError("action", f"must be one of {', '.join(GATE_ACTIONS)}, got {action!r}")
    why = _text("reason", reason)
    who = _text("clinician", clinician)
    changes = ChangeSet(f"override readiness for cycle {cycle} of {mrn} ({action})")
    with transaction(ctx) as db:
        row = _dose_row(db, mrn.strip(), cycle)
        if row["dose_status"] != "booked":
            raise DomainError("cycle", f"cycle {cycle} is {row['dose_status']}, not booked")
        verdict = _assess_row(_read(db, [row]), row).verdict
        values = {
            "dose_id": row["dose_id"],
            "action": action,
            "verdict": verdict.value,
            "reason": why,
            "clinician": who,
            "at_utc": to_utc_text(ctx.clock.now()),
        }
        override_id = lab_store.insert_override(db, values)
        changes.appointments.add(row["appointment_id"])
        audit(ctx, "override readiness", "readiness_override", override_id, None, values)
    return changes


def gate_of(db: Database, *, mrn: str, cycle: int, action: str) -> GateCheck:
    """The facts the gate decides on (``domain.readiness_gate``): the site's mode, the
    dose's readiness (not read under ``off``) and, for a dose not ready, whether
    ``action`` was overridden."""
    mode = readiness_gate(db)
    if mode == "off":
        return GateCheck(mode, None, False)
    readiness = dose_readiness(db, mrn=mrn, cycle=cycle)
    overridden = not is_ready(readiness) and has_override(db, mrn=mrn, cycle=cycle, action=action)
    return GateCheck(mode, readiness, overridden)


def require_ready(ctx: Context, *, mrn: str, cycle: int, action: str) -> Readiness | None:
    """The gate: None under ``off``; the readiness under ``warn`` (the caller shows it) and
    under ``enforce`` when the dose is ready or overridden; else ``NotReady``."""
    check = gate_of(ctx.db, mrn=mrn, cycle=cycle, action=action)
    if check.needs_override:
        assert check.readiness is not None
        raise NotReady(action, mrn, cycle, check.readiness)
    return check.readiness


def summary(readiness: Readiness) -> str:
    """One line: the verdict and its first reasons (for stderr and tooltips)."""
    shown = [r for r in readiness.reasons if r.rule != "ebc-table-unverified"][:2]
    if len(shown) < len(readiness.reasons):
        shown.append(Reason("ebc-table-unverified", "EBC: no hold/reduce/stop is computed"))
    reasons = "; ".join(f"{r.rule}: {r.text}" for r in shown)
    return f"{readiness.verdict.value}" + (f" ({reasons})" if reasons else "")


def readiness_json(readiness: Readiness) -> dict[str, Any]:
    """The ``dose check --json`` object."""
    return {
        "verdict": readiness.verdict.value,
        "reasons": [{"rule": r.rule, "text": r.text} for r in readiness.reasons],
        "results": [
            {"test": r.test, "value": r.value, "uln": r.uln, "at": r.at.isoformat()}
            for r in readiness.results
        ],
        "lvef_due": readiness.lvef_due.isoformat() if readiness.lvef_due else None,
        "proposed_mg_per_kg": readiness.proposed_mg_per_kg,
    }
