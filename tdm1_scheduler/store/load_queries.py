"""The slot search's reads: what holds a chair on one day, as lean tuples (issue 19).

``busy_rows`` is ``repository.busy_between`` without a dict per row: the same statement,
the same rows in the same order (the ``appointments_by_start`` index's), each as a tuple
``(id, chair_id, kind, start_utc, end_utc, prep_min)`` with the instants as stored UTC
text. A booking reads a few full days (about 600 rows each on a busy clinic), so the
per-row cost is what grows with a clinic's load.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .connection import Database
from .database import to_utc_text
from .schema_names import OCCUPYING

BusyRow = tuple[int, int, str, str, str, int]

BUSY_SQL = (
    "SELECT id, chair_id, kind, start_utc, end_utc, prep_min FROM appointments "
    f"WHERE status IN {OCCUPYING} AND start_utc < ? AND end_utc > ? AND start_utc >= ?"
)


def busy_rows(db: Database, start: datetime, end: datetime) -> list[BusyRow]:
    """The chair-holding appointments overlapping [start, end), as tuples (module doc).

    Appointments last at most a day (a CHECK in the schema): the lower bound keeps the
    index range on the day and the one before it, never the history."""
    params = [to_utc_text(end), to_utc_text(start), to_utc_text(start - timedelta(days=1))]
    return db.execute(BUSY_SQL, params).fetchall()
