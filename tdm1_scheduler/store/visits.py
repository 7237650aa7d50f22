"""Reads and writes of the nurse board's ``visits`` rows (one per chair visit).

Rows are plain dicts with instants as UTC text, like ``repository``; updates check the
``version`` column so a step recorded by someone else since the read is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .connection import Database
from .database import ConflictError
from .repository import _one, _rows

Row = dict[str, Any]


def visit_for_appointment(db: Database, appointment_id: int) -> Row | None:
    return _one(db, "SELECT * FROM visits WHERE appointment_id = ?", [appointment_id])


def insert_visit(db: Database, appointment_id: int, values: Mapping[str, Any]) -> Row:
    """A new visit row for the appointment (values: any recorded instants)."""
    names = ["appointment_id", *values]
    marks = ", ".join("?" for _ in names)
    db.execute(
        f"INSERT INTO visits ({', '.join(names)}) VALUES ({marks})",
        [appointment_id, *values.values()],
    )
    row = visit_for_appointment(db, appointment_id)
    assert row is not None
    return row


def update_visit(
    db: Database, visit_id: int, expected_version: int, values: Mapping[str, Any]
) -> None:
    assignments = ", ".join(f"{name} = ?" for name in values)
    cursor = db.execute(
        f"UPDATE visits SET {assignments}, version = version + 1 WHERE id = ? AND version = ?",
        [*values.values(), visit_id, expected_version],
    )
    if cursor.rowcount != 1:
        raise ConflictError("visit", f"#{visit_id} was changed by someone else since it was read")


# --- reactions (m004): one row per reaction the board recorded ---------------------------
def insert_reaction(db: Database, visit_id: int, values: Mapping[str, Any]) -> int:
    """The new reaction row's id."""
    names = ["visit_id", *values]
    marks = ", ".join("?" for _ in names)
    cursor = db.execute(
        f"INSERT INTO visit_reactions ({', '.join(names)}) VALUES ({marks})",
        [visit_id, *values.values()],
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def reactions_of_appointments(db: Database, appointment_ids: list[int]) -> dict[int, list[Row]]:
    """The recorded reactions of each appointment's visit, keyed by appointment id."""
    found: dict[int, list[Row]] = {}
    if not appointment_ids:
        return found
    marks = ", ".join("?" for _ in appointment_ids)
    for row in _rows(
        db,
        "SELECT r.*, v.appointment_id FROM visit_reactions r JOIN visits v ON v.id = r.visit_id"
        f" WHERE v.appointment_id IN ({marks}) ORDER BY r.at_utc, r.id",
        list(appointment_ids),
    ):
        found.setdefault(row["appointment_id"], []).append(row)
    return found
