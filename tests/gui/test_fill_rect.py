"""``brushes.fill`` paints what ``QPainter.fillRect`` paints, and the first paint pass no
longer builds ``QGradient`` (issue 19): every ``fillRect`` call checks its argument
against ``QGradient.Preset`` and so built that class and its five enums (about 12 M
instructions) while the planner painted its background and blocks."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from tdm1_scheduler.gui.brushes import brush, fill

from .conftest import OFFSCREEN_NOISE
from .test_lazy_start import SHOWN_TO_FIRST_PAINT, STYLED_WINDOW, start_report

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

STYLES = [
    Qt.BrushStyle.SolidPattern,
    Qt.BrushStyle.BDiagPattern,  # the blocked time's hatch
    Qt.BrushStyle.Dense4Pattern,
]


def rectangles() -> list[QRectF]:
    """Random corners and sizes (some past the edges, some empty), and a quarter-pixel
    grid: a rectangle drawn with no pen differs from fillRect at half-pixel edges."""
    rnd = random.Random(7)
    scattered = [
        QRectF(rnd.uniform(-10, 150), rnd.uniform(-10, 150), rnd.uniform(0, 50), rnd.uniform(0, 50))
        for _ in range(30)
    ]
    quarters = [i * 0.25 for i in range(5)]
    grid = [  # one row each, below the others (a fill of the same colour hides a pixel)
        QRectF(4 + x, 210 + 13 * n + y, 20 + w, 7 + h)
        for n, (x, y, w, h) in enumerate(itertools.product(quarters, [0, 0.5], quarters, [0, 0.5]))
    ]
    return scattered + grid


def painted(
    use_fill: bool, antialiased: bool, shift: float, style: Qt.BrushStyle, alpha: int
) -> QImage:
    image = QImage(180, 1530, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#808080"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialiased)
    painter.translate(shift, shift / 2)
    made = brush(QColor(30, 90, 200, alpha), style)
    for rect in rectangles():
        if use_fill:
            fill(painter, rect, made)
        else:
            painter.fillRect(rect, made)
    painter.end()
    return image


@pytest.mark.parametrize("antialiased", [False, True], ids=["aliased", "antialiased"])
@pytest.mark.parametrize("shift", [0.0, 0.25, 0.5, 12.25])
@pytest.mark.parametrize("style", STYLES, ids=[s.name for s in STYLES])
@pytest.mark.parametrize("alpha", [255, 110])
def test_fill_paints_the_pixels_fill_rect_paints(  # type: ignore[no-untyped-def]
    qapp, antialiased: bool, shift: float, style: Qt.BrushStyle, alpha: int
) -> None:
    assert painted(True, antialiased, shift, style, alpha) == painted(
        False, antialiased, shift, style, alpha
    )


def test_fill_keeps_the_pen_and_brush(qapp) -> None:  # type: ignore[no-untyped-def]
    image = QImage(20, 20, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    pen, kept = painter.pen(), painter.brush()
    made = brush(QColor("#123456"))
    fill(painter, QRectF(1, 1, 5, 5), made)
    assert painter.pen() == pen and painter.brush() == kept
    assert painter.background() == made
    assert painter.backgroundMode() == Qt.BGMode.TransparentMode  # never painted
    painter.end()


FIRST_PAINT = (
    """
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
import PySide6.QtGui
report = {}

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if not report and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, done)
            report["paint"] = True
        return False

def done():  # the first paint pass is over: the planner's background and blocks painted
    report["gradient"] = "QGradient" in PySide6.QtGui.__dict__
    app.quit()

"""
    + STYLED_WINDOW
    + SHOWN_TO_FIRST_PAINT
)


def test_the_first_paint_pass_builds_no_gradient_class(demo_path: Path, tmp_path: Path) -> None:
    report = start_report(FIRST_PAINT, demo_path, tmp_path)
    assert report == {"paint": True, "gradient": False}
