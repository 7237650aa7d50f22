"""What a page may use of the main window, typed, without importing it (the main window
builds the pages, so a page importing it would be a circle).

A page is built by ``attach(session, window)`` (``gui/pages.py`` lists them): it reads
and changes data through the ``Session``, and takes from the ``Shell`` only the frame:
its tab (``add_page``), its menu actions (``menu``), the status bar, a dock, the day
navigation toolbar, and the Day list (``table``, whose rows are ``model.row_data``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolBar,
    QWidget,
)

from ..domain.records import AppointmentView
from .session import Session


class DayRows(Protocol):
    """The Day list's model as the pages read it: the appointment of a row."""

    def row_data(self, row: int) -> AppointmentView: ...


class Shell(QMainWindow):
    """The main window's frame for pages. ``MainWindow`` builds what is declared here."""

    session: Session
    pages: QTabWidget
    menus: dict[str, QMenu]
    toolbar: QToolBar
    table: QTableView
    model: DayRows
    features: Mapping[str, object]
    """The pages built, by key (``gui/pages.py``)."""

    def page_parent(self) -> QWidget:
        """The widget a page is built in: the tabs' own stack, where ``add_page`` puts it.
        A page built there is not moved when its tab is added; moving a built page
        styles it and every widget in it again under the application's stylesheet
        (issue 19: 14 M instructions at start for the planner and the Day list)."""
        stack = self.pages.findChild(QStackedWidget, "qt_tabwidget_stackedwidget")
        assert stack is not None
        return stack

    def add_page(self, widget: QWidget, title: str, name: str, index: int = -1) -> int:
        """Add a view as a tab of the main window (pages call this, never the layout), at
        ``index`` (-1: last)."""
        widget.setObjectName(name)
        if not widget.accessibleName():
            widget.setAccessibleName(title)
        return self.pages.insertTab(index, widget, title)

    def menu(self, name: str) -> QMenu:
        """One of the menus: "file", "edit", "view", "tools" or "help"."""
        return self.menus[name]
