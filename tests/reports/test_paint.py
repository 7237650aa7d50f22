"""The painted sheet: the chair-by-time grid of up to 24 chairs on one landscape page
(type at least 9 pt), 24 chairs a page beyond that, then the table of visits (at least
8 pt) under the last lanes when there is room and over the following pages; black on
white.

The PDF is read back with pypdf: every page carries the header, the printed time and
"Page i of n"; the summary is printed once, on page 1.

Issue 14 changed the expected page counts: the old layout squeezed the table at 6.5 pt
beside the lanes (one page for up to 24 chairs); now 12 chairs take 2 pages, 24 take 3,
25 take 3 and 60 take 6 (grid pages 1-3, the table after).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlite_utils import Database

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports.day_sheet import DaySheet, build_day_sheet
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .conftest import DAY, block_the_afternoons, build_clinic, build_normal_day, local

paint = pytest.importorskip("tdm1_scheduler.reports.paint")

PAGE = re.compile(rb"/Type\s*/Page(?!s)")
PRINTED = FixedClock(local("2027-01-12T07:00"))


def pdf_pages(path: Path) -> int:
    return len(PAGE.findall(path.read_bytes()))


def page_words(path: Path) -> list[str]:
    """Each page's text, whitespace collapsed."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


@pytest.fixture(scope="module")
def normal_sheet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[int], DaySheet]]:
    """The normal day's sheet for a number of chairs (each clinic built once per module)."""
    built: dict[int, DaySheet] = {}

    def sheet_for(chairs: int) -> DaySheet:
        if chairs not in built:
            path = tmp_path_factory.mktemp(f"normal{chairs}") / "c.db"
            db = build_normal_day(path, chairs)
            built[chairs] = build_day_sheet(SqliteStore(db), DAY, PRINTED)
            db.close()
        return built[chairs]

    yield sheet_for


@pytest.mark.parametrize(
    ("chairs", "pages", "grid_pages"), [(12, 2, 1), (24, 3, 1), (25, 3, 2), (60, 6, 3)]
)
def test_page_counts_grid_first_then_the_table(
    qapp: Any,
    tmp_path: Path,
    normal_sheet: Callable[[int], DaySheet],
    chairs: int,
    pages: int,
    grid_pages: int,
) -> None:
    sheet = normal_sheet(chairs)
    assert len(sheet.doses) == 4 * chairs and len(sheet.first_infusions) == chairs
    path = tmp_path / "day.pdf"
    assert paint.write_pdf(sheet, path) == pages
    assert pdf_pages(path) == pages
    assert paint.page_count(sheet) == pages
    assert paint.page_count(sheet, "letter") == pages
    _image, layout = paint._image_pages(sheet, "a4", 300)
    # The grid: every chair once, 24 to a page, on the first pages only.
    lanes = [len(plan.chairs) for plan in layout.plans]
    assert lanes == [min(24, chairs - 24 * n) for n in range(grid_pages)] + [0] * (
        pages - grid_pages
    )
    words = page_words(path)
    for number, text in enumerate(words, start=1):
        assert "Test Clinic" in text and "Tue 12 Jan 2027" in text  # the header, every page
        assert "Printed 2027-01-12 07:00" in text  # the footer, every page
        assert f"Page {number} of {pages}" in text
    everything = " ".join(words)
    assert sorted(a.mrn for a in sheet.doses if a.mrn not in everything) == []
    # Each visit's full name is printed whole in the table, at least once per row.
    for dose in sheet.doses:
        assert dose.name in everything
    # The summary is printed once, on page 1.
    assert [("Utilization" in text, "Peak" in text) for text in words] == [(True, True)] + [
        (False, False)
    ] * (pages - 1)
    assert f"Utilization {sheet.utilization * 100:.1f}%" in words[0]
    assert f"Chairs in use {chairs} of {chairs}" in words[0]


@pytest.mark.parametrize("chairs", [12, 24, 25, 60])
def test_type_sizes_read_from_the_layout(
    qapp: Any, normal_sheet: Callable[[int], DaySheet], chairs: int
) -> None:
    """Every font the pages paint with goes through the layout's ``font``: painting all
    pages records the smallest type of the grid pages and of the table."""
    image, pages = paint._image_pages(normal_sheet(chairs), "a4", 150)
    from PySide6.QtGui import QPainter

    painter = QPainter(image)
    try:
        for index in range(pages.count):
            pages.paint(painter, index)
    finally:
        painter.end()
    assert set(pages.min_pt) == {"grid", "table"}
    assert pages.min_pt["grid"] >= 9.0
    assert pages.min_pt["table"] >= 8.0


def test_every_page_keeps_its_rows_above_the_footer(
    qapp: Any, tmp_path: Path, normal_sheet: Callable[[int], DaySheet]
) -> None:
    for chairs in (12, 24, 25, 60):
        for paper in ("a4", "letter"):
            _image, pages = paint._image_pages(normal_sheet(chairs), paper, 300)
            for index, plan in enumerate(pages.plans):
                assert pages.content_bottom(index) <= pages.footer_top(plan) + 1e-6
                if plan.chairs:  # a lane holds a line of 9 pt names over its bar
                    assert plan.lane_h >= pages.lane_min - 1e-6, (chairs, paper, index)
            # The grid and the table use the page's height: no page but the last is
            # more than a quarter empty.
            for index, plan in enumerate(pages.plans[:-1]):
                free = pages.footer_top(plan) - pages.content_bottom(index)
                assert free <= 0.25 * pages.height, (chairs, paper, index, free)
            # ... and its width: the grid's lanes run to the right edge, the table's
            # parts fill it.
            table = [p for p in pages.plans if p.parts]
            used = pages.part_count * pages.part_width() + (pages.part_count - 1) * 10.0
            assert table and used >= 0.9 * pages.width


def test_an_extreme_day_continues_its_table_on_later_pages(qapp: Any, tmp_path: Path) -> None:
    db = build_normal_day(tmp_path / "c.db", 24)
    block_the_afternoons(db, 24, blocks=6)  # 10 bookings in every chair: 240 table rows
    sheet = build_day_sheet(SqliteStore(db), DAY, PRINTED)
    db.close()
    path = tmp_path / "day.pdf"
    count = paint.write_pdf(sheet, path)
    words = page_words(path)
    assert count == len(words) >= 4
    for number, text in enumerate(words[1:], start=2):
        assert "Test Clinic" in text and f"Page {number} of {count}" in text
        assert "Visits, continued" in text
    text = " ".join(words)
    assert sorted(a.mrn for a in sheet.doses if a.mrn not in text) == []
    assert text.count("blocked: line care") >= 24 * 6  # each in the table (the grid may too)
    _image, pages = paint._image_pages(sheet, "a4", 300)
    assert [plan.continued for plan in pages.plans] == [False] + [True] * (count - 1)
    assert all(
        pages.content_bottom(i) <= pages.footer_top(p) + 1e-6 for i, p in enumerate(pages.plans)
    )


def test_chairs_beyond_24_go_to_later_pages(qapp: Any, tmp_path: Path) -> None:
    db = build_clinic(tmp_path / "c.db", chairs=60)
    sheet = build_day_sheet(SqliteStore(db), DAY, PRINTED)
    db.close()
    groups = sheet.chair_pages()
    assert [len(g) for g in groups] == [24, 24, 12]
    assert groups[2][-1].name == "Chair 60"
    assert paint.page_count(sheet) == 3  # an empty day still shows every chair's lane


def test_the_hand_built_day_is_one_page_with_every_detail(
    qapp: Any, tmp_path: Path, day_db: Database, clock: FixedClock
) -> None:
    sheet = build_day_sheet(SqliteStore(day_db), DAY, clock)
    path = tmp_path / "day.pdf"
    assert paint.write_pdf(sheet, path) == 1
    (text,) = page_words(path)
    for name in ("Ann Able", "Bea Baker", "Cy Cole", "Dee Dunn", "Eve Evans"):
        assert name in text
    assert "Utilization 36.8% (795 of 2160 chair-min)" in text
    assert "Peak 3 patients in chairs at 09:20" in text and "OVER CAP at 09:00" in text
    assert "blocked: maintenance" in text and "2/14" in text and "1st infusion" in text
    # Table row of Bea Baker: chair start, infusion, observation end, then the chair is
    # free from 13:45 for the rest of the day (the columns no longer repeat each other).
    assert "10:30 10:45\u201312:15 13:45 13:45 on" in text
    # Ann Able's chair is free from 10:15 until Bea Baker's chair start.
    assert "09:00 09:15\u201309:45 10:15 10:15\u201310:30" in text
    assert "vial \u219209:00" in text  # her vial runs out at 09:00 today
    assert "vial expires 09:00, before start" in text  # ... before her infusion: a mark
    assert "Printed 2027-01-12 08:00" in text and "Page 1 of 1" in text


def test_page_image_is_black_on_white(qapp: Any, day_db: Database, clock: FixedClock) -> None:
    sheet = build_day_sheet(SqliteStore(day_db), DAY, clock)
    image = paint.render_page_image(sheet, 0, dpi=60)
    assert image.width() > image.height()  # landscape
    colours = {
        image.pixelColor(x, y).getRgb()[:3]
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    }
    assert all(r == g == b for r, g, b in colours)  # no colour, only greys
    assert any(r < 64 for r, _, _ in colours)  # something was drawn
    with pytest.raises(IndexError):
        paint.render_page_image(sheet, 1)
