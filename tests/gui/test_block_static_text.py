"""A planner block draws its lines as ``QStaticText`` laid out once (issue 19: no text
shaping at each paint). The pixels must be those of ``QPainter.drawText`` at the line's
baseline, as blocks drew them before: for the demo clinic's lines, lines that kerning
widens, letters beyond ASCII, a line with a character that is not printable (drawn by
``drawText`` itself), at fractional places and with the painter moved as a block's is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from tdm1_scheduler.gui.planner import block_item
from tdm1_scheduler.gui.planner.block_item import (
    TextLine,
    _Fonts,
    block_fonts,
    block_lines,
    draw_lines,
)
from tdm1_scheduler.services import queries
from tdm1_scheduler.services.context import Context, load_settings

# The painter moved as for a block at a fractional place (its part within a pixel).
PLACES = [(0.0, 0.0), (0.2, 0.0), (0.5, 0.37), (0.875, 0.75)]
INNERS = [QRectF(4, 2, 140, 36), QRectF(4.0, 2.0, 61.3, 36.0), QRectF(7.25, 5.5, 90, 33.1)]


Draw = Callable[[QPainter], None]


def picture(draw: Draw, place: tuple[float, float]) -> QImage:
    image = QImage(220, 60, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.translate(place[0], place[1])
    painter.setPen(block_item.TEXT)
    draw(painter)
    painter.end()
    return image


def by_draw_text(fonts: _Fonts, inner: QRectF, lines: tuple[str, ...]) -> Draw:
    """The lines as blocks drew them before: ``drawText`` at each line's baseline."""

    def draw(painter: QPainter) -> None:
        height = min(fonts.bold_metrics.height(), inner.height() / len(lines))
        for number, line in enumerate(lines):
            bold = number == 0
            metrics = fonts.bold_metrics if bold else fonts.plain_metrics
            top = inner.top() + number * height + (height - metrics.height()) / 2
            painter.setFont(fonts.bold if bold else fonts.plain)
            baseline = QPointF(inner.left(), top + metrics.ascent())
            painter.drawText(baseline, fonts.elided(line, bold, inner.width()))

    return draw


def by_static_text(laid_out: list[TextLine]) -> Draw:
    return lambda painter: draw_lines(painter, laid_out)


def test_static_lines_draw_the_pixels_of_draw_text(qapp, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    fonts = block_fonts(QFont(qapp.font()))
    settings = load_settings(ctx.store)
    day = settings.calendar.local_date(ctx.clock.now())
    texts: set[tuple[str, ...]] = set()
    for offset in range(0, 2):
        for row in queries.day_bookings(ctx.store, settings, day + timedelta(days=offset)):
            texts.add(tuple(block_lines(row)))
    assert len(texts) > 10
    texts |= {("AVAVA WTo.", "Zoë Ångström 42", "cycle 3/14 · 1st infusion"), ("x\ty", "a\u00adb")}
    drawn = 0
    for lines in sorted(texts):
        for inner in INNERS:
            laid_out = block_item._laid_out(fonts, inner, lines)
            statics = [not isinstance(line[2], str) for line in laid_out]
            assert all(statics) or lines == ("x\ty", "a\u00adb"), lines
            ours, theirs = by_static_text(laid_out), by_draw_text(fonts, inner, lines)
            for place in PLACES:
                assert picture(ours, place) == picture(theirs, place), (lines, inner, place)
                drawn += 1
    assert drawn > 100
