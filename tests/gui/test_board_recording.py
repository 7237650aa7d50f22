"""Recording what happened (issue 14, item 2): the Reaction dialog names the patient and
asks the CTCAE grade, time, symptoms, action and a note; the record shows on the tile and
in the course's history. Real QTest events, a fixed clock, the database read back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QPushButton

from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.nurse.board import ReactionDialog, ReasonDialog
from tdm1_scheduler.gui.nurse.dialogs import GRADE_LINES
from tdm1_scheduler.gui.patients.models import CourseCyclesModel, find_course_view
from tdm1_scheduler.services import courses
from tdm1_scheduler.store.database import from_utc_text
from tests.store.backends import sqlite_of

from .conftest import OFFSCREEN_NOISE
from .test_nurse_board import board, click, clock, started_tile

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")


def reactions(window: MainWindow, appointment: int) -> list[dict[str, object]]:
    return list(
        sqlite_of(window.ctx.store).query(
            "SELECT r.grade, r.action, r.symptoms, r.note, r.at_utc FROM visit_reactions r"
            " JOIN visits v ON v.id = r.visit_id WHERE v.appointment_id = ?",
            [appointment],
        )
    )


def open_reaction(window: MainWindow, appointment: int) -> ReactionDialog:
    click(board(window).tile_for(appointment).buttons["reaction"])
    dialog = board(window).dialog
    assert isinstance(dialog, ReactionDialog) and dialog.isVisible()
    return dialog


def test_a_reaction_interrupted_then_resumed_and_completed_is_recorded_everywhere(
    window: MainWindow, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    tile = started_tile(window)
    appointment, mrn, cycle, name = (
        tile.data.appointment_id, tile.data.mrn, tile.data.cycle, tile.data.patient_name,
    )  # fmt: skip
    calendar = window.settings.calendar
    clock(window.ctx).advance(minutes=20)
    dialog = open_reaction(window, appointment)
    assert name in dialog.windowTitle()
    for grade, line in GRADE_LINES.items():  # each grade described in one line
        assert dialog.grade_buttons[grade].text() == f"Grade {grade} - {line}"
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # a grade and an action first
    QTest.mouseClick(dialog.grade_buttons[2], Qt.MouseButton.LeftButton)
    assert not ok.isEnabled()
    QTest.mouseClick(dialog.action_buttons["interrupted"], Qt.MouseButton.LeftButton)
    assert ok.isEnabled()
    # It began five minutes ago: set in the time field from the keyboard.
    began = calendar.local(window.ctx.clock.now() - timedelta(minutes=5))
    dialog.time_edit.setFocus()
    dialog.time_edit.setCurrentSection(dialog.time_edit.Section.MinuteSection)
    for _ in range(5):  # the arrow key, a minute a press
        QTest.keyClick(dialog.time_edit, Qt.Key.Key_Down)
    assert dialog.time_edit.time().minute() == began.minute
    dialog.symptoms_edit.setFocus()
    QTest.keyClicks(dialog.symptoms_edit, "flushing, chills")
    dialog.note_edit.setFocus()
    QTest.keyClicks(dialog.note_edit, "paracetamol given")
    click(ok)

    (row,) = reactions(window, appointment)
    assert row["grade"] == 2 and row["action"] == "interrupted"
    assert row["symptoms"] == "flushing, chills" and row["note"] == "paracetamol given"
    assert calendar.local(from_utc_text(str(row["at_utc"]))).strftime("%H:%M") == (f"{began:%H:%M}")
    tile = board(window).tile_for(appointment)
    assert tile.phase_label.text() == "Paused"  # interrupted: the infusion paused now
    assert "Reaction grade 2" in tile.badges
    assert tile.reaction_label.text() == (
        f"Grade 2 at {began:%H:%M}: flushing, chills - infusion interrupted."
        " Note: paracetamol given"
    )
    # Resumed and run to its end: completed, over its total minutes.
    clock(window.ctx).advance(minutes=10)
    click(tile.buttons["resume"])
    clock(window.ctx).advance(minutes=tile.data.visit.infusion_min)
    click(board(window).tile_for(appointment).buttons["end_infusion"])
    dose = courses.load_course(window.ctx.store, mrn).dose(cycle)
    assert dose.infusion_completed == 1 and dose.reaction_grade == 2
    # The course's history says it.
    model = CourseCyclesModel()
    model.load(find_course_view(window.ctx.store, mrn))
    qtmodeltester.check(model)
    column = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    happened = column.index("What happened")
    text = model.index(cycle - 1, happened).data()
    assert text.startswith(f"completed in {dose.infusion_actual_min} min")
    assert f"grade 2 reaction at {began:%H:%M}: flushing, chills - infusion interrupted" in text
    assert "(paracetamol given)" in text


def test_a_reaction_stopped_ends_the_infusion_as_a_partial_dose(window: MainWindow) -> None:
    tile = started_tile(window)
    appointment, mrn, cycle = tile.data.appointment_id, tile.data.mrn, tile.data.cycle
    planned = tile.data.visit.infusion_min
    clock(window.ctx).advance(minutes=12)
    dialog = open_reaction(window, appointment)
    QTest.mouseClick(dialog.grade_buttons[3], Qt.MouseButton.LeftButton)
    QTest.mouseClick(dialog.action_buttons["stopped"], Qt.MouseButton.LeftButton)
    dialog.symptoms_edit.setFocus()
    QTest.keyClicks(dialog.symptoms_edit, "wheeze")
    click(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    (row,) = reactions(window, appointment)
    assert (row["grade"], row["action"], row["symptoms"]) == (3, "stopped", "wheeze")
    dose = courses.load_course(window.ctx.store, mrn).dose(cycle)
    assert (dose.infusion_completed, dose.infusion_actual_min) == (0, 12)
    record = courses.load_course(window.ctx.store, mrn)
    assert min(record.current[d.id].infusion_min for d in record.booked) >= planned
    tile = board(window).tile_for(appointment)
    assert tile.phase_label.text() == "Observing"
    assert "stopped before complete" in tile.message_label.text()


def test_interrupted_and_never_resumed_ends_as_stopped(window: MainWindow) -> None:
    tile = started_tile(window)
    appointment, mrn, cycle = tile.data.appointment_id, tile.data.mrn, tile.data.cycle
    clock(window.ctx).advance(minutes=8)
    dialog = open_reaction(window, appointment)
    QTest.mouseClick(dialog.grade_buttons[2], Qt.MouseButton.LeftButton)
    QTest.mouseClick(dialog.action_buttons["interrupted"], Qt.MouseButton.LeftButton)
    click(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    clock(window.ctx).advance(minutes=20)
    click(board(window).tile_for(appointment).buttons["end_infusion"])
    box = board(window).dialog
    assert isinstance(box, QMessageBox)
    assert tile.data.patient_name in box.text()  # the question names the patient
    assert box.findChild(QPushButton, "infusionCompleted") is None  # paused: only stopped
    stop = box.findChild(QPushButton, "infusionStopped")
    assert stop is not None
    click(stop)
    assert courses.load_course(window.ctx.store, mrn).dose(cycle).infusion_completed == 0


def test_a_reaction_in_observation_takes_no_action_and_the_early_discharge_names_the_patient(
    window: MainWindow,
) -> None:
    tile = started_tile(window)
    appointment, name = tile.data.appointment_id, tile.data.patient_name
    clock(window.ctx).advance(minutes=tile.data.visit.infusion_min)
    click(tile.buttons["end_infusion"])
    clock(window.ctx).advance(minutes=5)
    dialog = open_reaction(window, appointment)
    assert not any(button.isEnabled() for button in dialog.action_buttons.values())
    QTest.mouseClick(dialog.grade_buttons[1], Qt.MouseButton.LeftButton)
    click(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    (row,) = reactions(window, appointment)
    assert (row["grade"], row["action"]) == (1, None)
    click(board(window).tile_for(appointment).buttons["discharge"])
    reason = board(window).dialog
    assert isinstance(reason, ReasonDialog)
    assert name in reason.windowTitle() and name in reason.intro.text()
    QTest.keyClick(reason, Qt.Key.Key_Escape)
