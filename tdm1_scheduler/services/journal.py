"""Appointment writes that record themselves in the ChangeSet (``changes.rows``).

Every service that moves, cancels or inserts bookings writes through these, so what a
change did can be put back exactly (``services/restore.py``) without re-planning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..store import repository as repo
from ..store.connection import Database
from .context import ChangeSet, Row


def insert_appointment(db: Database, changes: ChangeSet, values: Mapping[str, Any]) -> Row:
    """Insert one appointment; the row as stored (defaults included) is returned."""
    new_id = repo.insert_appointment(db, values)
    row = repo.appointment_by_id(db, new_id)
    assert row is not None
    changes.record("appointments", None, row)
    changes.appointments.add(new_id)
    return row


def update_appointment(
    db: Database, changes: ChangeSet, old: Row, values: Mapping[str, Any]
) -> Row:
    """Update ``old`` (a whole appointments row) if still at its version; the row as it
    is now is returned, ready for a further write in the same change."""
    repo.update_appointment(db, old["id"], old["version"], values)
    new = {**old, **values, "version": old["version"] + 1}
    changes.record("appointments", old, new)
    changes.appointments.add(int(old["id"]))
    return new


def inserted_dose(changes: ChangeSet, row: Row) -> None:
    """A dose row the change created (a rolling MBC horizon): undo removes it."""
    changes.record("doses", None, row)
