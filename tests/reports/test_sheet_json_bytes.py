"""``day-sheet --json`` prints the same bytes as before issue 19's late cuts:
``json_text.indented`` is ``json.dumps(indent=2, ensure_ascii=False)``,
``sheet_text.sheet_text`` (what the command prints) is ``indented(sheet_to_json(...))``, and
``sheet_to_json``'s instant texts made once per object (``iso_once``) are each
instant's own ``isoformat()``. Every booked day of the demo clinic, the days around
the changes of summer time (America/New_York), closed and empty days; the tiny bench
clinic's days; and, where the bench has cached it, the 80-chair, 5-year clinic."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil import tz

from tdm1_scheduler.cli.json_text import indented
from tdm1_scheduler.cli.sheet_text import sheet_text
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports import day_sheet
from tdm1_scheduler.reports.day_sheet import build_day_sheet, sheet_to_json
from tdm1_scheduler.reports.docs_image import DEMO_NOW
from tdm1_scheduler.reports.sheet_instants import iso_once
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy

from .test_day_sheet_fixture import bench_generator

NEW_YORK = tz.gettz("America/New_York")
# The changes of summer time the demo clinic's history spans, and the days around them.
SUMMER_TIME = [date(2026, 3, 8), date(2026, 11, 1), date(2027, 3, 14)]
AROUND = [day + timedelta(days=d) for day in SUMMER_TIME for d in (-2, -1, 0, 1, 2)]
EMPTY = [date(2025, 1, 6), date(2026, 11, 3), date(2027, 1, 16), date(2030, 6, 3)]
FULL_CLINIC = Path(__file__).resolve().parents[2] / "bench" / ".cache" / "full-c80-d1825-s1-v2.db"


def plain_json(sheet: day_sheet.DaySheet, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """``sheet_to_json`` with every instant's text made by its own ``isoformat()``."""
    with monkeypatch.context() as patch:
        patch.setattr(day_sheet, "iso_once", lambda: day_sheet._iso)
        return sheet_to_json(sheet)


def check(sheet: day_sheet.DaySheet, monkeypatch: pytest.MonkeyPatch) -> str:
    data = sheet_to_json(sheet)
    assert data == plain_json(sheet, monkeypatch)
    text = indented(data)
    assert text == json.dumps(data, indent=2, ensure_ascii=False)
    assert sheet_text(sheet) == text  # what `day-sheet --json` prints
    return text


def sheets(path: Path, days: list[date], now: datetime) -> Iterator[day_sheet.DaySheet]:
    db = open_database(path, read_only=True)
    try:
        store = SqliteStore(db)
        for day in days:
            yield build_day_sheet(store, day, FixedClock(now))
    finally:
        db.close()


def booked_days(path: Path) -> list[date]:
    db = open_database(path, read_only=True)
    try:
        rows = db.conn.execute("SELECT DISTINCT substr(start_utc, 1, 10) FROM appointments")
        return sorted({date.fromisoformat(row[0]) for row in rows})
    finally:
        db.close()


@pytest.fixture(scope="module")
def demo_clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo_copy(path, DEMO_NOW, tmp_path_factory)
    return path


def test_every_day_of_the_demo_clinic(
    demo_clinic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = sorted({*booked_days(demo_clinic), *AROUND, *EMPTY})
    texts = [check(sheet, monkeypatch) for sheet in sheets(demo_clinic, days, DEMO_NOW)]
    assert len(days) > 180
    assert sum('"status": "' in text for text in texts) > 160  # days with rows
    assert any('"opening": null' in text for text in texts)  # closed days too


def test_the_summer_time_days_print_their_own_offsets(
    demo_clinic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Printed on the night the clocks go back (01:30 twice): both offsets appear."""
    for fold, offset in ((0, "-04:00"), (1, "-05:00")):
        now = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=fold)
        for sheet in sheets(demo_clinic, AROUND, now):
            text = check(sheet, monkeypatch)
            assert f'"printed_at": "2026-11-01T01:30:00{offset}"' in text


def test_one_text_per_object_never_per_equal_instant() -> None:
    """The memo is by object: the same wall time on both sides of the change (equal
    datetimes in one zone, whatever their fold) keeps each its own offset."""
    iso = iso_once()
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
    second = first.replace(fold=1)
    assert (iso(first), iso(second), iso(first)) == (
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:30:00-05:00",
        "2026-11-01T01:30:00-04:00",
    )
    assert iso(None) is None
    made = [iso(first + timedelta(minutes=n)) for n in range(500)]  # temporaries: no id reuse
    assert made == [(first + timedelta(minutes=n)).isoformat() for n in range(500)]


def test_the_tiny_bench_clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate = bench_generator()
    path = tmp_path / "tiny.db"
    generate.build(path, generate.SPECS["tiny"], 1)
    days = sorted({*booked_days(path), *EMPTY})
    for sheet in sheets(path, days, generate.NOW):
        check(sheet, monkeypatch)


@pytest.mark.skipif(not FULL_CLINIC.exists(), reason="the bench has not cached the full clinic")
def test_the_full_bench_clinic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bench's busy day, a day being given, days around the changes of summer time,
    a closed day and days past the bookings (``python bench/generate.py --size full``)."""
    days = [date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 2), date(2027, 3, 15),
            date(2027, 3, 14), date(2026, 3, 9), date(2027, 9, 1)]  # fmt: skip
    now = datetime.fromisoformat("2026-11-18T15:00:00+00:00")
    for sheet in sheets(FULL_CLINIC, days, now):
        check(sheet, monkeypatch)


def test_a_rows_quick_replace_is_dataclasses_replace(demo_clinic: Path) -> None:
    """``day_sheet._replace`` builds from the row's ``__dict__``: the same row as
    ``dataclasses.replace``, every field kept."""
    names = {f.name for f in dataclasses.fields(day_sheet.SheetAppointment)}
    for sheet in sheets(demo_clinic, [DEMO_NOW.date(), date(2027, 1, 11)], DEMO_NOW):
        for _chair, item in sheet.rows:
            assert set(item.__dict__) == names
            for changes in ({}, {"marks": ()}, {"free_until": None, "label": "x"}):
                quick = day_sheet._replace(item, **changes)
                slow = dataclasses.replace(item, **changes)
                assert quick == slow and quick.__dict__ == slow.__dict__
                assert type(quick) is type(slow)
