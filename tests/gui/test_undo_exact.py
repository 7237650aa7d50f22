"""Undo in the planner restores what a move changed; it never re-plans (issue 12, #1).

Reproduction from the issue: move cycle 5 two days later, drag cycle 3 (which re-anchors
every later cycle, cycle 5 included), then Ctrl+Z. Cycles 5-14 must come back to where
the first move put them, not two days early.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.domain.records import AppointmentView
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner.day_scene import Chair, MoveTarget
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.services import courses, patients
from tdm1_scheduler.services.queries import course_view, day_bookings

from .conftest import OFFSCREEN_NOISE
from .test_planner import ConfirmRecorder, block_of, drag

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

MRN = "MRNUNDO01"
FIRST_DAY = date(2027, 1, 4)  # a Monday well after the demo's busy day


@pytest.fixture
def planner(window: MainWindow) -> Planner:
    window.resize(1400, 1000)
    found = window.features["planner"]
    assert isinstance(found, Planner)
    found.confirm = ConfirmRecorder()  # later cycles move: always yes
    window.pages.setCurrentWidget(found)
    ctx = window.ctx
    patients.add_patient(ctx, mrn=MRN, name="Una Undo", weight_kg=70)
    first = window.settings.calendar.at(FIRST_DAY, time(8, 0))
    courses.book_course(ctx, mrn=MRN, setting="EBC", first_dose=first, exact=False)
    return found


def placements(window: MainWindow) -> list[tuple[Any, ...]]:
    """Each cycle's chair, start, end and status: what undo must give back exactly."""
    cycles = course_json(course_view(window.ctx.store, MRN))["cycles"]
    return [(c["cycle"], c["chair"], c["start"], c["end"], c["status"]) for c in cycles]


def row_of(window: MainWindow, cycle: int) -> AppointmentView:
    start = datetime.fromisoformat(
        course_json(course_view(window.ctx.store, MRN))["cycles"][cycle - 1]["start"]
    )
    day = window.settings.calendar.local_date(start)
    rows = day_bookings(window.ctx.store, window.settings, day)
    return next(r for r in rows if r.mrn == MRN and r.cycle == cycle)


def free_target(planner: Planner, row: AppointmentView, start: datetime) -> tuple[int, Chair]:
    """The first lane whose chair takes ``row`` at ``start`` (asked of the services)."""
    for lane, chair in enumerate(planner.chairs):
        if planner.preview_move(MoveTarget(row, chair, start)).allowed:
            return lane, chair
    raise AssertionError(f"no chair free at {start}")


def test_ctrl_z_after_a_drag_restores_the_later_cycles_exactly(
    planner: Planner,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    window = planner.main_window
    calendar = window.settings.calendar
    booked = placements(window)

    # 1. Cycle 5 two days later (a keyboard-style request; it asks, the recorder says yes).
    fifth = row_of(window, 5)
    fifth_start = calendar.local(datetime.fromisoformat(booked[4][2])) + timedelta(days=2)
    _lane, chair = free_target(planner, fifth, fifth_start)
    assert planner.request_move(fifth, chair, fifth_start)
    after_first = placements(window)
    assert after_first[4] != booked[4] and after_first[13] != booked[13]

    # 2. Drag cycle 3 to later the same day: cycles 4-14 re-anchor on it.
    third = row_of(window, 3)
    window.show_day(calendar.local_date(datetime.fromisoformat(after_first[2][2])))
    planner.reload(force=True)
    third_start = calendar.at(window.shown_day, time(14, 0))
    lane, _chair = free_target(planner, third, third_start)
    drag(planner, block_of(planner, MRN), lane=lane, start=third_start)
    after_drag = placements(window)
    assert after_drag[2][2] == third_start.isoformat()
    assert after_drag[4] != after_first[4]  # the drag re-planned cycle 5 too
    assert window.undo_stack.count() == 2

    # 3. Ctrl+Z: exactly the state after step 1, cycles 5-14 included.
    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert placements(window) == after_first
    # Ctrl+Shift+Z: exactly the state after the drag.
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window, Qt.Key.Key_Z, redo)
    assert placements(window) == after_drag
    # Undo both: the course as booked.
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.undo_stack.index() == 1, window.statusBar().currentMessage()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.undo_stack.index() == 0, window.statusBar().currentMessage()
    assert placements(window) == booked
    assert window.undo_stack.index() == 0
