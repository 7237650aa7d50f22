"""The view over the planner scene: pinned time axis and chair names, drag and drop,
keyboard moves.

The view decides nothing about the rules. While a block is dragged it asks
``preview_move(target)`` (set by the planner) once per new snapped target and shows the
answer; on release it puts the block back where it was and emits ``sig_move_requested``.
The planner then calls the service; the grid is rebuilt from the database, so a block
only ever shows where the database says it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import QApplication, QGraphicsView, QWidget
from shiboken6 import isValid

from ...domain.lean import dataclass  # cheaper to define (issue 19)
from ..brushes import brush, fill  # without building QGradient (issue 19)
from ..viewports import own_viewport
from .day_scene import (
    BLOCK_MARGIN,
    HEADER_HEIGHT,
    LABEL_WIDTH,
    LANE_HEIGHT,
    BlockItem,
    MoveTarget,
    PlannerScene,
)

if TYPE_CHECKING:  # the service answer's type only: not imported at start (issue 19)
    from ...services.preview import Preview

KEY_STEP_MIN = 15  # Left/Right move a block this many minutes
HEADER_FILL = QColor("#e8eef4")
HEADER_BRUSH = brush(HEADER_FILL)
HEADER_TEXT = QColor("#1f3b57")
HEADER_PEN = QPen(HEADER_TEXT, 1)  # the pens made once, not at each paint
LANE_LINE_PEN = QPen(QColor("#d5dde6"), 1)

# (lanes, minutes) per arrow key
ARROW_MOVES = {
    Qt.Key.Key_Up: (-1, 0),
    Qt.Key.Key_Down: (1, 0),
    Qt.Key.Key_Left: (0, -KEY_STEP_MIN),
    Qt.Key.Key_Right: (0, KEY_STEP_MIN),
}


@dataclass(frozen=True)
class MoveRequest:
    """A drop or a key press asks for this move; ``preview`` is what the service said."""

    target: MoveTarget
    preview: Preview


@dataclass
class _Drag:
    item: BlockItem
    grab_offset: QPointF  # pointer minus the block's top-left, in scene coordinates
    press: QPoint
    started: bool = False
    target: MoveTarget | None = None
    preview: Preview | None = None


def hint_text(target: MoveTarget, preview: Preview, shift_summary: str) -> str:
    """What the drop target says: allowed (and what else moves) or why not."""
    home = target.row.appointment.start.astimezone(target.start.tzinfo)
    same_day = home.date() == target.start.date()  # another day is named (the week view)
    when = f"{target.start:%H:%M}" if same_day else f"{target.start:%a %d %b %H:%M}"
    where = f"{target.chair.name} {when}"
    if not preview.allowed:
        return f"Not here ({where}): {preview.reason}"
    parts = [f"Drop here: {where}"]
    if shift_summary:
        parts.append(shift_summary)
    parts.extend(preview.notes)
    return "; ".join(parts)


class PlannerView(QGraphicsView):
    sig_move_requested = Signal(object)
    """A block was dropped or moved by key (a ``MoveRequest``); the planner commits it."""

    sig_hint_changed = Signal(str)
    """The drop hint changed while dragging ('' when the drag ended)."""

    sig_selection_described = Signal(str)
    """The selected block, in words ('' when none), for the accessible status line."""

    sig_width_changed = Signal()
    """The viewport's width changed: the time scale may be fitted again."""

    def __init__(self, scene: PlannerScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        own_viewport(self)  # reaching it builds no classes (issue 19, gui/viewports.py)
        self.planner_scene = scene
        self.setObjectName("plannerView")
        self.setAccessibleName("Chair planner grid")
        self.setAccessibleDescription(
            "One lane per chair. Drag a block to move it; or select it and press "
            "Up/Down for another chair, Left/Right for 15 minutes earlier or later."
        )
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        # A changed block repaints its own rectangle only (a commit redraws one or two
        # blocks, not the ~60 in view); the headers pinned in drawForeground move with
        # the view, so a scroll repaints it all (scrollContentsBy).
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.preview_move: Callable[[MoveTarget], Preview] | None = None
        self.shift_summary: Callable[[Preview], str] = lambda _preview: ""
        self._drag: _Drag | None = None
        self._header_fonts: tuple[QFont, QFont] | None = None  # (the view's, the headers')
        scene.selectionChanged.connect(self._selection_changed)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.viewport().update()  # the pinned headers: never scrolled as pixels
        self.reveal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.reveal()
        if event.size().width() != event.oldSize().width():
            self.sig_width_changed.emit()

    def reveal(self) -> None:
        """Have the scene make the blocks of the lanes in view and near it."""
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        self.planner_scene.reveal(visible.top(), visible.bottom())

    # --- helpers ------------------------------------------------------------------------
    def block_at(self, position: QPoint) -> BlockItem | None:
        for item in self.items(position):
            if isinstance(item, BlockItem):
                return item
        return None

    def viewport_point_of(self, item: BlockItem, dx: float = 12, dy: float = 0) -> QPoint:
        """A point inside ``item`` in viewport coordinates (tests press here)."""
        rect = item.boundingRect()
        local = QPointF(min(dx, rect.width() / 2), rect.height() / 2 + dy)
        return self.mapFromScene(item.mapToScene(local))

    def viewport_point_at(self, lane: int, minutes_from_axis: float) -> QPoint:
        """The viewport point at a lane's middle and a time on the axis."""
        geometry = self.planner_scene.geometry
        assert geometry is not None
        scene_point = QPointF(
            LABEL_WIDTH + minutes_from_axis * geometry.px_per_min,
            HEADER_HEIGHT + lane * LANE_HEIGHT + LANE_HEIGHT / 2,
        )
        return self.mapFromScene(scene_point)

    def hint_bounds(self) -> QRectF:
        """The scene area the drop hint may use: what is visible, minus pinned headers."""
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        return visible.adjusted(LABEL_WIDTH, HEADER_HEIGHT, 0, 0)

    def _ask(self, target: MoveTarget) -> Preview:
        """The service's answer for a drop on ``target``; its own home is always fine."""
        if target.is_home or self.preview_move is None:
            from ...services.preview import Preview  # at the first drag (issue 19)

            if target.is_home:
                return Preview(True, None, None)
            return Preview(False, "the planner is not ready", None)
        return self.preview_move(target)

    def _selection_changed(self) -> None:
        if not isValid(self.planner_scene):
            return  # the scene is being destroyed with the page
        block = self.planner_scene.selected_block()
        self.sig_selection_described.emit(block.description if block else "")

    # --- mouse: drag a block --------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        position = event.position().toPoint()
        item = self.block_at(position)
        if event.button() != Qt.MouseButton.LeftButton or item is None:
            super().mousePressEvent(event)
            return
        self.planner_scene.clearSelection()
        item.setSelected(True)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if item.movable:
            offset = self.mapToScene(position) - item.pos()
            self._drag = _Drag(item, offset, position)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        if drag is None:
            super().mouseMoveEvent(event)
            return
        position = event.position().toPoint()
        if not drag.started:
            if (position - drag.press).manhattanLength() < QApplication.startDragDistance():
                return
            drag.started = True
            drag.item.setZValue(5)
            drag.item.setCursor(Qt.CursorShape.ClosedHandCursor)
        geometry = self.planner_scene.geometry
        assert geometry is not None
        top_left = self.mapToScene(position) - drag.grab_offset
        target = geometry.target_at(drag.item.row, top_left)
        # The block follows the pointer, snapped to the lane and the time grid.
        snapped = geometry.top_left_for(target.chair.id, target.start)
        drag.item.setPos(snapped)
        if drag.target is None or target.key != drag.target.key:
            drag.target = target
            drag.preview = self._ask(target)
            self._show_hint(drag, snapped)
        event.accept()

    def _show_hint(self, drag: _Drag, top_left: QPointF) -> None:
        assert drag.target is not None and drag.preview is not None
        rect = drag.item.boundingRect().adjusted(2, 2, -2, -2)
        text = (
            "Back to where it was"
            if drag.target.is_home
            else hint_text(drag.target, drag.preview, self.shift_summary(drag.preview))
        )
        self.planner_scene.hint.show_at(
            rect.translated(top_left), text, drag.preview.allowed, self.hint_bounds()
        )
        self.sig_hint_changed.emit(text)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._end_drag()
        event.accept()
        if drag.started and drag.target is not None and not drag.target.is_home:
            preview = drag.preview or self._ask(drag.target)
            self.sig_move_requested.emit(MoveRequest(drag.target, preview))

    def _end_drag(self) -> None:
        """Put the dragged block back home; a committed move rebuilds the grid anyway."""
        drag = self._drag
        self._drag = None
        if drag is None:
            return
        drag.item.setPos(drag.item.home)
        drag.item.setZValue(1)
        drag.item.setCursor(Qt.CursorShape.OpenHandCursor)
        self.planner_scene.hint.setVisible(False)
        self.sig_hint_changed.emit("")

    @property
    def dragging(self) -> bool:
        return self._drag is not None and self._drag.started

    # --- keyboard: move the selected block ------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._drag is not None:
            self._end_drag()
            event.accept()
            return
        step = ARROW_MOVES.get(Qt.Key(event.key()))
        block = self.planner_scene.selected_block()
        geometry = self.planner_scene.geometry
        if step is None or block is None or geometry is None or self._drag is not None:
            super().keyPressEvent(event)
            return
        event.accept()
        self.request_step(block, *step)

    def request_step(self, block: BlockItem, lanes: int, minutes: int) -> None:
        geometry = self.planner_scene.geometry
        assert geometry is not None
        target = geometry.neighbour(block.row, lanes, minutes)
        if target is None:
            reason = "no chair above" if lanes < 0 else "no chair below"
            self.sig_hint_changed.emit(f"Cannot move: {reason}")
            return
        self.sig_move_requested.emit(MoveRequest(target, self._ask(target)))

    # --- pinned headers -------------------------------------------------------------------
    def _header_font(self) -> QFont:
        """The view's font at 8.5 pt, made again only when the view's font changes."""
        base = self.font()
        kept = self._header_fonts
        if kept is None or kept[0] != base:
            font = QFont(base)
            font.setPointSizeF(8.5)
            kept = self._header_fonts = (base, font)
        return kept[1]

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        geometry = self.planner_scene.geometry
        if geometry is None:
            return
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        painter.setFont(self._header_font())
        # The time axis along the top of what is visible.
        top = visible.top()
        header = QRectF(visible.left(), top, visible.width(), HEADER_HEIGHT)
        fill(painter, header, HEADER_BRUSH)
        painter.setPen(HEADER_PEN)
        for minute, label in geometry.hour_labels():
            x = LABEL_WIDTH + minute * geometry.px_per_min
            painter.drawLine(QPointF(x, top + HEADER_HEIGHT - 6), QPointF(x, top + HEADER_HEIGHT))
            painter.drawText(
                QRectF(x + 3, top, 60, HEADER_HEIGHT - 4),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        # The chair names down the left of what is visible.
        left = visible.left()
        column = QRectF(left, top + HEADER_HEIGHT, LABEL_WIDTH, visible.height())
        fill(painter, column, HEADER_BRUSH)
        for index, chair in enumerate(geometry.chairs):
            lane_top = geometry.lane_top(index)
            if lane_top + LANE_HEIGHT < top + HEADER_HEIGHT:
                continue
            if lane_top > visible.bottom():
                break  # the lanes below are out of view
            painter.drawText(
                QRectF(left + 6, lane_top + BLOCK_MARGIN, LABEL_WIDTH - 10, LANE_HEIGHT - 6),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                chair.name,
            )
            painter.setPen(LANE_LINE_PEN)
            painter.drawLine(
                QPointF(left, lane_top + LANE_HEIGHT),
                QPointF(left + LABEL_WIDTH, lane_top + LANE_HEIGHT),
            )
            painter.setPen(HEADER_PEN)
        fill(painter, QRectF(left, top, LABEL_WIDTH, HEADER_HEIGHT), HEADER_BRUSH)
        painter.drawText(
            QRectF(left + 6, top, LABEL_WIDTH - 8, HEADER_HEIGHT),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            "Chair",
        )
