"""Where a visit's context menu comes from: a right click, the Menu key or Shift+F10 on
a planner view or the Day list. ``MenuSources`` is the event filter on them; it finds
the visit and hands it to ``open_for``, the page's ``VisitMenus`` (``context_menu``),
which the page imports and builds at the first menu, not at start (issue 19)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QGraphicsView, QWidget

from ...domain.records import AppointmentView
from .day_scene import BlockItem

__all__ = ["MenuSources", "OpenFor", "is_menu_key"]

Row = AppointmentView
RowAt = Callable[[QPoint | None], Row | None]
OpenFor = Callable[[QWidget, Row | None, QPoint | None], object]


def is_menu_key(event: QKeyEvent) -> bool:
    key = event.key()
    shift = event.modifiers() == Qt.KeyboardModifier.ShiftModifier
    return key == Qt.Key.Key_Menu or (key == Qt.Key.Key_F10 and shift)


class MenuSources(QObject):
    """The widgets a visit menu opens on; ``open_for(widget, row, where)`` opens it
    (``where`` None: from the keyboard)."""

    def __init__(self, parent: QObject, open_for: OpenFor) -> None:
        super().__init__(parent)
        self.open_for = open_for
        self._sources: dict[QObject, tuple[QWidget, RowAt]] = {}

    # --- where a menu comes from ----------------------------------------------------------
    def watch_view(self, view: QGraphicsView) -> None:
        """A planner view: the block under the pointer, else the selected one."""

        def row_at(position: QPoint | None) -> Row | None:
            block = None
            if position is not None:
                item = next((i for i in view.items(position) if isinstance(i, BlockItem)), None)
                block = item
                if block is not None:
                    view.scene().clearSelection()
                    block.setSelected(True)
            if block is None:
                block = next(
                    (i for i in view.scene().selectedItems() if isinstance(i, BlockItem)), None
                )
            return None if block is None else block.row

        self._watch(view, view.viewport(), row_at)

    def watch_table(self, table: QAbstractItemView, row_data: Callable[[int], Row]) -> None:
        """The Day list: the row under the pointer, else the current row."""

        def row_at(position: QPoint | None) -> Row | None:
            index = table.indexAt(position) if position is not None else table.currentIndex()
            if not index.isValid():
                index = table.currentIndex()
            if not index.isValid():
                return None
            table.setCurrentIndex(index)
            return row_data(index.row())

        self._watch(table, table.viewport(), row_at)

    def _watch(self, widget: QWidget, viewport: QWidget, row_at: RowAt) -> None:
        widget.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        for watched in (widget, viewport):
            self._sources[watched] = (widget, row_at)
            watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        source = self._sources.get(watched)
        if source is None:
            return False
        widget, row_at = source
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            if not is_menu_key(event):
                return False
            self.open_for(widget, row_at(None), None)
            return True
        if isinstance(event, QContextMenuEvent):
            if event.reason() == QContextMenuEvent.Reason.Keyboard:
                self.open_for(widget, row_at(None), None)  # the Menu key of a real keyboard
            else:
                self.open_for(widget, row_at(event.pos()), event.globalPos())
            return True
        return False
