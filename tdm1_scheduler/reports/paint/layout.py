"""The day sheet's layout model: page geometry, what goes where, and the font sizes.

No QPainter here. ``page_layout``/``prepare_device`` set a device landscape with our
margins; ``SheetLayout`` measures the sheet's text on a device's resolution and plans the
pages (``PagePlan``: the chair lanes, the table rows and their columns). Every figure is
in points (1/72 inch); ``drawing.SheetPages`` paints the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QMarginsF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
)

from ..day_sheet import CHAIRS_PER_PAGE, DaySheet, SheetAppointment, SheetChair
from ..html import bag_cell, hhmm

MARGIN_MM = 10.0
PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
FONT_FAMILY = "DejaVu Sans"


def sized_layout(size: QPageSize.PageSizeId, orientation: QPageLayout.Orientation) -> QPageLayout:
    """A page of ``size`` with 10 mm margins (the day sheet's and the appointment card's)."""
    return QPageLayout(
        QPageSize(size),
        orientation,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )


def page_layout(paper: str = "a4") -> QPageLayout:
    """Landscape, 10 mm margins."""
    return sized_layout(PAGE_SIZES[paper.lower()], QPageLayout.Orientation.Landscape)


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


class SheetLayout:
    """The sheet measured and planned for one page size and resolution (see SheetPages).

    ``size`` is the paint rectangle (inside the margins) in device pixels; ``dpi`` the
    device's resolution.
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

    def text_width(self, text: str, font: QFont) -> float:
        """Width of ``text`` in points."""
        return QFontMetricsF(font, self.device).horizontalAdvance(text) / self.k

    def elide(self, text: str, font: QFont, width_pt: float) -> str:
        metrics = QFontMetricsF(font, self.device)
        # A hair of tolerance: a text measured to fit must never lose its last letters.
        room = self.pt(max(0.0, width_pt + 0.3))
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)

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


def _measuring_image(device: QPaintDevice) -> QImage:
    image = QImage(1, 1, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(device.logicalDpiX() / 0.0254))
    image.setDotsPerMeterY(round(device.logicalDpiY() / 0.0254))
    return image


def _wall_minutes(sheet: DaySheet, instant: datetime) -> int:
    """Minutes after the sheet day's local midnight (negative before, >1440 after)."""
    days = (instant.date() - sheet.day).days
    return days * 1440 + instant.hour * 60 + instant.minute
