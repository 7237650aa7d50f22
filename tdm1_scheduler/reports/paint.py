"""The day sheet painted onto pages: the one render path for preview, printer, PDF and PNG.

The only module of ``reports`` that imports Qt. ``render_pages(sheet, device)`` paints
every page onto a paged device (``QPdfWriter``, ``QPrinter``); ``paint_page`` paints one
page with a ``QPainter`` the caller owns (what ``render_pages`` and ``render_page_image``
both use, so preview, printer, PDF and PNG never drift apart).

Pages: first the timeline, up to ``CHAIRS_PER_PAGE`` chairs a page (bars per booking,
infusion solid, observation hatched, prep open, blocked cross-hatched; the first page
also carries the starts per 30-minute slot against the cap and the day's figures); then
the summary, bags and appointment table (``html.flow_html``) flowed over as many pages
as they need. Every page has the header (clinic, date, printed at) and "Page i of n".
Black on white only.

GUI use::

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer)                      # landscape, grayscale
    dialog = QPrintPreviewDialog(printer)
    dialog.paintRequested.connect(lambda p: render_pages(sheet, p, set_layout=False))
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
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
    QTextDocument,
)

from .day_sheet import CHAIRS_PER_PAGE, DaySheet, SheetAppointment, SheetChair
from .html import flow_html, printed_text, subtitle_text, summary_lines, title_text

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
    """A ``QPrinter`` set up for the sheet: landscape, grayscale (before a preview opens)."""
    from PySide6.QtPrintSupport import QPrinter

    prepare_device(printer)
    printer.setColorMode(QPrinter.ColorMode.GrayScale)


# --- page plan ------------------------------------------------------------------------------
class SheetPages:
    """The sheet laid out for one page size and resolution: how many pages, and each one.

    ``size`` is the paint rectangle (inside the margins) in device pixels; ``dpi`` the
    device's resolution. Built once per device, then ``paint(painter, index)`` per page.
    """

    def __init__(self, sheet: DaySheet, device: QPaintDevice, size: QSizeF, dpi: float) -> None:
        self.sheet = sheet
        self.size = size
        self.k = dpi / 72.0  # device pixels per point
        self.groups: list[tuple[SheetChair, ...]] = sheet.chair_pages(CHAIRS_PER_PAGE)
        self.header_h = self.pt(38)
        self.footer_h = self.pt(16)
        self.body = QRectF(
            0, self.header_h, size.width(), size.height() - self.header_h - self.footer_h
        )
        self.doc = QTextDocument()
        self.doc.documentLayout().setPaintDevice(device)
        self.doc.setDocumentMargin(0)
        self.doc.setDefaultFont(self.font(8))
        self.doc.setHtml(flow_html(sheet))
        self.doc.setPageSize(QSizeF(self.body.width(), self.body.height()))
        self.flow_pages = max(1, self.doc.pageCount())

    # units and fonts
    def pt(self, value: float) -> float:
        return value * self.k

    def font(self, size_pt: float, bold: bool = False) -> QFont:
        font = QFont(FONT_FAMILY)
        font.setPointSizeF(size_pt)
        font.setBold(bold)
        return font

    def pen(self, width_pt: float = 0.5, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
        pen = QPen(BLACK)
        pen.setWidthF(self.pt(width_pt))
        pen.setStyle(style)
        return pen

    @property
    def count(self) -> int:
        return len(self.groups) + self.flow_pages

    def paint(self, painter: QPainter, index: int) -> None:
        """Paint page ``index`` (0-based); the painter's origin is the paint rect's corner."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self._header(painter, index)
        self._footer(painter, index)
        if index < len(self.groups):
            self._timeline(painter, index)
        else:
            self._flow(painter, index - len(self.groups))
        painter.restore()

    # header and footer
    def _header(self, painter: QPainter, index: int) -> None:
        sheet, width = self.sheet, self.size.width()
        painter.setPen(self.pen())
        painter.setFont(self.font(12, bold=True))
        painter.drawText(
            QRectF(0, 0, width * 0.7, self.pt(17)),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title_text(sheet),
        )
        painter.setFont(self.font(7.5))
        painter.drawText(
            QRectF(width * 0.5, 0, width * 0.5, self.pt(17)),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            printed_text(sheet),
        )
        painter.drawText(
            QRectF(0, self.pt(17), width * 0.75, self.pt(13)),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            subtitle_text(sheet),
        )
        painter.drawText(
            QRectF(width * 0.5, self.pt(17), width * 0.5, self.pt(13)),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            self._part_text(index),
        )
        painter.setPen(self.pen(1.0))
        y = self.pt(32)
        painter.drawLine(QPointF(0, y), QPointF(width, y))

    def _part_text(self, index: int) -> str:
        if index < len(self.groups):
            total = len(self.sheet.chairs)
            if len(self.groups) == 1:
                return f"Timeline, {total} chairs"
            first = index * CHAIRS_PER_PAGE + 1
            last = first + len(self.groups[index]) - 1
            return f"Timeline, chairs {first}\u2013{last} of {total}"
        return "Summary and appointments"

    def _footer(self, painter: QPainter, index: int) -> None:
        width, height = self.size.width(), self.size.height()
        top = height - self.footer_h
        painter.setPen(self.pen(0.5))
        painter.drawLine(QPointF(0, top + self.pt(3)), QPointF(width, top + self.pt(3)))
        painter.setFont(self.font(7))
        rect = QRectF(0, top + self.pt(4), width, self.footer_h - self.pt(4))
        painter.drawText(
            rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            f"{self.sheet.clinic} \u00b7 {self.sheet.day:%Y-%m-%d}",
        )
        painter.drawText(
            rect,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"Page {index + 1} of {self.count}",
        )

    # the flowing part
    def _flow(self, painter: QPainter, page: int) -> None:
        height = self.body.height()
        painter.save()
        painter.translate(self.body.left(), self.body.top() - page * height)
        self.doc.drawContents(painter, QRectF(0, page * height, self.body.width(), height))
        painter.restore()

    # the timeline
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

    def _timeline(self, painter: QPainter, index: int) -> None:
        sheet, body = self.sheet, self.body
        chairs = self.groups[index]
        first_page = index == 0
        label_w = self.pt(64)
        left, right = body.left() + label_w, body.right() - self.pt(2)
        low, high = self._time_range()

        def x_of(minutes: float) -> float:
            return left + (minutes - low) * (right - left) / (high - low)

        axis_h, legend_h = self.pt(12), self.pt(13)
        extra = self.pt(16) + self.pt(40) if first_page else 0.0
        rows_h = body.height() - axis_h - legend_h - extra - self.pt(6)
        row_h = min(self.pt(16), rows_h / CHAIRS_PER_PAGE)
        top = body.top() + self.pt(3) + axis_h
        bottom = top + row_h * max(1, len(chairs))

        # grid and hour labels
        painter.setFont(self.font(6.5))
        for minute in range(low, high + 1, 30):
            x = x_of(minute)
            on_hour = minute % 60 == 0
            painter.setPen(self.pen(0.4 if on_hour else 0.25, _dot(on_hour)))
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
            if on_hour:
                painter.setPen(self.pen())
                label = QRectF(x - self.pt(20), top - axis_h, self.pt(40), axis_h)
                if label.right() > body.right():  # the last hour stays inside the page
                    label.moveRight(body.right())
                painter.drawText(
                    label,
                    Qt.AlignmentFlag.AlignCenter,
                    f"{minute // 60:02d}:00",
                )
        if sheet.opening is not None:  # opening hours: heavier lines
            painter.setPen(self.pen(1.0))
            for mark in sheet.opening:
                x = x_of(_wall_minutes(sheet, mark))
                painter.drawLine(QPointF(x, top), QPointF(x, bottom))

        # chair rows
        for row, chair in enumerate(chairs):
            y = top + row * row_h
            painter.setPen(self.pen(0.3))
            painter.drawLine(QPointF(body.left(), y + row_h), QPointF(right, y + row_h))
            painter.setFont(self.font(7, bold=bool(chair.appointments)))
            name = chair.name if chair.active else f"{chair.name} (out)"
            painter.drawText(
                QRectF(body.left(), y, label_w - self.pt(4), row_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                QFontMetricsF(painter.font(), painter.device()).elidedText(
                    name, Qt.TextElideMode.ElideRight, label_w - self.pt(4)
                ),
            )
            items = list(chair.appointments)
            for number, item in enumerate(items):
                limit = (
                    x_of(_wall_minutes(sheet, items[number + 1].start))
                    if number + 1 < len(items)
                    else right
                )
                self._bar(painter, item, y, row_h, x_of, limit)
        painter.setPen(self.pen(0.6))
        painter.drawRect(QRectF(body.left(), top, right - body.left(), bottom - top))

        y = bottom + self.pt(3)
        if first_page:
            y = self._starts_row(painter, y, label_w, low, high, x_of)
        self._legend(painter, y, label_w)
        if first_page:
            self._summary(painter, y + legend_h + self.pt(2))

    def _bar(
        self,
        painter: QPainter,
        item: SheetAppointment,
        y: float,
        row_h: float,
        x_of: Any,
        limit: float,
    ) -> None:
        sheet = self.sheet
        bar_top, bar_h = y + row_h * 0.52, row_h * 0.36
        x0 = x_of(_wall_minutes(sheet, item.start))
        x_end = x_of(_wall_minutes(sheet, item.end))
        if not item.is_dose:
            self._box(
                painter, QRectF(x0, bar_top, x_end - x0, bar_h), Qt.BrushStyle.DiagCrossPattern
            )
            text = f"blocked: {item.label}"
            bold = False
        else:
            x1 = x_of(_wall_minutes(sheet, item.infusion_start))
            x2 = x_of(_wall_minutes(sheet, item.infusion_end))
            x3 = x_of(_wall_minutes(sheet, item.observation_end))
            self._box(painter, QRectF(x0, bar_top, x1 - x0, bar_h), Qt.BrushStyle.NoBrush)
            self._box(painter, QRectF(x1, bar_top, x2 - x1, bar_h), Qt.BrushStyle.SolidPattern)
            self._box(painter, QRectF(x2, bar_top, x3 - x2, bar_h), Qt.BrushStyle.BDiagPattern)
            if x_end > x3:  # chair held after observation (should not happen, but show it)
                self._box(painter, QRectF(x3, bar_top, x_end - x3, bar_h), Qt.BrushStyle.NoBrush)
            parts = [item.name or "", item.mrn or "", item.cycle_text]
            if item.first_infusion:
                parts.insert(0, "1st")
            if item.status == "given":
                parts.append("given")
            text = " \u00b7 ".join(p for p in parts if p)
            bold = item.first_infusion
        painter.setPen(self.pen())
        painter.setFont(self.font(6, bold=bold))
        width = max(0.0, limit - x0 - self.pt(2))
        metrics = QFontMetricsF(painter.font(), painter.device())
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        box = QRectF(x0 + self.pt(0.5), y + row_h * 0.06, width, row_h * 0.44)
        # White under the words, so the grid never runs through a name.
        painter.fillRect(
            QRectF(box.left(), box.top(), metrics.horizontalAdvance(shown), box.height()), WHITE
        )
        painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)

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
        self, painter: QPainter, y: float, label_w: float, low: int, high: int, x_of: Any
    ) -> float:
        sheet, body = self.sheet, self.body
        row_h = self.pt(13)
        cap = sheet.start_cap
        painter.setPen(self.pen())
        painter.setFont(self.font(6.5, bold=True))
        painter.drawText(
            QRectF(body.left(), y, label_w, row_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            "Starts/30 min" + ("" if cap is None else f" (cap {cap})"),
        )
        for minute in range(low, high, 30):
            key = f"{minute // 60:02d}:{minute % 60:02d}"
            count = sheet.starts_by_slot.get(key, 0)
            cell = QRectF(x_of(minute), y, x_of(minute + 30) - x_of(minute), row_h)
            over = cap is not None and count > cap
            painter.setPen(self.pen(0.4))
            painter.setBrush(QBrush(BLACK if over else WHITE))
            painter.drawRect(cell)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(WHITE if over else BLACK))
            painter.setFont(self.font(7, bold=over or count > 0))
            painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, str(count) if count else "\u00b7")
        return y + row_h + self.pt(3)

    def _legend(self, painter: QPainter, y: float, label_w: float) -> None:
        x = self.body.left() + label_w
        box_w, box_h = self.pt(16), self.pt(6)
        painter.setFont(self.font(6.5))
        entries = [
            (Qt.BrushStyle.NoBrush, "prep (vitals, line)"),
            (Qt.BrushStyle.SolidPattern, "infusion"),
            (Qt.BrushStyle.BDiagPattern, "observation"),
            (Qt.BrushStyle.DiagCrossPattern, "blocked"),
        ]
        metrics = QFontMetricsF(painter.font(), painter.device())
        for style, text in entries:
            self._box(painter, QRectF(x, y + self.pt(3), box_w, box_h), style)
            painter.setPen(self.pen())
            painter.drawText(QPointF(x + box_w + self.pt(3), y + self.pt(9)), text)
            x += box_w + self.pt(3) + metrics.horizontalAdvance(text) + self.pt(12)
        painter.drawText(
            QPointF(x, y + self.pt(9)),
            "1st = first infusion (90 min + 90 min observation) \u00b7 heavy lines = opening hours",
        )

    def _summary(self, painter: QPainter, y: float) -> None:
        lines = summary_lines(self.sheet)
        body = self.body
        column_w = body.width() / 2
        line_h = self.pt(10)
        painter.setPen(self.pen())
        painter.setFont(self.font(7.5))
        rows = (len(lines) + 1) // 2
        for number, line in enumerate(lines):
            column, row = divmod(number, rows)
            painter.setFont(self.font(7.5, bold=line.startswith(("Peak", "Utilization"))))
            painter.drawText(
                QRectF(body.left() + column * column_w, y + row * line_h, column_w, line_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )


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


def write_pdf(sheet: DaySheet, path: Path | str, paper: str = "a4") -> int:
    """Write the sheet as a PDF at ``path``; returns the number of pages."""
    ensure_gui_application()
    writer = QPdfWriter(str(path))
    writer.setResolution(600)
    writer.setTitle(title_text(sheet))
    writer.setCreator("tdm1-scheduler")
    writer.setPageLayout(page_layout(paper))
    count = render_pages(sheet, writer, set_layout=False)
    del writer  # flushes and closes the file
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
