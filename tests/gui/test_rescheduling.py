"""Rescheduling across days (issue 13): the week view, the visit context menu, Mark
missed with a choice of slots, and closing a date with re-booking. Real QTest events;
each test checks the database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.gui.planner.slot_dialog import SlotDialog, SlotOptionsModel
from tdm1_scheduler.gui.planner.week_view import WeekBlock
from tdm1_scheduler.services import slots
from tdm1_scheduler.services.context import load_settings
from tdm1_scheduler.store import repository as repo
from tests.store.backends import sqlite_of

from .conftest import OFFSCREEN_NOISE
from .test_planner import (
    BUSY_DAY,
    LATER_CYCLE_MRN,
    ConfirmRecorder,
    block_of,
    cycle_of,
    dump,
    planner as planner_fixture,
)
from .test_preferences import open_preferences

# A popup menu asks the offscreen plugin for what it cannot do; harmless.
planner = planner_fixture  # the day-grid tests' fixture, shared

pytestmark = pytest.mark.qt_log_ignore(
    OFFSCREEN_NOISE, "does not support raise", "does not support grabbing"
)

NEXT_DAY = BUSY_DAY + timedelta(days=1)  # Thu 19 Nov 2026
FRIDAY = date(2026, 11, 20)  # two doses booked in the demo


def at(window: MainWindow, day: date, hh: int, mm: int) -> datetime:
    return window.settings.calendar.at(day, time(hh, mm))


def week_block(planner: Planner, mrn: str) -> WeekBlock:
    for block in planner.week.scene.blocks.values():
        if block.row.mrn == mrn:
            assert isinstance(block, WeekBlock)
            return block
    raise AssertionError(f"no week block for {mrn}")


def open_week(planner: Planner) -> None:
    window = planner.main_window
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert planner.in_week
    assert planner.mode_actions["week"].isChecked()


def click_menu_action(menu: QMenu, name: str) -> None:
    action = next(a for a in menu.actions() if a.objectName() == name)
    assert action.isEnabled(), name
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def open_slot_dialog(qtbot, planner: Planner, action_name: str) -> SlotDialog:  # type: ignore[no-untyped-def]
    menu = planner.menus.menu
    assert menu is not None and menu.isVisible()
    click_menu_action(menu, action_name)
    qtbot.waitUntil(lambda: planner.menus.dialog is not None and planner.menus.dialog.isVisible())
    dialog = planner.menus.dialog
    assert dialog is not None
    return dialog


def test_week_view_drag_across_days_then_undo(qtbot, planner: Planner) -> None:  # type: ignore[no-untyped-def]
    window = planner.main_window
    open_week(planner)
    week = planner.week.scene.week
    assert week is not None and BUSY_DAY in week.days
    assert planner.week.scene.today == BUSY_DAY
    block = week_block(planner, LATER_CYCLE_MRN)
    original = cycle_of(window, LATER_CYCLE_MRN, 12)
    later = cycle_of(window, LATER_CYCLE_MRN, 13)["start"]
    view = planner.week.view
    hints: list[str] = []
    view.sig_hint_changed.connect(hints.append)
    target = at(window, NEXT_DAY, 13, 0)
    grab = QPoint(view.viewport_point_of(block, dx=6))
    offset = grab - view.viewport_point_in(BUSY_DAY, 7, at(window, BUSY_DAY, 13, 0))
    end = view.viewport_point_in(NEXT_DAY, 8, target) + QPoint(offset.x(), 0)  # Chair 9
    viewport = view.viewport()
    assert viewport.rect().contains(grab) and viewport.rect().contains(end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab)
    for step in range(1, 7):
        QTest.mouseMove(viewport, grab + (end - grab) * step / 6)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    # The same live answer and later-cycle shift as the day grid, before the commit.
    assert any("Drop here: Chair 9 Thu 19 Nov 13:00" in h and "+1 days" in h for h in hints)
    confirm = planner.confirm
    assert isinstance(confirm, ConfirmRecorder) and "+1 days" in confirm.questions[0]
    moved = cycle_of(window, LATER_CYCLE_MRN, 12)
    assert moved["chair"] == "Chair 9"
    assert datetime.fromisoformat(moved["start"]) == target
    assert datetime.fromisoformat(cycle_of(window, LATER_CYCLE_MRN, 13)["start"]) == (
        datetime.fromisoformat(later) + timedelta(days=1)
    )
    again = planner.week.scene.block_for(block.appointment_id)
    assert again is not None and again.isSelected()

    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cycle_of(window, LATER_CYCLE_MRN, 12) == original
    assert cycle_of(window, LATER_CYCLE_MRN, 13)["start"] == later
    assert window.statusBar().currentMessage().startswith("Undone: move cycle 12")
    assert planner.info.text().startswith("Undone:")


def test_double_click_a_day_opens_it_and_ctrl_1_returns(qtbot, planner: Planner) -> None:  # type: ignore[no-untyped-def]
    window = planner.main_window
    open_week(planner)
    view = planner.week.view
    point = view.viewport_point_in(NEXT_DAY, 0, at(window, NEXT_DAY, 8, 5))
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.shown_day == NEXT_DAY
    assert not planner.in_week and planner.mode_actions["day"].isChecked()
    QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert not planner.in_week


def test_move_to_from_the_context_menu(qtbot, planner: Planner) -> None:  # type: ignore[no-untyped-def]
    window = planner.main_window
    view = planner.view
    block = block_of(planner, LATER_CYCLE_MRN)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.viewport_point_of(block))
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    dialog = open_slot_dialog(qtbot, planner, "moveToAction")
    options = slots.find_slots(window.ctx, mrn=LATER_CYCLE_MRN, cycle=12, count=5)
    assert dialog.model.rowCount() == len(options) > 1
    assert dialog.chosen() == options[0]  # the earliest, preselected
    assert dialog.ok_button.isEnabled()
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    moved = cycle_of(window, LATER_CYCLE_MRN, 12)
    assert moved["chair"] == options[0].chair
    assert datetime.fromisoformat(moved["start"]) == options[0].start
    assert window.undo_stack.count() == 1


def test_mark_missed_from_the_day_list_choosing_the_second_slot(qtbot, planner: Planner) -> None:  # type: ignore[no-untyped-def]
    window = planner.main_window
    model, table = window.model, window.table
    row = next(r for r in range(model.rowCount()) if model.row_data(r).mrn == LATER_CYCLE_MRN)
    window.pages.setCurrentWidget(table)
    table.setCurrentIndex(model.index(row, 0))
    table.setFocus()
    old_id = int(model.row_data(row).appointment.id)
    QTest.keyClick(table, Qt.Key.Key_Menu)
    old_end = datetime.fromisoformat(cycle_of(window, LATER_CYCLE_MRN, 12)["end"])
    dialog = open_slot_dialog(qtbot, planner, "markMissedFromMenuAction")
    options = [dialog.model.option(r) for r in range(dialog.model.rowCount())]
    assert len(options) > 1 and dialog.chosen() == options[0]  # the earliest, preselected
    assert options == sorted(options, key=lambda o: o.start)
    assert options[0].start >= old_end  # a miss announced ahead is re-booked after its slot
    second = dialog.table.visualRect(dialog.model.index(1, 0)).center()
    QTest.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=second)
    assert dialog.chosen() == options[1]
    assert "later cycle" in dialog.effect_label.text()  # the later cycles that move
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    rebooked = cycle_of(window, LATER_CYCLE_MRN, 12)
    assert datetime.fromisoformat(rebooked["start"]) == options[1].start
    assert rebooked["chair"] == options[1].chair
    old = repo.appointment_by_id(sqlite_of(window.ctx.store), old_id)
    assert old is not None and old["status"] == "missed"
    assert "Marked cycle 12" in window.statusBar().currentMessage()


def test_closing_a_date_with_rebooking(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    ctx = window.ctx
    dialog = open_preferences(qtbot, window)
    dialog.closed_date_edit.setDate(QDate(FRIDAY.year, FRIDAY.month, FRIDAY.day))
    QTest.keyClicks(dialog.closed_reason_edit, "staff training")
    before = dump(window)
    QTest.mouseClick(dialog.close_date_button, Qt.MouseButton.LeftButton)
    panel = dialog.rebook_panel
    assert panel.isVisible() and dump(window) == before  # shown, nothing written yet
    plan = slots.plan_close_date(ctx, day=FRIDAY)
    assert panel.list.count() == len(plan) == 2
    names = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert all(move.patient_name in text for move, text in zip(plan, names, strict=True))
    QTest.mouseClick(panel.rebook_button, Qt.MouseButton.LeftButton)
    assert FRIDAY in load_settings(ctx.store).calendar.closed_dates
    start, end = load_settings(ctx.store).calendar.day_bounds(FRIDAY)
    assert repo.appointments_between(sqlite_of(ctx.store), start, end, "('booked')") == []
    for move in plan:
        cycle = cycle_of(window, move.mrn, move.cycle)
        assert datetime.fromisoformat(cycle["start"]) == move.new_start
    assert dialog.closed_list.count() == 1
    window.undo_stack.undo()  # one step puts it all back
    assert FRIDAY not in load_settings(ctx.store).calendar.closed_dates
    for move in plan:
        assert datetime.fromisoformat(cycle_of(window, move.mrn, move.cycle)["start"]) == (
            move.old_start
        )


def test_slot_options_model_passes_modeltester(qtmodeltester, ctx) -> None:  # type: ignore[no-untyped-def]
    model = SlotOptionsModel(load_settings(ctx.store).calendar)
    model.set_options(slots.find_slots(ctx, mrn=LATER_CYCLE_MRN, cycle=12, count=5))
    assert model.rowCount() == 5
    qtmodeltester.check(model, force_py=True)


def test_tab_reaches_the_blocks(planner: Planner) -> None:
    view = planner.view
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Tab)
    selected = planner.scene.selected_block()
    assert selected is not None and selected.hasFocus()
    first: Any = selected
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert planner.scene.selected_block() is not first


def test_book_course_title_names_the_drug_and_the_patient(window: MainWindow) -> None:
    from tdm1_scheduler.gui.patients.dialogs import BookCourseDialog

    patient = repo.patient_by_mrn(sqlite_of(window.ctx.store), LATER_CYCLE_MRN)
    assert patient is not None
    dialog = BookCourseDialog(window.ctx, LATER_CYCLE_MRN, lambda _changes: None, window)
    assert dialog.windowTitle() == (
        f"Book ado-trastuzumab emtansine (KADCYLA) for {patient['name']} ({LATER_CYCLE_MRN})"
    )
    dialog.deleteLater()
