"""On a 1920x1080 screen the patients dock's course table shows Cycle, Status, Date,
Time and Chair without sideways scrolling and Ready takes the width left, its text
wrapped, never cut off; the pharmacy queue shows the dose's numbers without sideways
scrolling and Next step takes the rest, one line high (elided, whole in its tooltip).
Withdraw always has one decimal."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableView

from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.patients.panel import DOCK_WIDTH
from tdm1_scheduler.gui.pharmacy.queue_model import Column, withdraw_text

from .conftest import OFFSCREEN_NOISE
from .test_patients_panel import click_row, feature_of
from .test_pharmacy_view import pharmacy_page
from .test_planner import LATER_CYCLE_MRN

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _column(view: QTableView, title: str) -> int:
    model = view.model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return titles.index(title)


def _full_hd(qtbot: Any, window: MainWindow) -> None:
    """The window on a 1920x1080 screen, the patients dock at the width it opens with."""
    window.resize(1920, 1080)
    qtbot.wait(20)
    dock = feature_of(window).dock
    window.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
    qtbot.wait(20)


def _shown_whole(view: QTableView, titles: list[str]) -> None:
    """Each column lies inside the viewport, with no sideways scrolling."""
    assert view.horizontalScrollBar().maximum() == 0
    header = view.horizontalHeader()
    width = view.viewport().width()
    for title in titles:
        column = _column(view, title)
        assert not view.isColumnHidden(column), title
        left = header.sectionViewportPosition(column)
        assert left >= 0 and left + header.sectionSize(column) <= width, title
        if header.sectionResizeMode(column) != QHeaderView.ResizeMode.Stretch:  # wraps
            assert header.sectionSize(column) >= view.sizeHintForColumn(column) - 1, title


def test_the_course_table_fits_the_dock_and_ready_takes_the_rest(
    qtbot: Any, window: MainWindow
) -> None:
    _full_hd(qtbot, window)
    panel = feature_of(window).panel
    click_row(panel, LATER_CYCLE_MRN)
    qtbot.waitUntil(lambda: panel.cycles_model.rowCount() > 0)
    qtbot.wait(20)
    view = panel.course_view
    _shown_whole(view, ["Cycle", "Status", "Date", "Time", "Chair", "Ready"])
    header = view.horizontalHeader()
    ready = _column(view, "Ready")
    assert header.visualIndex(ready) == max(
        header.visualIndex(c) for c in range(header.count()) if not view.isColumnHidden(c)
    )  # the last shown: it takes the width left
    _one_line_whole_in_tooltip(view, "Ready")  # one line a cycle; the reason whole in the tip
    status = _column(view, "Status")
    tip = view.model().index(0, status).data(Qt.ItemDataRole.ToolTipRole)
    assert "infusion" in str(tip)  # the minutes hidden from the dock are in the tooltip


def test_the_pharmacy_queue_shows_the_dose_and_next_step_takes_the_rest(
    qtbot: Any, window: MainWindow
) -> None:
    page = pharmacy_page(window)
    _full_hd(qtbot, window)
    view = page.table
    assert page.model.rowCount() > 0
    _shown_whole(view, ["Dose mg", "Vials", "Water", "Withdraw mL", "Status", "Next step"])
    header = view.horizontalHeader()
    assert header.visualIndex(Column.NEXT) == header.count() - 1
    _one_line_whole_in_tooltip(view, "Next step")


def _one_line_whole_in_tooltip(view: QTableView, title: str) -> None:
    """The pharmacy's and the course table's rows are one line: a text wider than its
    column is elided at the right, never clipped top and bottom, and its cell's tooltip
    holds it whole."""
    column = _column(view, title)
    model = view.model()
    assert model.rowCount() > 0
    width = view.horizontalHeader().sectionSize(column) - 8
    metrics = view.fontMetrics()
    assert not view.wordWrap() and view.textElideMode() is Qt.TextElideMode.ElideRight
    for row in range(model.rowCount()):
        index = model.index(row, column)
        text = str(index.data() or "")
        assert metrics.height() <= view.rowHeight(row), (title, row, text)
        if metrics.horizontalAdvance(text) > width:
            tip = str(index.data(Qt.ItemDataRole.ToolTipRole) or "")
            whole = tip.splitlines()[0] if tip else ""
            # the cell may cut a reason short ("..."); the tooltip has what it cut
            assert whole.startswith(text.split("...")[0]), (title, row, text)
            assert len(whole) >= len(text), (title, row, text)


def test_withdraw_always_has_one_decimal(window: MainWindow) -> None:
    model = pharmacy_page(window).model
    shown = [str(model.index(r, Column.WITHDRAW).data()) for r in range(model.rowCount())]
    assert shown and all(len(text.rpartition(".")[2]) == 1 and "." in text for text in shown)
    assert withdraw_text(18) == "18.0"
    assert withdraw_text(9) == "9.0"
