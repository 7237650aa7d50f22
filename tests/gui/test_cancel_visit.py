"""Cancel visit... from the visit context menu, with a reason (issue 13): a dose's visit
is re-booked like a missed one in the slot chosen, the reason in the audit; blocked time
is freed. Each is one undo step. Real QTest events; each test checks the database."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.services import slots, visits
from tdm1_scheduler.store import repository as repo
from tests.store.backends import sqlite_of

from .conftest import OFFSCREEN_NOISE
from .test_planner import LATER_CYCLE_MRN, cycle_of, planner as planner_fixture
from .test_rescheduling import open_slot_dialog

planner = planner_fixture

pytestmark = pytest.mark.qt_log_ignore(
    OFFSCREEN_NOISE, "does not support raise", "does not support grabbing"
)


def _cancel_audit(planner: Planner) -> dict[str, object]:
    rows = repo.audit_rows(sqlite_of(planner.ctx.store))
    row = next(r for r in rows if r["action"] == visits.CANCEL_ACTION)
    return {"entity_id": row["entity_id"], **json.loads(row["new_values"])}


def test_cancel_a_dose_visit_from_the_day_list_rebooks_it_and_undoes(
    qtbot, planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    window = planner.main_window
    model, table = window.model, window.table
    row = next(r for r in range(model.rowCount()) if model.row_data(r).mrn == LATER_CYCLE_MRN)
    window.pages.setCurrentWidget(table)
    table.setCurrentIndex(model.index(row, 0))
    table.setFocus()
    old_id = int(model.row_data(row).appointment.id)
    before = cycle_of(window, LATER_CYCLE_MRN, 12)
    monkeypatch.setattr(planner.menus, "ask_reason", lambda _row: "  transport fell through ")
    QTest.keyClick(table, Qt.Key.Key_Menu)
    dialog = open_slot_dialog(qtbot, planner, "cancelVisitAction")
    assert "transport fell through" in dialog.intro_label.text()
    options = [dialog.model.option(r) for r in range(dialog.model.rowCount())]
    assert len(options) > 1 and dialog.chosen() == options[0]
    expected = slots.find_slots(window.ctx, mrn=LATER_CYCLE_MRN, cycle=12, missed=True)
    assert options == expected
    second = dialog.table.visualRect(dialog.model.index(1, 0)).center()
    QTest.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=second)
    assert dialog.chosen() == options[1] and dialog.ok_button.isEnabled()
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    rebooked = cycle_of(window, LATER_CYCLE_MRN, 12)
    assert datetime.fromisoformat(rebooked["start"]) == options[1].start
    assert rebooked["chair"] == options[1].chair
    old = repo.appointment_by_id(sqlite_of(window.ctx.store), old_id)
    assert old is not None and old["status"] == "missed"
    audit = _cancel_audit(planner)
    assert audit["entity_id"] == old_id and audit["reason"] == "transport fell through"
    assert "Cancelled cycle 12" in window.statusBar().currentMessage()
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert cycle_of(window, LATER_CYCLE_MRN, 12) == before
    old = repo.appointment_by_id(sqlite_of(window.ctx.store), old_id)
    assert old is not None and old["status"] == "booked"


def test_cancel_visit_without_a_reason_changes_nothing(
    planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = planner.main_window
    row = next(r for r in range(window.model.rowCount())
               if window.model.row_data(r).mrn == LATER_CYCLE_MRN)  # fmt: skip
    data = window.model.row_data(row)
    before = cycle_of(window, LATER_CYCLE_MRN, 12)
    assert planner.menus.cancel_visit(data, reason="   ") is False
    assert window.statusBar().currentMessage() == "Not cancelled: say why the visit is cancelled"
    assert planner.menus.dialog is None
    assert cycle_of(window, LATER_CYCLE_MRN, 12) == before
