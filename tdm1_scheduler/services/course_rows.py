"""The course as a few callers not moved to records yet still read it: rows.

``load_course(db, mrn)`` gives ``CourseRows`` (the patient, course, dose and booking rows
as the repository returns them); ``slot_of``, ``previous_dose``, ``chair_name`` and
``check_move`` read those rows. The course actions themselves read and write records
through the store (``course_records``); ``replan_after`` and ``bag_outlook_of`` here
only hand a row caller's course over to them. Remove this module once its callers
(nurse, pharmacy, slots, visits, the GUI's readiness card, the demo, some tests) read
``course_records.CourseRecord``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..domain import booking
from ..domain.booking import Slot
from ..domain.course import GivenDose, check_active
from ..domain.errors import DomainError
from ..domain.move_plan import BagOutlook, bag_outlook
from ..domain.regimen import ChairTime, Setting, check_cycle_number
from ..domain.tolerance import InfusionOutcome
from ..store import repository as repo
from ..store.connection import Database
from ..store.database import from_utc_text
from ..store.sqlite_store import SqliteStore
from . import course_records
from .context import (
    ChangeSet,
    ClinicSettings,
    Context,
    chair_free_probe,
    day_load_lookup,
    require_patient,
)

Row = dict[str, Any]


def _outcome_of_row(row: Row) -> InfusionOutcome:
    """A given dose row's outcome; a row from before m003 (NULL) counts as completed
    (moved here from ``outcomes``: the records' is ``course_records.outcome_of``)."""
    completed = row["infusion_completed"] != 0
    return InfusionOutcome(
        row["infusion_actual_min"],
        bool(row["tolerated"]) and completed,
        planned_min=row["infusion_planned_min"],
        completed=completed,
    )


@dataclass
class CourseRows:
    """A course as read inside a transaction: rows plus what the domain needs."""

    patient: Row
    course: Row
    doses: list[Row]
    current: dict[int, Row]  # dose id -> its chair-holding appointment

    @property
    def setting(self) -> Setting:
        return Setting(self.course["setting"])

    @property
    def given(self) -> list[GivenDose]:
        return [
            GivenDose(
                d["cycle"],
                from_utc_text(d["given_at"]),
                _outcome_of_row(d),
            )
            for d in self.doses
            if d["status"] == "given"
        ]

    @property
    def booked(self) -> list[Row]:
        return [d for d in self.doses if d["status"] == "booked"]

    @property
    def next_cycle(self) -> int:
        return len(self.given) + 1

    def dose(self, cycle: int) -> Row:
        check_cycle_number(self.setting, cycle)
        for row in self.doses:
            if row["cycle"] == cycle:
                return row
        raise DomainError("cycle", f"cycle {cycle} is not planned in this course")

    def next_dose(self, cycle: int) -> Row:
        """``cycle`` must be the course's next dose to give, still booked."""
        self.require_active()
        dose = self.dose(cycle)
        if dose["status"] == "given":
            raise DomainError("cycle", f"cycle {cycle} was already given")
        if dose["status"] != "booked":
            raise DomainError("cycle", f"cycle {cycle} is {dose['status']}; only a booked one")
        if cycle != self.next_cycle:
            raise DomainError(
                "cycle", f"cycle {cycle} is not the next dose; cycle {self.next_cycle} is"
            )
        return dose

    def require_active(self) -> None:
        check_active(self.course["status"])


def load_course(db: Database, mrn: str) -> CourseRows:
    patient = require_patient(db, mrn)
    course = repo.latest_course(db, patient["id"])
    if course is None:
        raise DomainError("mrn", f"patient {mrn} has no course")
    doses = repo.doses(db, course["id"])
    current = repo.current_appointments_of_course(db, course["id"])
    return CourseRows(patient, course, doses, current)


def slot_of(row: Row) -> Slot:
    return Slot(
        row["chair_id"],
        from_utc_text(row["start_utc"]),
        ChairTime(row["prep_min"], row["infusion_min"], row["observation_min"]),
    )


def chair_name(db: Database, chair_id: int) -> str:
    row = repo.chair_by_id(db, chair_id)
    return row["name"] if row else f"#{chair_id}"


def previous_dose(record: CourseRows, cycle: int) -> booking.PreviousDose | None:
    """The cycle before ``cycle``: its given time, else its booking (None for cycle 1)."""
    if cycle == 1:
        return None
    previous = record.dose(cycle - 1)
    if previous["status"] == "given":
        return booking.PreviousDose(cycle - 1, from_utc_text(previous["given_at"]))
    booked = record.current.get(previous["id"])
    return booking.PreviousDose(cycle - 1, from_utc_text(booked["start_utc"])) if booked else None


def check_move(
    db: Database,
    settings: ClinicSettings,
    record: CourseRows,
    cycle: int,
    slot: Slot,
    appointment_id: int,
) -> str | None:
    """Why a move of ``cycle`` to ``slot`` is refused, or None when allowed."""
    calendar, skip = settings.calendar, {appointment_id}
    holder = booking.chair_holder(
        calendar, chair_free_probe(db, skip), day_load_lookup(db, calendar, skip)
    )
    previous = previous_dose(record, cycle)
    return booking.placement_problem(calendar, settings.rules, slot, holder, previous)


def replan_after(
    ctx: Context,
    settings: ClinicSettings,
    record: CourseRows,
    anchor_cycle: int,
    anchor_day: date,
    changes: ChangeSet,
) -> None:
    """``course_records.replan_after`` for a course read as rows (read again, as
    records, in the caller's transaction)."""
    typed = course_records.load_course(ctx.store, record.patient["mrn"])
    course_records.replan_after(ctx, settings, typed, anchor_cycle, anchor_day, changes)


def bag_outlook_of(db: Database, dose_id: int, infusion_start: datetime) -> BagOutlook | None:
    """The dose's live bag (if diluted) against an infusion start."""
    prep = SqliteStore(db).preparation_for_dose(dose_id)
    return bag_outlook(None if prep is None else prep.instants(), infusion_start)
