"""The planner grid on the demo clinic, driven by real mouse and keyboard events."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner.day_scene import LANE_HEIGHT, BlockItem
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.services.queries import course_view, day_bookings
from tdm1_scheduler.store import repository as repo
from tests.store.backends import sqlite_of

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

BUSY_DAY = date(2026, 11, 18)
# Bookings on the demo's busy day (Wed 18 Nov 2026), as the demo builds it:
FIRST_INFUSION_MRN = "MRN100207"  # EBC cycle 1, Chair 1 12:45-16:00, booked
LATER_CYCLE_MRN = "MRN100347"  # MBC cycle 12, Chair 8 13:00-14:15, booked
SHIFTING_MRN = "MRN100263"  # EBC cycle 7, Chair 4 11:45-13:00, booked


class ConfirmRecorder:
    """Stands in for the confirmation box: records the question, answers as told."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.questions: list[str] = []

    def __call__(self, title: str, text: str) -> bool:
        self.questions.append(text)
        return self.answer


def shown_planner(window: MainWindow, *, count_strip: bool = False) -> Planner:
    """The planner page shown at 1400x1000, its confirmation box a ``ConfirmRecorder``,
    its day read afresh; with ``count_strip``, its load strip counted now (so that a
    commit then updates the strip's days)."""
    window.resize(1400, 1000)
    found = window.features["planner"]
    assert isinstance(found, Planner)
    found.confirm = ConfirmRecorder()
    window.pages.setCurrentWidget(found)
    found.reload(force=True)
    if count_strip:
        found.strip  # noqa: B018
    return found


@pytest.fixture
def planner(window: MainWindow) -> Planner:
    return shown_planner(window)


def dump(window: MainWindow) -> str:
    return "\n".join(sqlite_of(window.ctx.store).conn.iterdump())


def cycle_of(window: MainWindow, mrn: str, number: int) -> dict[str, Any]:
    cycles = course_json(course_view(window.ctx.store, mrn))["cycles"]
    return next(c for c in cycles if c["cycle"] == number)


def block_of(planner: Planner, mrn: str) -> BlockItem:
    for block in planner.scene.blocks.values():
        if block.row.mrn == mrn:
            return block
    raise AssertionError(f"no block for {mrn}")


def local(planner: Planner, day: date, hh: int, mm: int) -> datetime:
    from datetime import time

    return planner.main_window.settings.calendar.at(day, time(hh, mm))


def drag(planner: Planner, block: BlockItem, lane: int, start: datetime) -> None:
    """Press on the block, move in steps, release where its left edge lands at ``start``
    in the lane ``lane`` (0 = the first chair)."""
    view = planner.view
    geometry = planner.scene.geometry
    assert geometry is not None
    grab_dx = 12.0
    press = view.viewport_point_of(block, dx=grab_dx)
    scene_end = QPointF(geometry.x_of(start) + grab_dx, geometry.lane_top(lane) + LANE_HEIGHT / 2)
    end = view.mapFromScene(scene_end)
    assert view.viewport().rect().contains(press), press
    assert view.viewport().rect().contains(end), end
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    steps = 6
    for step in range(1, steps + 1):
        point = QPoint(
            press.x() + (end.x() - press.x()) * step // steps,
            press.y() + (end.y() - press.y()) * step // steps,
        )
        QTest.mouseMove(viewport, point)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_planner_is_the_first_page_and_shows_the_day(window: MainWindow) -> None:
    planner = window.features["planner"]
    assert window.pages.indexOf(planner) == 0
    assert window.pages.currentWidget() is planner
    rows = day_bookings(window.ctx.store, window.settings, BUSY_DAY)
    assert set(planner.scene.blocks) == {row.appointment.id for row in rows}
    assert planner.view.accessibleName()
    assert planner.strip.accessibleName()
    first = block_of(planner, FIRST_INFUSION_MRN)
    assert "first infusion" in first.toolTip()
    assert "MRN100207" in first.toolTip() and "1/14" in first.toolTip()
    assert "prep 15 min, infusion 90 min, observation 90 min" in first.toolTip()
    mbc = block_of(planner, LATER_CYCLE_MRN)
    assert "cycle 12;" in mbc.toolTip()  # MBC: no "of 14"


def test_grid_follows_the_day_shown(planner: Planner) -> None:
    window = planner.main_window
    window.show_next_day()
    rows = day_bookings(window.ctx.store, window.settings, BUSY_DAY + timedelta(days=1))
    assert rows
    assert set(planner.scene.blocks) == {row.appointment.id for row in rows}
    assert planner.scene.geometry is not None
    assert planner.scene.geometry.day == BUSY_DAY + timedelta(days=1)


def test_mouse_drag_moves_to_another_chair_and_time(planner: Planner) -> None:
    window = planner.main_window
    block = block_of(planner, FIRST_INFUSION_MRN)
    appointment_id = block.appointment_id
    target = local(planner, BUSY_DAY, 10, 30)
    drag(planner, block, lane=8, start=target)  # Chair 9: free from 10:15 on
    cycle = cycle_of(window, FIRST_INFUSION_MRN, 1)
    assert cycle["chair"] == "Chair 9"
    assert datetime.fromisoformat(cycle["start"]) == target
    moved = planner.scene.block_for(appointment_id)
    assert moved is not None and moved.row.chair_name == "Chair 9"
    geometry = planner.scene.geometry
    assert geometry is not None
    assert moved.pos() == geometry.top_left_for(moved.row.appointment.chair_id, target)
    assert window.undo_stack.count() == 1
    assert window.undo_stack.undoText() == f"move cycle 1 of {FIRST_INFUSION_MRN}"
    assert "Moved cycle 1" in window.statusBar().currentMessage()


def test_drag_onto_a_taken_slot_is_refused_and_changes_nothing(planner: Planner) -> None:
    window = planner.main_window
    block = block_of(planner, FIRST_INFUSION_MRN)
    home = QPointF(block.pos())
    before = dump(window)
    view = planner.view
    hints: list[str] = []
    view.sig_hint_changed.connect(hints.append)
    drag(planner, block, lane=2, start=local(planner, BUSY_DAY, 10, 30))  # Chair 3 is busy
    assert dump(window) == before
    assert window.undo_stack.count() == 0
    assert any("chair taken 10:15-13:00" in hint for hint in hints)
    assert "chair taken 10:15-13:00" in window.statusBar().currentMessage()
    again = planner.scene.block_for(block.appointment_id)
    assert again is not None and again.pos() == home
    assert not planner.scene.hint.isVisible()


def test_hint_shows_while_dragging_and_asks_once_per_target(planner: Planner) -> None:
    block = block_of(planner, FIRST_INFUSION_MRN)
    asked: list[Any] = []
    real = planner.view.preview_move
    assert real is not None

    def counting(target: Any) -> Any:
        asked.append(target.key)
        return real(target)

    planner.view.preview_move = counting
    view = planner.view
    viewport = view.viewport()
    press = view.viewport_point_of(block)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    QTest.mouseMove(viewport, press + QPoint(40, 0))
    assert view.dragging
    assert planner.scene.hint.isVisible()
    assert len(asked) == 1
    QTest.mouseMove(viewport, press + QPoint(40, 2))  # same snapped target: no new preview
    assert len(asked) == 1
    QTest.mouseMove(viewport, press + QPoint(40, int(LANE_HEIGHT)))  # the next chair
    assert len(asked) == 2 and asked[1][0] != asked[0][0]
    QTest.keyClick(viewport, Qt.Key.Key_Escape)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    assert not view.dragging
    assert planner.main_window.undo_stack.count() == 0


def test_undo_and_redo_restore_grid_and_database(planner: Planner, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = planner.main_window
    block = block_of(planner, FIRST_INFUSION_MRN)
    appointment_id = block.appointment_id
    original = cycle_of(window, FIRST_INFUSION_MRN, 1)
    audits = repo.count(sqlite_of(window.ctx.store), "audit_log")
    drag(planner, block, lane=8, start=local(planner, BUSY_DAY, 10, 30))
    moved = cycle_of(window, FIRST_INFUSION_MRN, 1)
    assert moved != original
    assert window.undo_action.text().replace("&", "") == (
        f"Undo move cycle 1 of {FIRST_INFUSION_MRN}"
    )

    window.undo_stack.undo()
    assert cycle_of(window, FIRST_INFUSION_MRN, 1) == original
    item = planner.scene.block_for(appointment_id)
    assert item is not None and item.row.chair_name == "Chair 1"
    window.undo_stack.redo()
    assert cycle_of(window, FIRST_INFUSION_MRN, 1) == moved
    item = planner.scene.block_for(appointment_id)
    assert item is not None and item.row.chair_name == "Chair 9"
    # Every step went through the services: one audit row each (move, undo, redo).
    assert repo.count(sqlite_of(window.ctx.store), "audit_log") == audits + 3

    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cycle_of(window, FIRST_INFUSION_MRN, 1) == original
    QTest.keyClick(
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert cycle_of(window, FIRST_INFUSION_MRN, 1) == moved
    item = planner.scene.block_for(appointment_id)
    assert item is not None and item.row.chair_name == "Chair 9"


def test_keyboard_moves_the_selected_block(planner: Planner) -> None:
    window = planner.main_window
    view = planner.view
    block = block_of(planner, LATER_CYCLE_MRN)
    QTest.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        view.viewport_point_of(block),
    )
    assert planner.scene.selected_block() is block
    QTest.keyClick(view, Qt.Key.Key_Down)  # Chair 8 -> Chair 9
    assert cycle_of(window, LATER_CYCLE_MRN, 12)["chair"] == "Chair 9"
    QTest.keyClick(view, Qt.Key.Key_Right)  # 13:00 -> 13:15
    cycle = cycle_of(window, LATER_CYCLE_MRN, 12)
    assert datetime.fromisoformat(cycle["start"]) == local(planner, BUSY_DAY, 13, 15)
    QTest.keyClick(view, Qt.Key.Key_Left)
    QTest.keyClick(view, Qt.Key.Key_Up)
    cycle = cycle_of(window, LATER_CYCLE_MRN, 12)
    assert cycle["chair"] == "Chair 8"
    assert datetime.fromisoformat(cycle["start"]) == local(planner, BUSY_DAY, 13, 0)
    assert window.undo_stack.count() == 4
    before = dump(window)
    QTest.keyClick(view, Qt.Key.Key_Up)  # Chair 7 is taken from 13:45
    assert dump(window) == before
    assert "chair taken 13:45-15:00" in window.statusBar().currentMessage()
    window.undo_stack.undo()  # undo the last successful step (Up)
    assert cycle_of(window, LATER_CYCLE_MRN, 12)["chair"] == "Chair 9"


def test_ctrl_arrows_in_the_day_list_move_the_booking(planner: Planner) -> None:
    window = planner.main_window
    model = window.model
    row = next(r for r in range(model.rowCount()) if model.row_data(r).mrn == LATER_CYCLE_MRN)
    window.pages.setCurrentWidget(window.table)
    window.table.setCurrentIndex(model.index(row, 0))
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    cycle = cycle_of(window, LATER_CYCLE_MRN, 12)
    assert datetime.fromisoformat(cycle["start"]) == local(planner, BUSY_DAY, 13, 15)
    # The same booking stays current, so a second key press moves it again.
    assert model.row_data(window.table.currentIndex().row()).mrn == LATER_CYCLE_MRN
    QTest.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert cycle_of(window, LATER_CYCLE_MRN, 12)["chair"] == "Chair 9"
    assert window.undo_stack.count() == 2
    window.undo_stack.undo()
    window.undo_stack.undo()
    cycle = cycle_of(window, LATER_CYCLE_MRN, 12)
    assert cycle["chair"] == "Chair 8"
    assert datetime.fromisoformat(cycle["start"]) == local(planner, BUSY_DAY, 13, 0)


def test_moving_later_cycles_asks_first(planner: Planner) -> None:
    window = planner.main_window
    block = block_of(planner, SHIFTING_MRN)
    next_day = BUSY_DAY + timedelta(days=1)
    chair = next(c for c in planner.chairs if c.name == "Chair 12")
    refuse = ConfirmRecorder(answer=False)
    planner.confirm = refuse
    before = dump(window)
    assert not planner.request_move(block.row, chair, local(planner, next_day, 11, 0))
    assert dump(window) == before
    assert refuse.questions and "later cycle(s) move by +1 days" in refuse.questions[0]

    accept = ConfirmRecorder(answer=True)
    planner.confirm = accept
    later_before = cycle_of(window, SHIFTING_MRN, 8)["start"]
    assert planner.request_move(block.row, chair, local(planner, next_day, 11, 0))
    assert len(accept.questions) == 1
    later_after = cycle_of(window, SHIFTING_MRN, 8)["start"]
    shift = datetime.fromisoformat(later_after) - datetime.fromisoformat(later_before)
    assert shift.days == 1
    assert planner.scene.block_for(block.appointment_id) is None  # no longer on this day
    window.undo_stack.undo()
    assert cycle_of(window, SHIFTING_MRN, 8)["start"] == later_before


def test_same_day_move_without_later_shift_does_not_ask(planner: Planner) -> None:
    block = block_of(planner, FIRST_INFUSION_MRN)
    recorder = planner.confirm
    assert isinstance(recorder, ConfirmRecorder)
    chair = next(c for c in planner.chairs if c.name == "Chair 10")
    assert planner.request_move(block.row, chair, local(planner, BUSY_DAY, 11, 0))
    assert recorder.questions == []


def test_blocked_time_is_booked_dragged_and_undone(planner: Planner) -> None:
    window = planner.main_window
    assert planner.book_blocked("Chair 10", local(planner, BUSY_DAY, 9, 0), 45, "maintenance")
    blocked = [b for b in planner.scene.blocks.values() if b.row.appointment.kind == "blocked"]
    assert len(blocked) == 1
    block = blocked[0]
    assert "maintenance" in block.toolTip() and "45 min" in block.toolTip()
    target = local(planner, BUSY_DAY, 11, 0)
    drag(planner, block, lane=10, start=target)  # Chair 11
    row = repo.appointment_by_id(sqlite_of(window.ctx.store), block.appointment_id)
    assert row is not None
    assert row["chair_id"] == planner.chairs[10].id
    moved = planner.scene.block_for(block.appointment_id)
    assert moved is not None and moved.row.appointment.infusion_min == 45  # its own duration
    window.undo_stack.undo()
    row = repo.appointment_by_id(sqlite_of(window.ctx.store), block.appointment_id)
    assert row is not None and row["chair_id"] == planner.chairs[9].id
    window.undo_stack.undo()  # the booking itself
    row = repo.appointment_by_id(sqlite_of(window.ctx.store), block.appointment_id)
    assert row is not None and row["status"] == "cancelled"
    assert not [b for b in planner.scene.blocks.values() if b.row.appointment.kind == "blocked"]


def test_given_blocks_do_not_move(planner: Planner) -> None:
    window = planner.main_window
    given = next(b for b in planner.scene.blocks.values() if b.row.appointment.status == "given")
    before = dump(window)
    drag(planner, given, lane=9, start=local(planner, BUSY_DAY, 11, 0))
    assert dump(window) == before
    assert window.undo_stack.count() == 0


def test_a_reload_during_a_drag_waits_for_the_drop(planner: Planner) -> None:
    """Another connection's commit while dragging: the block stays under the pointer."""
    block = block_of(planner, FIRST_INFUSION_MRN)
    view = planner.view
    viewport = view.viewport()
    press = view.viewport_point_of(block)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    QTest.mouseMove(viewport, press + QPoint(30, 0))
    assert view.dragging
    planner.main_window.reload()  # what the data-version poll does
    assert planner.scene.block_for(block.appointment_id) is block
    QTest.mouseMove(viewport, press + QPoint(60, 0))
    QTest.keyClick(viewport, Qt.Key.Key_Escape)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    assert not view.dragging
    assert planner.scene.block_for(block.appointment_id) is not block  # rebuilt after


def scene_picture(planner: Planner) -> dict[int, tuple[float, float, float, str]]:
    return {
        block_id: (block.pos().x(), block.pos().y(), block.boundingRect().width(), block.toolTip())
        for block_id, block in planner.scene.blocks.items()
    }


def test_a_change_redraws_only_what_it_names_and_matches_a_full_rebuild(
    planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A move made in the window re-reads only the appointments it names (no day query),
    and the grid it leaves is exactly what reading the whole day again draws."""
    from tdm1_scheduler.gui.planner import page as planner_module
    from tdm1_scheduler.services import courses
    from tdm1_scheduler.services.preview import preview

    window = planner.main_window
    ctx = planner.ctx
    settings = window.settings
    row = next(
        r for r in day_bookings(ctx.store, settings, BUSY_DAY) if r.mrn == FIRST_INFUSION_MRN
    )
    day_reads: list[object] = []
    real = planner_module.day_blocks  # the planner's (lean) day read
    monkeypatch.setattr(planner_module, "day_blocks", lambda *a: day_reads.append(a) or real(*a))
    target = settings.calendar.at(BUSY_DAY, datetime.min.time().replace(hour=8))
    chair = next(
        name
        for name in (f"Chair {n}" for n in range(1, 13))
        if preview(
            ctx, courses.move_appointment, mrn=row.mrn, cycle=1, to=target, chair=name
        ).allowed
    )
    changes = courses.move_appointment(ctx, mrn=row.mrn, cycle=1, to=target, chair=chair)
    window.apply_changes(changes)
    assert day_reads == []  # only the named rows were read
    incremental = scene_picture(planner)
    planner._built_key = None  # forget what was built: the whole day is read again
    planner.reload(force=True)
    assert len(day_reads) == 1
    assert scene_picture(planner) == incremental
    moved = planner.scene.block_for(row.appointment.id)
    assert moved is not None and chair in moved.toolTip() and "08:00" in moved.toolTip()


def test_resizes_lay_the_grid_out_once_after_them(
    planner: Planner,
    qtbot,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    """Showing or resizing the window sends several widths; the grid is laid out once,
    for the last width, and not at all when the width did not change. A new width
    repositions the blocks (``relayout``) and rebuilds nothing."""
    rebuilds: list[float] = []
    real = planner.scene.rebuild
    monkeypatch.setattr(
        planner.scene, "rebuild", lambda *a, **k: rebuilds.append(a[5]) or real(*a, **k)
    )
    real_relayout = planner.scene.relayout
    monkeypatch.setattr(planner.scene, "relayout", lambda w: rebuilds.append(w) or real_relayout(w))
    blocks = dict(planner.scene.blocks)
    window = planner.main_window
    for width in (1100, 1200, 1300):
        window.resize(width, 900)
    qtbot.waitUntil(lambda: len(rebuilds) >= 1, timeout=2000)
    qtbot.wait(50)
    # once for the burst of widths; at most once more when that layout makes a scroll
    # bar come or go, which changes the viewport's width by the bar's
    assert 1 <= len(rebuilds) <= 2, rebuilds
    assert rebuilds[-1] == float(planner.view.viewport().width())
    done = len(rebuilds)
    planner._relayout()  # same width again: nothing to do
    assert len(rebuilds) == done
    assert planner.scene.blocks == blocks  # the same items, repositioned
    geometry = planner.scene.geometry
    assert geometry is not None
    for block in blocks.values():
        assert block.pos() == geometry.block_rect(block.row).topLeft()
