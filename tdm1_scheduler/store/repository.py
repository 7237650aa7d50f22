"""Reads and writes of the clinic's rows: the only module outside migrations with SQL.

Rows come back as plain dicts; instants stay UTC text here and become datetimes in the
services. Updates check a ``version`` column so an edit made since a row was read is
refused instead of overwritten.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from ..domain.regimens import DEFAULT_REGIMEN
from .connection import Database
from .database import ConflictError, to_utc_text
from .schema_names import OCCUPYING

Row = dict[str, Any]


def _rows(db: Database, sql: str, params: Iterable[Any] = ()) -> list[Row]:
    cursor = db.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _one(db: Database, sql: str, params: Iterable[Any] = ()) -> Row | None:
    rows = _rows(db, sql, params)
    return rows[0] if rows else None


def _insert(db: Database, table: str, values: Mapping[str, Any]) -> int:
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(values.values()))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _stored(value: Any) -> Any:
    """A value as sqlite-utils' table helpers stored it (JSON for containers, ISO text
    for dates and times), without importing sqlite-utils at run time."""
    if isinstance(value, (dict, list, tuple)):
        import json  # only for a write (issue 19: reads never load json)

        return json.dumps(value, default=repr, ensure_ascii=False)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def _insert_plain(db: Database, table: str, values: Mapping[str, Any]) -> int:
    return _insert(db, table, {f"[{k}]": _stored(v) for k, v in values.items()})


# --- clinic ---------------------------------------------------------------------
def clinic(db: Database) -> Row | None:
    return _one(db, "SELECT * FROM clinic WHERE id = 1")


def insert_clinic(db: Database, values: Mapping[str, Any]) -> None:
    _insert_plain(db, "clinic", {"id": 1, **values})


def update_clinic(db: Database, values: Mapping[str, Any]) -> None:
    if not values:
        return
    if db.execute("SELECT 1 FROM clinic WHERE id = 1").fetchone() is None:
        raise LookupError("no clinic row to update")
    assignments = ", ".join(f"[{name}] = ?" for name in values)
    db.execute(
        f"UPDATE clinic SET {assignments} WHERE id = 1", [_stored(v) for v in values.values()]
    )


def opening_hours(db: Database) -> list[Row]:
    return _rows(db, "SELECT * FROM opening_hours ORDER BY weekday")


def replace_opening_hours(db: Database, rows: Iterable[Mapping[str, Any]]) -> None:
    db.execute("DELETE FROM opening_hours")
    for row in rows:
        _insert_plain(db, "opening_hours", dict(row))


def closed_dates(db: Database) -> list[Row]:
    return _rows(db, "SELECT * FROM closed_dates ORDER BY day")


def insert_closed_date(db: Database, day: str, reason: str) -> None:
    _insert(db, "closed_dates", {"day": day, "reason": reason})


def delete_closed_date(db: Database, day: str) -> None:
    db.execute("DELETE FROM closed_dates WHERE day = ?", [day])


# --- chairs -----------------------------------------------------------------------
def chairs(db: Database, active_only: bool = True) -> list[Row]:
    where = "WHERE active = 1" if active_only else ""
    return _rows(db, f"SELECT * FROM chairs {where} ORDER BY position, id")


def chair_by_name(db: Database, name: str) -> Row | None:
    return _one(db, "SELECT * FROM chairs WHERE name = ?", [name])


def chair_by_id(db: Database, chair_id: int) -> Row | None:
    return _one(db, "SELECT * FROM chairs WHERE id = ?", [chair_id])


def insert_chair(db: Database, name: str, position: int) -> int:
    return _insert(db, "chairs", {"name": name, "position": position})


def next_chair_position(db: Database) -> int:
    row = db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM chairs").fetchone()
    return int(row[0])


# --- patients ---------------------------------------------------------------------
def patient_by_mrn(db: Database, mrn: str) -> Row | None:
    return _one(db, "SELECT * FROM patients WHERE mrn = ?", [mrn])


def patient_by_id(db: Database, patient_id: int) -> Row | None:
    return _one(db, "SELECT * FROM patients WHERE id = ?", [patient_id])


def insert_patient(db: Database, values: Mapping[str, Any]) -> int:
    return _insert(db, "patients", dict(values))


def search_patients(db: Database, text: str, limit: int = 50) -> list[Row]:
    like = f"%{text.strip()}%"
    return _rows(
        db,
        "SELECT * FROM patients WHERE mrn LIKE ? OR name LIKE ? ORDER BY name LIMIT ?",
        [like, like, limit],
    )


# --- courses and doses --------------------------------------------------------------
def course_by_id(db: Database, course_id: int) -> Row | None:
    return _one(db, "SELECT * FROM courses WHERE id = ?", [course_id])


def latest_course(db: Database, patient_id: int) -> Row | None:
    """The patient's active course, else the most recent one."""
    return _one(
        db,
        "SELECT * FROM courses WHERE patient_id = ? "
        "ORDER BY status = 'active' DESC, id DESC LIMIT 1",
        [patient_id],
    )


def insert_course(db: Database, values: Mapping[str, Any]) -> int:
    """A new course; it records the default regimen's code unless ``values`` name one."""
    return _insert(db, "courses", {"regimen_code": DEFAULT_REGIMEN.code, **values})


def doses(db: Database, course_id: int) -> list[Row]:
    return _rows(db, "SELECT * FROM doses WHERE course_id = ? ORDER BY cycle", [course_id])


def dose_by_cycle(db: Database, course_id: int, cycle: int) -> Row | None:
    return _one(db, "SELECT * FROM doses WHERE course_id = ? AND cycle = ?", [course_id, cycle])


def dose_by_id(db: Database, dose_id: int) -> Row | None:
    return _one(db, "SELECT * FROM doses WHERE id = ?", [dose_id])


def insert_dose(db: Database, values: Mapping[str, Any]) -> int:
    return _insert(db, "doses", dict(values))


# --- appointments ---------------------------------------------------------------------
def appointment_by_id(db: Database, appointment_id: int) -> Row | None:
    return _one(db, "SELECT * FROM appointments WHERE id = ?", [appointment_id])


def current_appointment(db: Database, dose_id: int) -> Row | None:
    """The dose's chair booking that still counts (booked or given)."""
    return _one(
        db,
        f"SELECT * FROM appointments WHERE dose_id = ? AND status IN {OCCUPYING} "
        "ORDER BY id DESC LIMIT 1",
        [dose_id],
    )


def current_appointments_of_course(db: Database, course_id: int) -> dict[int, Row]:
    """Each dose's chair-holding appointment (the newest), for a whole course at once."""
    rows = _rows(
        db,
        f"SELECT a.* FROM appointments a JOIN doses d ON d.id = a.dose_id "
        f"WHERE d.course_id = ? AND a.status IN {OCCUPYING} ORDER BY a.id",
        [course_id],
    )
    return {row["dose_id"]: row for row in rows}  # later ids win, as current_appointment


def appointments_of_dose(db: Database, dose_id: int) -> list[Row]:
    return _rows(db, "SELECT * FROM appointments WHERE dose_id = ? ORDER BY id", [dose_id])


def insert_appointment(db: Database, values: Mapping[str, Any]) -> int:
    try:
        return _insert(db, "appointments", values)
    except sqlite3.IntegrityError as error:
        _raise_overlap(error)
        raise


def update_appointment(
    db: Database, appointment_id: int, expected_version: int, values: Mapping[str, Any]
) -> None:
    """Update one appointment if nobody changed it since ``expected_version`` was read."""
    assignments = ", ".join(f"{name} = ?" for name in values)
    try:
        cursor = db.execute(
            f"UPDATE appointments SET {assignments}, version = version + 1 "
            "WHERE id = ? AND version = ?",
            [*values.values(), appointment_id, expected_version],
        )
    except sqlite3.IntegrityError as error:
        _raise_overlap(error)
        raise
    if cursor.rowcount != 1:
        raise ConflictError(
            "appointment", f"#{appointment_id} was changed by someone else since it was read"
        )


def update_versioned(
    db: Database, table: str, row_id: int, expected_version: int, values: Mapping[str, Any]
) -> None:
    assignments = ", ".join(f"{name} = ?" for name in values)
    cursor = db.execute(
        f"UPDATE {table} SET {assignments}, version = version + 1 WHERE id = ? AND version = ?",
        [*values.values(), row_id, expected_version],
    )
    if cursor.rowcount != 1:
        raise ConflictError(table, f"#{row_id} was changed by someone else since it was read")


def _raise_overlap(error: sqlite3.IntegrityError) -> None:
    if "chair_overlap" in str(error):
        raise ConflictError("chair", "chair already taken at that time") from error


APPOINTMENT_VIEW = """
    SELECT a.*, c.name AS chair_name, d.cycle, d.course_id, d.given_at,
           d.status AS dose_status, d.tolerated, d.infusion_actual_min,
           co.setting, co.status AS course_status, p.mrn, p.name AS patient_name,
           p.id AS patient_id
    FROM appointments a
    JOIN chairs c ON c.id = a.chair_id
    LEFT JOIN doses d ON d.id = a.dose_id
    LEFT JOIN courses co ON co.id = d.course_id
    LEFT JOIN patients p ON p.id = co.patient_id
"""


def appointments_between(
    db: Database, start: datetime, end: datetime, statuses: str = OCCUPYING
) -> list[Row]:
    """Appointments overlapping [start, end) with the given statuses, with names joined."""
    return _rows(
        db,
        APPOINTMENT_VIEW + f"WHERE a.status IN {statuses} AND a.start_utc < ? AND a.end_utc > ? "
        "AND a.start_utc >= ? ORDER BY c.position, c.id, a.start_utc",
        [to_utc_text(end), to_utc_text(start), _day_before(start)],
    )


def _day_before(start: datetime) -> str:
    from datetime import timedelta

    return to_utc_text(start - timedelta(days=1))


def busy_between(db: Database, start: datetime, end: datetime) -> list[Row]:
    """Only what a free-slot search needs (chair, times, prep) of the chair-holding
    appointments overlapping [start, end): no joins, so it stays cheap on years of data."""
    return _rows(
        db,
        f"SELECT id, chair_id, kind, start_utc, end_utc, prep_min FROM appointments "
        f"WHERE status IN {OCCUPYING} AND start_utc < ? AND end_utc > ? AND start_utc >= ?",
        [to_utc_text(end), to_utc_text(start), _day_before(start)],
    )


def appointment_view(db: Database, appointment_id: int) -> Row | None:
    return _one(db, APPOINTMENT_VIEW + "WHERE a.id = ?", [appointment_id])


# --- preparations -----------------------------------------------------------------------
def preparation_for_dose(db: Database, dose_id: int) -> Row | None:
    """The dose's live preparation (the newest one not discarded)."""
    return _one(
        db,
        "SELECT * FROM preparations WHERE dose_id = ? AND discarded_at IS NULL "
        "ORDER BY id DESC LIMIT 1",
        [dose_id],
    )


def live_preparations(db: Database) -> list[Row]:
    """Preparations neither discarded nor used: what is on the pharmacy's shelf."""
    return _rows(
        db, "SELECT * FROM preparations WHERE discarded_at IS NULL AND used_at IS NULL ORDER BY id"
    )


def insert_preparation(db: Database, values: Mapping[str, Any]) -> int:
    return _insert(db, "preparations", dict(values))


# --- audit -------------------------------------------------------------------------------
def insert_audit(
    db: Database,
    *,
    at: datetime,
    user: str,
    action: str,
    entity: str,
    entity_id: int | None,
    old: Any,
    new: Any,
) -> None:
    import json  # only for a write (issue 19: reads never load json)

    _insert_plain(
        db,
        "audit_log",
        {
            "at_utc": to_utc_text(at),
            "user": user,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "old_values": None if old is None else json.dumps(old, sort_keys=True, default=str),
            "new_values": None if new is None else json.dumps(new, sort_keys=True, default=str),
        }
    )


def audit_rows(db: Database, limit: int = 100) -> list[Row]:
    return _rows(db, "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", [limit])


def audit_after(db: Database, audit_id: int) -> list[Row]:
    """The audit rows written after row ``audit_id``, oldest first (the change feed)."""
    return _rows(db, "SELECT * FROM audit_log WHERE id > ? ORDER BY id", [audit_id])


def last_audit_id(db: Database) -> int:
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()[0])


def count(db: Database, table: str) -> int:
    return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def booked_from(db: Database, start: datetime) -> list[Row]:
    """Booked appointments (doses and blocked time) still running or to come at ``start``,
    earliest first, with names joined."""
    return _rows(
        db,
        APPOINTMENT_VIEW + "WHERE a.status = 'booked' AND a.end_utc > ? AND a.start_utc >= ? "
        "ORDER BY a.start_utc, c.position, c.id",
        [to_utc_text(start), _day_before(start)],
    )


def chair_free_between(
    db: Database, chair_id: int, start: datetime, end: datetime, exclude: Iterable[int] = ()
) -> bool:
    """True when no chair-holding appointment on ``chair_id`` overlaps [start, end),
    leaving out the ids in ``exclude``: one EXISTS on ``appointments_by_chair_start``."""
    from datetime import timedelta

    if end.microsecond:  # stored times are whole seconds: round outward, same answer
        end = end.replace(microsecond=0) + timedelta(seconds=1)
    skip = list(exclude)
    not_in = f"AND id NOT IN ({', '.join('?' for _ in skip)}) " if skip else ""
    row = db.execute(
        "SELECT EXISTS (SELECT 1 FROM appointments "
        f"WHERE chair_id = ? AND status IN {OCCUPYING} AND start_utc < ? AND end_utc > ? "
        f"AND start_utc >= ? {not_in})",
        [chair_id, to_utc_text(end), to_utc_text(start), _day_before(start), *skip],
    ).fetchone()
    return not row[0]


def courses_of_patient(db: Database, patient_id: int) -> list[Row]:
    """Every course of a patient, oldest first."""
    return _rows(db, "SELECT * FROM courses WHERE patient_id = ? ORDER BY id", [patient_id])
