"""The planner's week view: chairs down the side, the seven days of a week across, each
day a compact time axis of the opening hours.

It reuses the day grid's pieces: ``WeekGeometry`` is a ``PlannerGeometry`` whose x runs
over seven day columns, ``WeekScene`` a ``PlannerScene`` with compact blocks, and
``WeekView`` a ``PlannerView`` (so a drag previews, asks and commits exactly as on the
day grid, through the one ``MoveController``). A drag may cross days; a double click on
a day opens it in the day view.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QIcon,
    QMouseEvent,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QWidget

from ...domain.day_blocks import DayBlock
from ...domain.records import AppointmentView
from ...services.context import ClinicSettings
from ...services.live import data_mark
from ...services.queries import day_bookings
from ..resources import load_icon
from .day_model import blocked_label, is_blocked, is_first_infusion
from .day_scene import (
    BLOCK_MARGIN,
    CLOSED_FILL,
    GRID_HALF,
    LABEL_WIDTH,
    LANE_FILL,
    NOW_LINE,
    RIGHT_MARGIN,
    TEXT,
    BlockItem,
    Chair,
    PlannerGeometry,
    PlannerScene,
    describe_block,
    wall_range,
)
from .day_view import HEADER_FILL, HEADER_TEXT, PlannerView
from .load_strip import DayLoadSummary, day_loads, load_colour
from .view_actions import select_on_focus

if TYPE_CHECKING:
    from .host import PlannerHost

Row = AppointmentView

WEEK_DAYS = 7
WEEK_LANE_HEIGHT = 30.0
WEEK_HEADER_HEIGHT = 40.0  # the day's date and its load
MIN_COLUMN_WIDTH = 150.0
COLUMN_GAP = 6.0  # space at a day column's right edge, so days stay apart
TODAY_FILL = QColor("#fff4d6")
TODAY_HEADER_FILL = QColor("#ffe3a3")
DAY_SEPARATOR = QColor("#8fa3b8")


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


class WeekGeometry(PlannerGeometry):
    """Instants and chairs <-> scene coordinates for seven days side by side."""

    def __init__(
        self,
        settings: ClinicSettings,
        first_day: date,
        chairs: list[Chair],
        snap_min: int,
        available_width: float = 0.0,
    ) -> None:
        super().__init__(settings, first_day, chairs, snap_min)
        self.days = [first_day + timedelta(days=offset) for offset in range(WEEK_DAYS)]
        self.opens = wall_range(settings.calendar)[0]
        room = available_width - LABEL_WIDTH - RIGHT_MARGIN
        self.column_width = max(MIN_COLUMN_WIDTH, room / WEEK_DAYS)
        self.px_per_min = (self.column_width - COLUMN_GAP) / self.axis_minutes
        self.windows = {day: self.calendar.opening_window(day) for day in self.days}

    # --- sizes ----------------------------------------------------------------------
    @property
    def width(self) -> float:
        return LABEL_WIDTH + WEEK_DAYS * self.column_width + RIGHT_MARGIN

    @property
    def height(self) -> float:
        return WEEK_HEADER_HEIGHT + max(1, len(self.chairs)) * WEEK_LANE_HEIGHT

    def lane_top(self, index: int) -> float:
        return WEEK_HEADER_HEIGHT + index * WEEK_LANE_HEIGHT

    def lane_at(self, y: float) -> int:
        index = int((y + WEEK_LANE_HEIGHT / 2 - WEEK_HEADER_HEIGHT) // WEEK_LANE_HEIGHT)
        return min(max(index, 0), max(0, len(self.chairs) - 1))

    def column_left(self, index: int) -> float:
        return LABEL_WIDTH + index * self.column_width

    def day_index(self, day: date) -> int | None:
        offset = (day - self.days[0]).days
        return offset if 0 <= offset < WEEK_DAYS else None

    def day_at(self, x: float) -> date | None:
        """The day whose column holds ``x`` (None left of the first, right of the last)."""
        if x < LABEL_WIDTH:
            return None
        index = int((x - LABEL_WIDTH) // self.column_width)
        return self.days[index] if 0 <= index < WEEK_DAYS else None

    def day_axis_start(self, day: date) -> datetime:
        return self.calendar.at(day, self.opens)

    # --- time <-> x ----------------------------------------------------------------
    def x_of(self, instant: datetime) -> float:
        day = self.calendar.local_date(instant)
        index = self.day_index(day)
        if index is None:  # outside the week: pinned to its nearer end
            return self.column_left(0) if day < self.days[0] else self.column_left(WEEK_DAYS)
        minutes = (instant - self.day_axis_start(day)).total_seconds() / 60
        return self.column_left(index) + minutes * self.px_per_min

    def snapped_start(self, x: float) -> datetime:
        """The day under ``x`` and the start nearest to it on that day's snap grid."""
        index = min(max(int((x - LABEL_WIDTH) // self.column_width), 0), WEEK_DAYS - 1)
        minutes = (x - self.column_left(index)) / self.px_per_min
        steps = round(minutes / self.snap_min)
        axis = self.day_axis_start(self.days[index]).astimezone(UTC)
        return self.calendar.local(axis + timedelta(minutes=steps * self.snap_min))

    # --- blocks --------------------------------------------------------------------
    def block_rect(self, row: Row | DayBlock) -> QRectF:
        booking = row if isinstance(row, DayBlock) else row.appointment
        index = self.chair_index(booking.chair_id) or 0
        left = self.x_of(booking.start)
        right = self.x_of(booking.end)
        return QRectF(
            left,
            self.lane_top(index) + BLOCK_MARGIN,
            max(4.0, right - left),
            WEEK_LANE_HEIGHT - 2 * BLOCK_MARGIN,
        )

    def top_left_for(self, chair_id: int, start: datetime) -> QPointF:
        index = self.chair_index(chair_id) or 0
        return QPointF(self.x_of(start), self.lane_top(index) + BLOCK_MARGIN)


class WeekBlock(BlockItem):
    """A compact block: the first-infusion badge and the patient's surname only."""

    def _paint_text(self, painter: QPainter, rect: QRectF) -> None:
        row = self.row
        inner = rect.adjusted(2, 1, -2, -1)
        if is_first_infusion(row):
            badge = QRectF(inner.left(), inner.top() + 1, 11, 11)
            if self._first_icon is not None and not self._first_icon.isNull():
                self._first_icon.paint(painter, badge.toRect())
            else:
                painter.setPen(QPen(TEXT, 1))
                painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "1")
            inner.setLeft(badge.right() + 1)
        if inner.width() < 8:
            return
        font = QFont(painter.font())
        font.setPointSizeF(7)
        painter.setFont(font)
        painter.setPen(TEXT)
        surname = (row.patient_name or "").split(" ")[-1]
        text = blocked_label(row) if is_blocked(row) else surname
        painter.drawText(
            inner,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, inner.width()),
        )


class WeekScene(PlannerScene):
    """Seven day columns per chair lane; one ``WeekBlock`` per appointment."""

    def __init__(self, settings: ClinicSettings, first_icon: QIcon | None = None) -> None:
        super().__init__(settings, first_icon)
        self.blocks: dict[int, BlockItem] = {}  # every block made, a week is few lanes
        self.week: WeekGeometry | None = None
        self.loads: dict[date, DayLoadSummary] = {}
        self.today: date | None = None

    def rebuild_week(
        self,
        settings: ClinicSettings,
        first_day: date,
        chairs: list[Chair],
        rows: list[Row],
        now: datetime | None,
        available_width: float,
        loads: list[DayLoadSummary],
    ) -> None:
        """Throw away every block and draw ``rows`` for the week from ``first_day``."""
        self.settings = settings
        self.now = now
        self.today = None if now is None else settings.calendar.local_date(now)
        self.loads = {load.day: load for load in loads}
        for item in self.blocks.values():
            self.removeItem(item)
        self.blocks = {}
        self.hint.setVisible(False)
        week = WeekGeometry(settings, first_day, chairs, settings.snap_min, available_width)
        self.week = week
        self.geometry = week
        self.setSceneRect(QRectF(0, 0, week.width, week.height))
        for row in rows:
            self.replace_block(row.appointment.id, row)
        self.update()

    def block_rows(self) -> list[DayBlock]:
        return [block.block for block in self.blocks.values()]

    def replace_block(self, appointment_id: int, row: Row | None) -> None:
        old = self.blocks.pop(appointment_id, None)
        if old is not None:
            self.removeItem(old)
        week = self.week
        if row is None or week is None or week.chair_index(row.appointment.chair_id) is None:
            return
        calendar = week.calendar
        wall = self.wall_clock(calendar)

        def describe(shown: DayBlock) -> str:  # made when first asked (block_item)
            day = calendar.local(shown.start)
            return f"{day:%a %d %b}: {describe_block(shown, calendar, wall)}"

        item = WeekBlock(row, week.block_rect(row), describe, self.first_icon)
        self.addItem(item)
        self.blocks[appointment_id] = item

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        week = self.week
        painter.fillRect(QRectF(rect), QColor("#ffffff"))
        if week is None:
            return
        top, bottom = WEEK_HEADER_HEIGHT, week.height
        for index, day in enumerate(week.days):
            left = week.column_left(index)
            column = QRectF(left, top, week.column_width, bottom - top)
            for lane in range(len(week.chairs)):
                painter.fillRect(
                    QRectF(left, week.lane_top(lane), week.column_width, WEEK_LANE_HEIGHT),
                    TODAY_FILL if day == self.today else LANE_FILL[lane % 2],
                )
            window = week.windows[day]
            if window is None:
                painter.fillRect(column, CLOSED_FILL)
            else:
                opens, closes = (week.x_of(moment) for moment in window)
                painter.fillRect(QRectF(left, top, opens - left, bottom - top), CLOSED_FILL)
                painter.fillRect(
                    QRectF(closes, top, left + week.column_width - closes, bottom - top),
                    CLOSED_FILL,
                )
            painter.setPen(QPen(GRID_HALF, 1))
            for minute in range(60, week.axis_minutes, 60):
                x = left + minute * week.px_per_min
                painter.drawLine(QPointF(x, top), QPointF(x, bottom))
            painter.setPen(QPen(DAY_SEPARATOR, 1))
            painter.drawLine(QPointF(left, top), QPointF(left, bottom))
        now = self.now
        if now is not None and week.day_index(week.calendar.local_date(now)) is not None:
            x = week.x_of(now)
            painter.setPen(QPen(NOW_LINE, 2))
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))


class WeekView(PlannerView):
    """The week grid: the day grid's drag, keys and hint, with pinned day headers."""

    sig_day_opened = Signal(object)
    """A day was double-clicked (a ``datetime.date``): show it in the day view."""

    def __init__(self, scene: WeekScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.week_scene = scene
        self.setObjectName("weekView")
        self.setAccessibleName("Chair planner week")
        self.setAccessibleDescription(
            "One lane per chair, one column per day. Drag a block to another chair, time "
            "or day; or select it and press Up/Down for another chair, Left/Right for 15 "
            "minutes. Double-click a day to open it."
        )

    def hint_bounds(self) -> QRectF:
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        return visible.adjusted(LABEL_WIDTH, WEEK_HEADER_HEIGHT, 0, 0)

    def viewport_point_in(self, day: date, lane: int, start: datetime) -> QPoint:
        """The viewport point at a lane's middle where a block starting at ``start``
        on ``day`` would begin (tests press and release here)."""
        week = self.week_scene.week
        assert week is not None and week.day_index(day) is not None
        point = QPointF(week.x_of(start), week.lane_top(lane) + WEEK_LANE_HEIGHT / 2)
        return self.mapFromScene(point)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        week = self.week_scene.week
        scene_point = self.mapToScene(event.position().toPoint())
        day = None if week is None else week.day_at(scene_point.x())
        if day is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        event.accept()
        self.sig_day_opened.emit(day)

    # --- pinned headers -------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        week = self.week_scene.week
        if week is None:
            return
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        top, left = visible.top(), visible.left()
        painter.fillRect(QRectF(left, top, visible.width(), WEEK_HEADER_HEIGHT), HEADER_FILL)
        font = QFont(self.font())
        font.setPointSizeF(8.5)
        small = QFont(font)
        small.setPointSizeF(7.5)
        today = self.week_scene.today
        for index, day in enumerate(week.days):
            x = week.column_left(index)
            cell = QRectF(x, top, week.column_width, WEEK_HEADER_HEIGHT)
            if day == today:
                painter.fillRect(cell, TODAY_HEADER_FILL)
            painter.setPen(QPen(DAY_SEPARATOR, 1))
            painter.drawLine(QPointF(x, top), QPointF(x, top + WEEK_HEADER_HEIGHT))
            font.setBold(day == today)
            painter.setFont(font)
            painter.setPen(QPen(HEADER_TEXT, 1))
            title = f"{day:%a %d %b}" + (" (today)" if day == today else "")
            painter.drawText(
                cell.adjusted(4, 2, -4, -WEEK_HEADER_HEIGHT / 2),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                title,
            )
            painter.setFont(small)
            painter.drawText(
                cell.adjusted(4, WEEK_HEADER_HEIGHT / 2, -4, -6),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                self._load_text(day),
            )
            load = self.week_scene.loads.get(day)
            if load is not None and load.open:
                bar = QRectF(x + 4, top + WEEK_HEADER_HEIGHT - 5, week.column_width - 8, 3)
                painter.fillRect(bar, QColor("#d5dde6"))
                filled = QRectF(bar.left(), bar.top(), bar.width() * min(1.0, load.fraction), 3)
                painter.fillRect(filled, load_colour(load.fraction))
        column = QRectF(left, top + WEEK_HEADER_HEIGHT, LABEL_WIDTH, visible.height())
        painter.fillRect(column, HEADER_FILL)
        font.setBold(False)
        painter.setFont(font)
        painter.setPen(QPen(HEADER_TEXT, 1))
        for index, chair in enumerate(week.chairs):
            lane_top = week.lane_top(index)
            if lane_top + WEEK_LANE_HEIGHT < top + WEEK_HEADER_HEIGHT:
                continue
            painter.drawText(
                QRectF(left + 6, lane_top, LABEL_WIDTH - 10, WEEK_LANE_HEIGHT),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                chair.name,
            )
        painter.fillRect(QRectF(left, top, LABEL_WIDTH, WEEK_HEADER_HEIGHT), HEADER_FILL)
        painter.drawText(
            QRectF(left + 6, top, LABEL_WIDTH - 8, WEEK_HEADER_HEIGHT),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            "Chair",
        )

    def _load_text(self, day: date) -> str:
        load = self.week_scene.loads.get(day)
        if load is None:
            return ""
        if not load.open:
            return "closed"
        return f"{load.appointments} visit(s), {load.fraction:.0%} full"


class WeekPane(QObject):
    """The week view of the planner page: reads its week, and moves through the
    planner's one ``MoveController``."""

    def __init__(self, planner: PlannerHost, view_parent: QWidget | None = None) -> None:
        super().__init__(planner)
        self.planner = planner
        self.scene = WeekScene(planner.session.settings, load_icon("first-infusion"))
        self.scene.setParent(planner)
        self.view = WeekView(self.scene, view_parent or planner)
        self.view.preview_move = planner.moves.preview_move
        self.view.shift_summary = planner.moves.shift_summary
        self.view.sig_move_requested.connect(planner.moves.handle_request)
        self.view.sig_hint_changed.connect(self._hint_changed)
        self.view.sig_selection_described.connect(
            lambda text: self.view.setAccessibleDescription(text or "No block selected")
        )
        self.view.sig_width_changed.connect(self._width_changed)
        self.view.sig_day_opened.connect(planner.open_day)
        select_on_focus(self.view)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(lambda: self.reload())
        self._key: tuple[date, int, int, float] | None = None
        self._after_drag = False

    def reload(self, force: bool = False) -> None:
        """Read the week of the day shown again (skipped when nothing changed since)."""
        if self.view.dragging:
            self._after_drag = True
            return
        planner, session = self.planner, self.planner.session
        first = week_start(session.shown_day)
        width = float(self.view.viewport().width())
        key = (first, *data_mark(planner.ctx), width)
        if not force and key == self._key:
            return
        selected = self.scene.selected_block()
        keep = selected.appointment_id if selected else None
        settings = session.settings
        days = [first + timedelta(days=offset) for offset in range(WEEK_DAYS)]
        store = planner.ctx.store
        rows = [row for day in days for row in day_bookings(store, settings, day)]
        loads = day_loads(store, settings, first, WEEK_DAYS)
        now = planner.ctx.clock.now()
        self.scene.rebuild_week(settings, first, planner.chairs, rows, now, width, loads)
        self._key = key
        if keep is not None:
            self.select(keep)

    def select(self, appointment_id: int) -> bool:
        block = self.scene.block_for(appointment_id)
        self.scene.clearSelection()
        if block is None:
            return False
        block.setSelected(True)
        self.view.ensureVisible(block)
        return True

    def _width_changed(self) -> None:
        self._timer.start()

    def _hint_changed(self, text: str) -> None:
        if text:
            self.planner.info.setText(text)
        elif self._after_drag and not self.view.dragging:
            self._after_drag = False  # the drag ended: catch up with what changed
            self.reload(force=True)
