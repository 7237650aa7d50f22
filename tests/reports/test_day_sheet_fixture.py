"""The day sheet as JSON and as PDF text is exactly what main made before the seam moved
``build_day_sheet`` onto typed store rows (issue 15): the demo clinic's day and
the tiny bench clinic's next open day, compared with fixtures written on main."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pypdf import PdfReader

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports.day_sheet import DaySheet, build_day_sheet, sheet_to_json
from tdm1_scheduler.reports.docs_image import DEMO_NOW
from tdm1_scheduler.reports.paint import write_pdf
from tdm1_scheduler.services.context import load_settings
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy

FIXTURES = Path(__file__).parent / "fixtures"
GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def as_fixture(sheet: DaySheet) -> str:
    return json.dumps(sheet_to_json(sheet), indent=1, sort_keys=True)


def pdf_text(sheet: DaySheet, path: Path) -> str:
    write_pdf(sheet, path)
    return "\n\f\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def bench_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate", module)
    spec.loader.exec_module(module)
    return module


def check(sheet: DaySheet, name: str, folder: Path) -> None:
    assert as_fixture(sheet) == (FIXTURES / f"{name}.json").read_text()
    assert pdf_text(sheet, folder / f"{name}.pdf") == (FIXTURES / f"{name}.pdf.txt").read_text()


def test_the_demo_clinics_day_sheet_is_as_on_main(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path / "demo.db"
    demo_copy(path, DEMO_NOW, tmp_path_factory)
    db = open_database(path, read_only=True)
    try:
        sheet = build_day_sheet(SqliteStore(db), DEMO_NOW.date(), FixedClock(DEMO_NOW))
    finally:
        db.close()
    check(sheet, "day_sheet_demo", tmp_path)


def test_a_bench_clinics_day_sheet_is_as_on_main(tmp_path: Path) -> None:
    generate = bench_generator()
    path = tmp_path / "tiny.db"
    generate.build(path, generate.SPECS["tiny"], 1)
    db = open_database(path, read_only=True)
    try:
        store = SqliteStore(db)
        calendar = load_settings(store).calendar
        day = calendar.next_open_day(calendar.local_date(generate.NOW))
        sheet = build_day_sheet(store, day, FixedClock(generate.NOW))
    finally:
        db.close()
    assert len(sheet.appointments) > 20  # a real day, not an empty one
    check(sheet, "day_sheet_bench_tiny", tmp_path)
