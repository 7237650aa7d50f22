"""``sheet_text`` (what ``day-sheet --json`` prints) falls back to the generic layout
whenever its fast path could write other bytes: a leaf of a type ``json_text`` does not
lay out itself (an enum, a ``str`` subclass), or ``appointment_json`` keys it does not
know. The same bytes as ``indented(sheet_to_json(sheet))`` in every case; the busy and
ordinary days are in ``tests/reports/test_sheet_json_bytes.py``."""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any

import pytest

from tdm1_scheduler.cli.json_text import indented
from tdm1_scheduler.cli.sheet_text import _pieces, sheet_text
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports import day_sheet
from tdm1_scheduler.reports.day_sheet import (
    DaySheet,
    SheetChair,
    build_day_sheet,
    sheet_to_json,
)
from tdm1_scheduler.reports.docs_image import DEMO_NOW
from tdm1_scheduler.reports.sheet_marks import Mark
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy


class Text(str):
    pass


class Number(IntEnum):
    ONE = 1
    SEVEN = 7


class Word(StrEnum):
    BOOKED = "booked"


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> DaySheet:
    path = demo_copy(tmp_path_factory.mktemp("demo") / "demo.db", DEMO_NOW, tmp_path_factory)
    db = open_database(path, read_only=True)
    try:
        made = build_day_sheet(SqliteStore(db), DEMO_NOW.date(), FixedClock(DEMO_NOW))
    finally:
        db.close()
    assert sum(len(c.appointments) for c in made.chairs) > 10 and made.bags
    return made


def same(sheet: DaySheet) -> None:
    assert sheet_text(sheet) == indented(sheet_to_json(sheet))


def with_rows(sheet: DaySheet, **changes: Any) -> DaySheet:
    """The sheet with ``changes`` on every second row of every chair (and its bags)."""

    def chair(c: SheetChair) -> SheetChair:
        rows = tuple(day_sheet._replace(a, **changes) if n % 2 else a
                     for n, a in enumerate(c.appointments))  # fmt: skip
        return day_sheet.replace(c, appointments=rows)

    chairs = tuple(chair(c) for c in sheet.chairs)
    bags = tuple(day_sheet.replace(b, appointment=day_sheet._replace(b.appointment, **changes))
                 for b in sheet.bags)  # fmt: skip
    return day_sheet.replace(sheet, chairs=chairs, bags=bags)


def test_the_demo_day(sheet: DaySheet) -> None:
    same(sheet)


@pytest.mark.parametrize(
    "changes",
    [
        {"mrn": Text("M-1")},
        {"name": Text('Ann "Quote" Zoë\\')},
        {"cycle": Number.SEVEN},
        {"cycle": True},
        {"status": Word.BOOKED},
        {"bag_status": Text("bag ready")},
        {"infusion_min": 90.5},
        {"completed": 1},
        {"label": "held", "setting": None, "cycles_total": None},
        {"marks": (Mark("late", "late 10 min", "10", True), Mark(Text("x"), "y", "z"))},
        {"chair": Text("Chair 1")},
    ],
)
def test_leaves_of_other_types(sheet: DaySheet, changes: dict[str, Any]) -> None:
    same(with_rows(sheet, **changes))


def test_chairs_of_other_types(sheet: DaySheet) -> None:
    chairs = tuple(day_sheet.replace(c, name=Text(c.name), active=Number.ONE)
                   for c in sheet.chairs)  # fmt: skip
    same(day_sheet.replace(sheet, chairs=chairs))


def test_keys_it_does_not_know(sheet: DaySheet, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ``appointment_json`` of other keys (a new field, say): the generic path."""
    plain = day_sheet.appointment_json

    def more(item: Any, iso: Any = day_sheet._iso) -> dict[str, Any]:
        return {**plain(item, iso), "room": "B"}

    monkeypatch.setattr(day_sheet, "appointment_json", more)
    same(sheet)
    assert '"room": "B"' in sheet_text(sheet)


def test_empty_and_closed_days(sheet: DaySheet) -> None:
    same(day_sheet.replace(sheet, chairs=(), bags=()))
    same(day_sheet.replace(sheet, opening=None, chairs=(), bags=(), peak_at=None))
    empty = tuple(day_sheet.replace(c, appointments=(), missed=()) for c in sheet.chairs)
    same(day_sheet.replace(sheet, chairs=empty, bags=()))


def test_the_pieces_are_the_templates_text() -> None:
    from tdm1_scheduler.cli.json_text import template

    keys = ("a", "b%", 'c"')
    pieces = _pieces(keys, "\n  ")
    assert "%s".join(pieces) == template(keys, "\n  ").replace("%%", "%")
    nested = _pieces(("x", "y", "z"), "\n", {"y": ("p", "q")})
    leaf = '"%s"'
    assert leaf.join(nested) == indented({"x": "%s", "y": {"p": "%s", "q": "%s"}, "z": "%s"})


def test_the_collector_is_paused_and_restored() -> None:
    import gc

    from tdm1_scheduler.cli.reports import _collector_paused

    assert gc.isenabled()
    with _collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), _collector_paused():
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with _collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
