"""A few rows for the schema tests, written with plain SQL (as the owner)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def at(hour: float) -> datetime:
    """An instant on the test day, ``hour`` hours after midnight UTC."""
    return DAY + timedelta(hours=hour)


def chair(conn: psycopg.Connection[Any], name: str) -> int:
    row = conn.execute("INSERT INTO chairs (name) VALUES (%s) RETURNING id", [name]).fetchone()
    assert row is not None
    return int(row[0])


def dose(conn: psycopg.Connection[Any], mrn: str, cycle: int = 1) -> int:
    """A booked dose of a new active course for patient ``mrn`` (made if missing)."""
    found = conn.execute("SELECT id FROM patients WHERE mrn = %s", [mrn]).fetchone()
    patient = (
        found[0]
        if found
        else conn.execute(
            "INSERT INTO patients (mrn, name, weight_kg, weight_measured_at) "
            "VALUES (%s, %s, 70, %s) RETURNING id",
            [mrn, f"Patient {mrn}", DAY],
        ).fetchone()[0]
    )  # type: ignore[index]
    course = conn.execute(
        "INSERT INTO courses (patient_id, setting, status, dose_level_mg_per_kg, "
        "preferred_time, created_at) VALUES (%s, 'EBC', %s, 3.6, '09:00', %s) RETURNING id",
        [patient, "active" if not found else "completed", DAY],
    ).fetchone()[0]  # type: ignore[index]
    row = conn.execute(
        "INSERT INTO doses (course_id, cycle, status, dose_level_mg_per_kg, weight_kg, "
        "weight_measured_at) VALUES (%s, %s, 'booked', 3.6, 70, %s) RETURNING id",
        [course, cycle, DAY],
    ).fetchone()
    assert row is not None
    return int(row[0])


def book(
    conn: psycopg.Connection[Any],
    chair_id: int,
    start: float,
    end: float,
    dose_id: int | None = None,
    status: str = "booked",
) -> int:
    """An appointment from ``at(start)`` to ``at(end)``: the dose's, or a blocked slot."""
    row = conn.execute(
        "INSERT INTO appointments (chair_id, dose_id, kind, status, start_utc, end_utc) "
        "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
        [chair_id, dose_id, "dose" if dose_id else "blocked", status, at(start), at(end)],
    ).fetchone()
    assert row is not None
    return int(row[0])
