"""The painted sheet: one landscape page for a normal day of up to 24 chairs, 24 chairs a
page beyond that, table rows on an extra page only on an extreme day; black on white.

The PDF is read back with pypdf: every page carries the header, its own chairs' rows and
"Page i of n"; the summary is printed once, on page 1.
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
            built[chairs] = build_day_sheet(db, DAY, PRINTED)
            db.close()
        return built[chairs]

    yield sheet_for


@pytest.mark.parametrize(("chairs", "pages"), [(10, 1), (24, 1), (25, 2), (60, 3)])
def test_a_normal_day_takes_one_page_per_24_chairs(
    qapp: Any,
    tmp_path: Path,
    normal_sheet: Callable[[int], DaySheet],
    chairs: int,
    pages: int,
) -> None:
    sheet = normal_sheet(chairs)
    assert len(sheet.doses) == 4 * chairs and len(sheet.first_infusions) == chairs
    path = tmp_path / "day.pdf"
    assert paint.write_pdf(sheet, path) == pages
    assert pdf_pages(path) == pages
    assert paint.page_count(sheet) == pages
    assert paint.page_count(sheet, "letter") == pages
    words = page_words(path)
    for number, text in enumerate(words, start=1):
        assert "Test Clinic" in text and "Tue 12 Jan 2027" in text  # the header, every page
        assert "Printed 2027-01-12 07:00" in text
        assert f"Page {number} of {pages}" in text
        # This page's chairs: every one of their MRNs, and no other chair's.
        first = (number - 1) * 24
        here = {a.mrn for chair in sheet.chairs[first : first + 24] for a in chair.appointments}
        others = {a.mrn for a in sheet.doses} - here
        assert sorted(m for m in here if m not in text) == []
        assert sorted(m for m in others if re.search(rf"\b{m}\b", text)) == []
    # The summary is printed once, on page 1.
    assert [("Utilization" in text, "Peak" in text) for text in words] == [(True, True)] + [
        (False, False)
    ] * (pages - 1)
    assert f"Utilization {sheet.utilization * 100:.1f}%" in words[0]
    assert f"Chairs in use {chairs} of {chairs}" in words[0]


def test_every_page_keeps_its_rows_above_the_footer(
    qapp: Any, tmp_path: Path, normal_sheet: Callable[[int], DaySheet]
) -> None:
    for chairs in (10, 24, 25, 60):
        for paper in ("a4", "letter"):
            _image, pages = paint._image_pages(normal_sheet(chairs), paper, 300)
            footer_top = paint.HEADER_H + pages.body_h
            bottoms = [pages.content_bottom(i) for i in range(pages.count)]
            assert max(bottoms) <= footer_top, (chairs, paper, bottoms, footer_top)
            # Up to 24 chairs the table fits beside the lanes without squeezing them flat.
            assert min(p.lane_h for p in pages.plans) >= paint.LANE_MIN


def test_an_extreme_day_continues_its_table_on_an_extra_page(qapp: Any, tmp_path: Path) -> None:
    db = build_normal_day(tmp_path / "c.db", 24)
    block_the_afternoons(db, 24, blocks=6)  # 10 bookings in every chair: 240 table rows
    sheet = build_day_sheet(db, DAY, PRINTED)
    db.close()
    path = tmp_path / "day.pdf"
    assert paint.write_pdf(sheet, path) == 2
    first, second = page_words(path)
    assert "Test Clinic" in second and "Page 2 of 2" in second  # the header again
    assert "Chairs 1\u201324 of 24, table continued" in second
    text = first + " " + second
    assert sorted(a.mrn for a in sheet.doses if a.mrn not in text) == []
    assert text.count("blocked: line care") == 24 * 6
    _image, pages = paint._image_pages(sheet, "a4", 300)
    assert [plan.continued for plan in pages.plans] == [False, True]
    assert all(pages.content_bottom(i) <= paint.HEADER_H + pages.body_h for i in range(pages.count))


def test_chairs_beyond_24_go_to_later_pages(qapp: Any, tmp_path: Path) -> None:
    db = build_clinic(tmp_path / "c.db", chairs=60)
    sheet = build_day_sheet(db, DAY, PRINTED)
    db.close()
    groups = sheet.chair_pages()
    assert [len(g) for g in groups] == [24, 24, 12]
    assert groups[2][-1].name == "Chair 60"
    assert paint.page_count(sheet) == 3  # an empty day still shows every chair's lane


def test_the_hand_built_day_is_one_page_with_every_detail(
    qapp: Any, tmp_path: Path, day_db: Database, clock: FixedClock
) -> None:
    sheet = build_day_sheet(day_db, DAY, clock)
    path = tmp_path / "day.pdf"
    assert paint.write_pdf(sheet, path) == 1
    (text,) = page_words(path)
    for name in ("Ann Able", "Bea Baker", "Cy Cole", "Dee Dunn", "Eve Evans"):
        assert name in text
    assert "Utilization 36.8% (795 of 2160 chair-min)" in text
    assert "Peak 3 patients in chairs at 09:20" in text and "OVER CAP at 09:00" in text
    assert "blocked: maintenance" in text and "2/14" in text and "1st" in text
    # Table row of Bea Baker: chair start, infusion window, observation end, chair free.
    assert "10:30 10:45\u201312:15 13:45 13:45" in text
    assert "vial \u219209:00" in text  # her vial runs out at 09:00 today
    assert "Page 1 of 1" in text


def test_page_image_is_black_on_white(qapp: Any, day_db: Database, clock: FixedClock) -> None:
    sheet = build_day_sheet(day_db, DAY, clock)
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
