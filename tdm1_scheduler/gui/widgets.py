"""Small building blocks every view shares: a read-only table, an info label, the
base of the read-only row models (one row per dict, fixed columns), and the swap of a
page built on first show into its placeholder's tab."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMenu,
    QTableView,
    QTabWidget,
    QWidget,
)

from .viewports import own_viewport

AnyIndex = QModelIndex | QPersistentModelIndex
ERROR_STYLE = "color: #b00020;"


def read_only_table(parent: QWidget, name: str, accessible: str) -> QTableView:
    """A table of whole-row selection that nobody edits in place."""
    view = QTableView(parent)
    own_viewport(view)  # reaching it builds no classes (issue 19)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view


def swap_in_tab(
    pages: QTabWidget,
    placeholder: QWidget,
    page: QWidget,
    *,
    index: int,
    was_current: bool,
    name: str,
    accessible: str,
    title: str,
) -> None:
    """Put ``page`` in ``placeholder``'s tab at ``index`` (current again if it was), with
    the tab widget's signals held, so the swap is not announced as a change of tab."""
    blocked = pages.blockSignals(True)
    try:
        page.setObjectName(name)
        page.setAccessibleName(accessible)
        pages.insertTab(index, page, title)
        pages.removeTab(index + 1)
        if was_current:
            pages.setCurrentIndex(index)
    finally:
        pages.blockSignals(blocked)
    placeholder.deleteLater()


def info_label(parent: QWidget, name: str, accessible: str, *, error: bool = False) -> QLabel:
    """A wrapping, selectable label; ``error`` shows it in the refusal colour."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if error:
        label.setStyleSheet(ERROR_STYLE)
    return label


class RowTableModel(QAbstractTableModel):
    """Read-only rows under fixed columns: subclasses keep ``_rows`` and give ``data``.

    ``headers`` holds each column's title and tooltip, in column order.
    """

    def __init__(self, headers: Sequence[tuple[str, str]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[Any] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            title, tip = self._headers[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return title
            if role == Qt.ItemDataRole.ToolTipRole:
                return tip
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def cell(self, index: AnyIndex) -> tuple[Any, int] | None:
        """The row and column an index points at, or None when it points at nothing."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self._headers):
            return None
        return self._rows[index.row()], index.column()


def fit_columns(
    view: QTableView, *, order: Sequence[int], stretch: int, hidden: Sequence[int] = ()
) -> None:
    """Columns in ``order`` first, sized to their contents; ``stretch`` last of those
    shown, taking the width left (its text wraps rather than being cut off); ``hidden``
    out of the way, shown again from the header's context menu."""
    header = view.horizontalHeader()
    # Placed while no section fits its contents: each move of a fitting section measures
    # every header again (issue 19: 310 headerData calls for the dock's course table).
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for visual, logical in enumerate([*order, stretch]):
        header.moveSection(header.visualIndex(logical), visual)
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # every section
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    for logical in hidden:
        view.setColumnHidden(logical, True)
    view.setWordWrap(True)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header.customContextMenuRequested.connect(lambda pos: _column_menu(view, pos))


def _column_menu(view: QTableView, pos: Any) -> None:
    """Tick the columns to show (the header's context menu)."""
    header = view.horizontalHeader()
    model = view.model()
    menu = QMenu(header)
    for visual in range(header.count()):
        logical = header.logicalIndex(visual)
        action = menu.addAction(str(model.headerData(logical, Qt.Orientation.Horizontal)))
        action.setCheckable(True)
        action.setChecked(not view.isColumnHidden(logical))
        action.toggled.connect(lambda shown, c=logical: view.setColumnHidden(c, not shown))
    menu.popup(header.mapToGlobal(pos))
