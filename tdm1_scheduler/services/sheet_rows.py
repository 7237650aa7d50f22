"""The day sheet's reads as rows, handed through unchanged (``reports/day_sheet.py``).

What is left of the old ``services.reads`` and ``services.rows``: the day sheet's
one-statement read of a day, the active chairs and a dose's live preparation as the
store's rows, and the stored instant text parsed. They go when the day sheet reads
records (``queries.day_bookings`` is the shape it moves to); nothing else uses them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..store import repository as repo, sheet_queries
from ..store.connection import Database
from ..store.database import from_utc_text

Row = dict[str, Any]

__all__ = ["chair_rows", "day_sheet_rows", "preparation_row", "utc_instant"]


def day_sheet_rows(db: Database, start: datetime, end: datetime) -> list[Row]:
    """The day sheet's rows for [start, end) in one statement (``store.sheet_queries``)."""
    return sheet_queries.day_sheet_rows(db, start, end)


def chair_rows(db: Database, active_only: bool = True) -> list[Row]:
    """The chairs (active ones by default) in their order."""
    return repo.chairs(db, active_only)


def preparation_row(db: Database, dose_id: int) -> Row | None:
    """The dose's live preparation (the newest one not discarded), or None."""
    return repo.preparation_for_dose(db, dose_id)


def utc_instant(text: str) -> datetime:
    """A stored UTC instant's text (``2025-03-04T08:30:00Z``) as an aware datetime."""
    return from_utc_text(text)
