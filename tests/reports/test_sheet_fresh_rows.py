"""The day sheet's rows are made once each (issue 19): ``day_sheet._fresh`` sets a row's
``__dict__`` whole, and its marks and free time are set in place afterwards. The same
records as ``SheetAppointment(**fields)`` would make, field for field and in field order,
for dose (booked, given, missed) and blocked rows."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports import day_sheet
from tdm1_scheduler.reports.day_sheet import DaySheet, build_day_sheet
from tdm1_scheduler.reports.docs_image import DEMO_NOW
from tdm1_scheduler.reports.sheet_marks import marks_for
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy

from .conftest import DAY
from .test_sheet_json_bytes import booked_days, sheets

NAMES = [f.name for f in dataclasses.fields(day_sheet.SheetAppointment)]


def kinds_of(sheet: DaySheet) -> set[tuple[str, str]]:
    """Checks every row of ``sheet``; returns the (kind, status) pairs seen."""
    kinds: set[tuple[str, str]] = set()
    for chair in sheet.chairs:
        rows = chair.appointments
        for number, item in enumerate(rows):
            assert list(item.__dict__) == NAMES
            assert day_sheet.SheetAppointment(**item.__dict__).__dict__ == item.__dict__
            following = rows[number + 1].start if number + 1 < len(rows) else None
            assert item.free_until == following
            own = tuple(marks_for(item, sheet.printed_at))
            assert item.marks[: len(own)] == own  # the readiness marks come after
            kinds.add((item.kind, item.status))
        for item in chair.missed:
            assert list(item.__dict__) == NAMES and item.free_until is None
            assert day_sheet.SheetAppointment(**item.__dict__).__dict__ == item.__dict__
            assert item.marks[:1] == tuple(marks_for(item, sheet.printed_at))[:1]
            kinds.add((item.kind, item.status))
    return kinds


def test_the_hand_built_day(day_db: Database, clock: FixedClock) -> None:
    kinds = kinds_of(build_day_sheet(SqliteStore(day_db), DAY, clock))
    assert {("dose", "booked"), ("blocked", "booked")} <= kinds


@pytest.fixture(scope="module")
def demo_clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo_copy(path, DEMO_NOW, tmp_path_factory)  # the run's build (tests/demo_files.py)
    return path


def test_the_demo_clinics_days(demo_clinic: Path) -> None:
    days = [DEMO_NOW.date(), date(2027, 1, 11), *booked_days(demo_clinic)[::5]]
    kinds: set[tuple[str, str]] = set()
    for sheet in sheets(demo_clinic, days, DEMO_NOW):
        kinds |= kinds_of(sheet)
    assert {("dose", "booked"), ("dose", "given"), ("dose", "missed")} <= kinds
