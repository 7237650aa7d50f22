"""What the start no longer builds (issue 19): the planner's week view (``week_view``,
built when first shown) and the visit menu's builder (``context_menu``, built at the first
menu). Each works as the user's very first action on a fresh window, as it did when the
start built it: the Week button, Ctrl+2, a right click on a block, the Menu key in the
Day list, a right click in the week; and Tab from the week goes where it went.
(``test_start_imports.py``: the first paint imports neither module.)"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QToolButton, QWidget

from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner.day_scene import LANE_HEIGHT
from tdm1_scheduler.gui.planner.day_view import PlannerView
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.gui.planner.week_view import week_start

from .conftest import OFFSCREEN_NOISE
from .test_planner import BUSY_DAY, LATER_CYCLE_MRN, cycle_of

pytestmark = pytest.mark.qt_log_ignore(
    OFFSCREEN_NOISE, "does not support raise", "does not support grabbing"
)


def fresh_planner(window: MainWindow) -> Planner:
    planner = window.features["planner"]
    assert isinstance(planner, Planner)
    assert planner._week is None and planner._menus is None  # nothing built yet
    return planner


def right_click(view: PlannerView, mrn: str) -> None:
    """A right click on ``mrn``'s block: the context menu event it makes (QTest's mouse
    events go straight to the widget, so Qt's window never turns them into one)."""
    block = next(b for b in view.planner_scene.blocks.values() if b.row.mrn == mrn)
    view.ensureVisible(block)
    point = view.viewport_point_of(block)
    viewport = view.viewport()
    QTest.mouseMove(viewport, point)
    QTest.mousePress(viewport, Qt.MouseButton.RightButton, pos=point)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)
    QTest.mouseRelease(viewport, Qt.MouseButton.RightButton, pos=point)


def menu_names(menu: QMenu) -> list[str]:
    return [a.objectName() for a in menu.actions() if not a.isSeparator()]


def expected_menu(planner: Planner, view: QWidget) -> list[str]:
    """The menu that VisitMenus builds for the later-cycle visit (built again, now)."""
    row = next(b.row for b in planner.scene.blocks.values() if b.row.mrn == LATER_CYCLE_MRN)
    menu = planner.menus.build(row, view)
    try:
        return menu_names(menu)
    finally:
        menu.deleteLater()


def test_the_week_button_first_shows_the_week(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    planner = fresh_planner(window)
    button = window.findChild(QToolButton, "weekModeButton")
    assert isinstance(button, QToolButton)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert planner.in_week and planner.mode_actions["week"].isChecked()
    assert planner.stack.currentWidget() is planner.week.view
    assert planner.stack.indexOf(planner.week.view) == 1  # where the start put it
    qtbot.waitUntil(planner.week.view.isVisible)
    week = planner.week.scene.week
    assert week is not None and week.days[0] == week_start(BUSY_DAY)
    assert LATER_CYCLE_MRN in {b.row.mrn for b in planner.week.scene.blocks.values()}
    QTest.mouseClick(window.findChild(QToolButton, "dayModeButton"), Qt.MouseButton.LeftButton)
    assert not planner.in_week and planner.stack.currentWidget() is planner.view


def test_ctrl_2_first_shows_the_week(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    planner = fresh_planner(window)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert planner.in_week and planner.mode_actions["week"].isChecked()
    assert LATER_CYCLE_MRN in {b.row.mrn for b in planner.week.scene.blocks.values()}


def test_a_right_click_on_a_block_first_opens_its_menu(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    planner = fresh_planner(window)
    view = planner.view
    right_click(view, LATER_CYCLE_MRN)
    menu = planner.menus.menu
    assert isinstance(menu, QMenu) and menu.isVisible()
    assert menu.objectName() == "visitMenu"
    selected = planner.scene.selected_block()
    assert selected is not None and selected.row.mrn == LATER_CYCLE_MRN
    assert menu_names(menu) == expected_menu(planner, view)
    menu.close()


def test_the_menu_key_in_the_day_list_first_opens_the_menu(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    planner = fresh_planner(window)
    model, table = window.model, window.table
    row = next(r for r in range(model.rowCount()) if model.row_data(r).mrn == LATER_CYCLE_MRN)
    window.pages.setCurrentWidget(table)
    table.setCurrentIndex(model.index(row, 0))
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Menu)
    menu = planner.menus.menu
    assert isinstance(menu, QMenu) and menu.isVisible()
    assert menu_names(menu) == expected_menu(planner, table)
    menu.close()


def test_a_right_click_in_the_week_first_opens_the_menu(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    planner = fresh_planner(window)
    QTest.mouseClick(window.findChild(QToolButton, "weekModeButton"), Qt.MouseButton.LeftButton)
    view = planner.week.view
    qtbot.waitUntil(view.isVisible)
    assert planner._menus is None  # the week alone builds no menu
    right_click(view, LATER_CYCLE_MRN)
    menu = planner.menus.menu
    assert isinstance(menu, QMenu) and menu.isVisible()
    assert menu_names(menu) == expected_menu(planner, view)
    menu.close()


def test_the_week_sits_after_the_day_grid_in_the_tab_chain(window: MainWindow) -> None:
    """Built later, the week view is still reached by Tab right after the day grid (and
    its own children), where the start put it when it built it then."""
    planner = fresh_planner(window)
    week = planner.week.view
    after = planner.view.nextInFocusChain()
    while planner.view.isAncestorOf(after) or not after.focusPolicy() & Qt.FocusPolicy.TabFocus:
        after = after.nextInFocusChain()
    assert after is week
    assert isinstance(QApplication.instance(), QApplication)


def test_a_key_move_first_is_made_and_undone(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """The undo steps' module (``commands``) and the past-time check (``past_booking``)
    are imported at the first move, not at start: a key move as the first action is
    made, and Ctrl+Z undoes it."""
    planner = fresh_planner(window)
    view = planner.view
    block = next(b for b in planner.scene.blocks.values() if b.row.mrn == LATER_CYCLE_MRN)
    view.ensureVisible(block)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.viewport_point_of(block))
    before = cycle_of(window, LATER_CYCLE_MRN, 12)
    QTest.keyClick(view, Qt.Key.Key_Down)  # Chair 8 -> Chair 9
    assert cycle_of(window, LATER_CYCLE_MRN, 12)["chair"] == "Chair 9"
    assert window.undo_stack.count() == 1
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cycle_of(window, LATER_CYCLE_MRN, 12) == before


def test_a_mouse_drag_first_is_made_and_undone(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """A drag as a person makes it, as the first action: pressed, nudged a few pixels
    (the drop hint over the block's own place, whose answer the view makes itself), then
    dropped one chair down. The service's answer type (``preview``) is imported at the
    first drag, not at start; the nudge once raised NameError."""
    planner = fresh_planner(window)
    view = planner.view
    block = next(b for b in planner.scene.blocks.values() if b.row.mrn == LATER_CYCLE_MRN)
    view.ensureVisible(block)
    viewport = view.viewport()
    press = view.viewport_point_of(block)
    before = cycle_of(window, LATER_CYCLE_MRN, 12)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    QTest.mouseMove(viewport, press + QPoint(0, 12))  # still its own place
    assert planner.scene.hint.isVisible() and planner.scene.hint.allowed
    target = press + QPoint(0, int(LANE_HEIGHT))  # Chair 8 -> Chair 9
    QTest.mouseMove(viewport, target)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)
    assert cycle_of(window, LATER_CYCLE_MRN, 12)["chair"] == "Chair 9"
    assert window.undo_stack.count() == 1
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cycle_of(window, LATER_CYCLE_MRN, 12) == before
