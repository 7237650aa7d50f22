"""The day sheet's layout model: page geometry, what goes where, and the font sizes.

No QPainter here. ``page_layout``/``prepare_device`` set a device landscape with our
margins; ``SheetLayout`` measures the sheet's text on a device's resolution and plans the
pages (``PagePlan``): first the chair-by-time grid, up to ``CHAIRS_PER_PAGE`` chairs a
page (type ``GRID_PT``, at least 9 pt), then the table of visits (type ``TABLE_PT``, at
least 8 pt), starting below the grid's last lanes when there is room and running on
over as many pages as it needs. Every figure is in points (1/72 inch); the table's
cells are in ``cells.py``; ``drawing.SheetPages`` paints the plan.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
)

from ...domain.lean import dataclass
from ..day_sheet import CHAIRS_PER_PAGE, DaySheet, SheetAppointment, SheetChair
from ..html import summary_lines
from .cells import TABLE_COLUMNS, cell, grid_legend, table_legend

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


# --- sizes ----------------------------------------------------------------------------------
# A4 landscape inside the 10 mm margins is 785 x 539 pt, Letter 735 x 555 pt.
GRID_PT = 9.0  # every word on a grid page (the header, lanes, starts, legend): never less
TITLE_PT = 13.0
TABLE_PT = 8.0  # every word of the table and of a table page: never less
SUMMARY_ROWS = 2  # the summary's six figures in 3 columns of 2 rows under the title
AXIS_H = 12.0  # hour labels above the lanes
STARTS_H = 14.0  # starts per 30-minute slot under the lanes (first page only)
GAP = 5.0
BAR_MIN, BAR_MAX = 5.0, 8.0  # the lane's bar strip under the names
LANE_PAD = 0.7
LANE_MAX = 40.0  # a lane is never taller (up to three lines of names)
TABLE_GUTTER = 10.0  # between the table's two side-by-side parts
CELL_PAD = 1.5  # left and right inside every table cell
WRAPPED = ("patient", "marks")  # the table cells that wrap; every other cell fits its column
MIN_ROWS_BELOW_GRID = 4  # fewer table rows than this never start under the grid


@dataclass(frozen=True)
class TableRow:
    chair: SheetChair
    item: SheetAppointment
    lines: int = 1  # the row's height in text lines (a wrapped name or marks)


@dataclass(frozen=True)
class PagePlan:
    """One page: ``chairs`` are its grid lanes (none on a table page), ``parts`` its table
    rows in side-by-side parts, left to right, starting ``table_top`` points down."""

    chairs: tuple[SheetChair, ...]
    first_chair: int  # position of chairs[0] among the sheet's chairs (0-based)
    lane_h: float  # points (0 on a table page)
    summary: bool  # the summary and the starts row are on this page
    parts: tuple[tuple[TableRow, ...], ...] = ()
    table_top: float = 0.0

    @property
    def rows(self) -> tuple[TableRow, ...]:
        return tuple(row for part in self.parts for row in part)

    @property
    def continued(self) -> bool:
        """A page of table rows only."""
        return not self.chairs


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: float  # points, padding included


class SheetLayout:
    """The sheet measured and planned for one page size and resolution (see SheetPages).

    ``size`` is the paint rectangle (inside the margins) in device pixels; ``dpi`` the
    device's resolution. ``min_pt`` holds the smallest type painted so far on grid pages
    (``"grid"``) and in the table (``"table"``): every font comes from ``font``.
    """

    def __init__(self, sheet: DaySheet, device: QPaintDevice, size: QSizeF, dpi: float) -> None:
        self.sheet = sheet
        # The table's rows (chair, visit), sorted once: ``DaySheet.rows`` sorts every
        # chair's rows again each time it is read (issue 19: 17 pages, 10 columns).
        self.sheet_rows = sheet.rows
        # Text is measured on a private 1x1 image at the device's resolution: holding the
        # device itself (a print preview's QPrinter) would tie its lifetime to this plan.
        self.device = _measuring_image(device)
        self.size = size
        self.k = dpi / 72.0  # device pixels per point
        self.width = size.width() / self.k  # points, as every layout figure below
        self.height = size.height() / self.k
        self.min_pt: dict[str, float] = {}
        self.part: str | None = None  # what paint is drawing now: "grid" | "table"
        # Made once per plan (issue 19: 8,900 fonts and 17,000 measures a busy sheet): a
        # font by its options, a font's metrics on this device, a text's width in a font.
        # A font is a value Qt copies (setFont); none of these is changed after it is made.
        self._fonts: dict[tuple[float, bool, bool], QFont] = {}
        self._metrics: dict[int, tuple[QFont, QFontMetricsF]] = {}  # by id: holds the font
        self._widths: dict[tuple[int, str], float] = {}
        self.grid_line = self._line_h(GRID_PT)
        self.table_line = self._line_h(TABLE_PT)
        self.head_h = self.table_line + 3.0  # the table's column titles
        self.label_w = self._lane_label_width()
        self.grid_legend = self.wrap(grid_legend(sheet), self.font(GRID_PT), self.width)
        small = self.font(TABLE_PT)
        self.table_legends = {  # with its marks (a table page), without (under the grid)
            marks: self.wrap(table_legend(sheet, with_marks=marks), small, self.width)
            for marks in (True, False)
        }
        self.columns, self.part_count = self._table_columns()
        self.plans = self._plan()

    # units, fonts, measuring
    def pt(self, value: float) -> float:
        return value * self.k

    def font(self, size_pt: float, bold: bool = False, italic: bool = False) -> QFont:
        if self.part is not None:
            self.min_pt[self.part] = min(self.min_pt.get(self.part, size_pt), size_pt)
        font = self._fonts.get((size_pt, bold, italic))
        if font is None:
            font = self._fonts[size_pt, bold, italic] = QFont(FONT_FAMILY)
            font.setStretch(QFont.Stretch.Condensed)  # DejaVu Sans Condensed where installed
            font.setPointSizeF(size_pt)
            font.setBold(bold)
            font.setItalic(italic)
        return font

    def text_width(self, text: str, font: QFont) -> float:
        """Width of ``text`` in points."""
        key = (id(font), text)
        width = self._widths.get(key)
        if width is None:
            held = self._metrics.get(id(font))  # held: its id is never reused meanwhile
            if held is None:
                held = self._metrics[id(font)] = (font, QFontMetricsF(font, self.device))
            width = self._widths[key] = held[1].horizontalAdvance(text) / self.k
        return width

    def _line_h(self, size_pt: float) -> float:
        metrics = QFontMetricsF(self.font(size_pt), self.device)
        return (metrics.ascent() + metrics.descent()) / self.k

    def wrap(self, text: str, font: QFont, width: float) -> list[str]:
        """``text`` broken at spaces into lines no wider than ``width`` points (a word wider
        than that is a line of its own: it is never cut)."""
        lines: list[str] = []
        current = ""
        for word in text.split(" "):
            trial = f"{current} {word}" if current else word
            if current and self.text_width(trial, font) > width:
                lines.append(current)
                current = word
            else:
                current = trial
        if current or not lines:
            lines.append(current)
        return lines

    @property
    def count(self) -> int:
        return len(self.plans)

    @property
    def lane_min(self) -> float:
        """The least lane height: one line of names at ``GRID_PT`` over the bar strip."""
        return self.grid_line + BAR_MIN + 2 * LANE_PAD

    # header and footer heights (points)
    def header_h(self, plan: PagePlan) -> float:
        """Title and subtitle; on the first page also the summary's rows."""
        base = TITLE_PT * 1.25 + self.grid_line + 4.0
        return base + (SUMMARY_ROWS * self.grid_line + 3.0 if plan.summary else 0.0)

    def footer_lines(self, grid: bool, table: bool) -> list[tuple[str, float]]:
        """The legend's lines and their type sizes: the grid's (9 pt) on a grid page, the
        table's (8 pt; its marks only when no grid legend names them) where rows are."""
        lines = [(text, GRID_PT) for text in self.grid_legend] if grid else []
        if table:
            lines += [(text, TABLE_PT) for text in self.table_legends[not grid]]
        return lines

    def _footer_h(self, grid: bool, table: bool) -> float:
        last = self.grid_line if grid else self.table_line  # printed at, "Page n of m"
        heights = {GRID_PT: self.grid_line, TABLE_PT: self.table_line}
        return sum(heights[size] for _t, size in self.footer_lines(grid, table)) + last + 4.0

    def footer_h(self, plan: PagePlan) -> float:
        return self._footer_h(bool(plan.chairs), bool(plan.parts))

    def footer_top(self, plan: PagePlan) -> float:
        return self.height - self.footer_h(plan)

    @property
    def body_h(self) -> float:
        """The first page's height between its header and its footer (points)."""
        first = self.plans[0]
        return self.footer_top(first) - self.header_h(first)

    # the plan
    def _plan(self) -> list[PagePlan]:
        rows = self._rows()
        plans: list[PagePlan] = []
        groups = self.sheet.chair_pages(CHAIRS_PER_PAGE)
        for number, chairs in enumerate(groups):
            probe = PagePlan(chairs, number * CHAIRS_PER_PAGE, 0.0, number == 0)
            top = self.header_h(probe) + AXIS_H
            room = self.height - top - (STARTS_H if probe.summary else 0.0)
            lanes = max(1, len(chairs))
            grid_room = room - self._footer_h(True, False)
            plan = PagePlan(
                chairs, probe.first_chair, min(LANE_MAX, grid_room / lanes), probe.summary
            )
            if number == len(groups) - 1 and rows:  # the table may begin under the lanes
                below = self._table_below(plan, rows, top, room - self._footer_h(True, True))
                if below.parts:
                    plan = below
                    rows = rows[len(plan.rows) :]
            plans.append(plan)
        while rows:
            probe = PagePlan((), 0, 0.0, False)
            top = self.header_h(probe)
            parts = self._fill(rows, self.height - self._footer_h(False, True) - top - self.head_h)
            if not any(parts):  # a row taller than a page: never loop, print it anyway
                parts = ((rows[0],),)
            plans.append(PagePlan((), 0, 0.0, False, parts, top))
            rows = rows[sum(len(p) for p in parts) :]
        return plans

    def _table_below(
        self, plan: PagePlan, rows: list[TableRow], top: float, room: float
    ) -> PagePlan:
        """The last grid page with as much of the table as fits under its lanes. When the
        whole table fits under lanes of one line of names or more, the day is this one
        page (the parts balanced, the lanes taking the rest); else the lanes take the
        page and only leftover room starts the table."""
        lanes = max(1, len(plan.chairs))
        table_room = room - GAP - self.head_h
        parts: tuple[tuple[TableRow, ...], ...] = ()
        lane_h = plan.lane_h
        for lines in (2, 1):  # prefer lanes two lines of names tall
            least = lines * self.grid_line + BAR_MIN + 2 * LANE_PAD
            height = self._balanced_height(rows, table_room - lanes * least)
            if rows and height is not None:
                parts = self._fill(rows, height)
                lane_h = min(LANE_MAX, (table_room - height) / lanes)
                break
        else:
            parts = self._fill(rows, table_room - lanes * lane_h)
            if sum(len(p) for p in parts) < min(MIN_ROWS_BELOW_GRID, len(rows)):
                parts = ()
        extra = STARTS_H if plan.summary else 0.0
        table_top = top + lanes * lane_h + extra + GAP
        return PagePlan(plan.chairs, plan.first_chair, lane_h, plan.summary, parts, table_top)

    def _balanced_height(self, rows: list[TableRow], most: float) -> float | None:
        """The least part height holding every row within ``most`` points (None: none)."""
        if not rows or sum(len(p) for p in self._fill(rows, most)) < len(rows):
            return None
        low, high = max(self.row_h(r) for r in rows), most
        while high - low > 0.5:
            middle = (low + high) / 2
            if sum(len(p) for p in self._fill(rows, middle)) == len(rows):
                high = middle
            else:
                low = middle
        return high

    def _fill(self, rows: list[TableRow], height: float) -> tuple[tuple[TableRow, ...], ...]:
        """As many rows as fit ``height`` points in each of the parts, in order."""
        parts: list[tuple[TableRow, ...]] = []
        index = 0
        for _ in range(self.part_count):
            used, start = 0.0, index
            while index < len(rows) and used + self.row_h(rows[index]) <= height + 1e-6:
                used += self.row_h(rows[index])
                index += 1
            if index > start:
                parts.append(tuple(rows[start:index]))
        return tuple(parts)

    def _parts_height(self, parts: tuple[tuple[TableRow, ...], ...]) -> float:
        return max((sum(self.row_h(r) for r in part) for part in parts), default=0.0)

    def row_h(self, row: TableRow) -> float:
        return row.lines * self.table_line + 2.0

    def table_bottom(self, plan: PagePlan) -> float:
        return plan.table_top + self.head_h + self._parts_height(plan.parts)

    def content_bottom(self, index: int) -> float:
        """Where page ``index``'s grid or table ends, in points from the paint rect's top;
        it never reaches ``footer_top``."""
        plan = self.plans[index]
        if plan.parts:
            return self.table_bottom(plan)
        grid = self.header_h(plan) + AXIS_H + plan.lane_h * max(1, len(plan.chairs))
        return grid + (STARTS_H if plan.summary else 0.0)

    # the table's rows and columns
    def _rows(self) -> list[TableRow]:
        plain = self.font(TABLE_PT)
        widths = {c.key: c.width - 2 * CELL_PAD for c in self.columns}
        rows: list[TableRow] = []
        for chair, item in self.sheet_rows:
            lines = 1
            for key in WRAPPED:
                text, bold, _italic = cell(self.sheet, chair, item, key)
                font = self.font(TABLE_PT, bold=True) if bold else plain
                lines = max(lines, len(self.wrap(text, font, widths[key])))
            rows.append(TableRow(chair, item, lines))
        return rows

    def _natural(self, key: str, title: str) -> float:
        head, plain = self.font(TABLE_PT, bold=True), self.font(TABLE_PT)
        widths = [self.text_width(title, head)]
        for chair, item in self.sheet_rows:
            text, bold, italic = cell(self.sheet, chair, item, key)
            font = self.font(TABLE_PT, bold=bold, italic=italic) if (bold or italic) else plain
            widths.append(self.text_width(text, font))
        return 2 * CELL_PAD + 0.5 + max(widths)

    def _longest_word(self, key: str) -> float:
        plain = self.font(TABLE_PT, bold=True)
        words = [w for c, i in self.sheet_rows for w in cell(self.sheet, c, i, key)[0].split()]
        return 2 * CELL_PAD + 0.5 + max((self.text_width(w, plain) for w in words), default=20)

    def _table_columns(self) -> tuple[list[Column], int]:
        """Column widths and the number of side-by-side parts: two when the fixed cells
        fit half the page with room for names and marks, else one. Each fixed column fits
        its widest cell; the name and the marks share what is left (and wrap)."""
        fixed = {k: self._natural(k, t) for k, t in TABLE_COLUMNS if k not in WRAPPED}
        natural = {k: self._natural(k, t) for k, t in TABLE_COLUMNS if k in WRAPPED}
        least = {k: max(self._longest_word(k), 48.0) for k in WRAPPED}
        half = (self.width - TABLE_GUTTER) / 2
        parts = 2 if sum(fixed.values()) + sum(least.values()) <= half else 1
        width = half if parts == 2 else self.width
        rest = width - sum(fixed.values())
        patient = min(natural["patient"], max(least["patient"], rest - natural["marks"]))
        patient = max(patient, min(natural["patient"], rest * 0.55))
        widths = {**fixed, "patient": patient, "marks": max(least["marks"], rest - patient)}
        return [Column(key, title, widths[key]) for key, title in TABLE_COLUMNS], parts

    def part_width(self) -> float:
        return sum(c.width for c in self.columns)

    # header pieces
    def part_text(self, plan: PagePlan) -> str:
        total = len(self.sheet.chairs)
        bookings = len(self.sheet.appointments)
        if not plan.chairs:
            return "Visits, continued"
        if len(self.sheet.chair_pages(CHAIRS_PER_PAGE)) == 1:
            return f"{total} chairs, {bookings} bookings"
        last = min(plan.first_chair + len(plan.chairs), total)
        return f"Chairs {plan.first_chair + 1}\u2013{last} of {total}, {bookings} bookings"

    def summary(self) -> list[str]:
        return summary_lines(self.sheet)

    def _lane_label_width(self) -> float:
        font = self.font(GRID_PT, bold=True)
        widest = max((self.text_width(c.name, font) for c in self.sheet.chairs), default=30.0)
        return min(90.0, max(40.0, widest + 5))

    def time_range(self) -> tuple[int, int]:
        """Minutes after local midnight shown on the axis (whole hours)."""
        sheet = self.sheet
        marks: list[datetime] = []
        if sheet.opening is not None:
            marks.extend(sheet.opening)
        for _chair, item in self.sheet_rows:
            marks.extend((item.shown_start, item.free_from, item.start, item.end))
        if not marks:
            return 8 * 60, 17 * 60
        minutes = [wall_minutes(sheet, m) for m in marks]
        low = min(minutes) // 60 * 60
        high = -(-max(minutes) // 60) * 60
        return low, max(high, low + 60)


def _measuring_image(device: QPaintDevice) -> QImage:
    image = QImage(1, 1, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(device.logicalDpiX() / 0.0254))
    image.setDotsPerMeterY(round(device.logicalDpiY() / 0.0254))
    return image


def wall_minutes(sheet: DaySheet, instant: datetime) -> int:
    """Minutes after the sheet day's local midnight (negative before, >1440 after)."""
    days = (instant.date() - sheet.day).days
    return days * 1440 + instant.hour * 60 + instant.minute


_wall_minutes = wall_minutes  # the name drawing.py used before the split
