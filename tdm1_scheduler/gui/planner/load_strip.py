"""A strip of the coming weeks: each day's chair load, so a busy day shows before it is
opened. Clicking a day shows it.

``services.planner_reads.day_loads`` counts the days; ``LoadStripModel`` adapts it for
Qt and ``LoadStrip`` draws each day as a small bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyledItemDelegate, QWidget

from ...services.planner_reads import (
    STRIP_DAYS as STRIP_DAYS,
    DayLoadSummary as DayLoadSummary,
    day_load_of as day_load_of,
    day_loads as day_loads,
)
from ..brushes import brush, fill  # without building QGradient (issue 19)
from ..viewports import own_viewport

if TYPE_CHECKING:  # built when a day is first painted, after the window's first paint
    from PySide6.QtWidgets import QStyleOptionViewItem

AnyIndex = QModelIndex | QPersistentModelIndex
DAY_ROLE = Qt.ItemDataRole.UserRole + 1
LOAD_ROLE = Qt.ItemDataRole.UserRole + 2  # booked fraction of open chair time, 0..1
COUNT_ROLE = Qt.ItemDataRole.UserRole + 3
OPEN_ROLE = Qt.ItemDataRole.UserRole + 4

BUSY_LEVELS = ((0.8, QColor("#c62828")), (0.5, QColor("#ef8f00")), (0.0, QColor("#2e7d32")))
BAR_AREA_BRUSH = brush(QColor("#eef2f6"))


def load_colour(fraction: float) -> QColor:
    for threshold, colour in BUSY_LEVELS:
        if fraction >= threshold:
            return colour
    return BUSY_LEVELS[-1][1]


class LoadStripModel(QAbstractListModel):
    """One row per day of the strip; read-only, reloaded from ``day_loads``."""

    def __init__(self) -> None:
        super().__init__()
        self._days: list[DayLoadSummary] = []

    def set_days(self, days: list[DayLoadSummary]) -> None:
        self.beginResetModel()
        self._days = list(days)
        self.endResetModel()

    def summary(self, row: int) -> DayLoadSummary:
        return self._days[row]

    def update_days(self, days: list[DayLoadSummary]) -> None:
        """Replace the summaries of the days given (those in the strip) in place."""
        for summary in days:
            row = self.row_of(summary.day)
            if row is not None:
                self._days[row] = summary
                index = self.index(row, 0)
                self.dataChanged.emit(index, index)

    def row_of(self, day: date) -> int | None:
        for row, summary in enumerate(self._days):
            if summary.day == day:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._days)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() != 0:
            return None
        if not 0 <= index.row() < len(self._days):
            return None
        summary = self._days[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{summary.day:%a %d}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(summary)
        if role == DAY_ROLE:
            return summary.day
        if role == LOAD_ROLE:
            return summary.fraction
        if role == COUNT_ROLE:
            return summary.appointments
        if role == OPEN_ROLE:
            return summary.open
        return None

    @staticmethod
    def _describe(summary: DayLoadSummary) -> str:
        when = f"{summary.day:%a %d %b %Y}"
        if not summary.open:
            return f"{when}: clinic closed"
        percent = round(summary.fraction * 100)
        return f"{when}: {percent}% of chair time booked, {summary.appointments} appointment(s)"


class LoadDelegate(QStyledItemDelegate):
    """A day as its name, a bar as tall as its load, and the percentage."""

    CELL = QSize(58, 58)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return self.CELL

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # QStyle (22 enums) is built here, not at start: the strip's days are counted
        # just after the window's first paint, so no cell is painted before (issue 19).
        from PySide6.QtWidgets import QStyle

        rect = QRectF(option.rect).adjusted(2, 2, -2, -2)
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        is_open = bool(index.data(OPEN_ROLE))
        fraction = float(index.data(LOAD_ROLE) or 0.0)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(
            QPen(QColor("#e65100") if selected else QColor("#d5dde6"), 2 if selected else 1)
        )
        painter.setBrush(QColor("#ffffff") if is_open else QColor("#eceff1"))
        painter.drawRoundedRect(rect, 4, 4)
        font = QFont(option.font)
        font.setPointSizeF(8)
        painter.setFont(font)
        painter.setPen(QColor("#1f3b57"))
        text_rect = QRectF(rect.left(), rect.top() + 1, rect.width(), 14)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, str(index.data()))
        bar_area = QRectF(rect.left() + 8, rect.top() + 17, rect.width() - 16, rect.height() - 33)
        if is_open:
            fill(painter, bar_area, BAR_AREA_BRUSH)
            height = bar_area.height() * min(1.0, fraction)
            bar = QRectF(bar_area.left(), bar_area.bottom() - height, bar_area.width(), height)
            fill(painter, bar, brush(load_colour(fraction)))
            label = f"{round(fraction * 100)}%"
        else:
            label = "closed"
        painter.setPen(QColor("#4a5a6a"))
        painter.drawText(
            QRectF(rect.left(), rect.bottom() - 15, rect.width(), 14),
            Qt.AlignmentFlag.AlignCenter,
            label,
        )
        painter.restore()


class LoadStrip(QListView):
    sig_day_requested = Signal(object)
    """A day of the strip was clicked or activated (a ``datetime.date``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        own_viewport(self)  # reaching it builds no classes (issue 19, gui/viewports.py)
        self.setObjectName("loadStrip")
        self.setAccessibleName("Chair load of the coming weeks")
        self.setAccessibleDescription("Each day's booked share of chair time; open a day")
        self.load_model = LoadStripModel()
        self.setModel(self.load_model)
        self.setItemDelegate(LoadDelegate(self))
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(LoadDelegate.CELL.height() + 22)
        self.clicked.connect(self._open)
        self.activated.connect(self._open)

    def _open(self, index: QModelIndex) -> None:
        day = index.data(DAY_ROLE)
        if isinstance(day, date):
            self.sig_day_requested.emit(day)

    def reload(self, days: list[DayLoadSummary], shown: date) -> None:
        self.load_model.set_days(days)
        self.mark_shown(shown)

    def mark_shown(self, shown: date) -> None:
        """Select the day shown when it is in the strip."""
        row = self.load_model.row_of(shown)
        blocked = self.blockSignals(True)
        if row is None:
            self.clearSelection()
        else:
            index = self.load_model.index(row, 0)
            # Setting the current day again repaints every cell: only when it moves.
            if index != self.currentIndex() or not self.selectionModel().isSelected(index):
                self.setCurrentIndex(index)
            self.scrollTo(index)
        self.blockSignals(blocked)

    def update_days(self, days: list[DayLoadSummary]) -> None:
        """Show new counts for the days given (those in the strip), repainting their
        cells only (``dataChanged``)."""
        self.load_model.update_days(days)

    def dataChanged(
        self,
        topLeft: AnyIndex,
        bottomRight: AnyIndex,
        roles: Sequence[int] = (),
    ) -> None:
        """A changed day repaints its own cell (issue 19: a drag commit). ``QListView``'s
        own step asks for a new layout of the items, and the next paint then repaints
        every cell in view; the cells all have one fixed size (``LoadDelegate.CELL``,
        ``uniformItemSizes``), so a day's new counts move none of them. The item view's
        step is kept: it repaints the cell (the range of cells for a range), updates an
        open editor and tells assistive technology."""
        QAbstractItemView.dataChanged(self, topLeft, bottomRight, list(roles))

    def cell_point(self, day: date) -> Any:
        """The centre of a day's cell in viewport coordinates (tests click here)."""
        row = self.load_model.row_of(day)
        if row is None:
            return None
        return self.visualRect(self.load_model.index(row, 0)).center()
