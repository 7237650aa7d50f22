"""Small reads the rooms (GUI, CLI, reports) make, so that no room reaches ``store/``.

The GUI's come as records through the store (``search_patients``, ``closed_dates``).
The rest are the store's rows handed through unchanged, for the CLI's JSON
(``clinic_row``, ``opening_hours_rows``, ``closed_date_rows``: the JSON is made from
them, byte for byte as before) and the day sheet's one-statement read; as those move
to records, their read here goes (``queries.day_bookings`` is the shape they move to).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.records import ClosedDate, Patient
from ..store import repository as repo, sheet_queries
from ..store.connection import Database
from ..store.sqlite_store import as_store

Row = dict[str, Any]


# --- patients -------------------------------------------------------------------------
def patient_name(db: Database, mrn: str) -> str | None:
    """The name of the patient with exactly ``mrn``, or None when there is none."""
    patient = as_store(db).patient_by_mrn(mrn)
    return None if patient is None else patient.name


def search_patients(db: Database, text: str, limit: int) -> list[Patient]:
    """Patients whose name or MRN contains ``text`` (all when empty), by name."""
    return as_store(db).search_patients(text, limit=limit)


# --- the clinic -----------------------------------------------------------------------
def clinic_row(db: Database) -> Row | None:
    """The clinic's one settings row, or None before ``init``."""
    return repo.clinic(db)


def opening_hours_rows(db: Database) -> list[Row]:
    """Each open weekday's row (``weekday``, ``opens``, ``closes``), by weekday."""
    return repo.opening_hours(db)


def closed_date_rows(db: Database) -> list[Row]:
    """Every closed date (``day``, ``reason``), by day (rows, for the CLI's JSON)."""
    return repo.closed_dates(db)


def closed_dates(db: Database) -> list[ClosedDate]:
    """Every closed date with its reason, by day."""
    return as_store(db).closed_dates()


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
