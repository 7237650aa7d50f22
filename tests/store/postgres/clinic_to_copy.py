"""A SQLite clinic with something in every table, for the copy to the server: the rich
courses (given, missed, a stopped course, preparations, visits, reactions) and on top a
closed date, a move kept, a move undone, labs, an LVEF and a readiness override."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, courses, readiness
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.restore import restore_placements
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.cli.rich_course import build_rich_clinic, local


def build_clinic_to_copy(path: Path) -> Path:
    build_rich_clinic(str(path))
    db = open_database(path)
    try:
        ctx = Context(SqliteStore(db), FixedClock(local("2026-03-05T08:00")), "sched.lee")
        clinic.add_closed_date(ctx, date(2026, 4, 12), "Easter")
        courses.move_appointment(ctx, mrn="R3", cycle=2, to=local("2026-03-26T10:00"))
        moved = courses.move_appointment(ctx, mrn="R3", cycle=2, to=local("2026-03-27T13:00"))
        restore_placements(ctx, moved)  # undo: back to 03-26 10:00
        readiness.add_lab(
            ctx, mrn="R3", test="platelets", value=150000, uln=None, at=local("2026-03-24T08:00")
        )
        readiness.add_lab(ctx, mrn="R3", test="alt", value=30, uln=40, at=local("2026-03-24T08:00"))
        readiness.add_lvef(ctx, mrn="R3", percent=58, at=local("2026-03-01T10:00"))
        readiness.record_override(
            ctx, mrn="R3", cycle=2, reason="labs by phone", clinician="dr.ray",
            action="start infusion",
        )  # fmt: skip
    finally:
        db.close()
    return path
