"""The day sheet drawn: every QPainter call of the sheet (header, lanes, table, legend).

``SheetPages`` is the ``layout.SheetLayout`` plan plus ``paint(painter, index)``, one page
with a ``QPainter`` the caller owns (devices.py and the preview use it). Black on white.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from ..day_sheet import SheetAppointment, SheetChair
from ..html import BAG_LEGEND, printed_text, subtitle_text, summary_lines, title_text
from .layout import (
    AXIS_H,
    CELL_PAD,
    GAP,
    HEADER_H,
    STARTS_H,
    TABLE_GUTTER,
    TABLE_PT,
    TIMES_LEGEND,
    Column,
    PagePlan,
    SheetLayout,
    TableRow,
    _wall_minutes,
)

BLACK = QColor(0, 0, 0)
WHITE = QColor(255, 255, 255)


class SheetPages(SheetLayout):
    """The sheet laid out for one page size and resolution: how many pages, and each one.

    ``size`` is the paint rectangle (inside the margins) in device pixels; ``dpi`` the
    device's resolution. Built once per device, then ``paint(painter, index)`` per page.
    Every page: the header, that page's chair lanes and that page's table rows, the
    legend and "Page i of n"; the first page also the summary box and the starts row.
    """

    def pen(self, width_pt: float = 0.5, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
        pen = QPen(BLACK)
        pen.setWidthF(self.pt(width_pt))
        pen.setStyle(style)
        return pen

    def text(
        self,
        painter: QPainter,
        rect: tuple[float, float, float, float],
        text: str,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> None:
        """Draw ``text`` (elided to fit) in ``rect`` = (x, y, w, h) points, centred vertically."""
        x, y, w, h = rect
        shown = self.elide(text, painter.font(), w)
        painter.drawText(
            QRectF(self.pt(x), self.pt(y), self.pt(w), self.pt(h)),
            align | Qt.AlignmentFlag.AlignVCenter,
            shown,
        )

    def line(self, painter: QPainter, x1: float, y1: float, x2: float, y2: float) -> None:
        painter.drawLine(QPointF(self.pt(x1), self.pt(y1)), QPointF(self.pt(x2), self.pt(y2)))

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(self.pt(x), self.pt(y), self.pt(w), self.pt(h))

    def paint(self, painter: QPainter, index: int) -> None:
        """Paint page ``index`` (0-based); the painter's origin is the paint rect's corner."""
        plan = self.plans[index]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self._header(painter, plan, index)
        self._footer(painter, index)
        y = HEADER_H
        if not plan.continued:
            y = self._timeline(painter, plan, y) + GAP
        self._table(painter, plan, y)
        painter.restore()

    def _header(self, painter: QPainter, plan: PagePlan, index: int) -> None:
        sheet = self.sheet
        third = f"{printed_text(sheet)} \u00b7 {self._part_text(plan)}"
        title_font, small = self.font(11, bold=True), self.font(7.5)
        left_w = max(
            self.text_width(title_text(sheet), title_font),
            self.text_width(subtitle_text(sheet), small),
            self.text_width(third, small),
        )
        box_w = min(440.0, max(300.0, self.width - left_w - 12))
        text_w = self.width - box_w - 8
        painter.setPen(self.pen())
        painter.setFont(title_font)
        self.text(painter, (0, 0, text_w, 14), title_text(sheet))
        painter.setFont(small)
        self.text(painter, (0, 14, text_w, 9.5), subtitle_text(sheet))
        self.text(painter, (0, 23, text_w, 9.5), third)
        if plan.summary:
            self._summary_box(painter, self.width - box_w, box_w)
        else:
            painter.setFont(self.font(7.5, bold=True))
            self.text(
                painter,
                (text_w, 0, self.width - text_w, 15),
                "Summary on page 1",
                Qt.AlignmentFlag.AlignRight,
            )
        painter.setPen(self.pen(1.0))
        self.line(painter, 0, HEADER_H - 1.5, self.width, HEADER_H - 1.5)

    def _summary_box(self, painter: QPainter, x: float, width: float) -> None:
        lines = summary_lines(self.sheet)
        top, height = 0.5, HEADER_H - 4.5
        painter.setPen(self.pen(0.8))
        painter.drawRect(self.rect(x, top, width, height))
        rows = -(-len(lines) // 2)
        line_h = (height - 2) / rows
        column_w = (width - 8) / 2
        painter.setPen(self.pen())
        for number, line in enumerate(lines):
            column, row = divmod(number, rows)
            painter.setFont(self.font(7.5, bold=line.startswith(("Peak", "Utilization"))))
            self.text(
                painter,
                (x + 4 + column * column_w, top + 1 + row * line_h, column_w - 4, line_h),
                line,
            )

    def _footer(self, painter: QPainter, index: int) -> None:
        top = self.body_h + HEADER_H
        painter.setPen(self.pen(0.5))
        self.line(painter, 0, top + 1.5, self.width, top + 1.5)
        page = f"Page {index + 1} of {self.count}"
        painter.setFont(self.font(7.5, bold=True))
        page_w = self.text_width(page, painter.font()) + 2
        self.text(
            painter, (self.width - page_w, top + 2, page_w, 8), page, Qt.AlignmentFlag.AlignRight
        )
        # Line 1: the bar legend. Line 2: what the table's columns and bag words mean.
        painter.setFont(self.font(6.5))
        x, y = 0.0, top + 3.5
        entries = [
            (Qt.BrushStyle.BDiagPattern, "prep (vitals, line)"),
            (Qt.BrushStyle.SolidPattern, "infusion"),
            (Qt.BrushStyle.NoBrush, "observation (patient name in it)"),
            (Qt.BrushStyle.DiagCrossPattern, "blocked"),
        ]
        for style, words in entries:
            self._box(painter, self.rect(x, y + 1, 14, 4.5), style)
            painter.setPen(self.pen())
            self.text(painter, (x + 16, y, 150, 6.5), words)
            x += 16 + self.text_width(words, painter.font()) + 9
        rest = (
            "1st = first infusion (90 min + 90 min observation) \u00b7 heavy lines = opening "
            "hours \u00b7 black count = over the start cap"
        )
        self.text(painter, (x, y, self.width - page_w - x - 4, 6.5), rest)
        painter.setFont(self.font(6.5))
        self.text(
            painter,
            (0, y + 7, self.width, 6.5),
            f"{TIMES_LEGEND} \u00b7 {BAG_LEGEND}",
        )

    # the timeline
    def _timeline(self, painter: QPainter, plan: PagePlan, y: float) -> float:
        """Axis, one lane per chair, and on the summary page the starts row; the y below."""
        sheet = self.sheet
        left, right = self.label_w, self.width - 1
        low, high = self._time_range()

        def x_of(minutes: float) -> float:
            return left + (minutes - low) * (right - left) / (high - low)

        lane_h = plan.lane_h
        top = y + AXIS_H
        bottom = top + lane_h * max(1, len(plan.chairs))
        grid_bottom = bottom + (STARTS_H - 2 if plan.summary else 0)

        painter.setFont(self.font(7))
        for minute in range(low, high + 1, 30):
            x = x_of(minute)
            on_hour = minute % 60 == 0
            painter.setPen(self.pen(0.4 if on_hour else 0.25, _dot(on_hour)))
            self.line(painter, x, top, x, grid_bottom)
            if on_hour:
                painter.setPen(self.pen())
                label_x = min(x - 15, self.width - 30)
                self.text(
                    painter,
                    (label_x, y, 30, AXIS_H - 1),
                    f"{minute // 60:02d}:00",
                    Qt.AlignmentFlag.AlignCenter
                    if label_x == x - 15
                    else Qt.AlignmentFlag.AlignRight,
                )
        if sheet.opening is not None:  # opening hours: heavier lines
            painter.setPen(self.pen(1.1))
            for mark in sheet.opening:
                x = x_of(_wall_minutes(sheet, mark))
                self.line(painter, x, top, x, grid_bottom)

        name_pt = min(7.5, max(5.5, lane_h - 1.5))
        for row, chair in enumerate(plan.chairs):
            lane_top = top + row * lane_h
            painter.setPen(self.pen(0.3))
            self.line(painter, 0, lane_top + lane_h, right, lane_top + lane_h)
            painter.setFont(self.font(name_pt, bold=bool(chair.appointments)))
            name = chair.name if chair.active else f"{chair.name} (out)"
            self.text(painter, (1, lane_top, left - 3, lane_h), name)
            items = list(chair.appointments)
            for number, item in enumerate(items):
                following = items[number + 1] if number + 1 < len(items) else None
                limit = right if following is None else x_of(_wall_minutes(sheet, following.start))
                self._bar(painter, item, lane_top, lane_h, x_of, limit)
        painter.setPen(self.pen(0.7))
        painter.drawRect(self.rect(0, top, right, bottom - top))
        if plan.summary:
            self._starts_row(painter, bottom, low, high, x_of)
            return bottom + STARTS_H
        return bottom

    def _bar(
        self,
        painter: QPainter,
        item: SheetAppointment,
        lane_top: float,
        lane_h: float,
        x_of: Callable[[float], float],
        limit: float,
    ) -> None:
        sheet = self.sheet
        bar_h = min(lane_h - 1.6, 10.0)
        bar_top = lane_top + (lane_h - bar_h) / 2
        label_pt = min(7.0, max(5.5, bar_h - 0.6))
        x0 = x_of(_wall_minutes(sheet, item.start))
        x_end = x_of(_wall_minutes(sheet, item.end))
        if not item.is_dose:
            self._box(
                painter, self.rect(x0, bar_top, x_end - x0, bar_h), Qt.BrushStyle.DiagCrossPattern
            )
            self._label(
                painter,
                f"blocked: {item.label}",
                False,
                x0 + 1,
                min(x_end, limit) - 1,
                bar_top,
                bar_h,
                label_pt,
            )
            return
        x1 = x_of(_wall_minutes(sheet, item.infusion_start))
        x2 = x_of(_wall_minutes(sheet, item.infusion_end))
        x3 = x_of(_wall_minutes(sheet, item.observation_end))
        self._box(painter, self.rect(x0, bar_top, x1 - x0, bar_h), Qt.BrushStyle.BDiagPattern)
        self._box(painter, self.rect(x1, bar_top, x2 - x1, bar_h), Qt.BrushStyle.SolidPattern)
        self._box(
            painter, self.rect(x2, bar_top, max(x3, x_end) - x2, bar_h), Qt.BrushStyle.NoBrush
        )
        first = "1st " if item.first_infusion else ""
        name = f"{first}{item.name or ''}"
        extra = [
            p for p in (item.mrn, item.cycle_text, "given" if item.status == "given" else "") if p
        ]
        choices = [" \u00b7 ".join([name, *extra]), " \u00b7 ".join([name, item.cycle_text]), name]
        self._label(
            painter, choices, item.first_infusion, x2 + 1.2, limit - 1, bar_top, bar_h, label_pt
        )

    def _label(
        self,
        painter: QPainter,
        choices: list[str] | str,
        bold: bool,
        x: float,
        x_limit: float,
        bar_top: float,
        bar_h: float,
        size_pt: float,
    ) -> None:
        """The longest of ``choices`` that fits between ``x`` and ``x_limit`` (else the
        last, elided), on white so no hatch or grid line runs through the words."""
        options = [choices] if isinstance(choices, str) else choices
        font = self.font(size_pt, bold=bold)
        room = x_limit - x
        if room < 4:
            return
        shown = next((t for t in options if self.text_width(t, font) <= room), None)
        if shown is None:
            shown = self.elide(options[-1], font, room)
        width = self.text_width(shown, font)
        inset = 0.45
        painter.fillRect(self.rect(x - 0.6, bar_top + inset, width + 1.2, bar_h - 2 * inset), WHITE)
        painter.setPen(self.pen())
        painter.setFont(font)
        painter.drawText(
            self.rect(x, bar_top - 2, width + 1, bar_h + 4),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            shown,
        )

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
        painter.setFont(self.font(6.5, bold=True))
        self.text(
            painter,
            (1, y, self.label_w - 2, row_h),
            "Starts" + ("" if cap is None else f" (cap {cap})"),
        )
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
            painter.setFont(self.font(7, bold=over or count > 0))
            painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, str(count) if count else "\u00b7")

    # the table
    def _table(self, painter: QPainter, plan: PagePlan, y: float) -> None:
        if not plan.rows:
            painter.setPen(self.pen())
            painter.setFont(self.font(7.5))
            self.text(painter, (0, y, self.width, 12), "No chair is booked on this day.")
            return
        columns = self.columns[plan.columns]
        part_w = (self.width - (plan.columns - 1) * TABLE_GUTTER) / plan.columns
        for part in range(plan.columns):
            rows = plan.rows[part * plan.per_column : (part + 1) * plan.per_column]
            if not rows:
                break
            x = part * (part_w + TABLE_GUTTER)
            if part:  # a rule down the middle of the gutter
                painter.setPen(self.pen(0.5))
                gutter_x = x - TABLE_GUTTER / 2
                self.line(painter, gutter_x, y, gutter_x, y + self.head_h + len(rows) * self.row_h)
            self._table_part(painter, columns, rows, x, y)

    def _table_part(
        self,
        painter: QPainter,
        columns: list[Column],
        rows: tuple[TableRow, ...],
        x: float,
        y: float,
    ) -> None:
        width = sum(c.width for c in columns)
        painter.setPen(self.pen())
        painter.setFont(self.font(TABLE_PT, bold=True))
        cell_x = x
        for column in columns:
            self.text(
                painter,
                (cell_x + CELL_PAD, y, column.width - 2 * CELL_PAD, self.head_h),
                column.title,
            )
            cell_x += column.width
        painter.setPen(self.pen(0.8))
        self.line(painter, x, y + self.head_h, x + width, y + self.head_h)
        previous: SheetChair | None = None
        for number, row in enumerate(rows):
            row_y = y + self.head_h + number * self.row_h
            new_chair = row.chair is not previous
            if number:  # a heavier rule where the next chair begins
                painter.setPen(self.pen(0.6 if new_chair else 0.2))
                self.line(painter, x, row_y, x + width, row_y)
            cell_x = x
            for column in columns:
                text, bold, italic = self._cell(row, column.key)
                if column.key == "chair" and not new_chair:
                    text = ""  # the chair's name once, on its first row in this column
                if text:
                    painter.setPen(self.pen())
                    painter.setFont(self.font(TABLE_PT, bold=bold, italic=italic))
                    self.text(
                        painter,
                        (cell_x + CELL_PAD, row_y, column.width - 2 * CELL_PAD, self.row_h),
                        text,
                    )
                cell_x += column.width
            previous = row.chair
        painter.setPen(self.pen(0.8))
        self.line(
            painter,
            x,
            y + self.head_h + len(rows) * self.row_h,
            x + width,
            y + self.head_h + len(rows) * self.row_h,
        )


def _dot(on_hour: bool) -> Qt.PenStyle:
    return Qt.PenStyle.SolidLine if on_hour else Qt.PenStyle.DotLine


def _pattern_scale(k: float) -> Any:
    from PySide6.QtGui import QTransform

    factor = max(1.0, k / 1.6)  # about 1.6 device pixels per pattern pixel at 115 dpi
    return QTransform.fromScale(factor, factor)
