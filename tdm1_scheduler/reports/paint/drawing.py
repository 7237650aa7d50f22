"""The day sheet drawn: every QPainter call of the sheet but the table's (table_drawing).

``SheetPages`` is the ``layout.SheetLayout`` plan, drawn with ``primitives.SheetCanvas``'s
pens, plus ``paint(painter, index)``, one page
with a ``QPainter`` the caller owns (devices.py and the preview use it). Black on white:
patterns and words, never colour, so a cheap laser printer and a photocopy keep it all.

A grid lane is a line (or up to three) of names and marks over a thin bar strip: the
name starts where the visit does and may use the lane up to the chair's next booking;
a name that does not fit wraps, and where even that fails the lane keeps the marks and
the table below (or overleaf) has the full name. Nothing is ever cut off with "...".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen

from ..day_sheet import SheetAppointment, SheetChair
from ..html import printed_text, subtitle_text, title_text
from ..sheet_marks import Mark
from .layout import (
    AXIS_H,
    BAR_MAX,
    BAR_MIN,
    GRID_PT,
    LANE_PAD,
    STARTS_H,
    TABLE_PT,
    TITLE_PT,
    PagePlan,
    wall_minutes,
)
from .primitives import BLACK as BLACK, WHITE as WHITE, SheetCanvas
from .table_drawing import paint_table

TAG_PAD = 1.6  # inside a mark's box, left and right
WORD_GAP = 3.0  # between a name and a mark, or two marks


class SheetPages(SheetCanvas):
    """The sheet laid out for one page size and resolution: how many pages, and each one.

    Built once per device, then ``paint(painter, index)`` per page. The first page: the
    header with the summary, the grid, the starts per 30 minutes; grid pages hold up to
    24 chairs; the table follows (under the last lanes when there is room). Every page
    ends with its legend, the printed time and "Page n of m".
    """

    def paint(self, painter: QPainter, index: int) -> None:
        """Paint page ``index`` (0-based); the painter's origin is the paint rect's corner."""
        plan = self.plans[index]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.part = "grid" if plan.chairs else "table"
        self._header(painter, plan)
        self._footer(painter, plan, index)
        if plan.chairs:
            self.part = "grid"
            self._timeline(painter, plan, self.header_h(plan))
        if plan.parts or (plan.summary and not self.sheet_rows):
            paint_table(self, painter, plan)
        self.part = None
        painter.restore()

    def _header(self, painter: QPainter, plan: PagePlan) -> None:
        sheet = self.sheet
        small = GRID_PT if plan.chairs else TABLE_PT
        title_h = TITLE_PT * 1.25
        painter.setPen(self.pen())
        painter.setFont(self.font(TITLE_PT if plan.chairs else TITLE_PT - 2, bold=True))
        self.text(painter, (0, 0, self.width, title_h), title_text(sheet))
        painter.setFont(self.font(small, bold=True))
        self.text(
            painter, (0, 0, self.width, title_h), self.part_text(plan), Qt.AlignmentFlag.AlignRight
        )
        painter.setFont(self.font(small))
        self.text(painter, (0, title_h, self.width, self.grid_line), subtitle_text(sheet))
        if plan.summary:
            self._summary(painter, title_h + self.grid_line + 2.0)
        bottom = self.header_h(plan) - 1.5
        painter.setPen(self.pen(1.0))
        self.line(painter, 0, bottom, self.width, bottom)

    def _summary(self, painter: QPainter, top: float) -> None:
        """The day's six figures in three columns of two rows, in a box."""
        lines = self.summary()
        rows = -(-len(lines) // 3)
        height = rows * self.grid_line + 2.0
        painter.setPen(self.pen(0.7))
        painter.drawRect(self.rect(0, top, self.width, height))
        column_w = self.width / 3
        for number, words in enumerate(lines):
            column, row = divmod(number, rows)
            bold = words.startswith(("Peak", "Utilization", "Bags"))
            painter.setPen(self.pen())
            painter.setFont(self.font(GRID_PT, bold=bold))
            self.text(
                painter,
                (
                    column * column_w + 4,
                    top + 1 + row * self.grid_line,
                    column_w - 6,
                    self.grid_line,
                ),
                words,
            )

    def _footer(self, painter: QPainter, plan: PagePlan, index: int) -> None:
        top = self.footer_top(plan)
        painter.setPen(self.pen(0.5))
        self.line(painter, 0, top + 1.5, self.width, top + 1.5)
        painter.setPen(self.pen())
        y = top + 3.0
        for words, size in self.footer_lines(bool(plan.chairs), bool(plan.parts)):
            self.part = "grid" if size >= GRID_PT else "table"
            line_h = self.grid_line if size >= GRID_PT else self.table_line
            painter.setFont(self.font(size))
            self.text(painter, (0, y, self.width, line_h), words)
            y += line_h
        self.part = "grid" if plan.chairs else "table"
        size, line_h = (GRID_PT, self.grid_line) if plan.chairs else (TABLE_PT, self.table_line)
        painter.setFont(self.font(size, bold=True))
        self.text(painter, (0, y, self.width, line_h), printed_text(self.sheet))
        self.text(
            painter,
            (0, y, self.width, line_h),
            f"Page {index + 1} of {self.count}",
            Qt.AlignmentFlag.AlignRight,
        )

    # the grid
    def _timeline(self, painter: QPainter, plan: PagePlan, y: float) -> float:
        """Axis, one lane per chair, and on the first page the starts row; the y below."""
        sheet = self.sheet
        left, right = self.label_w, self.width - 1
        low, high = self.time_range()

        def x_of(minutes: float) -> float:
            return left + (minutes - low) * (right - left) / (high - low)

        lane_h = plan.lane_h
        top = y + AXIS_H
        bottom = top + lane_h * max(1, len(plan.chairs))
        grid_bottom = bottom + (STARTS_H - 2 if plan.summary else 0)
        painter.setFont(self.font(GRID_PT))
        for minute in range(low, high + 1, 30):
            x = x_of(minute)
            on_hour = minute % 60 == 0
            painter.setPen(self.pen(0.45 if on_hour else 0.3, _dot(on_hour)))
            self.line(painter, x, top, x, grid_bottom)
            if on_hour:
                painter.setPen(self.pen())
                label_x = min(max(x - 16, left - 16), self.width - 32)
                centred = label_x == x - 16
                align = Qt.AlignmentFlag.AlignCenter if centred else Qt.AlignmentFlag.AlignRight
                self.text(painter, (label_x, y, 32, AXIS_H - 1), f"{minute // 60:02d}:00", align)
        if sheet.opening is not None:  # opening hours: heavier lines
            painter.setPen(self.pen(1.3))
            for mark in sheet.opening:
                x = x_of(wall_minutes(sheet, mark))
                self.line(painter, x, top, x, grid_bottom)
        for row, chair in enumerate(plan.chairs):
            self._lane(painter, chair, top + row * lane_h, lane_h, x_of, right)
        painter.setPen(self.pen(0.8))
        painter.drawRect(self.rect(0, top, right, bottom - top))
        if plan.summary:
            self._starts_row(painter, bottom, low, high, x_of)
            return bottom + STARTS_H
        return bottom

    def _lane(
        self,
        painter: QPainter,
        chair: SheetChair,
        lane_top: float,
        lane_h: float,
        x_of: Callable[[float], float],
        right: float,
    ) -> None:
        painter.setPen(self.pen(0.35))
        self.line(painter, 0, lane_top + lane_h, right, lane_top + lane_h)
        painter.setPen(self.pen())
        painter.setFont(self.font(GRID_PT, bold=bool(chair.appointments)))
        name = chair.name if chair.active else f"{chair.name} (out)"
        self.text(painter, (2, lane_top, self.label_w - 4, lane_h), name)
        bar_h = max(BAR_MIN, min(BAR_MAX, lane_h - 2 * LANE_PAD - self.grid_line * 3))
        bar_top = lane_top + lane_h - LANE_PAD - bar_h
        lines = max(1, int((bar_top - lane_top - LANE_PAD + 0.01) // self.grid_line))
        items = chair.rows
        for number, item in enumerate(items):
            x0 = x_of(wall_minutes(self.sheet, _begin(item)))
            self._bar(painter, item, bar_top, bar_h, x_of)
            later = [x_of(wall_minutes(self.sheet, _begin(n))) for n in items[number + 1 :]]
            limit = min([*later, right]) - 2.0
            self._label(painter, item, x0 + 1.0, limit, bar_top - 0.3, lines)

    def _bar(
        self,
        painter: QPainter,
        item: SheetAppointment,
        bar_top: float,
        bar_h: float,
        x_of: Callable[[float], float],
    ) -> None:
        sheet = self.sheet

        def x(instant: Any) -> float:
            return x_of(wall_minutes(sheet, instant))

        if item.status == "missed":
            painter.setPen(self.pen(0.8, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rect(x(item.start), bar_top, x(item.end) - x(item.start), bar_h))
            return
        if not item.is_dose:
            box = self.rect(x(item.start), bar_top, x(item.end) - x(item.start), bar_h)
            self._box(painter, box, Qt.BrushStyle.DiagCrossPattern)
            return
        x0, x1 = x(item.shown_start), x(item.shown_infusion_start)
        x2, x3 = x(item.shown_infusion_end), x(item.free_from)
        self._box(painter, self.rect(x0, bar_top, x1 - x0, bar_h), Qt.BrushStyle.BDiagPattern)
        self._box(painter, self.rect(x1, bar_top, x2 - x1, bar_h), Qt.BrushStyle.SolidPattern)
        self._box(painter, self.rect(x2, bar_top, x3 - x2, bar_h), Qt.BrushStyle.NoBrush)

    def _label(
        self,
        painter: QPainter,
        item: SheetAppointment,
        x: float,
        limit: float,
        bottom: float,
        lines: int,
    ) -> None:
        """The visit's name and marks flowed over ``lines`` lines from ``x`` to ``limit``
        (ending at ``bottom``, just over the bar):
        the whole name if it fits (wrapped), else the surname, else the marks alone."""
        room = limit - x
        if room < 6:
            return
        marks = list(item.marks)
        if not item.is_dose:
            names = [f"blocked: {item.label}".split(), []]
        else:
            words = (item.name or "").split()
            names = [words, words[-1:], []]
        for name in names:
            placed = self._flow(name, marks, room, lines, bold=item.first_infusion)
            if placed is not None:
                break
        else:
            return
        used = max(line_no for line_no, _x, _t in placed) + 1
        top = bottom - used * self.grid_line  # the lines sit right on the bar
        for line_no, x_off, token in placed:
            y = top + line_no * self.grid_line
            if isinstance(token, Mark):
                self._tag(painter, token, x + x_off, y)
            else:
                font = self.font(GRID_PT, bold=item.first_infusion, italic=not item.is_dose)
                width = self.text_width(token, font)
                painter.fillRect(
                    self.rect(x + x_off - 0.5, y + 0.6, width + 1, self.grid_line - 1.2), WHITE
                )
                painter.setPen(self.pen())
                painter.setFont(font)
                self.text(painter, (x + x_off, y, width + 2, self.grid_line), token)

    def _flow(
        self, words: list[str], marks: list[Mark], room: float, lines: int, bold: bool
    ) -> list[tuple[int, float, str | Mark]] | None:
        """Where each word and mark goes (line, x offset), or None when they do not fit."""
        font = self.font(GRID_PT, bold=bold)
        space = self.text_width(" ", font)
        tokens: list[tuple[str | Mark, float, float]] = [
            (w, self.text_width(w, font), space) for w in words
        ]
        tokens += [(m, self._tag_width(m), WORD_GAP) for m in marks]
        if not tokens:
            return None
        placed: list[tuple[int, float, str | Mark]] = []
        line_no, x = 0, 0.0
        for token, width, gap in tokens:
            start = x + gap if x else 0.0
            if start + width > room:
                line_no, start = line_no + 1, 0.0
                if line_no >= lines or width > room:
                    return None
            placed.append((line_no, start, token))
            x = start + width
        return placed

    def _tag_width(self, mark: Mark) -> float:
        return self.text_width(mark.grid, self.font(GRID_PT, bold=True)) + 2 * TAG_PAD

    def _tag(self, painter: QPainter, mark: Mark, x: float, y: float) -> None:
        """A mark's words in a box: white on black for an alert, black on white else."""
        width = self._tag_width(mark)
        box = self.rect(x, y + 0.5, width, self.grid_line - 1.0)
        painter.setPen(self.pen(0.6))
        painter.setBrush(QBrush(BLACK if mark.alert else WHITE))
        painter.drawRect(box)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(WHITE if mark.alert else BLACK))
        painter.setFont(self.font(GRID_PT, bold=True))
        self.text(painter, (x + TAG_PAD, y, width, self.grid_line), mark.grid)

    def _box(self, painter: QPainter, rect: QRectF, style: Qt.BrushStyle) -> None:
        if rect.width() <= 0:
            return
        painter.setPen(self.pen(0.5))
        painter.setBrush(QBrush(WHITE))
        painter.drawRect(rect)
        if style != Qt.BrushStyle.NoBrush:
            brush = QBrush(BLACK, style)
            if style != Qt.BrushStyle.SolidPattern:
                # Pattern brushes are pixel patterns; scale them to read the same at any dpi.
                brush.setTransform(_pattern_scale(self.k))
            painter.setBrush(brush)
            painter.drawRect(rect)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _starts_row(
        self, painter: QPainter, y: float, low: int, high: int, x_of: Callable[[float], float]
    ) -> None:
        sheet = self.sheet
        row_h = STARTS_H - 2
        cap = sheet.start_cap
        painter.setPen(self.pen())
        painter.setFont(self.font(GRID_PT, bold=True))
        label = "Starts" + ("" if cap is None else f" (cap {cap})")
        self.text(painter, (2, y, self.label_w - 2, row_h), label)
        for minute in range(low, high, 30):
            key = f"{minute // 60:02d}:{minute % 60:02d}"
            count = sheet.starts_by_slot.get(key, 0)
            cell = self.rect(x_of(minute), y, x_of(minute + 30) - x_of(minute), row_h)
            over = cap is not None and count > cap
            painter.setPen(self.pen(0.4))
            painter.setBrush(QBrush(BLACK if over else WHITE))
            painter.drawRect(cell)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(WHITE if over else BLACK))
            painter.setFont(self.font(GRID_PT, bold=over or count > 0))
            painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, str(count) if count else "\u00b7")


def _begin(item: SheetAppointment) -> Any:
    return item.start if item.status == "missed" or not item.is_dose else item.shown_start


def _dot(on_hour: bool) -> Qt.PenStyle:
    return Qt.PenStyle.SolidLine if on_hour else Qt.PenStyle.DotLine


def _pattern_scale(k: float) -> Any:
    from PySide6.QtGui import QTransform

    factor = max(1.0, k / 1.6)  # about 1.6 device pixels per pattern pixel at 115 dpi
    return QTransform.fromScale(factor, factor)
