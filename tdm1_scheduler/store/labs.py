"""Reads and writes of lab and LVEF results and readiness overrides (issue 17, m005).

Instants stay UTC text here; ``sqlite_store`` maps the rows to records. Reads for
many appointments at once take one query per table, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .connection import Database
from .repository import _insert, _rows
from .schema_names import OCCUPYING

Row = dict[str, Any]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def insert_lab(db: Database, values: Mapping[str, Any]) -> int:
    return _insert(db, "lab_results", values)


def insert_lvef(db: Database, values: Mapping[str, Any]) -> int:
    return _insert(db, "lvef_results", values)


def insert_override(db: Database, values: Mapping[str, Any]) -> int:
    return _insert(db, "readiness_overrides", values)


def labs_of_patients(db: Database, patient_ids: Iterable[int]) -> list[Row]:
    ids = sorted(set(patient_ids))
    if not ids:
        return []
    return _rows(
        db,
        f"SELECT * FROM lab_results WHERE patient_id IN ({_marks(ids)}) ORDER BY sampled_at, id",
        ids,
    )


def lvefs_of_patients(db: Database, patient_ids: Iterable[int]) -> list[Row]:
    ids = sorted(set(patient_ids))
    if not ids:
        return []
    return _rows(
        db,
        f"SELECT * FROM lvef_results WHERE patient_id IN ({_marks(ids)}) ORDER BY sampled_at, id",
        ids,
    )


# A dose appointment joined with its dose, course and patient, every column of each.
BOOKING_SELECT = (
    "SELECT a.*, d.*, c.*, p.* FROM appointments a JOIN doses d ON d.id = a.dose_id "
    "JOIN courses c ON c.id = d.course_id JOIN patients p ON p.id = c.patient_id"
)


def _split_rows(db: Database, sql: str, params: Sequence[Any]) -> list[tuple[Row, ...]]:
    """Each joined row as one row per table (each table's columns start at its ``id``)."""
    cursor = db.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    starts = [i for i, name in enumerate(names) if name == "id"]
    bounds = list(zip(starts, [*starts[1:], len(names)], strict=True))
    return [
        tuple(dict(zip(names[lo:hi], values[lo:hi], strict=True)) for lo, hi in bounds)
        for values in cursor.fetchall()
    ]


def bookings_of_appointments(db: Database, appointment_ids: Iterable[int]) -> list[tuple[Row, ...]]:
    """Each dose appointment among the ids as (appointment, dose, course, patient) rows,
    by appointment id (blocked time left out)."""
    ids = sorted(set(appointment_ids))
    if not ids:
        return []
    return _split_rows(db, f"{BOOKING_SELECT} WHERE a.id IN ({_marks(ids)}) ORDER BY a.id", ids)


def current_booking(db: Database, course_id: int, cycle: int) -> tuple[Row, ...] | None:
    """The cycle's chair-holding appointment (the newest) as (appointment, dose, course,
    patient) rows."""
    rows = _split_rows(
        db,
        f"{BOOKING_SELECT} WHERE d.course_id = ? AND d.cycle = ? "
        f"AND a.status IN {OCCUPYING} ORDER BY a.id DESC LIMIT 1",
        [course_id, cycle],
    )
    return rows[0] if rows else None


def given_dose_facts_of_courses(
    db: Database, course_ids: Iterable[int]
) -> list[tuple[int, int, float, str | None]]:
    """(course id, cycle, dose level, given at) of the given doses of the courses, by
    course then cycle: only the columns a readiness verdict reads."""
    ids = sorted(set(course_ids))
    if not ids:
        return []
    sql = (
        "SELECT course_id, cycle, dose_level_mg_per_kg, given_at FROM doses "
        f"WHERE status = 'given' AND course_id IN ({_marks(ids)}) ORDER BY course_id, cycle"
    )
    return list(db.execute(sql, ids).fetchall())


def row_by_id(db: Database, table: str, row_id: int) -> Row | None:
    rows = _rows(db, f"SELECT * FROM {table} WHERE id = ?", [row_id])
    return rows[0] if rows else None


def overrides_of_dose(db: Database, dose_id: int) -> list[Row]:
    return _rows(db, "SELECT * FROM readiness_overrides WHERE dose_id = ? ORDER BY id", [dose_id])
