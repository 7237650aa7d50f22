"""The nurse board's reads and writes on the clinic's SQLite file (``protocol_nurse``):
a mixin of ``SqliteStore``. The board's day is one statement over the same index range
as before (``appointments_by_start``); rows become records in ``mapping``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..domain.records import BoardVisit, Dose, Preparation, ReactionAction, Visit, VisitReaction
from . import labs, mapping, visits
from .connection import Database
from .database import to_utc_text
from .repository import _rows

__all__ = ["NurseSqlite"]

# The day's dose bookings with their chair, patient, course, dose and visit.
_BOARD = (
    f"SELECT {', '.join(mapping.BOARD_COLUMNS)} FROM appointments a"
    " JOIN chairs c ON c.id = a.chair_id"
    " LEFT JOIN doses d ON d.id = a.dose_id"
    " LEFT JOIN courses co ON co.id = d.course_id"
    " LEFT JOIN patients p ON p.id = co.patient_id"
    " LEFT JOIN visits v ON v.appointment_id = a.id "
)

# The visit columns a step writes (all but its keys and the appointment it belongs to).
_VISIT_KEYS = ("id", "version", "appointment_id")


def _text(instant: datetime | None) -> str | None:
    return None if instant is None else to_utc_text(instant)


class NurseSqlite:
    """``protocol_nurse.NurseStore`` over ``self.db`` (the ``SqliteStore``'s connection)."""

    db: Database

    def board_visits(self, start: datetime, end: datetime) -> list[BoardVisit]:
        cursor = self.db.execute(
            _BOARD + "WHERE a.kind = 'dose' AND a.status IN ('booked', 'given') "
            "AND a.start_utc >= ? AND a.start_utc < ? ORDER BY c.position, c.id, a.start_utc",
            [to_utc_text(start), to_utc_text(end)],
        )
        return [mapping.row_to_board_visit(values) for values in cursor.fetchall()]

    def board_visit(self, appointment_id: int) -> BoardVisit | None:
        cursor = self.db.execute(_BOARD + "WHERE a.id = ? AND a.kind = 'dose'", [appointment_id])
        found = cursor.fetchone()
        return None if found is None else mapping.row_to_board_visit(found)

    def doses_by_ids(self, dose_ids: Iterable[int]) -> dict[int, Dose]:
        ids = sorted(set(dose_ids))
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = _rows(self.db, f"SELECT * FROM doses WHERE id IN ({marks})", ids)
        return {row["id"]: mapping.row_to_dose(row) for row in rows}

    def preparations_for_doses(self, dose_ids: Iterable[int]) -> dict[int, Preparation]:
        ids = sorted(set(dose_ids))
        if not ids:
            return {}
        newest: dict[int, dict[str, Any]] = {}
        for row in _rows(
            self.db,
            "SELECT * FROM preparations WHERE discarded_at IS NULL"
            f" AND dose_id IN ({', '.join('?' for _ in ids)}) ORDER BY id",
            ids,
        ):
            newest[row["dose_id"]] = row  # by id: the last one is the newest
        return {dose_id: mapping.row_to_preparation(row) for dose_id, row in newest.items()}

    def insert_visit(
        self,
        *,
        appointment_id: int,
        arrived_at: datetime | None = None,
        infusion_started_at: datetime | None = None,
        infusion_ended_at: datetime | None = None,
        discharged_at: datetime | None = None,
    ) -> Visit:
        values = {
            "arrived_at": _text(arrived_at),
            "infusion_started_at": _text(infusion_started_at),
            "infusion_ended_at": _text(infusion_ended_at),
            "discharged_at": _text(discharged_at),
        }
        return mapping.row_to_visit(visits.insert_visit(self.db, appointment_id, values))

    def update_visit(self, visit: Visit) -> Visit:
        values = mapping.record_to_row(visit, leave_out=_VISIT_KEYS)
        visits.update_visit(self.db, visit.id, visit.version, values)
        stored = visits.visit_for_appointment(self.db, visit.appointment_id)
        assert stored is not None
        return mapping.row_to_visit(stored)

    def insert_reaction(
        self,
        *,
        visit_id: int,
        at: datetime,
        grade: int,
        symptoms: str,
        action: ReactionAction | None,
        note: str,
        recorded_at: datetime,
        recorded_by: str,
    ) -> VisitReaction:
        values = {
            "at_utc": to_utc_text(at),
            "grade": grade,
            "symptoms": symptoms,
            "action": None if action is None else ReactionAction(action).value,
            "note": note,
            "recorded_at": to_utc_text(recorded_at),
            "recorded_by": recorded_by,
        }
        new_id = visits.insert_reaction(self.db, visit_id, values)
        row = labs.row_by_id(self.db, "visit_reactions", new_id)
        assert row is not None
        return mapping.row_to_visit_reaction(row)
