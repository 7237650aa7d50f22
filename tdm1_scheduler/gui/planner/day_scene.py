"""The planner's day grid as a graphics scene: one lane per chair, time left to right.

The scene only draws what ``services.queries.day_bookings`` returned; it never
changes a booking. ``PlannerGeometry`` turns instants and chairs into scene positions
and back (with snapping), so the view can say where a dragged block would land.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QIcon, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QStyleOptionGraphicsItem,
    QToolTip,
    QWidget,
)

from ...domain.calendar import ClinicCalendar
from ...domain.day_blocks import DayBlock, block_of
from ...domain.lean import dataclass  # cheaper to define (issue 19)
from ...domain.records import AppointmentView
from ...services.context import ClinicSettings
from ..brushes import brush, fill  # without building QImage or QGradient (issue 19)
from .block_item import (
    TEXT as TEXT,
    BlockItem as BlockItem,
    Box,
    Describe,
    WallClock,
    describe_block as describe_block,
)
from .day_model import Fetch
from .lanes import LaneBlocks

MIN_PX_PER_MIN = 1.2  # the narrowest scale before the grid scrolls sideways
MAX_PX_PER_MIN = 3.0  # the widest: one hour is 180 px
LANE_HEIGHT = 46.0
HEADER_HEIGHT = 28.0  # the time axis above the lanes
LABEL_WIDTH = 96.0  # the chair names left of the lanes
BLOCK_MARGIN = 3.0  # space between a block and its lane's edges
RIGHT_MARGIN = 24.0

LANE_FILL = (QColor("#ffffff"), QColor("#f3f6f9"))
CLOSED_FILL = QColor("#e3e7eb")
GRID_HOUR = QColor("#c3ccd6")
GRID_HALF = QColor("#e4e9ef")
NOW_LINE = QColor("#d84315")
HOUR_PEN, HALF_PEN, NOW_PEN = QPen(GRID_HOUR, 1), QPen(GRID_HALF, 1), QPen(NOW_LINE, 2)
CLOSED_BRUSH = brush(CLOSED_FILL)
BACKGROUND = QColor("#ffffff")
LANE_BRUSHES = tuple(brush(colour) for colour in LANE_FILL)
BACKGROUND_BRUSH = brush(BACKGROUND)


@dataclass(frozen=True)
class Chair:
    id: int
    name: str


@dataclass(frozen=True)
class MoveTarget:
    """Where a block would go: a chair and a start (aware, clinic zone)."""

    row: AppointmentView
    chair: Chair
    start: datetime

    @property
    def key(self) -> tuple[int, datetime]:
        return self.chair.id, self.start.astimezone(UTC)

    @property
    def is_home(self) -> bool:
        home = self.row.appointment
        return self.chair.id == home.chair_id and self.start.astimezone(UTC) == home.start


def wall_range(calendar: ClinicCalendar) -> tuple[time, time]:
    """The widest opening hours of the week: the time axis every day shares."""
    opens = min(hours.opens for hours in calendar.hours.values())
    closes = max(hours.closes for hours in calendar.hours.values())
    return opens, closes


class PlannerGeometry:
    """Instants and chairs <-> scene coordinates for one day."""

    def __init__(
        self,
        settings: ClinicSettings,
        day: date,
        chairs: list[Chair],
        snap_min: int,
        available_width: float = 0.0,
    ) -> None:
        calendar = settings.calendar
        opens, closes = wall_range(calendar)
        self.calendar = calendar
        self.day = day
        self.chairs = chairs
        self.snap_min = max(1, snap_min)
        self.axis_start = calendar.at(day, opens)
        self.axis_end = calendar.at(day, closes)
        # Positions are differences of instants: taken in UTC (the records' zone) they need
        # no zone lookups, and the answer is the same.
        self._axis_utc = self.axis_start.astimezone(UTC)
        self._chair_index: dict[int, int] = {}
        for index, chair in enumerate(chairs):
            self._chair_index.setdefault(chair.id, index)
        self.axis_minutes = max(60, int((self.axis_end - self.axis_start).total_seconds() // 60))
        # Fit the opening hours to the width the view has, within readable limits.
        room = available_width - LABEL_WIDTH - RIGHT_MARGIN
        self.px_per_min = min(MAX_PX_PER_MIN, max(MIN_PX_PER_MIN, room / self.axis_minutes))
        self.open_window = calendar.opening_window(day)
        self.closed_reason = calendar.why_closed(day)
        self._hour_labels: list[tuple[int, str]] | None = None

    # --- sizes ----------------------------------------------------------------------
    @property
    def width(self) -> float:
        return LABEL_WIDTH + self.axis_minutes * self.px_per_min + RIGHT_MARGIN

    @property
    def height(self) -> float:
        return HEADER_HEIGHT + max(1, len(self.chairs)) * LANE_HEIGHT

    def lane_top(self, index: int) -> float:
        return HEADER_HEIGHT + index * LANE_HEIGHT

    def chair_index(self, chair_id: int) -> int | None:
        return self._chair_index.get(chair_id)

    def hour_labels(self) -> list[tuple[int, str]]:
        """(minutes from the axis start, wall time) of each hour on the axis: elapsed
        minutes shown as wall time (right across DST), converted once per day shown."""
        if self._hour_labels is None:
            start = self.axis_start.astimezone(UTC)
            minutes = range(0, self.axis_minutes + 1, 60)
            first = self.calendar.local(start)
            last = self.calendar.local(start + timedelta(minutes=minutes[-1]))
            if first.utcoffset() == last.utcoffset():  # no clock change in between
                wall = first.replace(tzinfo=None)
                times = [wall + timedelta(minutes=minute) for minute in minutes]
            else:
                times = [self.calendar.local(start + timedelta(minutes=m)) for m in minutes]
            # HH:MM from the fields: the same text as %H:%M without a strftime each
            self._hour_labels = [
                (minute, f"{clock.hour:02d}:{clock.minute:02d}")
                for minute, clock in zip(minutes, times, strict=True)
            ]
        return self._hour_labels

    # --- time <-> x ----------------------------------------------------------------
    def x_of(self, instant: datetime) -> float:
        minutes = (instant - self._axis_utc).total_seconds() / 60
        return LABEL_WIDTH + minutes * self.px_per_min

    def snapped_start(self, x: float) -> datetime:
        """The start nearest to ``x`` on the snap grid (elapsed minutes from the axis)."""
        minutes = (x - LABEL_WIDTH) / self.px_per_min
        steps = round(minutes / self.snap_min)
        start = self.axis_start.astimezone(UTC) + timedelta(minutes=steps * self.snap_min)
        return self.calendar.local(start)

    def lane_at(self, y: float) -> int:
        index = int((y + LANE_HEIGHT / 2 - HEADER_HEIGHT) // LANE_HEIGHT)
        return min(max(index, 0), max(0, len(self.chairs) - 1))

    # --- blocks --------------------------------------------------------------------
    def block_rect(self, row: AppointmentView | DayBlock) -> QRectF:
        """A block's rectangle in scene coordinates (lane from the chair, x from time)."""
        block = row if isinstance(row, DayBlock) else block_of(row)
        index = self.chair_index(block.chair_id) or 0
        return QRectF(*self._box(block, index))

    def block_box(self, row: AppointmentView | DayBlock) -> Box | None:
        """``block_rect`` as (x, y, width, height); None when its chair is not drawn
        (a day's rebuild places ~600 blocks: no rectangle made for each)."""
        block = row if isinstance(row, DayBlock) else block_of(row)
        index = self._chair_index.get(block.chair_id)
        return None if index is None else self._box(block, index)

    def block_boxes(self, rows: list[DayBlock]) -> list[tuple[DayBlock, Box]]:
        """``(row, block_box(row))`` of each row whose chair is drawn, in order: one
        call for a day's ~570 rows, with ``_box``'s arithmetic written out."""
        axis, per_min, index_of = self._axis_utc, self.px_per_min, self._chair_index.get
        height = LANE_HEIGHT - 2 * BLOCK_MARGIN
        placed: list[tuple[DayBlock, Box]] = []
        # The x of each instant, worked out once for this call: a day's starts and ends
        # are a few hundred instants of the snap grid (the same arithmetic as _box).
        xs: dict[datetime, float] = {}
        x_of = xs.get
        for row in rows:
            index = index_of(row.chair_id)
            if index is None:
                continue  # a chair taken out of service: not drawn
            start, end = row.start, row.end
            left = x_of(start)
            if left is None:
                left = xs[start] = LABEL_WIDTH + (start - axis).total_seconds() / 60 * per_min
            right = x_of(end)
            if right is None:
                right = xs[end] = LABEL_WIDTH + (end - axis).total_seconds() / 60 * per_min
            top = HEADER_HEIGHT + index * LANE_HEIGHT + BLOCK_MARGIN
            placed.append((row, (left, top, max(6.0, right - left), height)))
        return placed

    def lanes_of(self, rows: Sequence[DayBlock]) -> tuple[dict[int, DayBlock], list[list[int]]]:
        """The rows whose chair is drawn, by id in order, and the ids in each lane."""
        index_of = self._chair_index.get
        lanes: list[list[int]] = [[] for _chair in self.chairs]
        drawn: dict[int, DayBlock] = {}
        for row in rows:
            index = index_of(row.chair_id)
            if index is not None:  # a chair out of service: not drawn
                drawn[row.id] = row
                lanes[index].append(row.id)
        return drawn, lanes

    def _box(self, row: DayBlock, index: int) -> Box:
        booking = row
        axis, per_min = self._axis_utc, self.px_per_min
        left = LABEL_WIDTH + (booking.start - axis).total_seconds() / 60 * per_min
        right = LABEL_WIDTH + (booking.end - axis).total_seconds() / 60 * per_min
        top = HEADER_HEIGHT + index * LANE_HEIGHT + BLOCK_MARGIN
        return left, top, max(6.0, right - left), LANE_HEIGHT - 2 * BLOCK_MARGIN

    def top_left_for(self, chair_id: int, start: datetime) -> QPointF:
        index = self.chair_index(chair_id) or 0
        return QPointF(self.x_of(start), self.lane_top(index) + BLOCK_MARGIN)

    def target_at(self, row: AppointmentView, top_left: QPointF) -> MoveTarget:
        """The snapped chair and start for a block whose top-left corner is at ``top_left``."""
        chair = self.chairs[self.lane_at(top_left.y() - BLOCK_MARGIN)]
        return MoveTarget(row, chair, self.snapped_start(top_left.x()))

    def neighbour(self, row: AppointmentView, lanes: int, minutes: int) -> MoveTarget | None:
        """The block moved ``lanes`` chairs down and ``minutes`` later; None past the ends."""
        index = self.chair_index(row.appointment.chair_id)
        if index is None or not 0 <= index + lanes < len(self.chairs):
            return None
        start = row.appointment.start + timedelta(minutes=minutes)
        return MoveTarget(row, self.chairs[index + lanes], self.calendar.local(start))


class DropHint(QGraphicsItem):
    """While dragging: an outline where the block would land and a label saying whether
    the drop is allowed and, when not, why."""

    def __init__(self) -> None:
        super().__init__()
        self.target_rect = QRectF()
        self.bounds: QRectF | None = None  # the visible part of the scene
        self.text = ""
        self.allowed = True
        self.setZValue(10)
        self.setVisible(False)

    def show_at(
        self, target_rect: QRectF, text: str, allowed: bool, bounds: QRectF | None = None
    ) -> None:
        """Outline ``target_rect`` and label it; the label stays inside ``bounds``."""
        self.prepareGeometryChange()
        self.target_rect = QRectF(target_rect)
        self.bounds = None if bounds is None else QRectF(bounds)
        self.text = text
        self.allowed = allowed
        self.setVisible(True)
        self.update()

    def _label_rect(self) -> QRectF:
        font = QFont()
        font.setPointSizeF(9)
        width = min(520.0, QFontMetricsF(font).horizontalAdvance(self.text) + 16)
        label = QRectF(self.target_rect.left(), self.target_rect.bottom() + 2, width, 22)
        bounds = self.bounds
        if bounds is not None:  # never clipped at the view's edge: shift it inside
            label.setWidth(min(width, bounds.width()))
            if label.bottom() > bounds.bottom():
                label.moveBottom(self.target_rect.top() - 2)
            label.moveLeft(max(bounds.left(), min(label.left(), bounds.right() - label.width())))
            label.moveTop(max(bounds.top(), min(label.top(), bounds.bottom() - label.height())))
        return label

    def boundingRect(self) -> QRectF:
        return self.target_rect.united(self._label_rect()).adjusted(-3, -3, 3, 3)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        colour = QColor("#2e7d32") if self.allowed else QColor("#c62828")
        painter.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self.target_rect)
        label = self._label_rect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(label, 4, 4)
        font = QFont()
        font.setPointSizeF(9)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(
            label.adjusted(8, 0, -4, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetricsF(font).elidedText(
                self.text, Qt.TextElideMode.ElideRight, label.width() - 12
            ),
        )


class PlannerScene(QGraphicsScene):
    """Lanes and grid in the background; one ``BlockItem`` per appointment, made for
    the lanes near the view (``lanes.py``)."""

    def __init__(self, settings: ClinicSettings, first_icon: QIcon | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.first_icon = first_icon
        self._spare: list[BlockItem] = []  # blocks of a day shown before, to reuse
        self.lanes = LaneBlocks(self, self._spare)
        self.blocks: Mapping[int, BlockItem] = self.lanes  # every block, made when asked
        self.geometry: PlannerGeometry | None = None
        self.now: datetime | None = None
        self.hint = DropHint()
        self.addItem(self.hint)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._wall = WallClock(settings.calendar)
        self.fetch: Fetch | None = None  # reads a block's whole record (BlockItem.row)

    def wall_clock(self, calendar: ClinicCalendar) -> WallClock:
        """The clock times of ``calendar``, kept while the settings are the same."""
        if self._wall.calendar is not calendar:
            self._wall = WallClock(calendar)
        return self._wall

    def describer(self, calendar: ClinicCalendar) -> Describe:
        """A block's sentence, made when first asked, with the calendar's clock times."""
        wall = self.wall_clock(calendar)
        return lambda row: describe_block(row, calendar, wall)

    def rebuild(
        self,
        settings: ClinicSettings,
        day: date,
        chairs: list[Chair],
        rows: Sequence[DayBlock] | Sequence[AppointmentView],
        now: datetime | None,
        available_width: float = 0.0,
    ) -> None:
        """Draw ``rows`` for ``day`` again: ``DayBlock``s (their records read by
        ``fetch`` when asked), or whole records. Items are made for the lanes near the
        view (``lanes.py``), the others when asked or scrolled to.
        Another day's blocks are reused for the new day's rows (a day switch makes new
        items only past the old day's count); a rebuild of the same day makes new ones,
        so a block kept from before never shows another appointment."""
        self.settings = settings
        self.now = now
        old = self.geometry
        switch = old is not None and old.day != day
        if switch:
            self.clearSelection()
            focused = self.focusItem()
            if focused is not None:
                focused.clearFocus()
        self.hint.setVisible(False)
        geometry = PlannerGeometry(settings, day, chairs, settings.snap_min, available_width)
        self.geometry = geometry
        lanes = self.lanes
        lanes.first_icon = self.first_icon
        lanes.load(geometry, rows, self.describer(settings.calendar), self.fetch, switch)
        self.setSceneRect(QRectF(0, 0, geometry.width, geometry.height))
        self.reveal_views()
        lanes.settle()  # the old day had more blocks near the view: kept aside
        self.update()

    def reveal(self, top: float, bottom: float) -> None:
        """Make the blocks of the lanes from scene y ``top`` to ``bottom`` and of a
        screen of lanes above and below (the view calls this when it scrolls or
        resizes)."""
        screen = bottom - top
        first = int((top - screen - HEADER_HEIGHT) // LANE_HEIGHT)
        self.lanes.make_lanes(first, int((bottom + screen - HEADER_HEIGHT) // LANE_HEIGHT) + 1)

    def reveal_views(self) -> None:
        """``reveal`` what each view shows."""
        for view in self.views():
            visible = view.mapToScene(view.viewport().rect()).boundingRect()
            self.reveal(visible.top(), visible.bottom())

    def block_rows(self) -> list[DayBlock]:
        """The lean row of every block, in the order of ``blocks``: no item made."""
        return self.lanes.rows()

    def relayout(self, available_width: float) -> None:
        """Fit the day shown to a new width: the same blocks, repositioned (those not
        made yet are placed when made)."""
        old = self.geometry
        if old is None:
            return
        geometry = PlannerGeometry(
            self.settings, old.day, old.chairs, self.settings.snap_min, available_width
        )
        self.geometry = self.lanes.geometry = geometry
        self.setSceneRect(QRectF(0, 0, geometry.width, geometry.height))
        self.hint.setVisible(False)
        for item in self.lanes.made():
            item.place(geometry.block_rect(item.block))
        self.update()

    def replace_block(self, appointment_id: int, row: AppointmentView | None) -> None:
        """Redraw one appointment from ``row`` (None: it left the day shown)."""
        self.lanes.replace(appointment_id, row)

    def block_for(self, appointment_id: int) -> BlockItem | None:
        return self.blocks.get(appointment_id)

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        """The tooltip of the item under the pointer, as ``QGraphicsScene`` shows it,
        but asked of the item in Python: a block makes its sentence only then."""
        for item in self.items(event.scenePos()):
            text = item.toolTip()
            if text:
                QToolTip.showText(event.screenPos(), text, event.widget())
                event.setAccepted(True)
                return
        QToolTip.hideText()
        event.setAccepted(False)

    def selected_block(self) -> BlockItem | None:
        for item in self.selectedItems():
            if isinstance(item, BlockItem):
                return item
        return None

    # --- background: lanes, closed hours, hour lines, now ---------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        geometry = self.geometry
        rect = QRectF(rect)
        fill(painter, rect, BACKGROUND_BRUSH)
        if geometry is None:
            return
        left = LABEL_WIDTH
        right = geometry.width - RIGHT_MARGIN
        # Only the lanes near the rectangle can meet it (one more each side, then
        # asked as before): not all 80 lanes at each paint.
        first = max(0, int((rect.top() - HEADER_HEIGHT) // LANE_HEIGHT) - 1)
        last = min(len(geometry.chairs), int((rect.bottom() - HEADER_HEIGHT) // LANE_HEIGHT) + 2)
        for index in range(first, last):
            lane = QRectF(left, geometry.lane_top(index), right - left, LANE_HEIGHT)
            if lane.intersects(rect):
                fill(painter, lane, LANE_BRUSHES[index % 2])
        lanes = QRectF(left, HEADER_HEIGHT, right - left, geometry.height - HEADER_HEIGHT)
        window = geometry.open_window
        closed_brush = CLOSED_BRUSH
        if window is None:
            fill(painter, lanes, closed_brush)
        else:
            opens, closes = (geometry.x_of(moment) for moment in window)
            fill(painter, QRectF(left, lanes.top(), opens - left, lanes.height()), closed_brush)
            fill(painter, QRectF(closes, lanes.top(), right - closes, lanes.height()), closed_brush)
        for minute in range(0, geometry.axis_minutes + 1, 30):
            x = left + minute * geometry.px_per_min
            painter.setPen(HOUR_PEN if minute % 60 == 0 else HALF_PEN)
            painter.drawLine(QPointF(x, lanes.top()), QPointF(x, lanes.bottom()))
        if self.now is not None and geometry.axis_start <= self.now <= geometry.axis_end:
            x = geometry.x_of(self.now)
            painter.setPen(NOW_PEN)
            painter.drawLine(QPointF(x, lanes.top()), QPointF(x, lanes.bottom()))
