"""The painted sheet: page count per chair count, the text it flows, a PNG of a page.

No PDF text extractor is installed (no pypdf, no pdftotext), so the words are checked in
the QTextDocument that paints the flowing pages, and the PDF by its page objects.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports.day_sheet import build_day_sheet
from tdm1_scheduler.services import courses, patients
from tdm1_scheduler.services.context import Context

from .conftest import DAY, build_clinic, local

paint = pytest.importorskip("tdm1_scheduler.reports.paint")

PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def pdf_pages(path: Path) -> int:
    return len(PAGE.findall(path.read_bytes()))


def clinic_with(tmp_path: Path, chairs: int) -> Database:
    """``chairs`` chairs, two patients on DAY: one in Chair 1, one in the last chair."""
    db = build_clinic(tmp_path / "c.db", chairs=chairs)
    ctx = Context(db, FixedClock(local("2026-12-01T08:00")), "test")
    patients.add_patient(ctx, mrn="P1", name="Pia First", weight_kg=60)
    patients.add_patient(ctx, mrn="P2", name="Liv Last", weight_kg=60)
    courses.book_course(
        ctx, mrn="P1", setting="EBC", first_dose=local("2027-01-12T09:00"), chair="Chair 1"
    )
    courses.book_course(
        ctx,
        mrn="P2",
        setting="MBC",
        first_dose=local("2027-01-12T11:00"),
        chair=f"Chair {chairs}",
    )
    return db


@pytest.mark.parametrize(
    ("chairs", "pages"),
    [
        (10, 2),  # one timeline page (<= 24 chairs) + summary/table on one page
        (60, 4),  # timelines for chairs 1-24, 25-48, 49-60 + summary/table
    ],
)
def test_pdf_page_count(qapp: Any, tmp_path: Path, chairs: int, pages: int) -> None:
    db = clinic_with(tmp_path, chairs)
    sheet = build_day_sheet(db, DAY, FixedClock(local("2027-01-12T07:00")))
    path = tmp_path / "day.pdf"
    assert paint.write_pdf(sheet, path) == pages
    assert path.read_bytes().startswith(b"%PDF")
    assert pdf_pages(path) == pages
    assert paint.page_count(sheet) == pages
    db.close()


def test_chairs_beyond_24_go_to_later_timeline_pages(qapp: Any, tmp_path: Path) -> None:
    db = clinic_with(tmp_path, 60)
    sheet = build_day_sheet(db, DAY, FixedClock(local("2027-01-12T07:00")))
    groups = sheet.chair_pages()
    assert [len(g) for g in groups] == [24, 24, 12]
    assert groups[2][-1].name == "Chair 60"
    assert groups[2][-1].appointments[0].name == "Liv Last"
    db.close()


def test_flowing_pages_hold_patients_and_summary(
    qapp: Any, day_db: Database, clock: FixedClock
) -> None:
    sheet = build_day_sheet(day_db, DAY, clock)
    _image, pages = paint._image_pages(sheet, "a4", 150)
    text = pages.doc.toPlainText()
    for name in ("Ann Able", "Bea Baker", "Cy Cole", "Dee Dunn", "Eve Evans"):
        assert name in text
    assert "Utilization 36.8%" in text and "Peak 3 patients in chairs at 09:20" in text
    assert "2/14" in text and "blocked: maintenance" in text
    assert pages.count == 2


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
        paint.render_page_image(sheet, 5)
