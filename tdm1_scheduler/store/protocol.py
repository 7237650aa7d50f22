"""The store as the services see it: a unit of work, typed reads and writes, a change feed.

``Store`` is a ``typing.Protocol``: the SQLite store (``sqlite_store.SqliteStore``), a
fake, or a second backend each satisfy it without inheriting anything. Everything it
takes and returns is a record of ``domain/records.py`` (aware UTC datetimes, enums),
never a row.

A write is ``with store.transaction() as tx:`` (``tx`` is the store): all or nothing,
holding the write lock from its first statement so a read-then-write cannot race.
``store.read()`` is a consistent snapshot that writes nothing and takes no write lock.
``store.changes(token)`` says what other writers (and this one) changed since ``token``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, time
from typing import Any, Protocol, runtime_checkable

from ..domain.lean import dataclass
from ..domain.records import (
    DEFAULT_REGIMEN_CODE,
    Appointment,
    AppointmentKind,
    AppointmentView,
    AuditEntry,
    Chair,
    Clinic,
    ClosedDate,
    Course,
    CourseStatus,
    CycleStatus,
    Dose,
    DoseBooking,
    GateAction,
    GivenDose,
    LabResult,
    LabTest,
    LvefModality,
    LvefResult,
    OpeningHoursRow,
    Patient,
    Preparation,
    ReadinessOverride,
    Setting,
    Verdict,
    Visit,
    VisitReaction,
)
from .database import ConflictError, IntegrityError, StoreError
from .protocol_booking import BookingStore  # the slot search's batched chair probe
from .protocol_desk import DeskStore  # the desk's reads (location, marks, day sheet)
from .protocol_nurse import NurseStore
from .protocol_planner import PlannerStore  # the planner's lean day read

__all__ = [
    "HOLDING",
    "BusyRow",
    "ChangeFeed",
    "ChangeToken",
    "ConflictError",
    "IntegrityError",
    "Store",
    "StoreError",
]

# What a store raises, whatever the backend: ``ConflictError`` for a row changed since
# it was read (or a chair taken), ``IntegrityError`` for a write the schema refuses (a
# row still pointed at, a restored booking overlapping another), ``StoreError`` for the
# rest.

# One chair-holding booking as the slot search reads it, lean: (appointment id, chair
# id, kind, start, end, prep minutes), the instants as their stored UTC text (sortable,
# so a busy day's repeated instants are parsed once).
BusyRow = tuple[int, int, str, str, str, int]

# Statuses whose appointment holds the chair (the default of the range reads).
HOLDING: tuple[CycleStatus, ...] = (CycleStatus.BOOKED, CycleStatus.GIVEN)


@dataclass(frozen=True)
class ChangeToken:
    """Where a reader is in the change feed: the last audit row it has seen, plus what
    its backend needs to answer "nothing changed" without a query (``marks``)."""

    audit_id: int
    marks: tuple[Any, ...] = ()


@dataclass(frozen=True)
class ChangeFeed:
    """What changed after a token: the audit rows written since, oldest first, and the
    token to ask with next time."""

    token: ChangeToken
    entries: tuple[AuditEntry, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __iter__(self) -> Iterator[AuditEntry]:
        return iter(self.entries)

    def ids(self, entity: str) -> set[int]:
        """The ids of ``entity`` ("appointment", "patient", ...) the entries name."""
        return {e.entity_id for e in self.entries if e.entity == entity and e.entity_id is not None}

    @property
    def entities(self) -> set[str]:
        return {entry.entity for entry in self.entries}


@runtime_checkable
class Store(NurseStore, DeskStore, BookingStore, PlannerStore, Protocol):
    """The reads and writes the services need, over one connection to the clinic."""

    # --- units of work --------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[Store]:
        """One write unit of work: committed when the block ends, rolled back (nothing
        written) when it raises. Nested, it is a savepoint of the outer one."""
        ...

    def read(self) -> AbstractContextManager[Store]:
        """A consistent snapshot for several reads; writes are refused inside it. A
        clinic that cannot be read (locked, gone, damaged) raises ``StoreError`` saying
        so."""
        ...

    def in_transaction(self) -> bool:
        """A unit of work (or a read) is open on this store."""
        ...

    def changes(self, since: ChangeToken | None = None) -> ChangeFeed:
        """The audit rows after ``since`` (none, with the current token, for None)."""
        ...

    # --- clinic ---------------------------------------------------------------------
    def clinic(self) -> Clinic | None: ...

    def opening_hours(self) -> list[OpeningHoursRow]: ...

    def closed_dates(self) -> list[ClosedDate]: ...

    def chairs(self, active_only: bool = True) -> list[Chair]:
        """In the clinic's order (position, then id)."""
        ...

    def chair_by_id(self, chair_id: int) -> Chair | None: ...

    def chair_by_name(self, name: str) -> Chair | None: ...

    def insert_clinic(self, *, name: str, timezone: str) -> Clinic:
        """The one clinic row, every setting at its default."""
        ...

    def update_clinic(self, clinic: Clinic) -> Clinic:
        """Store the clinic's settings as ``clinic`` holds them."""
        ...

    def replace_opening_hours(self, hours: Iterable[OpeningHoursRow]) -> None:
        """The weekly hours become exactly ``hours`` (a weekday left out is closed)."""
        ...

    def insert_closed_date(self, closed: ClosedDate) -> None: ...

    def delete_closed_date(self, day: date) -> None: ...

    def insert_chair(self, name: str, position: int | None = None) -> Chair:
        """A new active chair, last in the clinic's order unless ``position`` is given."""
        ...

    # --- patients -------------------------------------------------------------------
    def patient_by_mrn(self, mrn: str) -> Patient | None: ...

    def patient_by_id(self, patient_id: int) -> Patient | None: ...

    def search_patients(self, text: str, limit: int = 50) -> list[Patient]:
        """Patients whose MRN or name holds ``text``, by name."""
        ...

    def insert_patient(
        self, *, mrn: str, name: str, weight_kg: float, weight_measured_at: datetime
    ) -> Patient:
        """The stored patient (version 1)."""
        ...

    def update_patient(self, patient: Patient) -> Patient:
        """Store ``patient`` (its fields as wanted, its ``version`` as read) and return it
        at its new version; ``ConflictError`` when the row changed since that version."""
        ...

    # --- courses and doses ----------------------------------------------------------
    def course_by_id(self, course_id: int) -> Course | None: ...

    def latest_course(self, patient_id: int) -> Course | None:
        """The patient's active course, else the most recent one."""
        ...

    def courses_of_patient(self, patient_id: int) -> list[Course]: ...

    def doses_of_course(self, course_id: int) -> list[Dose]:
        """By cycle."""
        ...

    def dose_by_id(self, dose_id: int) -> Dose | None: ...

    def dose_by_cycle(self, course_id: int, cycle: int) -> Dose | None: ...

    def insert_course(
        self,
        *,
        patient_id: int,
        setting: Setting,
        dose_level_mg_per_kg: float,
        preferred_time: time,
        preferred_chair_id: int | None,
        created_at: datetime,
        status: CourseStatus = CourseStatus.ACTIVE,
        regimen_code: str = DEFAULT_REGIMEN_CODE,
    ) -> Course:
        """The stored course (version 1)."""
        ...

    def update_course(self, course: Course) -> Course:
        """Store ``course`` as wanted (its ``version`` as read) and return it at its new
        version; ``ConflictError`` when the row changed since that version."""
        ...

    def insert_dose(
        self,
        *,
        course_id: int,
        cycle: int,
        dose_level_mg_per_kg: float,
        weight_kg: float,
        weight_measured_at: datetime,
        status: CycleStatus = CycleStatus.BOOKED,
    ) -> Dose:
        """The stored dose (version 1, no outcome yet)."""
        ...

    def update_dose(self, dose: Dose) -> Dose:
        """As ``update_course``, for a dose."""
        ...

    # --- appointments ---------------------------------------------------------------
    def appointment_by_id(self, appointment_id: int) -> Appointment | None: ...

    def appointments_of_dose(self, dose_id: int) -> list[Appointment]:
        """Every booking the dose ever had, oldest first (cancelled and missed too)."""
        ...

    def current_appointments_of_course(self, course_id: int) -> dict[int, Appointment]:
        """Dose id -> its chair-holding booking (the newest)."""
        ...

    def appointments_between(
        self, start: datetime, end: datetime, statuses: Sequence[CycleStatus] = HOLDING
    ) -> list[AppointmentView]:
        """Appointments overlapping [start, end) in one of ``statuses``, names joined,
        in chair order then start."""
        ...

    def appointment_view(self, appointment_id: int) -> AppointmentView | None: ...

    def booked_from(self, start: datetime) -> list[AppointmentView]:
        """Booked appointments (doses and blocked time) still running or to come at
        ``start``, earliest first, names joined."""
        ...

    def busy_rows(self, start: datetime, end: datetime) -> list[BusyRow]:
        """The chair-holding appointments overlapping [start, end), lean (``BusyRow``),
        in start order."""
        ...

    def chair_free_between(
        self, chair_id: int, start: datetime, end: datetime, exclude: Iterable[int] = ()
    ) -> bool:
        """No chair-holding appointment on ``chair_id`` overlaps [start, end), leaving
        out the appointment ids in ``exclude``."""
        ...

    def insert_appointment(
        self,
        *,
        chair_id: int,
        start: datetime,
        end: datetime,
        status: CycleStatus = CycleStatus.BOOKED,
        kind: AppointmentKind = AppointmentKind.DOSE,
        dose_id: int | None = None,
        label: str = "",
        prep_min: int = 0,
        infusion_min: int = 0,
        observation_min: int = 0,
    ) -> Appointment:
        """The stored booking; ``ConflictError`` when it would overlap one in its chair."""
        ...

    def update_appointment(self, appointment: Appointment) -> Appointment:
        """Store ``appointment`` (its fields as wanted, its ``version`` as read) and
        return it at its new version; ``ConflictError`` when the row changed since that
        version was read, or the chair is taken."""
        ...

    # --- exact restore (undo and redo) ---------------------------------------------
    def write_back(self, record: Appointment | Dose, over_version: int) -> None:
        """Write ``record`` whole, its ``version`` included, over its row as it is at
        ``over_version`` (read in this transaction); ``IntegrityError`` when the schema
        refuses it (the chair is taken)."""
        ...

    def delete_row(self, record: Appointment | Dose) -> None:
        """Delete the row ``record`` names, at ``record.version`` (read in this
        transaction); ``IntegrityError`` when another row still points at it."""
        ...

    def insert_again(self, record: Appointment | Dose) -> Appointment | Dose:
        """Insert ``record`` whole under its own id, version included, and return it as
        stored; ``ConflictError`` (chair taken) or ``IntegrityError`` when it no longer
        fits."""
        ...

    # --- pharmacy, nurse board, readiness -------------------------------------------
    def live_preparations(self) -> list[Preparation]:
        """Neither discarded nor used: what is on the pharmacy's shelf."""
        ...

    def preparation_for_dose(self, dose_id: int) -> Preparation | None:
        """The dose's newest preparation not discarded."""
        ...

    def insert_preparation(
        self,
        *,
        dose_id: int,
        reconstituted_at: datetime,
        vial_lots: str,
        storage: str,
        dose_mg: float,
    ) -> Preparation:
        """The dose's new preparation, reconstituted (version 1)."""
        ...

    def update_preparation(self, preparation: Preparation) -> None:
        """Store ``preparation`` as wanted (its ``version`` as read); ``ConflictError``
        when the row changed since that version."""
        ...

    def visit_for_appointment(self, appointment_id: int) -> Visit | None: ...

    def reactions_of_appointments(
        self, appointment_ids: Iterable[int]
    ) -> dict[int, list[VisitReaction]]: ...

    def labs_of_patients(self, patient_ids: Iterable[int]) -> list[LabResult]: ...

    def lvefs_of_patients(self, patient_ids: Iterable[int]) -> list[LvefResult]: ...

    def overrides_of_dose(self, dose_id: int) -> list[ReadinessOverride]:
        """Oldest first."""
        ...

    def dose_bookings(self, appointment_ids: Iterable[int]) -> list[DoseBooking]:
        """Each dose appointment among ``appointment_ids`` with its dose, course and
        patient, by appointment id (blocked time and unknown ids left out)."""
        ...

    def current_dose_booking(self, course_id: int, cycle: int) -> DoseBooking | None:
        """The cycle's chair-holding booking (the newest) with its dose, course, patient."""
        ...

    def given_doses_of_courses(self, course_ids: Iterable[int]) -> list[GivenDose]:
        """The given doses of the courses (cycle, level, when), by course then cycle."""
        ...

    def insert_lab(
        self,
        *,
        patient_id: int,
        test: LabTest,
        value: float,
        uln: float | None,
        sampled_at: datetime,
        recorded_at: datetime,
    ) -> LabResult: ...

    def insert_lvef(
        self,
        *,
        patient_id: int,
        percent: float,
        modality: LvefModality,
        sampled_at: datetime,
        recorded_at: datetime,
    ) -> LvefResult: ...

    def insert_override(
        self,
        *,
        dose_id: int,
        action: GateAction,
        verdict: Verdict,
        reason: str,
        clinician: str,
        at: datetime,
    ) -> ReadinessOverride: ...

    # --- audit ----------------------------------------------------------------------
    def insert_audit(
        self,
        *,
        at: datetime,
        user: str,
        action: str,
        entity: str,
        entity_id: int | None,
        old: Any,
        new: Any,
    ) -> None:
        """Append one audit row (``old``/``new`` kept as JSON)."""
        ...

    def audit_entries(self, limit: int = 100) -> list[AuditEntry]:
        """The newest first."""
        ...
