"""The clinic's stored facts as typed values, shared by every layer (issue 15, item 1).

One frozen dataclass per table row: instants are aware UTC datetimes (never text), the
choice columns are enums, flags are bools, and ``id``/``version`` are kept so a write can
name the row and refuse a stale edit. ``store/mapping.py`` is the one place that turns
rows into these and back. Pure Python: no SQL, no Qt, no clock reads.

Two names also exist elsewhere in ``domain`` with another job: ``stability.Preparation``
and ``timers.Visit`` are the instants a rule computes over; the records here are the rows
as stored (``Preparation.instants()`` and ``Visit`` fields feed those).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING

from .course import CourseStatus, CycleStatus
from .lean import dataclass  # cheaper to define (issue 19)
from .regimen import Setting
from .regimens import DEFAULT_REGIMEN
from .verdicts import Verdict

if TYPE_CHECKING:  # the stability rules load when a preparation is checked (issue 19)
    from .stability import Preparation as PreparationInstants

__all__ = [
    "DEFAULT_REGIMEN_CODE",
    "Appointment",
    "AppointmentKind",
    "AppointmentView",
    "AuditEntry",
    "BoardVisit",
    "Chair",
    "Clinic",
    "ClosedDate",
    "Course",
    "CourseStatus",
    "CycleStatus",
    "Dose",
    "DoseBooking",
    "GateAction",
    "LabResult",
    "LabTest",
    "LvefModality",
    "LvefResult",
    "OpeningHoursRow",
    "Patient",
    "Preparation",
    "ReactionAction",
    "ReadinessGate",
    "ReadinessOverride",
    "Setting",
    "Verdict",
    "Visit",
    "VisitReaction",
]


# A course from before courses recorded their regimen (m007) gives T-DM1.
DEFAULT_REGIMEN_CODE = DEFAULT_REGIMEN.code


class AppointmentKind(StrEnum):
    DOSE = "dose"  # a dose's chair booking
    BLOCKED = "blocked"  # chair time held for something else (``label`` says what)


class ReadinessGate(StrEnum):
    OFF = "off"
    WARN = "warn"
    ENFORCE = "enforce"


class GateAction(StrEnum):
    """What the readiness gate guards (and a clinician may override)."""

    START_INFUSION = "start infusion"
    RECONSTITUTE = "reconstitute"
    DOSE_GIVEN = "dose given"


class LabTest(StrEnum):
    AST = "ast"
    ALT = "alt"
    BILIRUBIN = "bilirubin"
    PLATELETS = "platelets"


class LvefModality(StrEnum):
    ECHO = "echo"
    MUGA = "muga"


class ReactionAction(StrEnum):
    SLOWED = "slowed"
    INTERRUPTED = "interrupted"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Clinic:
    """The one ``clinic`` row: the site's name, zone and settings."""

    name: str
    timezone: str
    prep_min: int
    early_window_days: int
    mbc_horizon_cycles: int
    start_cap: int | None
    snap_min: int
    preferred_window_min: int
    weight_min_kg: float
    weight_max_kg: float
    weight_recalc_percent: float
    readiness_gate: ReadinessGate
    lab_freshness_days: int
    lvef_interval_weeks: int
    version: int
    id: int = 1


@dataclass(frozen=True, slots=True)
class OpeningHoursRow:
    weekday: int  # 0 = Monday
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class ClosedDate:
    day: date
    reason: str


@dataclass(frozen=True, slots=True)
class Chair:
    id: int
    name: str
    position: int
    active: bool


@dataclass(frozen=True, slots=True)
class Patient:
    id: int
    mrn: str
    name: str
    weight_kg: float
    weight_measured_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class Course:
    id: int
    patient_id: int
    setting: Setting
    status: CourseStatus
    dose_level_mg_per_kg: float
    preferred_time: time  # clinic wall time
    preferred_chair_id: int | None
    stop_reason: str | None
    stopped_at: datetime | None
    created_at: datetime
    version: int
    regimen_code: str = DEFAULT_REGIMEN_CODE  # the regimen it gives (m007)


@dataclass(frozen=True, slots=True)
class Dose:
    """One cycle of a course (status booked, given or cancelled)."""

    id: int
    course_id: int
    cycle: int
    status: CycleStatus
    dose_level_mg_per_kg: float
    weight_kg: float
    weight_measured_at: datetime
    given_at: datetime | None
    infusion_actual_min: int | None
    tolerated: bool | None
    reaction_grade: int | None
    infusion_completed: bool | None
    infusion_planned_min: int | None
    version: int


@dataclass(frozen=True, slots=True)
class Appointment:
    """A chair booking: a dose's (``dose_id`` set) or blocked time (``label`` set)."""

    id: int
    chair_id: int
    dose_id: int | None
    kind: AppointmentKind
    label: str
    status: CycleStatus
    start: datetime
    end: datetime
    prep_min: int
    infusion_min: int
    observation_min: int
    version: int

    @property
    def holds_chair(self) -> bool:
        """Booked or given: the chair is taken for [start, end)."""
        return self.status in (CycleStatus.BOOKED, CycleStatus.GIVEN)


@dataclass(frozen=True, slots=True)
class AppointmentView:
    """An appointment with the names a schedule shows (chair, cycle, patient) joined;
    the dose, course and patient fields are None for blocked time."""

    appointment: Appointment
    chair_name: str
    cycle: int | None
    course_id: int | None
    dose_status: CycleStatus | None
    given_at: datetime | None
    tolerated: bool | None
    infusion_actual_min: int | None
    setting: Setting | None
    course_status: CourseStatus | None
    patient_id: int | None
    mrn: str | None
    patient_name: str | None


@dataclass(frozen=True, slots=True)
class GivenDose:
    """What a readiness verdict needs of an earlier given dose: its cycle, its level and
    when it was given (a read model: the whole ``Dose`` costs more than the verdict)."""

    course_id: int
    cycle: int
    dose_level_mg_per_kg: float
    given_at: datetime | None


@dataclass(frozen=True, slots=True)
class DoseBooking:
    """A dose's chair booking with its dose, course and patient: what a readiness
    verdict is computed from."""

    appointment: Appointment
    dose: Dose
    course: Course
    patient: Patient


@dataclass(frozen=True, slots=True)
class Preparation:
    """One dose's vial and bag as recorded by the pharmacy."""

    id: int
    dose_id: int
    reconstituted_at: datetime | None
    vial_lots: str
    storage: str
    diluted_at: datetime | None
    diluent: str | None
    dose_mg: float | None
    discarded_at: datetime | None
    discard_reason: str | None
    wasted_mg: float | None
    used_at: datetime | None
    version: int

    @property
    def live(self) -> bool:
        """On the pharmacy's shelf: neither discarded nor used."""
        return self.discarded_at is None and self.used_at is None

    def instants(self) -> PreparationInstants:
        """The instants the stability rules compute over (they refuse impossible ones)."""
        from .stability import Preparation as PreparationInstants

        return PreparationInstants(
            self.reconstituted_at, self.diluted_at, self.discarded_at, self.used_at
        )


@dataclass(frozen=True, slots=True)
class Visit:
    """What the nurse board recorded of one chair visit."""

    id: int
    appointment_id: int
    arrived_at: datetime | None
    infusion_started_at: datetime | None
    paused_at: datetime | None
    paused_seconds: int
    pause_count: int
    infusion_ended_at: datetime | None
    observation_ended_at: datetime | None
    discharged_at: datetime | None
    early_discharge_reason: str | None
    reaction_grade: int | None
    alerts_acknowledged: str
    version: int


@dataclass(frozen=True, slots=True)
class VisitReaction:
    id: int
    visit_id: int
    at: datetime
    grade: int
    symptoms: str
    action: ReactionAction | None
    note: str
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class LabResult:
    id: int
    patient_id: int
    test: LabTest
    value: float
    uln: float | None  # None for platelets
    sampled_at: datetime
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class LvefResult:
    id: int
    patient_id: int
    percent: float
    modality: LvefModality
    sampled_at: datetime
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class ReadinessOverride:
    """A clinician let ``action`` go ahead on a dose the gate found not ready."""

    id: int
    dose_id: int
    action: GateAction
    verdict: Verdict  # the verdict overridden
    reason: str
    clinician: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One append-only audit row; ``old_values``/``new_values`` are its JSON text."""

    id: int
    at: datetime
    user: str
    action: str
    entity: str
    entity_id: int | None
    old_values: str | None
    new_values: str | None


@dataclass(frozen=True, slots=True)
class BoardVisit:
    """A dose booking as the nurse board reads it (a read model, lean: the board reads
    a day's every few seconds): the booking, the names its tile shows, what its visit
    needs of the dose, and what the board recorded of the visit (None before the first
    step). The whole ``Dose`` is read apart, when a step or a bag needs it."""

    appointment: Appointment
    chair_name: str
    mrn: str
    patient_name: str
    setting: Setting
    course_status: CourseStatus
    course_id: int
    cycle: int
    dose_status: CycleStatus
    given_at: datetime | None
    infusion_actual_min: int | None
    visit: Visit | None

    @property
    def dose_id(self) -> int:
        dose_id = self.appointment.dose_id
        assert dose_id is not None  # a dose booking names its dose
        return dose_id


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One appointment of the day sheet with what the sheet prints of it joined (a read
    model, one statement for the whole day): its chair, dose, course, patient, the nurse
    board's visit, the live preparation's instants and, for a missed visit, where its
    dose is booked now. Dose, course, patient, visit and preparation fields are None
    where there is none (blocked time, no visit yet, no bag)."""

    id: int
    chair_id: int
    chair_name: str
    dose_id: int | None
    kind: AppointmentKind
    status: CycleStatus
    label: str | None
    start: datetime
    end: datetime
    prep_min: int
    infusion_min: int
    observation_min: int
    cycle: int | None
    given_at: datetime | None
    infusion_actual_min: int | None
    infusion_completed: bool | None
    infusion_planned_min: int | None
    dose_reaction: int | None
    setting: Setting | None
    regimen_code: str | None
    mrn: str | None
    patient_name: str | None
    arrived_at: datetime | None
    infusion_started_at: datetime | None
    paused_seconds: int | None
    infusion_ended_at: datetime | None
    observation_ended_at: datetime | None
    discharged_at: datetime | None
    visit_reaction: int | None
    reconstituted_at: datetime | None
    diluted_at: datetime | None
    discarded_at: datetime | None
    used_at: datetime | None
    rebooked_start: datetime | None


__all__ += ["SheetRow"]
