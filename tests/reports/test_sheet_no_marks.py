"""``with_marks`` with no marks to add gives the sheet itself (issue 19): the same
records as the rebuild it skips, chair by chair and bag by bag (with marks to add:
``test_sheet_readiness_marks.py``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports.day_sheet import build_day_sheet, sheet_to_json, with_marks
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .conftest import DAY, build_day, local


def test_no_marks_is_the_same_sheet(tmp_path: Path) -> None:
    db = build_day(tmp_path / "marks.db")
    sheet = build_day_sheet(SqliteStore(db), DAY, FixedClock(local("2027-01-12T08:00")))
    assert with_marks(sheet, {}) is sheet
    rebuilt = dataclasses.replace(
        sheet,
        chairs=tuple(
            dataclasses.replace(c, appointments=tuple(c.appointments), missed=tuple(c.missed))
            for c in sheet.chairs
        ),
        bags=tuple(dataclasses.replace(b) for b in sheet.bags),
    )
    assert rebuilt == sheet and sheet_to_json(rebuilt) == sheet_to_json(sheet)
    db.close()
