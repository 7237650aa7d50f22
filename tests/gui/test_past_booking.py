"""A drop or a booking whose start is before the clock's now asks first, naming it
(issue 12, defect 4). The services still accept past times (data entered afterwards)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QTime, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.patients.dialogs import BookCourseDialog
from tdm1_scheduler.gui.planner.day_scene import MoveTarget
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.services import courses, patients, pharmacy
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.queries import chairs
from tests.store.backends import sqlite_of

from .conftest import OFFSCREEN_NOISE
from .test_planner import (
    LATER_CYCLE_MRN,
    ConfirmRecorder,
    block_of,
    cycle_of,
    drag,
    dump,
    planner as planner,  # the fixture
)

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def past_target(planner: Planner) -> tuple[Any, int, Any]:
    """A lane and 08:00 today (before the clock's 10:00) where the block may go."""
    block = block_of(planner, LATER_CYCLE_MRN)
    day = planner.main_window.shown_day
    start = planner.main_window.settings.calendar.at(day, time(8, 0))
    for lane, chair in enumerate(planner.chairs):
        if planner.preview_move(MoveTarget(block.row, chair, start)).allowed:
            return block, lane, start
    raise AssertionError("no chair is free at 08:00 on the demo day")


def test_a_drop_into_the_past_asks_naming_it_and_no_keeps_everything(planner: Planner) -> None:
    window = planner.main_window
    block, lane, start = past_target(planner)
    planner.confirm = recorder = ConfirmRecorder(answer=False)
    before = dump(window)
    drag(planner, block, lane, start)
    name = block.row.patient_name
    chair = planner.chairs[lane].name
    assert recorder.questions == [
        f"Move cycle 12 of {name} ({LATER_CYCLE_MRN}) to {chair} at Wed 18 Nov 08:00,"
        " which is in the past?"
    ]
    assert dump(window) == before
    planner.confirm = ConfirmRecorder(answer=True)
    drag(planner, block_of(planner, LATER_CYCLE_MRN), lane, start)
    assert cycle_of(window, LATER_CYCLE_MRN, 12)["start"].startswith("2026-11-18T08:00")


def test_the_real_box_defaults_to_cancel(planner: Planner, qtbot: Any) -> None:
    """The default confirmation is a real message box; Escape cancels the move."""
    window = planner.main_window
    block, lane, start = past_target(planner)
    planner.confirm = planner.moves._ask_confirmation
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        QTest.keyClick(box, Qt.Key.Key_Escape)

    QTimer.singleShot(200, answer)
    before = dump(window)
    planner.request_move(block.row, planner.chairs[lane], start)
    assert seen and seen[0].endswith("which is in the past?")
    assert dump(window) == before


def test_booking_a_course_in_the_past_asks_naming_the_cycle(
    qtbot: Any, window: MainWindow, ctx: Context
) -> None:
    patients.add_patient(ctx, mrn="PAST1", name="Ada Lovelace", weight_kg=61)
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.current += timedelta(hours=6)  # Wed 16:00: the morning is past
    dialog = BookCourseDialog(ctx, "PAST1", window.apply_changes, window)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.first_date_edit.setDate(QDate(2026, 11, 18))
    dialog.first_time_edit.setTime(QTime(8, 0))
    first = dialog.model.plan[0].slot.start
    assert first < ctx.clock.now()
    dialog.confirm_past = recorder = ConfirmRecorder(answer=False)
    before = dump_ctx(ctx)
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wall = window.settings.calendar.local(first)
    assert recorder.questions == [
        f"Book cycle 1 for Ada Lovelace at Wed 18 Nov {wall:%H:%M}, which is in the past?"
    ]
    assert dump_ctx(ctx) == before and dialog.isVisible()
    dialog.confirm_past = ConfirmRecorder(answer=True)
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert courses.load_course(ctx.store, "PAST1").course.status == "active"


def test_a_future_booking_asks_nothing(qtbot: Any, window: MainWindow, ctx: Context) -> None:
    patients.add_patient(ctx, mrn="SOON1", name="Grace Hopper", weight_kg=70)
    dialog = BookCourseDialog(ctx, "SOON1", window.apply_changes, window)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.confirm_past = recorder = ConfirmRecorder(answer=False)
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert recorder.questions == []
    assert courses.load_course(ctx.store, "SOON1").course.status == "active"


def dump_ctx(ctx: Context) -> str:
    return "\n".join(sqlite_of(ctx.store).conn.iterdump())


def test_a_bag_made_after_a_past_start_is_named_without_contradiction(ctx: Context) -> None:
    """Moving a dose to before its bag was diluted: the note names the dilution, and never
    says the bag both is good and 'will have expired'."""
    record = courses.load_course(ctx.store, LATER_CYCLE_MRN)
    booked = record.current[record.dose(12).id]
    infusion = booked.start + timedelta(minutes=booked.prep_min)
    pharmacy.record_reconstitution(
        ctx, mrn=LATER_CYCLE_MRN, cycle=12, at=infusion - timedelta(hours=3)
    )
    pharmacy.record_dilution(ctx, mrn=LATER_CYCLE_MRN, cycle=12, at=infusion - timedelta(hours=2))
    earlier = booked.start - timedelta(hours=4, minutes=30)
    for chair in [c.name for c in chairs(ctx.store)]:
        try:
            changes = courses.move_appointment(
                ctx, mrn=LATER_CYCLE_MRN, cycle=12, to=earlier, chair=chair
            )
            break
        except DomainError:
            continue
    else:
        raise AssertionError("no chair free at the earlier time")
    text = " ".join(changes.notes)
    assert "the bag was diluted" in text
    assert "will have expired" not in text and "good until" not in text
