"""Reads the rooms (GUI, CLI, reports) make that have no typed read model yet.

Each one is the store's read handed through unchanged (rows as the repository gives
them), so that no room reaches ``store/`` itself. As a view moves to records, its read
here goes (``queries.day_bookings`` is the shape they move to).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..store import repository as repo, sheet_queries
from ..store.connection import Database

Row = dict[str, Any]


# --- patients -------------------------------------------------------------------------
def patient_row(db: Database, mrn: str) -> Row | None:
    """The patient with exactly ``mrn``, or None."""
    return repo.patient_by_mrn(db, mrn)


def patient_name(db: Database, mrn: str) -> str | None:
    """The name of the patient with exactly ``mrn``, or None when there is none."""
    patient = repo.patient_by_mrn(db, mrn)
    return None if patient is None else str(patient["name"])


def search_patients(db: Database, text: str, limit: int) -> list[Row]:
    """Patients whose name or MRN contains ``text`` (all when empty), by name."""
    return repo.search_patients(db, text, limit=limit)


# --- the clinic -----------------------------------------------------------------------
def clinic_row(db: Database) -> Row | None:
    """The clinic's one settings row, or None before ``init``."""
    return repo.clinic(db)


def opening_hours_rows(db: Database) -> list[Row]:
    """Each open weekday's row (``weekday``, ``opens``, ``closes``), by weekday."""
    return repo.opening_hours(db)


def closed_date_rows(db: Database) -> list[Row]:
    """Every closed date (``day``, ``reason``), by day."""
    return repo.closed_dates(db)


def chair_rows(db: Database, active_only: bool = True) -> list[Row]:
    """The chairs (active ones by default) in their order."""
    return repo.chairs(db, active_only)


# --- the day sheet --------------------------------------------------------------------
def day_sheet_rows(db: Database, start: datetime, end: datetime) -> list[Row]:
    """The day sheet's rows for [start, end) in one statement (``store.sheet_queries``)."""
    return sheet_queries.day_sheet_rows(db, start, end)


def preparation_row(db: Database, dose_id: int) -> Row | None:
    """The dose's live preparation (the newest one not discarded), or None."""
    return repo.preparation_for_dose(db, dose_id)
