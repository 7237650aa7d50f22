"""``Store`` over the clinic's SQLite file: the existing ``Database`` connection, the
``repository`` SQL and ``mapping`` for rows <-> records.

Nothing about the file changes here: WAL, ``synchronous=FULL``, the triggers that refuse
a double-booked chair or an edited audit row, and the version checks all stay where they
are (``database.py``, ``migrations.py``, ``repository.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any

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
from . import labs, load_queries, mapping, repository as repo, view_queries, visits
from .connection import Database
from .database import (
    StoreError,
    data_version,
    db_path,
    describe_sqlite_error,
    from_utc_text,
    read_transaction,
    to_utc_text,
    write_transaction,
)
from .protocol import HOLDING, BusyRow, ChangeFeed, ChangeToken, Store
from .sqlite_booking import BookingSqlite
from .sqlite_desk import DeskSqlite
from .sqlite_nurse import NurseSqlite
from .sqlite_planner import PlannerSqlite

__all__ = ["SqliteStore", "as_store"]


# Columns a write never sets itself: the row's id and its version (the store counts it).
_KEYS = ("id", "version")

# The tables an exact restore (undo, redo) writes, by record type.
_RESTORED = {Appointment: "appointments", Dose: "doses"}


def _status_list(statuses: Sequence[CycleStatus]) -> str:
    """``('booked', 'given')`` for the repository's IN clause (enum values only)."""
    if not statuses:
        raise ValueError("at least one status")
    return "(" + ", ".join(f"'{CycleStatus(status).value}'" for status in statuses) + ")"


class SqliteStore(NurseSqlite, DeskSqlite, BookingSqlite, PlannerSqlite):
    """The protocol ``store.protocol.Store`` on one ``Database`` connection."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __repr__(self) -> str:
        return f"SqliteStore({self.db!r})"

    # --- units of work ----------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[SqliteStore]:
        """BEGIN IMMEDIATE ... COMMIT (a savepoint when nested); rolled back on error."""
        with write_transaction(self.db):
            yield self

    @contextmanager
    def read(self) -> Iterator[SqliteStore]:
        """One snapshot (a deferred read transaction, ``query_only`` so nothing is
        written); inside another transaction, that one's view is already consistent.
        A file that cannot be read (locked, gone) raises StoreError naming it and why; a
        write tried inside the read keeps SQLite's own refusal (query_only)."""
        try:
            if self.db.conn.in_transaction:
                yield self
                return
            with read_transaction(self.db):
                yield self
        except sqlite3.OperationalError as error:
            if "readonly" in str(error):  # a write refused by query_only: the caller's
                raise
            raise StoreError(describe_sqlite_error(db_path(self.db), error)) from error

    def in_transaction(self) -> bool:
        return self.db.conn.in_transaction

    def _marks(self) -> tuple[int, int, int]:
        # data_version moves when another connection commits, total_changes when this one
        # writes: both unchanged means the audit log cannot have grown (no query needed).
        conn = self.db.conn
        return (id(conn), data_version(self.db), conn.total_changes)

    def changes(self, since: ChangeToken | None = None) -> ChangeFeed:
        marks = self._marks()
        if since is not None and since.marks == marks:
            return ChangeFeed(since)
        if since is None:
            return ChangeFeed(ChangeToken(repo.last_audit_id(self.db), marks))
        rows = repo.audit_after(self.db, since.audit_id)
        entries = tuple(mapping.row_to_audit_entry(row) for row in rows)
        head = entries[-1].id if entries else since.audit_id
        return ChangeFeed(ChangeToken(head, marks), entries)

    # --- clinic -----------------------------------------------------------------------
    def clinic(self) -> Clinic | None:
        row = repo.clinic(self.db)
        return None if row is None else mapping.row_to_clinic(row)

    def opening_hours(self) -> list[OpeningHoursRow]:
        return [mapping.row_to_opening_hours(row) for row in repo.opening_hours(self.db)]

    def closed_dates(self) -> list[ClosedDate]:
        return [mapping.row_to_closed_date(row) for row in repo.closed_dates(self.db)]

    def chairs(self, active_only: bool = True) -> list[Chair]:
        return [mapping.row_to_chair(row) for row in repo.chairs(self.db, active_only)]

    def chair_by_id(self, chair_id: int) -> Chair | None:
        row = repo.chair_by_id(self.db, chair_id)
        return None if row is None else mapping.row_to_chair(row)

    def chair_by_name(self, name: str) -> Chair | None:
        row = repo.chair_by_name(self.db, name)
        return None if row is None else mapping.row_to_chair(row)

    def insert_clinic(self, *, name: str, timezone: str) -> Clinic:
        repo.insert_clinic(self.db, {"name": name, "timezone": timezone})
        return self._stored_clinic()

    def update_clinic(self, clinic: Clinic) -> Clinic:
        # The clinic row's version is left as it is, as the settings writes always did.
        repo.update_clinic(self.db, mapping.record_to_row(clinic, leave_out=_KEYS))
        return self._stored_clinic()

    def _stored_clinic(self) -> Clinic:
        stored = self.clinic()
        assert stored is not None
        return stored

    def replace_opening_hours(self, hours: Iterable[OpeningHoursRow]) -> None:
        repo.replace_opening_hours(self.db, [mapping.record_to_row(h) for h in hours])

    def insert_closed_date(self, closed: ClosedDate) -> None:
        repo.insert_closed_date(self.db, closed.day.isoformat(), closed.reason)

    def delete_closed_date(self, day: date) -> None:
        repo.delete_closed_date(self.db, day.isoformat())

    def insert_chair(self, name: str, position: int | None = None) -> Chair:
        if position is None:
            position = repo.next_chair_position(self.db)
        chair = self.chair_by_id(repo.insert_chair(self.db, name, position))
        assert chair is not None
        return chair

    # --- patients ---------------------------------------------------------------------
    def patient_by_mrn(self, mrn: str) -> Patient | None:
        row = repo.patient_by_mrn(self.db, mrn)
        return None if row is None else mapping.row_to_patient(row)

    def patient_by_id(self, patient_id: int) -> Patient | None:
        row = repo.patient_by_id(self.db, patient_id)
        return None if row is None else mapping.row_to_patient(row)

    def search_patients(self, text: str, limit: int = 50) -> list[Patient]:
        return [mapping.row_to_patient(row) for row in repo.search_patients(self.db, text, limit)]

    def insert_patient(
        self, *, mrn: str, name: str, weight_kg: float, weight_measured_at: datetime
    ) -> Patient:
        wanted = Patient(0, mrn, name, weight_kg, weight_measured_at, 1)
        new_id = repo.insert_patient(self.db, mapping.record_to_row(wanted, leave_out=_KEYS))
        return self._stored_patient(new_id)

    def update_patient(self, patient: Patient) -> Patient:
        values = mapping.record_to_row(patient, leave_out=_KEYS)
        repo.update_versioned(self.db, "patients", patient.id, patient.version, values)
        return self._stored_patient(patient.id)

    def _stored_patient(self, patient_id: int) -> Patient:
        stored = self.patient_by_id(patient_id)
        assert stored is not None
        return stored

    # --- courses and doses --------------------------------------------------------------
    def course_by_id(self, course_id: int) -> Course | None:
        row = repo.course_by_id(self.db, course_id)
        return None if row is None else mapping.row_to_course(row)

    def latest_course(self, patient_id: int) -> Course | None:
        row = repo.latest_course(self.db, patient_id)
        return None if row is None else mapping.row_to_course(row)

    def courses_of_patient(self, patient_id: int) -> list[Course]:
        return [mapping.row_to_course(row) for row in repo.courses_of_patient(self.db, patient_id)]

    def doses_of_course(self, course_id: int) -> list[Dose]:
        return [mapping.row_to_dose(row) for row in repo.doses(self.db, course_id)]

    def dose_by_id(self, dose_id: int) -> Dose | None:
        row = repo.dose_by_id(self.db, dose_id)
        return None if row is None else mapping.row_to_dose(row)

    def dose_by_cycle(self, course_id: int, cycle: int) -> Dose | None:
        row = repo.dose_by_cycle(self.db, course_id, cycle)
        return None if row is None else mapping.row_to_dose(row)

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
        wanted = Course(
            0, patient_id, setting, status, dose_level_mg_per_kg, preferred_time,
            preferred_chair_id, None, None, created_at, 1, regimen_code,
        )  # fmt: skip
        new_id = repo.insert_course(self.db, mapping.record_to_row(wanted, leave_out=_KEYS))
        return self._stored_course(new_id)

    def update_course(self, course: Course) -> Course:
        values = mapping.record_to_row(course, leave_out=_KEYS)
        repo.update_versioned(self.db, "courses", course.id, course.version, values)
        return self._stored_course(course.id)

    def _stored_course(self, course_id: int) -> Course:
        stored = self.course_by_id(course_id)
        assert stored is not None
        return stored

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
        wanted = Dose(
            0, course_id, cycle, status, dose_level_mg_per_kg, weight_kg, weight_measured_at,
            None, None, None, None, None, None, 1,
        )  # fmt: skip
        new_id = repo.insert_dose(self.db, mapping.record_to_row(wanted, leave_out=_KEYS))
        return self._stored_dose(new_id)

    def update_dose(self, dose: Dose) -> Dose:
        values = mapping.record_to_row(dose, leave_out=_KEYS)
        repo.update_versioned(self.db, "doses", dose.id, dose.version, values)
        return self._stored_dose(dose.id)

    def _stored_dose(self, dose_id: int) -> Dose:
        stored = self.dose_by_id(dose_id)
        assert stored is not None
        return stored

    # --- appointments -------------------------------------------------------------------
    def appointment_by_id(self, appointment_id: int) -> Appointment | None:
        row = repo.appointment_by_id(self.db, appointment_id)
        return None if row is None else mapping.row_to_appointment(row)

    def appointments_of_dose(self, dose_id: int) -> list[Appointment]:
        rows = repo.appointments_of_dose(self.db, dose_id)
        return [mapping.row_to_appointment(row) for row in rows]

    def current_appointments_of_course(self, course_id: int) -> dict[int, Appointment]:
        rows = repo.current_appointments_of_course(self.db, course_id)
        return {dose_id: mapping.row_to_appointment(row) for dose_id, row in rows.items()}

    def appointments_between(
        self, start: datetime, end: datetime, statuses: Sequence[CycleStatus] = HOLDING
    ) -> list[AppointmentView]:
        return view_queries.views_between(self.db, start, end, _status_list(statuses))

    def appointment_view(self, appointment_id: int) -> AppointmentView | None:
        return view_queries.view_of(self.db, appointment_id)

    def booked_from(self, start: datetime) -> list[AppointmentView]:
        return view_queries.booked_views_from(self.db, start)

    def busy_rows(self, start: datetime, end: datetime) -> list[BusyRow]:
        return load_queries.busy_rows(self.db, start, end)

    def chair_free_between(
        self, chair_id: int, start: datetime, end: datetime, exclude: Iterable[int] = ()
    ) -> bool:
        return repo.chair_free_between(self.db, chair_id, start, end, exclude)

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
        wanted = Appointment(
            0, chair_id, dose_id, kind, label, status, start, end,
            prep_min, infusion_min, observation_min, 1,
        )  # fmt: skip
        new_id = repo.insert_appointment(self.db, mapping.appointment_values(wanted))
        return self._stored_appointment(new_id)

    def update_appointment(self, appointment: Appointment) -> Appointment:
        values = mapping.appointment_values(appointment)
        repo.update_appointment(self.db, appointment.id, appointment.version, values)
        return self._stored_appointment(appointment.id)

    def _stored_appointment(self, appointment_id: int) -> Appointment:
        # Read back: the row holds whole seconds and its defaults, the record says so too.
        stored = self.appointment_by_id(appointment_id)
        assert stored is not None
        return stored

    # --- exact restore (undo and redo) -----------------------------------------------
    def write_back(self, record: Appointment | Dose, over_version: int) -> None:
        row = mapping.record_to_row(record)
        names = [name for name in row if name != "id"]
        assignments = ", ".join(f"{name} = ?" for name in names)
        cursor = self.db.execute(
            f"UPDATE {_RESTORED[type(record)]} SET {assignments} WHERE id = ? AND version = ?",
            [*(row[name] for name in names), record.id, over_version],
        )
        assert cursor.rowcount == 1  # read and version-checked in this transaction

    def delete_row(self, record: Appointment | Dose) -> None:
        cursor = self.db.execute(
            f"DELETE FROM {_RESTORED[type(record)]} WHERE id = ? AND version = ?",
            [record.id, record.version],
        )
        assert cursor.rowcount == 1  # the version was checked in this transaction

    def insert_again(self, record: Appointment | Dose) -> Appointment | Dose:
        row = mapping.record_to_row(record)
        if isinstance(record, Appointment):
            return self._stored_appointment(repo.insert_appointment(self.db, row))
        return self._stored_dose(repo.insert_dose(self.db, row))

    # --- pharmacy, nurse board, readiness -----------------------------------------------
    def live_preparations(self) -> list[Preparation]:
        return [mapping.row_to_preparation(row) for row in repo.live_preparations(self.db)]

    def preparation_for_dose(self, dose_id: int) -> Preparation | None:
        row = repo.preparation_for_dose(self.db, dose_id)
        return None if row is None else mapping.row_to_preparation(row)

    def insert_preparation(
        self,
        *,
        dose_id: int,
        reconstituted_at: datetime,
        vial_lots: str,
        storage: str,
        dose_mg: float,
    ) -> Preparation:
        values = {
            "dose_id": dose_id,
            "reconstituted_at": to_utc_text(reconstituted_at),
            "vial_lots": vial_lots,
            "storage": storage,
            "dose_mg": dose_mg,
        }
        new_id = repo.insert_preparation(self.db, values)
        return mapping.row_to_preparation(self._row("preparations", new_id))

    def update_preparation(self, preparation: Preparation) -> None:
        values = mapping.record_to_row(preparation, leave_out=_KEYS)
        repo.update_versioned(self.db, "preparations", preparation.id, preparation.version, values)

    def visit_for_appointment(self, appointment_id: int) -> Visit | None:
        row = visits.visit_for_appointment(self.db, appointment_id)
        return None if row is None else mapping.row_to_visit(row)

    def reactions_of_appointments(
        self, appointment_ids: Iterable[int]
    ) -> dict[int, list[VisitReaction]]:
        found = visits.reactions_of_appointments(self.db, list(appointment_ids))
        return {
            appointment_id: [mapping.row_to_visit_reaction(row) for row in rows]
            for appointment_id, rows in found.items()
        }

    def labs_of_patients(self, patient_ids: Iterable[int]) -> list[LabResult]:
        return [
            mapping.row_to_lab_result(row) for row in labs.labs_of_patients(self.db, patient_ids)
        ]

    def lvefs_of_patients(self, patient_ids: Iterable[int]) -> list[LvefResult]:
        rows = labs.lvefs_of_patients(self.db, patient_ids)
        return [mapping.row_to_lvef_result(row) for row in rows]

    def overrides_of_dose(self, dose_id: int) -> list[ReadinessOverride]:
        rows = labs.overrides_of_dose(self.db, dose_id)
        return [mapping.row_to_readiness_override(row) for row in rows]

    def dose_bookings(self, appointment_ids: Iterable[int]) -> list[DoseBooking]:
        return [_booking(rows) for rows in labs.bookings_of_appointments(self.db, appointment_ids)]

    def current_dose_booking(self, course_id: int, cycle: int) -> DoseBooking | None:
        rows = labs.current_booking(self.db, course_id, cycle)
        return None if rows is None else _booking(rows)

    def given_doses_of_courses(self, course_ids: Iterable[int]) -> list[GivenDose]:
        parse = from_utc_text
        return [
            GivenDose(course, cycle, float(level), None if at is None else parse(at))
            for course, cycle, level, at in labs.given_dose_facts_of_courses(self.db, course_ids)
        ]

    def insert_lab(
        self,
        *,
        patient_id: int,
        test: LabTest,
        value: float,
        uln: float | None,
        sampled_at: datetime,
        recorded_at: datetime,
    ) -> LabResult:
        new_id = labs.insert_lab(
            self.db,
            {
                "patient_id": patient_id, "test": LabTest(test).value, "value": value,
                "uln": uln, "sampled_at": to_utc_text(sampled_at),
                "recorded_at": to_utc_text(recorded_at),
            },
        )  # fmt: skip
        return mapping.row_to_lab_result(self._row("lab_results", new_id))

    def insert_lvef(
        self,
        *,
        patient_id: int,
        percent: float,
        modality: LvefModality,
        sampled_at: datetime,
        recorded_at: datetime,
    ) -> LvefResult:
        new_id = labs.insert_lvef(
            self.db,
            {
                "patient_id": patient_id, "percent": percent,
                "modality": LvefModality(modality).value, "sampled_at": to_utc_text(sampled_at),
                "recorded_at": to_utc_text(recorded_at),
            },
        )  # fmt: skip
        return mapping.row_to_lvef_result(self._row("lvef_results", new_id))

    def insert_override(
        self,
        *,
        dose_id: int,
        action: GateAction,
        verdict: Verdict,
        reason: str,
        clinician: str,
        at: datetime,
    ) -> ReadinessOverride:
        new_id = labs.insert_override(
            self.db,
            {
                "dose_id": dose_id, "action": GateAction(action).value,
                "verdict": Verdict(verdict).value, "reason": reason, "clinician": clinician,
                "at_utc": to_utc_text(at),
            },
        )  # fmt: skip
        return mapping.row_to_readiness_override(self._row("readiness_overrides", new_id))

    def _row(self, table: str, row_id: int) -> dict[str, Any]:
        row = labs.row_by_id(self.db, table, row_id)
        assert row is not None
        return row

    # --- audit --------------------------------------------------------------------------
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
        repo.insert_audit(
            self.db, at=at, user=user, action=action, entity=entity, entity_id=entity_id,
            old=old, new=new,
        )  # fmt: skip

    def audit_entries(self, limit: int = 100) -> list[AuditEntry]:
        return [mapping.row_to_audit_entry(row) for row in repo.audit_rows(self.db, limit)]


def _booking(rows: tuple[dict[str, Any], ...]) -> DoseBooking:
    appointment, dose, course, patient = rows
    return DoseBooking(
        mapping.row_to_appointment(appointment),
        mapping.row_to_dose(dose),
        mapping.row_to_course(course),
        mapping.row_to_patient(patient),
    )


def as_store(source: Database | Store) -> Store:
    """``source`` as a store: a ``Database`` (what callers not moved yet pass) gets a
    ``SqliteStore`` over it; a store is itself. Read without touching the database
    object's attribute fallback (which would import sqlite-utils)."""
    if isinstance(source, SqliteStore):
        return source
    if "conn" in getattr(source, "__dict__", {}):  # a Database: it keeps its connection
        return SqliteStore(source)  # type: ignore[arg-type]
    return source  # type: ignore[return-value]
