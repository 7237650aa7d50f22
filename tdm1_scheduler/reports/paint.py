"""The day sheet painted onto pages: the one render path for preview, printer, PDF and PNG.

The only module of ``reports`` that imports Qt. ``render_pages(sheet, device)`` paints
every page onto a paged device (``QPdfWriter``, ``QPrinter``); ``SheetPages.paint`` paints
one page with a ``QPainter`` the caller owns (what ``render_pages`` and
``render_page_image`` both use, so preview, printer, PDF and PNG never drift apart).

Pages (landscape): a normal day of up to ``CHAIRS_PER_PAGE`` chairs is ONE page holding
the header (clinic, date, printed at; on page 1 the summary box), the timeline (a lane
per chair: prep hatched, infusion solid, observation open with the patient's name in
it, blocked cross-hatched; on page 1 the starts per 30-minute slot against the cap),
the appointment table in 2 or 3 side-by-side columns (6.5 pt), the legend and "Page i
of n". More chairs go 24 to a page, each page with its own lanes and table rows. Only
when a page's rows cannot fit beside its lanes (an extreme day) do they continue on an
extra page with the header repeated. ``SheetPages`` plans this once per device.
Black on white only.

GUI use::

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer)                      # landscape, grayscale
    dialog = QPrintPreviewDialog(printer)
    dialog.paintRequested.connect(lambda p: render_pages(sheet, p, set_layout=False))
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QPen,
)

from .day_sheet import CHAIRS_PER_PAGE, DaySheet, SheetAppointment, SheetChair
from .html import (
    BAG_LEGEND,
    bag_cell,
    hhmm,
    printed_text,
    subtitle_text,
    summary_lines,
    title_text,
)

MARGIN_MM = 10.0
PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
FONT_FAMILY = "DejaVu Sans"
BLACK = QColor(0, 0, 0)
WHITE = QColor(255, 255, 255)

# The QGuiApplication made here, if any (kept alive for the process).
_app: QGuiApplication | None = None


def ensure_gui_application() -> QGuiApplication:
    """The running QGuiApplication, or a new one (offscreen unless a platform was chosen)."""
    global _app
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        # A QApplication (a QGuiApplication too) so that widgets made later in the same
        # process (a test session, the GUI's print preview) still work.
        try:
            from PySide6.QtWidgets import QApplication

            _app = QApplication(["tdm1-scheduler"])
        except ImportError:  # pragma: no cover - Essentials always ships QtWidgets
            _app = QGuiApplication(["tdm1-scheduler"])
        return _app
    if not isinstance(app, QGuiApplication):
        raise RuntimeError("painting needs a QGuiApplication; a bare QCoreApplication runs")
    return app


def page_layout(paper: str = "a4") -> QPageLayout:
    """Landscape, 10 mm margins."""
    return QPageLayout(
        QPageSize(PAGE_SIZES[paper.lower()]),
        QPageLayout.Orientation.Landscape,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )


def prepare_device(device: QPagedPaintDevice, paper: str | None = None) -> None:
    """Landscape with our margins, keeping the device's paper unless ``paper`` is given."""
    size = QPageSize(PAGE_SIZES[paper.lower()]) if paper else device.pageLayout().pageSize()
    device.setPageLayout(
        QPageLayout(
            size,
            QPageLayout.Orientation.Landscape,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )


def prepare_printer(printer: Any) -> None:
    """A ``QPrinter`` set up for the sheet: landscape, grayscale (before a preview opens).

    A print preview dialog does not own its QPrinter: the caller keeps it alive as long
    as the preview (a collected printer crashes ``updatePreview``).
    """
    from PySide6.QtPrintSupport import QPrinter

    prepare_device(printer)
    printer.setColorMode(QPrinter.ColorMode.GrayScale)


# --- page plan ------------------------------------------------------------------------------
# Sizes are in points (1/72 inch). A4 landscape inside the 10 mm margins is 785 x 539 pt,
# Letter 735 x 555 pt: a page holds the header, up to 24 chair lanes, the starts row and
# about 96 table rows in 3 columns.
HEADER_H = 36.0  # title, subtitle, printed at; the summary page adds the summary box
FOOTER_H = 17.0  # two legend lines and "Page i of n"
AXIS_H = 9.0  # hour labels above the lanes
STARTS_H = 12.0  # starts per 30-minute slot under the lanes (summary page only)
GAP = 4.0
LANE_MAX = 16.0  # a chair lane is never taller than this
LANE_ROOMY = 10.0  # the table keeps 2 (wider) columns while lanes stay this tall
LANE_MIN = 7.0  # lanes never shrink below this; table rows that still do not fit go on
TABLE_PT = 6.5  # the appointment table's font size, never smaller
TABLE_GUTTER = 8.0  # between the table's side-by-side columns
CELL_PAD = 1.3  # left and right inside every table cell
PATIENT_MAX = 130.0  # the name column never grows wider than this
TIMES_LEGEND = (
    "Table: Start = chair start (prep begins) \u00b7 Infusion = infusion start\u2013end "
    "\u00b7 Obs. = observation ends \u00b7 Free = chair free"
)


@dataclass(frozen=True)
class TableRow:
    chair: SheetChair
    item: SheetAppointment


@dataclass(frozen=True)
class PagePlan:
    """What one page holds: ``chairs`` are its timeline lanes (a page that only continues
    a table names the same chairs but draws no lanes), ``rows`` its table rows, top to
    bottom then left to right over ``columns`` of ``per_column`` rows."""

    chairs: tuple[SheetChair, ...]
    first_chair: int  # position of chairs[0] among the sheet's chairs (0-based)
    rows: tuple[TableRow, ...]
    columns: int
    per_column: int
    lane_h: float  # points
    summary: bool  # the summary box and the starts row are on this page
    continued: bool = False  # only table rows that did not fit the page before


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: float  # points, padding included


TABLE_COLUMNS = [
    ("chair", "Chair"),
    ("start", "Start"),
    ("infusion", "Infusion"),
    ("obs", "Obs."),
    ("free", "Free"),
    ("patient", "Patient"),
    ("mrn", "MRN"),
    ("cycle", "Cycle"),
    ("first", "1st"),
    ("bag", "Bag"),
]


class SheetPages:
    """The sheet laid out for one page size and resolution: how many pages, and each one.

    ``size`` is the paint rectangle (inside the margins) in device pixels; ``dpi`` the
    device's resolution. Built once per device, then ``paint(painter, index)`` per page.
    Every page: the header, that page's chair lanes and that page's table rows, the
    legend and "Page i of n"; the first page also the summary box and the starts row.
    """

    def __init__(self, sheet: DaySheet, device: QPaintDevice, size: QSizeF, dpi: float) -> None:
        self.sheet = sheet
        # Text is measured on a private 1x1 image at the device's resolution: holding the
        # device itself (a print preview's QPrinter) would tie its lifetime to this plan.
        self.device = _measuring_image(device)
        self.size = size
        self.k = dpi / 72.0  # device pixels per point
        self.width = size.width() / self.k  # points, as every layout figure below
        self.body_h = size.height() / self.k - HEADER_H - FOOTER_H
        metrics = QFontMetricsF(self.font(TABLE_PT), device)
        self.row_h = (metrics.ascent() + metrics.descent()) / self.k + 0.6
        self.head_h = self.row_h + 1.0
        self.label_w = self._lane_label_width()
        self.plans = self._plan()
        self.columns = {n: self._table_columns(n) for n in {p.columns for p in self.plans}}

    # units, fonts, measuring
    def pt(self, value: float) -> float:
        return value * self.k

    def font(self, size_pt: float, bold: bool = False, italic: bool = False) -> QFont:
        font = QFont(FONT_FAMILY)
        font.setStretch(QFont.Stretch.Condensed)  # DejaVu Sans Condensed where installed
        font.setPointSizeF(size_pt)
        font.setBold(bold)
        font.setItalic(italic)
        return font

    def pen(self, width_pt: float = 0.5, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
        pen = QPen(BLACK)
        pen.setWidthF(self.pt(width_pt))
        pen.setStyle(style)
        return pen

    def text_width(self, text: str, font: QFont) -> float:
        """Width of ``text`` in points."""
        return QFontMetricsF(font, self.device).horizontalAdvance(text) / self.k

    def elide(self, text: str, font: QFont, width_pt: float) -> str:
        metrics = QFontMetricsF(font, self.device)
        # A hair of tolerance: a text measured to fit must never lose its last letters.
        room = self.pt(max(0.0, width_pt + 0.3))
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)

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

    @property
    def count(self) -> int:
        return len(self.plans)

    # the plan
    def _plan(self) -> list[PagePlan]:
        plans: list[PagePlan] = []
        continued_per_column = max(1, int((self.body_h - self.head_h) // self.row_h))
        for number, chairs in enumerate(self.sheet.chair_pages(CHAIRS_PER_PAGE)):
            first = number * CHAIRS_PER_PAGE
            rows = tuple(TableRow(chair, item) for chair in chairs for item in chair.appointments)
            summary = number == 0
            room = self.body_h - AXIS_H - (STARTS_H if summary else 0.0) - GAP
            lanes = max(1, len(chairs))
            for columns, least in ((2, LANE_ROOMY), (3, LANE_MIN)):
                per_column = -(-len(rows) // columns)
                lane_h = (room - self._table_height(per_column)) / lanes
                if lane_h >= least:
                    plans.append(
                        PagePlan(
                            chairs, first, rows, columns, per_column, min(lane_h, LANE_MAX), summary
                        )
                    )
                    break
            else:  # an extreme day: the lanes at their least, the other rows on extra pages
                per_column = max(1, int((room - lanes * LANE_MIN - self.head_h) // self.row_h))
                taken = 3 * per_column
                plans.append(
                    PagePlan(chairs, first, rows[:taken], 3, per_column, LANE_MIN, summary)
                )
                rest = rows[taken:]
                while rest:
                    take = 3 * continued_per_column
                    plans.append(
                        PagePlan(
                            chairs, first, rest[:take], 3, continued_per_column, 0.0, False, True
                        )
                    )
                    rest = rest[take:]
        return plans

    def _table_height(self, per_column: int) -> float:
        return self.head_h + max(1, per_column) * self.row_h

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

    def content_bottom(self, index: int) -> float:
        """Where page ``index``'s last table row ends, in points from the top of the paint
        rect; never below ``HEADER_H + body_h`` (where the footer begins)."""
        plan = self.plans[index]
        y = HEADER_H
        if not plan.continued:
            y += AXIS_H + plan.lane_h * max(1, len(plan.chairs)) + GAP
            y += STARTS_H if plan.summary else 0.0
        return y + self._table_height(plan.per_column)

    # header and footer
    def _part_text(self, plan: PagePlan) -> str:
        total = len(self.sheet.chairs)
        bookings = len(self.sheet.appointments)
        if self.count == 1:
            return f"{total} chairs, {bookings} bookings"
        last = plan.first_chair + len(plan.chairs)
        chairs = f"Chairs {plan.first_chair + 1}\u2013{min(last, total)} of {total}"
        return f"{chairs}, table continued" if plan.continued else chairs

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
    def _lane_label_width(self) -> float:
        font = self.font(7, bold=True)
        widest = max((self.text_width(c.name, font) for c in self.sheet.chairs), default=30.0)
        return min(70.0, max(40.0, widest + 4))

    def _time_range(self) -> tuple[int, int]:
        """Minutes after local midnight shown on the axis (whole hours)."""
        sheet = self.sheet
        marks: list[datetime] = []
        if sheet.opening is not None:
            marks.extend(sheet.opening)
        for item in sheet.appointments:
            marks.extend((item.start, item.end))
        if not marks:
            return 8 * 60, 17 * 60
        minutes = [_wall_minutes(sheet, m) for m in marks]
        low = min(minutes) // 60 * 60
        high = -(-max(minutes) // 60) * 60
        return low, max(high, low + 60)

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
    def _table_columns(self, count: int) -> list[Column]:
        """Column widths for ``count`` side-by-side tables: each fits its widest cell, the
        patient name takes what is left (elided when even that is short)."""
        rows = [TableRow(c, a) for c in self.sheet.chairs for a in c.appointments]
        width = (self.width - (count - 1) * TABLE_GUTTER) / count
        head = self.font(TABLE_PT, bold=True)
        plain = self.font(TABLE_PT)
        widths: dict[str, float] = {}
        for key, title in TABLE_COLUMNS:
            cells = [self._cell(row, key) for row in rows]
            widths[key] = (
                2 * CELL_PAD
                + 0.3
                + max(
                    [
                        self.text_width(title, head),
                        *(self.text_width(t, head if bold else plain) for t, bold, _ in cells),
                    ]
                )
            )
        widths["chair"] = min(widths["chair"], 0.16 * width)
        widths["patient"] = 0.0
        # The name takes what is left, up to PATIENT_MAX (no wide gap before the MRN).
        widths["patient"] = min(PATIENT_MAX, max(24.0, width - sum(widths.values())))
        return [Column(key, title, widths[key]) for key, title in TABLE_COLUMNS]

    def _cell(self, row: TableRow, key: str) -> tuple[str, bool, bool]:
        """Text, bold, italic of one cell."""
        item = row.item
        dose = item.is_dose
        if key == "chair":
            return (row.chair.name + ("" if row.chair.active else " (out)"), True, False)
        if key == "start":
            return hhmm(item.start), False, False
        if key == "infusion":
            text = f"{hhmm(item.infusion_start)}\u2013{hhmm(item.infusion_end)}" if dose else ""
            return text, False, False
        if key == "obs":
            return (hhmm(item.observation_end) if dose else ""), False, False
        if key == "free":
            return hhmm(item.end), False, False
        if key == "patient":
            if not dose:
                return f"blocked: {item.label}", False, True
            return item.name or "", item.first_infusion, False
        if key == "mrn":
            return item.mrn or "", False, False
        if key == "cycle":
            return item.cycle_text, False, False
        if key == "first":
            return ("1st" if item.first_infusion else ""), True, False
        text, prepare = bag_cell(self.sheet, item)
        return text, prepare, False

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


def _measuring_image(device: QPaintDevice) -> QImage:
    image = QImage(1, 1, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(device.logicalDpiX() / 0.0254))
    image.setDotsPerMeterY(round(device.logicalDpiY() / 0.0254))
    return image


def _dot(on_hour: bool) -> Qt.PenStyle:
    return Qt.PenStyle.SolidLine if on_hour else Qt.PenStyle.DotLine


def _pattern_scale(k: float) -> Any:
    from PySide6.QtGui import QTransform

    factor = max(1.0, k / 1.6)  # about 1.6 device pixels per pattern pixel at 115 dpi
    return QTransform.fromScale(factor, factor)


def _wall_minutes(sheet: DaySheet, instant: datetime) -> int:
    """Minutes after the sheet day's local midnight (negative before, >1440 after)."""
    days = (instant.date() - sheet.day).days
    return days * 1440 + instant.hour * 60 + instant.minute


# --- devices ---------------------------------------------------------------------------------
def render_pages(sheet: DaySheet, device: QPagedPaintDevice, *, set_layout: bool = True) -> int:
    """Paint every page of ``sheet`` onto ``device`` (QPdfWriter, QPrinter); the page count.

    ``set_layout`` first turns the device landscape with our margins (leave it False in a
    print preview's ``paintRequested``: ``prepare_printer`` did that before the dialog).
    """
    ensure_gui_application()
    if set_layout:
        prepare_device(device)
    resolution = _resolution(device)
    rect = device.pageLayout().paintRectPixels(resolution)
    pages = SheetPages(sheet, device, QSizeF(rect.width(), rect.height()), resolution)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot paint on the output device (is the file writable?)")
    try:
        for index in range(pages.count):
            if index and not device.newPage():
                raise OSError("the output device refused a new page")
            pages.paint(painter, index)
    finally:
        painter.end()
    return pages.count


def _resolution(device: QPagedPaintDevice) -> int:
    resolution = getattr(device, "resolution", None)
    return int(resolution()) if callable(resolution) else int(device.logicalDpiX())


def pdf_bytes(sheet: DaySheet, paper: str = "a4") -> tuple[bytes, int]:
    """The sheet as PDF bytes, and its number of pages (painted in memory)."""
    ensure_gui_application()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(600)
    writer.setTitle(title_text(sheet))
    writer.setCreator("tdm1-scheduler")
    writer.setPageLayout(page_layout(paper))
    count = render_pages(sheet, writer, set_layout=False)
    del writer  # finishes the document
    data = bytes(buffer.data().data())
    buffer.close()
    return data, count


def write_pdf(sheet: DaySheet, path: Path | str, paper: str = "a4") -> int:
    """Write the sheet as a PDF at ``path``, all or nothing (``safe_files``: 0600, fsynced,
    renamed into place); returns the number of pages. Raises ``OutputFailed`` (one line)
    when the PDF cannot be made or written. The caller decides whether ``path`` may be
    replaced (``safe_files.check_output_path``)."""
    from ..safe_files import PDF_MAGIC, OutputFailed, write_bytes_atomically

    data, count = pdf_bytes(sheet, paper)
    if not data.startswith(PDF_MAGIC):
        raise OutputFailed(f"could not make the PDF for {path}; nothing was written")
    write_bytes_atomically(path, data)
    return count


def page_count(sheet: DaySheet, paper: str = "a4", dpi: int = 600) -> int:
    """How many pages the sheet takes on ``paper`` (landscape)."""
    return _image_pages(sheet, paper, dpi)[1].count


def _image_pages(sheet: DaySheet, paper: str, dpi: int) -> tuple[QImage, SheetPages]:
    ensure_gui_application()
    layout = page_layout(paper)
    full = layout.fullRectPixels(dpi)
    image = QImage(full.width(), full.height(), QImage.Format.Format_RGB32)
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    paint = layout.paintRectPixels(dpi)
    return image, SheetPages(sheet, image, QSizeF(paint.width(), paint.height()), dpi)


def render_page_image(sheet: DaySheet, index: int = 0, dpi: int = 110, paper: str = "a4") -> QImage:
    """Page ``index`` (0-based) as a white image of the whole sheet of paper."""
    image, pages = _image_pages(sheet, paper, dpi)
    if not 0 <= index < pages.count:
        raise IndexError(f"page {index + 1} of {pages.count}")
    image.fill(WHITE)
    margin = page_layout(paper).paintRectPixels(dpi).topLeft()
    painter = QPainter(image)
    try:
        painter.translate(margin.x(), margin.y())
        pages.paint(painter, index)
    finally:
        painter.end()
    return image


def write_png(
    sheet: DaySheet, path: Path | str, index: int = 0, dpi: int = 110, paper: str = "a4"
) -> None:
    image = render_page_image(sheet, index, dpi, paper)
    # PySide6 6.11 takes the format as str at run time; its stubs say bytes.
    if not image.save(str(path), "PNG"):  # type: ignore[call-overload]
        raise OSError(f"cannot write {path}")
