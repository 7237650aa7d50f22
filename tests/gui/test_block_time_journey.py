"""Tools > Block chair time, as a scheduler does it: the dialog (its own module since
issue 19) filled from the keyboard, Enter, the database after each step, then Ctrl+Z."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from tdm1_scheduler.gui.main_window import MainWindow
from tests.store.backends import sqlite_of

from .conftest import OFFSCREEN_NOISE
from .test_planner import shown_planner

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

BLOCKED = (
    "SELECT c.name, a.start_utc, a.end_utc, a.status, a.label, a.infusion_min"
    " FROM appointments a JOIN chairs c ON c.id = a.chair_id WHERE a.kind = 'blocked'"
)


def blocked_rows(window: MainWindow) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in sqlite_of(window.ctx.store).conn.execute(BLOCKED)]


def audit_count(window: MainWindow) -> int:
    conn = sqlite_of(window.ctx.store).conn
    return int(conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])


def test_a_chair_blocked_from_the_dialog_by_keyboard_then_undone(
    window: MainWindow, qtbot: Any
) -> None:
    planner = shown_planner(window)
    window.show()
    qtbot.waitExposed(window)
    assert blocked_rows(window) == []
    audits = audit_count(window)

    action = window.findChild(QAction, "blockChairTimeAction")
    assert isinstance(action, QAction)
    action.trigger()  # Tools > Block chair time...
    dialog = planner.findChild(QDialog, "blockTimeDialog")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert blocked_rows(window) == []  # opening it writes nothing

    dialog.chair.setFocus()
    QTest.keyClick(dialog.chair, Qt.Key.Key_Home)
    for _ in range(9):  # Chair 1 -> Chair 10, one arrow at a time
        QTest.keyClick(dialog.chair, Qt.Key.Key_Down)
    assert dialog.chair.currentText() == "Chair 10"
    dialog.start.setFocus()
    dialog.start.setSelectedSection(dialog.start.sectionAt(0))
    QTest.keyClicks(dialog.start, "1430")
    assert dialog.start.time() == QTime(14, 30)
    dialog.minutes.setFocus()
    QTest.keyClick(dialog.minutes, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(dialog.minutes, "45")
    assert dialog.minutes.value() == 45
    dialog.label.setFocus()
    QTest.keyClick(dialog.label, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(dialog.label, "pump check")
    QTest.keyClick(dialog.label, Qt.Key.Key_Return)  # the default button: OK

    # 14:30 in New York on Wed 18 Nov 2026 (EST) is 19:30 UTC.
    booked = ("Chair 10", "2026-11-18T19:30:00Z", "2026-11-18T20:15:00Z", "booked")
    assert blocked_rows(window) == [(*booked, "pump check", 45)]
    assert audit_count(window) == audits + 1
    block = next(b for b in planner.scene.blocks.values() if b.row.appointment.kind == "blocked")
    assert "pump check" in block.toolTip() and "45 min" in block.toolTip()

    window.activateWindow()
    window.setFocus()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Edit > Undo
    rows = blocked_rows(window)
    assert [row[3] for row in rows] == ["cancelled"]
    assert rows[0][:3] == booked[:3]  # the same row, freed, not another one
    assert audit_count(window) == audits + 2
    assert not [b for b in planner.scene.blocks.values() if b.row.appointment.kind == "blocked"]
