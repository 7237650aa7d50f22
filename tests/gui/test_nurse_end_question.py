"""Ending an infusion before its planned end asks: completed, or stopped before complete?
The answer goes to the service (``nurse.end_infusion(stopped=...)``); real QTest clicks
on the demo clinic's board, the database read back after each answer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QPushButton

from tdm1_scheduler.domain.records import Dose
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.services import courses

from .conftest import OFFSCREEN_NOISE
from .test_nurse_board import board, click, clock, dump, started_tile

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")


def question(window: MainWindow) -> QMessageBox:
    box = board(window).dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.objectName() == "endInfusionQuestion"
    return box


def answer(box: QMessageBox, name: str) -> None:
    button = box.findChild(QPushButton, name)
    assert button is not None, name
    click(button)


def dose_of(window: MainWindow, mrn: str, cycle: int) -> Dose:
    return courses.load_course(window.ctx.store, mrn).dose(cycle)


def later_minutes(window: MainWindow, mrn: str) -> list[int]:
    record = courses.load_course(window.ctx.store, mrn)
    return [record.current[d.id].infusion_min for d in record.booked]


def test_ended_early_and_answered_stopped_books_the_rest_at_no_less_than_planned(
    window: MainWindow,
) -> None:
    tile = started_tile(window)
    mrn, cycle, planned = tile.data.mrn, tile.data.cycle, tile.data.visit.infusion_min
    clock(window.ctx).advance(minutes=10)
    before = dump(window.ctx)
    click(tile.buttons["end_infusion"])
    box = question(window)
    assert dump(window.ctx) == before  # nothing ends until answered
    assert {b.text() for b in box.buttons()} >= {"Completed", "Stopped before complete"}
    answer(box, "infusionStopped")
    dose = dose_of(window, mrn, cycle)
    assert (dose.infusion_actual_min, dose.infusion_completed) == (10, 0)
    assert later_minutes(window, mrn) and min(later_minutes(window, mrn)) >= planned
    assert board(window).tile_for(tile.data.appointment_id).phase_label.text() == "Observing"


def test_ended_early_and_answered_completed_is_completed(window: MainWindow) -> None:
    tile = started_tile(window)
    mrn, cycle = tile.data.mrn, tile.data.cycle
    clock(window.ctx).advance(minutes=tile.data.visit.infusion_min - 2)
    click(tile.buttons["end_infusion"])
    answer(question(window), "infusionCompleted")
    dose = dose_of(window, mrn, cycle)
    assert dose.infusion_completed == 1
    assert dose.infusion_actual_min == tile.data.visit.infusion_min - 2


def test_the_question_cancelled_with_escape_ends_nothing(window: MainWindow) -> None:
    tile = started_tile(window)
    clock(window.ctx).advance(minutes=5)
    before = dump(window.ctx)
    click(tile.buttons["end_infusion"])
    box = question(window)
    QTest.keyClick(box, Qt.Key.Key_Escape)
    assert not box.isVisible()
    assert dump(window.ctx) == before


def test_a_paused_infusion_can_only_end_as_stopped(window: MainWindow) -> None:
    tile = started_tile(window)
    mrn, cycle = tile.data.mrn, tile.data.cycle
    appointment = tile.data.appointment_id
    clock(window.ctx).advance(minutes=4)
    click(tile.buttons["pause"])
    clock(window.ctx).advance(minutes=3)
    click(board(window).tile_for(appointment).buttons["end_infusion"])
    box = question(window)
    assert box.findChild(QPushButton, "infusionCompleted") is None
    answer(box, "infusionStopped")
    dose = dose_of(window, mrn, cycle)
    assert (dose.infusion_actual_min, dose.infusion_completed) == (7, 0)


def test_at_the_planned_end_nothing_is_asked(window: MainWindow) -> None:
    tile = started_tile(window)
    mrn, cycle = tile.data.mrn, tile.data.cycle
    clock(window.ctx).advance(minutes=tile.data.visit.infusion_min)
    click(tile.buttons["end_infusion"])
    assert board(window).dialog is None or not board(window).dialog.isVisible()
    assert dose_of(window, mrn, cycle).infusion_completed == 1
