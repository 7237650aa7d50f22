"""A course as the services read it (``CourseRecord``) and the writes every course
action shares: placing bookings (``_write_slots``), re-planning the later cycles
(``replan_after``) and the placement check of a move (``check_move``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from ..domain import booking
from ..domain.booking import Slot
from ..domain.course import GivenDose, check_active
from ..domain.errors import DomainError
from ..domain.move_plan import BookedCycle, CyclePlacement, replan_later
from ..domain.regimen import ChairTime, Setting, check_cycle_number
from ..store import repository as repo
from ..store.connection import Database
from ..store.database import from_utc_text, to_utc_text
from . import journal, outcomes
from .context import (
    ChangeSet,
    ClinicSettings,
    Context,
    CycleMove,
    chair_free_probe,
    chair_ids_in_order,
    day_load_lookup,
    require_patient,
)

Row = dict[str, Any]


@dataclass
class CourseRecord:
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
                outcomes.outcome_of_dose(d),
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


def load_course(db: Database, mrn: str) -> CourseRecord:
    patient = require_patient(db, mrn)
    course = repo.latest_course(db, patient["id"])
    if course is None:
        raise DomainError("mrn", f"patient {mrn} has no course")
    doses = repo.doses(db, course["id"])
    current = repo.current_appointments_of_course(db, course["id"])
    return CourseRecord(patient, course, doses, current)


def slot_of(row: Row) -> Slot:
    return Slot(
        row["chair_id"],
        from_utc_text(row["start_utc"]),
        ChairTime(row["prep_min"], row["infusion_min"], row["observation_min"]),
    )


def appointment_values(slot: Slot) -> dict[str, Any]:
    return {
        "chair_id": slot.chair,
        "start_utc": to_utc_text(slot.start),
        "end_utc": to_utc_text(slot.end),
        "prep_min": slot.chair_time.prep_min,
        "infusion_min": slot.chair_time.infusion_min,
        "observation_min": slot.chair_time.observation_min,
    }


def chair_name(db: Database, chair_id: int) -> str:
    row = repo.chair_by_id(db, chair_id)
    return row["name"] if row else f"#{chair_id}"


def _write_slots(
    ctx: Context, placements: list[tuple[Row, Slot]], record: CourseRecord, changes: ChangeSet
) -> None:
    """Put each dose's booking at its new slot. Moving bookings are first released,
    then placed, so two of one course never trip over each other's old places."""
    moving: list[tuple[Row, Row, Slot]] = []
    for dose, slot in placements:
        old = record.current.get(dose["id"])
        if old is None:
            values = {**appointment_values(slot), "dose_id": dose["id"], "status": "booked"}
            journal.insert_appointment(ctx.db, changes, values)
            changes.moves.append(
                CycleMove(dose["cycle"], None, slot.start, None, chair_name(ctx.db, slot.chair))
            )
        elif slot_of(old) != slot:
            moving.append((dose, old, slot))
    cancel = {"status": "cancelled"}
    released = [journal.update_appointment(ctx.db, changes, old, cancel) for _, old, _ in moving]
    for (dose, old, slot), free in zip(moving, released, strict=True):
        values = {**appointment_values(slot), "status": "booked"}
        journal.update_appointment(ctx.db, changes, free, values)
        changes.moves.append(
            CycleMove(
                dose["cycle"],
                from_utc_text(old["start_utc"]),
                slot.start,
                chair_name(ctx.db, old["chair_id"]),
                chair_name(ctx.db, slot.chair),
            )
        )


def _preferred_time(record: CourseRecord) -> time:
    hours, minutes = record.course["preferred_time"].split(":")
    return time(int(hours), int(minutes))


def replan_after(
    ctx: Context,
    settings: ClinicSettings,
    record: CourseRecord,
    anchor_cycle: int,
    anchor_day: date,
    changes: ChangeSet,
) -> None:
    """Re-anchor every booked cycle after ``anchor_cycle`` 21 days apart, starting from
    ``anchor_day``; book cycles not booked yet (an MBC horizon that rolls on). The
    domain plans it (``move_plan.replan_later``), reading the days as it asks."""
    calendar = settings.calendar
    later = [d for d in record.booked if d["cycle"] > anchor_cycle]
    moving_ids = {record.current[d["id"]]["id"] for d in later if d["id"] in record.current}
    lookup = day_load_lookup(ctx.db, calendar, moving_ids)
    probe = chair_free_probe(ctx.db, moving_ids)
    preferred_chair = record.course["preferred_chair_id"]
    prefs = settings.prefs(chair_ids_in_order(ctx.db, preferred_chair), _preferred_time(record))
    placements = replan_later(
        calendar,
        settings.rules,
        record.setting,
        record.given,
        booked_cycles(record),
        anchor_cycle,
        anchor_day,
        prefs,
        lookup,
        probe,
    )
    write_later(ctx, record, placements, changes)


def booked_cycles(record: CourseRecord) -> list[BookedCycle]:
    """Each booked cycle of the course with its chair booking (None when it has none)."""
    return [
        BookedCycle(
            d["cycle"], slot_of(record.current[d["id"]]) if d["id"] in record.current else None
        )
        for d in record.booked
    ]


def write_later(
    ctx: Context,
    record: CourseRecord,
    placements: Sequence[CyclePlacement],
    changes: ChangeSet,
) -> None:
    """Write a re-plan's placements: a cycle without a dose gets one first."""
    by_cycle = {d["cycle"]: d for d in record.booked}
    rows = [
        (by_cycle[p.cycle] if p.has_dose else _new_dose(ctx.db, record, p.cycle, changes), p.new)
        for p in placements
    ]
    _write_slots(ctx, rows, record, changes)


def _new_dose(db: Database, record: CourseRecord, cycle: int, changes: ChangeSet) -> Row:
    values = {
        "course_id": record.course["id"],
        "cycle": cycle,
        "status": "booked",
        "dose_level_mg_per_kg": record.course["dose_level_mg_per_kg"],
        "weight_kg": record.patient["weight_kg"],
        "weight_measured_at": record.patient["weight_measured_at"],
    }
    row = repo.dose_by_id(db, repo.insert_dose(db, values))
    assert row is not None
    record.doses.append(row)
    journal.inserted_dose(changes, row)
    return row


def previous_dose(record: CourseRecord, cycle: int) -> booking.PreviousDose | None:
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
    record: CourseRecord,
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
