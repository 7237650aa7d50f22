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
from datetime import UTC, datetime, timedelta
from typing import Any

from ..domain.errors import DomainError, require_aware
from ..domain.lean import dataclass, replace
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
from ..domain.records import (
    CycleStatus,
    DoseBooking,
    GateAction,
    GivenDose,
    LabTest,
    LvefModality,
    ReadinessGate,
)
from ..store.protocol import Store
from .context import ChangeSet, Context, audit, patient_record, settings_from, stored_values

GATE_ACTIONS = ("start infusion", "reconstitute", "dose given")
# Starting the infusion records the dose given: its override covers both.
OVERRIDES_COVERING = {
    "start infusion": ("start infusion",),
    "reconstitute": ("reconstitute",),
    "dose given": ("dose given", "start infusion"),
}
MAX_REASON_LENGTH = 500
# The gate's settings: two numbers (bounds declared in settings.py) and readiness_gate,
# a choice.
NUMBER_SETTINGS = ("lab_freshness_days", "lvef_interval_weeks")
SETTING_KEYS = ("readiness_gate", *NUMBER_SETTINGS)


def number_bounds(key: str) -> tuple[int, int]:
    """(low, high) of a number setting, as settings.py declares them (read when a
    setting is checked: the declarations load the booking rules, which a day sheet does
    not need; issue 19)."""
    from .. import settings as declared

    spec = declared.by_key(key)
    return int(spec.low or 0), int(spec.high or 0)


class NotReady(DomainError):
    """``enforce`` refused an action for a dose that is not ready and has no override."""

    def __init__(self, action: str, mrn: str, cycle: int, readiness: Readiness) -> None:
        super().__init__("readiness", not_ready_rule(action, mrn, cycle, readiness))
        self.action = action
        self.mrn = mrn
        self.cycle = cycle
        self.readiness = readiness


# --- settings ---------------------------------------------------------------------------
def readiness_settings(store: Store) -> dict[str, Any]:
    clinic = store.clinic()
    if clinic is None:
        return {
            "readiness_gate": DEFAULT_GATE,
            "lab_freshness_days": DEFAULT_LAB_FRESHNESS_DAYS,
            "lvef_interval_weeks": DEFAULT_LVEF_INTERVAL_WEEKS,
        }
    return {
        "readiness_gate": clinic.readiness_gate.value,
        "lab_freshness_days": clinic.lab_freshness_days,
        "lvef_interval_weeks": clinic.lvef_interval_weeks,
    }


def readiness_gate(store: Store) -> str:
    """The site's ``readiness_gate``: "off" | "warn" | "enforce"."""
    return str(readiness_settings(store)["readiness_gate"])


def check_setting(key: str, value: object) -> object:
    if key == "readiness_gate":
        return check_gate_mode(str(value))
    if key not in NUMBER_SETTINGS:
        raise DomainError(key, "not a readiness setting")
    low, high = number_bounds(key)
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
    with ctx.store.transaction() as tx:
        settings_from(tx)  # refuses a database without a clinic
        old = readiness_settings(tx)
        clinic = tx.clinic()
        assert clinic is not None
        wanted = dict(clean)
        if "readiness_gate" in wanted:
            wanted["readiness_gate"] = ReadinessGate(str(wanted["readiness_gate"]))
        tx.update_clinic(replace(clinic, **wanted))  # type: ignore[arg-type]
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
    with ctx.store.transaction() as tx:
        patient = patient_record(tx, mrn)
        result = tx.insert_lab(
            patient_id=patient.id,
            test=LabTest(name),
            value=number,
            uln=limit,
            sampled_at=at,
            recorded_at=ctx.clock.now(),
        )
        values = {
            **stored_values(result, ("patient_id", "test")),
            "value": number,
            "uln": limit,
            **stored_values(result, ("sampled_at", "recorded_at")),
        }
        changes.patients.add(patient.id)
        audit(ctx, "record lab result", "lab_result", result.id, None, values)
    return changes


def add_lvef(
    ctx: Context, *, mrn: str, percent: object, at: datetime, modality: str = "echo"
) -> ChangeSet:
    """One LVEF in % (5-95) by echo or MUGA."""
    require_aware("at", at)
    number, kind = check_lvef(percent, modality)
    changes = ChangeSet(f"record LVEF for {mrn}")
    with ctx.store.transaction() as tx:
        patient = patient_record(tx, mrn)
        result = tx.insert_lvef(
            patient_id=patient.id,
            percent=number,
            modality=LvefModality(kind),
            sampled_at=at,
            recorded_at=ctx.clock.now(),
        )
        values = {
            "patient_id": patient.id,
            "percent": number,
            **stored_values(result, ("modality", "sampled_at", "recorded_at")),
        }
        changes.patients.add(patient.id)
        audit(ctx, "record LVEF", "lvef_result", result.id, None, values)
    return changes


# --- reading the verdict ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Reads:
    labs: dict[int, list[LabResult]]
    lvefs: dict[int, list[LvefResult]]
    given: dict[int, list[GivenDose]]
    settings: dict[str, Any]
    recalc_percent: float
    zone: Any
    # UTC instant -> the clinic's zone, each converted once: a day's infusion starts
    # share a few dozen instants (each conversion asked dateutil, in Python, before the
    # zone was zoneinfo's; issue 19)
    in_zone: dict[datetime, datetime]

    def local(self, instant: datetime) -> datetime:
        if instant.tzinfo is not UTC:
            return instant.astimezone(self.zone)
        found = self.in_zone.get(instant)
        if found is None:
            found = self.in_zone[instant] = instant.astimezone(self.zone)
        return found


def _read(store: Store, bookings: list[DoseBooking], with_results_only: bool = False) -> _Reads:
    settings = settings_from(store)
    zone = settings.calendar.zone
    patient_ids = [booking.patient.id for booking in bookings]
    labs: dict[int, list[LabResult]] = {}
    for lab in store.labs_of_patients(patient_ids):
        result = LabResult(lab.test.value, lab.value, lab.uln, lab.sampled_at.astimezone(zone))
        labs.setdefault(lab.patient_id, []).append(result)
    lvefs: dict[int, list[LvefResult]] = {}
    for r in store.lvefs_of_patients(patient_ids):
        lvef = LvefResult(r.percent, r.sampled_at.astimezone(zone), r.modality.value)
        lvefs.setdefault(r.patient_id, []).append(lvef)
    if with_results_only:
        bookings = [b for b in bookings if b.patient.id in labs or b.patient.id in lvefs]
    given: dict[int, list[GivenDose]] = {}
    for dose in store.given_doses_of_courses(booking.course.id for booking in bookings):
        given.setdefault(dose.course_id, []).append(dose)
    return _Reads(
        labs, lvefs, given, readiness_settings(store), settings.weight_recalc_percent, zone, {}
    )


def _weight_note(reads: _Reads, booking: DoseBooking) -> tuple[Reason, ...]:
    from ..domain.dosing import needs_recalculation  # decimal, fractions: off the sheet's start

    old, new = float(booking.dose.weight_kg), float(booking.patient.weight_kg)
    if booking.dose.status is not CycleStatus.BOOKED or not needs_recalculation(
        old, new, reads.recalc_percent
    ):
        return ()
    change = (new - old) * 100 / old
    return (
        Reason(
            "weight-recalculate",
            f"weight {old:g} kg -> {new:g} kg ({change:+.1f}%), at or above the site's "
            f"{reads.recalc_percent:g}%: the pharmacy recalculates the dose",
        ),
    )


def _assess(reads: _Reads, booking: DoseBooking) -> Readiness:
    dose, course = booking.dose, booking.course
    given = [g for g in reads.given.get(course.id, []) if g.cycle < dose.cycle]
    first = next((g for g in reads.given.get(course.id, []) if g.cycle == 1), None)
    level = float(dose.dose_level_mg_per_kg)
    start = booking.appointment.start + timedelta(minutes=booking.appointment.prep_min)
    facts = DoseFacts(
        setting=course.setting.value,
        cycle=dose.cycle,
        infusion_start=reads.local(start),
        dose_level=level,
        base_level=float(given[-1].dose_level_mg_per_kg) if given else level,
        last_given_at=given[-1].given_at if given else None,
        course_started_at=first.given_at if first and dose.cycle > 1 else None,
        given_at=dose.given_at,
        freshness_days=int(reads.settings["lab_freshness_days"]),
        lvef_interval_weeks=int(reads.settings["lvef_interval_weeks"]),
        notes=_weight_note(reads, booking),
    )
    patient = booking.patient.id
    return assess(facts, reads.labs.get(patient, []), reads.lvefs.get(patient, []))


def _dose_booking(store: Store, mrn: str, cycle: int) -> DoseBooking:
    patient = patient_record(store, mrn)
    course = store.latest_course(patient.id)
    if course is None:
        raise DomainError("mrn", f"patient {mrn} has no course")
    if isinstance(cycle, bool) or not isinstance(cycle, int) or cycle < 1:
        raise DomainError("cycle", f"must be a whole number from 1, got {cycle!r}")
    booking = store.current_dose_booking(course.id, cycle)
    if booking is None:
        raise DomainError("cycle", f"cycle {cycle} of {mrn} has no booking")
    return booking


def dose_readiness(store: Store, *, mrn: str, cycle: int) -> Readiness:
    """The readiness of one booked (or given) dose of the patient's current course."""
    booking = _dose_booking(store, mrn.strip(), cycle)
    return _assess(_read(store, [booking]), booking)


def readiness_for_appointments(
    store: Store, appointment_ids: Iterable[int], *, with_results_only: bool = False
) -> dict[int, Readiness]:
    """Each dose appointment's readiness (blocked time is left out), in one read.

    ``with_results_only``: only the doses of patients with a lab or LVEF result on
    record. Any other's verdict is ``missing`` with the reason ``no-results``
    (``domain.readiness.assess``), which the day sheet does not mark under ``warn``: it
    skips their earlier doses and verdicts (issue 19), and reads only the bookings of
    the others (``appointments_with_results``: on a clinic with no results, none)."""
    if with_results_only:
        appointment_ids = store.appointments_with_results(appointment_ids)
    bookings = store.dose_bookings(appointment_ids)
    if not bookings:
        return {}
    reads = _read(store, bookings, with_results_only)
    if with_results_only:
        recorded = reads.labs.keys() | reads.lvefs.keys()
        bookings = [booking for booking in bookings if booking.patient.id in recorded]
    return {booking.appointment.id: _assess(reads, booking) for booking in bookings}


# --- the gate ----------------------------------------------------------------------------
def has_override(store: Store, *, mrn: str, cycle: int, action: str) -> bool:
    """A clinician's override is recorded for this action on this dose."""
    if action not in OVERRIDES_COVERING:
        raise DomainError("action", f"must be one of {', '.join(GATE_ACTIONS)}, got {action!r}")
    booking = _dose_booking(store, mrn.strip(), cycle)
    covering = OVERRIDES_COVERING[action]
    return any(o.action.value in covering for o in store.overrides_of_dose(booking.dose.id))


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
    with ctx.store.transaction() as tx:
        booking = _dose_booking(tx, mrn.strip(), cycle)
        status = booking.dose.status
        if status is not CycleStatus.BOOKED:
            raise DomainError("cycle", f"cycle {cycle} is {status.value}, not booked")
        verdict = _assess(_read(tx, [booking]), booking).verdict
        override = tx.insert_override(
            dose_id=booking.dose.id,
            action=GateAction(action),
            verdict=verdict,
            reason=why,
            clinician=who,
            at=ctx.clock.now(),
        )
        columns = ("dose_id", "action", "verdict", "reason", "clinician", "at_utc")
        values = stored_values(override, columns)
        changes.appointments.add(booking.appointment.id)
        audit(ctx, "override readiness", "readiness_override", override.id, None, values)
    return changes


def gate_of(store: Store, *, mrn: str, cycle: int, action: str) -> GateCheck:
    """The facts the gate decides on (``domain.readiness_gate``): the site's mode, the
    dose's readiness (not read under ``off``) and, for a dose not ready, whether
    ``action`` was overridden."""
    mode = readiness_gate(store)
    if mode == "off":
        return GateCheck(mode, None, False)
    readiness = dose_readiness(store, mrn=mrn, cycle=cycle)
    overridden = not is_ready(readiness) and has_override(
        store, mrn=mrn, cycle=cycle, action=action
    )
    return GateCheck(mode, readiness, overridden)


def require_ready(ctx: Context, *, mrn: str, cycle: int, action: str) -> Readiness | None:
    """The gate: None under ``off``; the readiness under ``warn`` (the caller shows it) and
    under ``enforce`` when the dose is ready or overridden; else ``NotReady``."""
    check = gate_of(ctx.store, mrn=mrn, cycle=cycle, action=action)
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
