"""The board's grid of chair tiles: one tile a chair, each in a fixed place in the
clinic's chair order, sized to the window.

The grid picks its columns (and, when normal tiles cannot all fit, compact tiles) so
every chair shows without scrolling whenever the tiles' content fits; only when even
compact tiles cannot fit does it scroll, and then vertically. Tiles are never squeezed
below what their text needs, so nothing is clipped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QScrollArea, QWidget

from .tile import VisitTile

SPACING = 8


class BoardGrid(QScrollArea):
    """Chair tiles in a grid; ``place`` puts them in an order, ``fit`` sizes them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nurseBoardScroll")
        self.setAccessibleName("Chairs")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.host = QWidget(self)
        self.host.setObjectName("nurseBoardTiles")
        self.host.setAccessibleName("Chair tiles")
        self.grid = QGridLayout(self.host)
        self.grid.setSpacing(SPACING)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.setWidget(self.host)
        self.order: list[VisitTile] = []
        self.columns = 1
        self.compact = False
        self.force_compact = False

    def place(self, tiles: Sequence[VisitTile]) -> None:
        """Lay ``tiles`` out in this order (the chair order, or overdue first)."""
        if list(tiles) == self.order:
            return
        for tile in self.order:
            self.grid.removeWidget(tile)
        self.order = list(tiles)
        self._arrange()
        self.fit()

    def position_of(self, tile: VisitTile) -> tuple[int, int]:
        """(row, column) of a tile in the grid."""
        index = self.order.index(tile)
        return index // self.columns, index % self.columns

    def _arrange(self) -> None:
        for tile in self.order:
            self.grid.removeWidget(tile)
        shown = self.host.isVisible()  # on a hidden page the tiles show with it, later
        for index, tile in enumerate(self.order):
            self.grid.addWidget(tile, index // self.columns, index % self.columns)
            if shown:
                tile.show()
        rows = max(1, math.ceil(len(self.order) / self.columns))
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 1 if column < self.columns else 0)
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 1 if row < rows else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def _room(self) -> tuple[int, int]:
        frame = 2 * self.frameWidth()
        return self.width() - frame, self.height() - frame

    def _needs(self, width: int) -> tuple[int, int]:
        """The widest minimum of the tiles, and the tallest at ``width`` per tile."""
        min_width = max(tile.minimumSizeHint().width() for tile in self.order)
        height = 0
        for tile in self.order:
            hint = tile.minimumSizeHint().height()
            if tile.hasHeightForWidth():
                hint = max(hint, tile.heightForWidth(max(width, min_width)))
            height = max(height, hint)
        return min_width, height

    def _best(self, width: int, height: int) -> int | None:
        """The columns that fit every tile in ``width`` x ``height`` with the most room
        to spare on the tighter side, or None when none fits."""
        count = len(self.order)
        best: tuple[float, int] | None = None
        for columns in range(1, count + 1):
            rows = math.ceil(count / columns)
            cell_w = (width - SPACING * (columns - 1)) // columns
            cell_h = (height - SPACING * (rows - 1)) // rows
            need_w, need_h = self._needs(cell_w)
            if cell_w < need_w:
                break  # more columns only get narrower
            if cell_h < need_h:
                continue
            slack = min(cell_w / need_w, cell_h / max(1, need_h))
            if best is None or slack > best[0]:
                best = (slack, columns)
        return None if best is None else best[1]

    def fit(self) -> None:
        """Choose normal or compact tiles and the columns for the room there is."""
        if not self.order:
            return
        width, height = self._room()
        if width <= 0 or height <= 0:
            return
        chosen: tuple[bool, int] | None = None
        for compact in (False, True) if not self.force_compact else (True,):
            self._set_compact(compact)
            columns = self._best(width, height)
            if columns is not None:
                chosen = (compact, columns)
                break
        if chosen is None:  # scroll vertically: as many compact columns as fit
            self._set_compact(True)
            bar = self.verticalScrollBar().sizeHint().width()
            need_w, _h = self._needs(1)
            room = width - bar
            columns = max(1, min(len(self.order), (room + SPACING) // (need_w + SPACING)))
            chosen = (True, columns)
        self.compact = chosen[0]
        if chosen[1] != self.columns:
            self.columns = chosen[1]
            self._arrange()

    def _set_compact(self, compact: bool) -> None:
        for tile in self.order:
            tile.set_compact(compact)
