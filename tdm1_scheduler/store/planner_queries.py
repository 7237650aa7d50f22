"""Read queries for the planner grid that the repository does not have yet."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .connection import Database
from .database import to_utc_text
from .migrations import OCCUPYING

Row = dict[str, Any]


def occupied_between(db: Database, start: datetime, end: datetime) -> list[Row]:
    """Chair-holding appointments (booked or given, doses and blocked time) that overlap
    [start, end): only what a load count needs, ordered by start."""
    cursor = db.execute(
        "SELECT a.id, a.chair_id, a.kind, a.start_utc, a.end_utc FROM appointments a "
        "JOIN chairs c ON c.id = a.chair_id "
        f"WHERE a.status IN {OCCUPYING} AND c.active = 1 "
        "AND a.start_utc < ? AND a.end_utc > ? AND a.start_utc >= ? ORDER BY a.start_utc",
        # appointments last at most a day: the lower bound keeps the index scan short
        [to_utc_text(end), to_utc_text(start), to_utc_text(start - timedelta(days=1))],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def active_chair_count(db: Database) -> int:
    row = db.execute("SELECT COUNT(*) FROM chairs WHERE active = 1").fetchone()
    return int(row[0]) if row else 0
