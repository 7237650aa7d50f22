"""The day sheet (``day-sheet --json``) costs the same SQL statements for a day with 2
appointments as for one with 20: a constant number of reads, never one per row (issue 19).
Counted with sqlite3's ``set_trace_callback`` on the connection."""

from __future__ import annotations

from pathlib import Path

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports.day_sheet import build_day_sheet, sheet_to_json
from tdm1_scheduler.services import courses, patients
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .conftest import DAY, NOW, build_clinic, build_normal_day, local


def two_bookings(path: Path) -> Database:
    db = build_clinic(path, chairs=2)
    ctx = Context(SqliteStore(db), FixedClock(local("2026-12-01T08:00")), "test")
    for number, (first, setting) in enumerate([("09:00", "EBC"), ("10:30", "MBC")]):
        mrn = f"T{number}"
        patients.add_patient(ctx, mrn=mrn, name=f"Two Patient{number}", weight_kg=70)
        start = local(f"2027-01-12T{first}")
        chair = f"Chair {number + 1}"
        courses.book_course(ctx, mrn=mrn, setting=setting, first_dose=start, chair=chair)
    return db


def sheet_statements(db: Database) -> tuple[list[str], int]:
    """The statements ``day-sheet DAY --json`` runs, and the appointments it lists."""
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        data = sheet_to_json(build_day_sheet(SqliteStore(db), DAY, FixedClock(local(NOW))))
    finally:
        db.conn.set_trace_callback(None)
    return seen, sum(len(chair["appointments"]) for chair in data["chairs"])


def test_two_or_twenty_appointments_cost_the_same_statements(tmp_path: Path) -> None:
    two, twenty = two_bookings(tmp_path / "two.db"), build_normal_day(tmp_path / "20.db", 5)
    try:
        few, listed_few = sheet_statements(two)
        many, listed_many = sheet_statements(twenty)
    finally:
        two.conn.close()
        twenty.conn.close()
    assert (listed_few, listed_many) == (2, 20)
    assert len(few) == len(many), (few, many)
