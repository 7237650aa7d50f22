"""The painted sheet's fonts, pens and measures are made once per plan (issue 19): each
is the same value as one made afresh, the smallest type is still recorded on every
``font`` call, and a page painted with them is the same picture as before (the pages
of the normal day compared with a layout whose caches are turned off)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter, QPen

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports.day_sheet import DaySheet, build_day_sheet
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .conftest import DAY, build_normal_day, local

paint = pytest.importorskip("tdm1_scheduler.reports.paint")
from tdm1_scheduler.reports.paint import layout, primitives  # noqa: E402


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> DaySheet:
    db = build_normal_day(tmp_path_factory.mktemp("normal") / "c.db", 30)
    try:
        return build_day_sheet(SqliteStore(db), DAY, FixedClock(local("2027-01-12T07:00")))
    finally:
        db.close()


def fresh_font(size: float, bold: bool, italic: bool) -> QFont:
    font = QFont(layout.FONT_FAMILY)
    font.setStretch(QFont.Stretch.Condensed)
    font.setPointSizeF(size)
    font.setBold(bold)
    font.setItalic(italic)
    return font


def test_fonts_pens_and_widths_are_the_fresh_ones(qapp: Any, sheet: DaySheet) -> None:
    _image, pages = paint._image_pages(sheet, "a4", 300)
    for size in (layout.GRID_PT, layout.TABLE_PT, 11.0):
        for bold in (False, True):
            for italic in (False, True):
                font = pages.font(size, bold=bold, italic=italic)
                assert font == fresh_font(size, bold, italic)
                assert pages.font(size, bold=bold, italic=italic) is font  # made once
                for text in ("", "Chair 12", "Ünal, Zoë 08:30", "W" * 40):
                    fresh = QFontMetricsF(font, pages.device).horizontalAdvance(text) / pages.k
                    assert pages.text_width(text, font) == fresh
                    assert pages.text_width(text, font) == fresh  # the kept one
    other = QFont(layout.FONT_FAMILY)  # a font not made by ``font``: measured all the same
    assert pages.text_width("x", other) == (
        QFontMetricsF(other, pages.device).horizontalAdvance("x") / pages.k
    )
    for width in (0.3, 0.5, 1.3):
        for style in (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine):
            pen = QPen(primitives.BLACK)
            pen.setWidthF(pages.pt(width))
            pen.setStyle(style)
            assert pages.pen(width, style) == pen
            assert pages.pen(width, style) is pages.pen(width, style)


def test_the_smallest_type_is_recorded_on_every_call(qapp: Any, sheet: DaySheet) -> None:
    _image, pages = paint._image_pages(sheet, "a4", 300)
    pages.font(12.0)
    pages.part = "grid"
    pages.font(12.0)
    pages.font(7.5)
    pages.part = "table"
    pages.font(7.5)  # already made: still recorded for this part
    pages.font(9.0)
    assert pages.min_pt["grid"] == 7.5 and pages.min_pt["table"] == 7.5


def page_pictures(sheet: DaySheet) -> list[bytes]:
    image, pages = paint._image_pages(sheet, "a4", 110)
    pictures = []
    for index in range(pages.count):
        image.fill(paint.WHITE)
        painter = QPainter(image)
        try:
            pages.paint(painter, index)
        finally:
            painter.end()
        pictures.append(bytes(QImage(image).constBits()))
    return pictures


def test_pages_are_the_same_pictures_without_the_caches(
    qapp: Any, sheet: DaySheet, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = page_pictures(sheet)
    assert len(kept) >= 2

    def font(self: Any, size_pt: float, bold: bool = False, italic: bool = False) -> QFont:
        if self.part is not None:
            self.min_pt[self.part] = min(self.min_pt.get(self.part, size_pt), size_pt)
        return fresh_font(size_pt, bold, italic)

    def text_width(self: Any, text: str, font: QFont) -> float:
        return float(QFontMetricsF(font, self.device).horizontalAdvance(text) / self.k)

    def pen(self: Any, width_pt: float = 0.5, style: Any = Qt.PenStyle.SolidLine) -> QPen:
        made = QPen(primitives.BLACK)
        made.setWidthF(self.pt(width_pt))
        made.setStyle(style)
        return made

    monkeypatch.setattr(layout.SheetLayout, "font", font)
    monkeypatch.setattr(layout.SheetLayout, "text_width", text_width)
    monkeypatch.setattr(primitives.SheetCanvas, "pen", pen)
    assert page_pictures(sheet) == kept
