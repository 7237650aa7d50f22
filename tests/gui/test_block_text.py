"""A planner block's lines, elided through the kept table (issue 19): the same text as
``QFontMetricsF.elidedText`` gives, for every line of the demo clinic's busiest days
and for lines that kerning widens, at the widths a block has."""

from __future__ import annotations

import string
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from tdm1_scheduler.gui.planner.block_item import block_fonts, block_lines
from tdm1_scheduler.services import queries
from tdm1_scheduler.services.context import Context, load_settings

WIDTHS = [20.0, 33.5, 50.0, 74.0, 82.0, 110.0, 146.0, 300.0]


def _qt(text: str, bold: bool, width: float, base: QFont) -> str:
    fonts = block_fonts(base)
    metrics = fonts.bold_metrics if bold else fonts.plain_metrics
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)


def test_lines_elide_as_qt_elides_them(qapp, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    base = QFont(qapp.font())
    fonts = block_fonts(base)
    settings = load_settings(ctx.store)
    day = settings.calendar.local_date(ctx.clock.now())
    lines: set[tuple[bool, str]] = set()
    for offset in range(0, 14):
        for row in queries.day_bookings(ctx.store, settings, day + timedelta(days=offset)):
            for number, text in enumerate(block_lines(row)):
                lines.add((number == 0, text))
    assert len(lines) > 50
    # Pairs that kerning can widen, and characters beyond ASCII (laid out as before).
    pairs = {a + b for a in string.printable[:95] for b in "-JTVWY.,7"}
    lines |= {(bold, f"{pair}{pair}{pair}") for pair in pairs for bold in (False, True)}
    lines |= {(False, "Zoë Ångström 42"), (True, "cycle 3/14 · 1st infusion")}
    for bold, text in sorted(lines):
        metrics = fonts.bold_metrics if bold else fonts.plain_metrics
        laid_out = metrics.horizontalAdvance(text)  # at the edge: kerning counts
        for width in [*WIDTHS, laid_out - 0.25, laid_out, laid_out + 0.25]:
            assert fonts.elided(text, bold, width) == _qt(text, bold, width, base), (text, width)
            # and again, from the kept table
            assert fonts.elided(text, bold, width) == _qt(text, bold, width, base), (text, width)
