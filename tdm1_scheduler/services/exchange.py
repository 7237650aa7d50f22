"""What the calendar and FHIR exchange read and write: visits as plain records, and the
patient import as one user action.

Instants come out aware, in the clinic's zone. ``revision`` is how often a dose's
bookings were written: the sum of every booking's version steps plus one per re-booking
(a missed visit's new appointment). Versions only ever rise and bookings are never
deleted, so a dose's revision rises with each move and never falls: the iCalendar
SEQUENCE.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from ..domain.errors import DomainError
from ..domain.lean import dataclass
from ..domain.records import (
    Appointment,
    AppointmentKind,
    Chair,
    Course,
    CycleStatus,
    Dose,
    Patient,
)
from ..domain.regimen import total_cycles
from ..domain.regimens import regimen_for
from ..store.database import to_utc_text as utc_text
from ..store.protocol import Store
from .context import ChangeSet, ClinicSettings, Context, audit, settings_from
from .patients import check_mrn, check_name, check_weight

ALL_STATUSES = (CycleStatus.BOOKED, CycleStatus.GIVEN, CycleStatus.MISSED, CycleStatus.CANCELLED)


@dataclass(frozen=True)
class Visit:
    """One chair booking of a dose; ``status`` is the appointment's own status
    (booked, given, missed or cancelled)."""

    appointment_id: int
    dose_id: int
    course_id: int
    patient_id: int
    mrn: str
    patient_name: str
    setting: str
    cycle: int
    cycles_total: int | None
    status: str
    start: datetime  # chair start (prep begins), clinic zone
    end: datetime  # chair free again, clinic zone
    prep_min: int
    infusion_min: int
    observation_min: int
    chair_id: int
    chair: str
    revision: int  # rises with every write of the dose's bookings (iCalendar SEQUENCE)

    @property
    def minutes(self) -> int:
        return round((self.end - self.start).total_seconds() / 60)


@dataclass(frozen=True)
class BlockedTime:
    appointment_id: int
    chair_id: int
    label: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ChairInfo:
    id: int
    name: str
    position: int


@dataclass(frozen=True)
class PatientInfo:
    id: int
    mrn: str
    name: str
    weight_kg: float
    weight_measured_at: datetime  # clinic zone


@dataclass(frozen=True)
class PatientCalendar:
    """A patient's visits: one per dose (its current booking, else its last one)."""

    clinic_name: str
    timezone: str
    patient: PatientInfo
    visits: tuple[Visit, ...]


def _patient(settings: ClinicSettings, patient: Patient) -> PatientInfo:
    return PatientInfo(
        patient.id,
        patient.mrn,
        patient.name,
        float(patient.weight_kg),
        settings.calendar.local(patient.weight_measured_at),
    )


def _revision(appointments: Sequence[Appointment]) -> int:
    steps = sum(a.version - 1 for a in appointments)
    return steps + max(len(appointments) - 1, 0)


def patient_calendar(store: Store, mrn: str) -> PatientCalendar:
    """Every course of the patient, oldest first; a dose without any booking is left out."""
    settings = settings_from(store)
    patient = store.patient_by_mrn(mrn.strip())
    if patient is None:
        raise DomainError("mrn", f"no patient with MRN {mrn!r}")
    chairs = {c.id: c.name for c in store.chairs(active_only=False)}
    visits: list[Visit] = []
    for course in store.courses_of_patient(patient.id):
        for dose in store.doses_of_course(course.id):
            appointments = store.appointments_of_dose(dose.id)
            if not appointments:
                continue
            holding = [a for a in appointments if a.holds_chair]
            shown = holding[-1] if holding else appointments[-1]
            visits.append(
                _visit(settings, shown, course, dose, patient, chairs, _revision(appointments))
            )
    return PatientCalendar(
        settings.name, settings.timezone, _patient(settings, patient), tuple(visits)
    )


def _visit(
    settings: ClinicSettings,
    appointment: Appointment,
    course: Course,
    dose: Dose,
    patient: Patient,
    chairs: dict[int, str],
    revision: int,
) -> Visit:
    local = settings.calendar.local
    chair_id = appointment.chair_id
    return Visit(
        appointment_id=appointment.id,
        dose_id=dose.id,
        course_id=course.id,
        patient_id=patient.id,
        mrn=patient.mrn,
        patient_name=patient.name,
        setting=course.setting.value,
        cycle=dose.cycle,
        cycles_total=total_cycles(course.setting, regimen_for(course.regimen_code)),
        status=appointment.status.value,
        start=local(appointment.start),
        end=local(appointment.end),
        prep_min=appointment.prep_min,
        infusion_min=appointment.infusion_min,
        observation_min=appointment.observation_min,
        chair_id=chair_id,
        chair=chairs.get(chair_id, f"#{chair_id}"),
        revision=revision,
    )


@dataclass(frozen=True)
class ClinicExtract:
    """Everything booked with a start on the clinic dates ``first``..``last``."""

    clinic_name: str
    timezone: str
    first: date
    last: date
    chairs: tuple[ChairInfo, ...]  # active chairs, plus any inactive one holding a visit
    patients: tuple[PatientInfo, ...]  # those with a visit, by MRN
    visits: tuple[Visit, ...]  # every appointment of a dose (all statuses), by start
    blocked: tuple[BlockedTime, ...]  # blocked chair time still holding its chair


def clinic_extract(store: Store, first: date, last: date) -> ClinicExtract:
    if last < first:
        raise DomainError("to", f"{last} is before --from {first}")
    settings = settings_from(store)
    start, end = settings.calendar.day_bounds(first, (last - first).days + 1)
    views = [
        view
        for view in store.appointments_between(start, end, ALL_STATUSES)
        if start <= view.appointment.start < end
    ]
    all_chairs: dict[int, Chair] = {c.id: c for c in store.chairs(active_only=False)}
    names = {cid: c.name for cid, c in all_chairs.items()}
    used = {view.appointment.chair_id for view in views}
    chairs = tuple(
        ChairInfo(c.id, c.name, c.position)
        for c in sorted(all_chairs.values(), key=lambda c: (c.position, c.id))
        if c.active or c.id in used
    )
    visits: list[Visit] = []
    blocked: list[BlockedTime] = []
    patients: dict[int, PatientInfo] = {}
    revisions: dict[int, int] = {}
    for view in views:
        a = view.appointment
        if a.kind is not AppointmentKind.DOSE:
            if a.holds_chair:
                blocked.append(
                    BlockedTime(
                        a.id,
                        a.chair_id,
                        a.label,
                        settings.calendar.local(a.start),
                        settings.calendar.local(a.end),
                    )
                )
            continue
        assert a.dose_id is not None and view.course_id is not None
        assert view.patient_id is not None
        dose = store.dose_by_id(a.dose_id)
        course = store.course_by_id(view.course_id)
        patient = store.patient_by_id(view.patient_id)
        assert dose is not None and course is not None and patient is not None
        if dose.id not in revisions:
            revisions[dose.id] = _revision(store.appointments_of_dose(dose.id))
        visits.append(_visit(settings, a, course, dose, patient, names, revisions[dose.id]))
        patients.setdefault(patient.id, _patient(settings, patient))
    visits.sort(key=lambda v: (v.start, v.chair_id, v.appointment_id))
    blocked.sort(key=lambda b: (b.start, b.chair_id, b.appointment_id))
    return ClinicExtract(
        settings.name,
        settings.timezone,
        first,
        last,
        chairs,
        tuple(sorted(patients.values(), key=lambda p: (p.mrn.casefold(), p.id))),
        tuple(visits),
        tuple(blocked),
    )


# --- import -------------------------------------------------------------------------------
@dataclass(frozen=True)
class IncomingPatient:
    """A patient read from a file; ``source`` names where (for refusals)."""

    source: str
    mrn: str
    name: str
    weight_kg: float | None
    weight_measured_at: datetime | None
    weight_source: str | None = None  # the Observation the weight came from


@dataclass(frozen=True)
class ImportResult:
    added: tuple[str, ...]  # MRNs
    unchanged: tuple[str, ...]


def import_patients(ctx: Context, incoming: Sequence[IncomingPatient]) -> ImportResult:
    """Add each new MRN; an MRN already here under the same name is left as it is (its
    weight too). One transaction: any refusal (a duplicate MRN with a different name, in
    the clinic or twice in the file; a new patient without a plausible weight) leaves
    everything unwritten."""
    added: list[str] = []
    unchanged: list[str] = []
    seen: dict[str, IncomingPatient] = {}
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        for item in incoming:
            mrn = check_mrn(item.mrn)
            name = check_name(item.name)
            key = mrn.casefold()
            if key in seen:
                if check_name(seen[key].name) != name:
                    raise DomainError(
                        "mrn",
                        f"MRN {mrn!r} is in the file twice with different names "
                        f"({seen[key].source}, {item.source}); nothing imported",
                    )
                continue
            seen[key] = item
            existing = tx.patient_by_mrn(mrn)
            if existing is not None:
                if existing.name != name:
                    raise DomainError(
                        "mrn",
                        f"MRN {mrn!r} ({item.source}) is already {existing.name!r} here, "
                        f"not {name!r}; nothing imported",
                    )
                unchanged.append(mrn)
                continue
            if item.weight_kg is None:
                raise DomainError(
                    "weight_kg",
                    f"{item.source} (MRN {mrn}) has no body weight Observation "
                    "(LOINC 29463-7); a new patient needs one",
                )
            try:
                weight = check_weight(
                    item.weight_kg, settings.weight_min_kg, settings.weight_max_kg
                )
            except DomainError as error:
                where = item.weight_source or item.source
                raise DomainError(
                    f"{where}.valueQuantity", f"{error} (MRN {mrn}); nothing imported"
                ) from None
            measured = item.weight_measured_at or now
            values = {
                "mrn": mrn,
                "name": name,
                "weight_kg": weight,
                "weight_measured_at": utc_text(measured),
            }
            stored = tx.insert_patient(
                mrn=mrn, name=name, weight_kg=weight, weight_measured_at=measured
            )
            audit(ctx, "import patient", "patient", stored.id, None, values)
            added.append(mrn)
    return ImportResult(tuple(added), tuple(unchanged))


# --- public holidays --------------------------------------------------------------------
def close_holidays(
    ctx: Context,
    holidays: Sequence[tuple[date, str]],
    *,
    rebook: bool = False,
    rebook_hint: str = "--rebook",
) -> ChangeSet:
    """Close every date of ``holidays`` (date, name) with its name as the reason, through
    the one closed-date rule, all in one transaction. A date already closed is skipped.
    Without ``rebook``, refused (nothing closed) when any of them holds bookings; with it,
    those bookings are re-booked by ``slots.close_date_and_rebook``, earliest day first,
    after the dates without bookings are closed (so nothing is re-booked onto them).
    ``rebook_hint`` names the way to ask for that in a refusal (a flag, or a button)."""
    from . import clinic, slots

    changes = ChangeSet(f"close {len(holidays)} public holiday(s)", settings=True)
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        closed = {row.day for row in tx.closed_dates()}
        todo = [(day, name) for day, name in sorted(holidays) if day not in closed]
        booked: dict[date, int] = {}
        for day, _name in todo:
            start, end = settings.calendar.day_bounds(day)
            count = len(tx.appointments_between(start, end, (CycleStatus.BOOKED,)))
            if count:
                booked[day] = count
        if booked and not rebook:
            listed = ", ".join(f"{day} ({n})" for day, n in sorted(booked.items()))
            raise DomainError(
                "--holidays",
                f"{len(booked)} holiday(s) have bookings: {listed}; move them first or use "
                f"{rebook_hint} (nothing was closed)",
            )
        for day, name in todo:
            if day not in booked:
                clinic.add_closed_date(ctx, day, name)
        for day, name in todo:
            if day in booked:
                part = slots.close_date_and_rebook(ctx, day=day, reason=name)
                changes.appointments |= part.appointments
                changes.courses |= part.courses
                changes.patients |= part.patients
                changes.moves.extend(part.moves)
                changes.notes.extend(part.notes)
                for row in part.rows.values():  # what undo puts back
                    changes.record(row.table, row.before, row.after)
        skipped = len(holidays) - len(todo)
        changes.action = f"closed {len(todo)} public holiday(s)" + (
            f" ({skipped} already closed)" if skipped else ""
        )
        if booked:
            changes.notes.append(
                f"re-booked the bookings of {len(booked)} holiday(s): "
                + ", ".join(str(day) for day in sorted(booked))
            )
    return changes
