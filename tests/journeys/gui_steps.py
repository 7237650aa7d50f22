"""What a person does in the window, as real QTest events: shared by the journeys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, QPoint, QPointF, Qt, QTime, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from .conftest import TUESDAY, button_with_text, click, local

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def feature(window: Any, name: str) -> Any:
    return window.features[name]


# --- patients panel ---------------------------------------------------------------------
def type_into(edit: Any, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    QTest.keyClicks(edit, text)


def add_patient(qtbot: Any, window: Any, mrn: str, name: str, weight: str) -> None:
    """Patients panel > New patient: type the three fields, click OK."""
    patients = feature(window, "patients_panel")
    click(patients.new_button)
    dialog = patients.dialog
    qtbot.waitExposed(dialog)
    type_into(dialog.mrn_edit, mrn)
    type_into(dialog.name_edit, name)
    type_into(dialog.weight_edit, weight)
    click(dialog.ok_button)
    assert not dialog.isVisible(), dialog.error_label.text()


def choose_patient(window: Any, mrn: str) -> None:
    """Type the MRN in the search box and click the patient's row."""
    panel = feature(window, "patients_panel").panel
    type_into(panel.search_edit, mrn)
    row = panel.patient_model.row_of_mrn(mrn)
    assert row is not None, mrn
    view = panel.patient_view
    rect = view.visualRect(panel.patient_model.index(row, 1))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.current_mrn == mrn


def book_course(
    qtbot: Any, window: Any, mrn: str, first: datetime, chair: str, setting: str = "EBC"
) -> Any:
    """Patients panel > Book course: the setting, first dose and chair; the plan shows;
    click Book course. Returns the dialog (closed)."""
    patients = feature(window, "patients_panel")
    choose_patient(window, mrn)
    click(patients.book_button)
    dialog = patients.dialog
    qtbot.waitExposed(dialog)
    dialog.setting_combo.setCurrentIndex(dialog.setting_combo.findData(setting))
    dialog.first_date_edit.setDate(QDate(first.year, first.month, first.day))
    dialog.first_time_edit.setTime(QTime(first.hour, first.minute))
    dialog.preferred_time_edit.setTime(QTime(first.hour, first.minute))
    dialog.chair_combo.setCurrentIndex(dialog.chair_combo.findText(chair))
    assert dialog.ok_button.isEnabled(), dialog.error_label.text()
    click(dialog.ok_button)
    assert not dialog.isVisible(), dialog.error_label.text()
    return dialog


def mark_missed(qtbot: Any, window: Any, mrn: str) -> Any:
    patients = feature(window, "patients_panel")
    choose_patient(window, mrn)
    click(patients.missed_button)
    dialog = patients.dialog
    qtbot.waitExposed(dialog)
    assert dialog.ok_button.isEnabled(), dialog.error_label.text()
    click(dialog.ok_button)
    assert not dialog.isVisible(), dialog.error_label.text()
    return dialog


# --- the planner ------------------------------------------------------------------------
def planner_of(window: Any) -> Any:
    planner = feature(window, "planner")
    window.pages.setCurrentWidget(planner)
    planner.reload(force=True)
    return planner


def block_of(planner: Any, mrn: str, cycle: int) -> Any:
    for block in planner.scene.blocks.values():
        if block.row.mrn == mrn and block.row.cycle == cycle:
            return block
    raise AssertionError(f"no block for cycle {cycle} of {mrn} on {planner.scene.geometry.day}")


def drag(planner: Any, block: Any, lane: int, start: datetime) -> None:
    """Press on the block, move in steps, release where its left edge lands at ``start``
    in lane ``lane`` (0 = Chair 1) of the day shown."""
    from tdm1_scheduler.gui.planner.day_scene import LANE_HEIGHT

    view = planner.view
    geometry = planner.scene.geometry
    assert geometry is not None
    grab_dx = 12.0
    press = view.viewport_point_of(block, dx=grab_dx)
    end = view.mapFromScene(
        QPointF(geometry.x_of(start) + grab_dx, geometry.lane_top(lane) + LANE_HEIGHT / 2)
    )
    viewport = view.viewport()
    assert viewport.rect().contains(press), press
    assert viewport.rect().contains(end), end
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    steps = 6
    for step in range(1, steps + 1):
        QTest.mouseMove(
            viewport,
            QPoint(
                press.x() + (end.x() - press.x()) * step // steps,
                press.y() + (end.y() - press.y()) * step // steps,
            ),
        )
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def answer_next_box(words: tuple[str, ...], seen: list[str]) -> QTimer:
    """Answer the next modal message box (a blocking ``QMessageBox.question``) by
    clicking its button with one of ``words``; its text goes to ``seen``."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            timer.start(10)  # not up yet
            return
        seen.append(box.text())
        click(button_with_text(box, *words))

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(answer)
    timer.start(0)
    return timer


class Answerer:
    """Answers a question that a click may bring up, whether the dialog is opened with
    ``open()`` or run blocking: start it before the click, ``finish`` after. The
    dialog's button with one of ``words`` is clicked and its texts kept in ``seen``;
    when no dialog comes up within ``wait_ms``, nothing is clicked."""

    def __init__(
        self, words: tuple[str, ...], wait_ms: int = 200, avoid: tuple[str, ...] = ()
    ) -> None:
        self.words = words
        self.avoid = avoid
        self.seen: list[str] = []
        self.tries = max(1, wait_ms // 10)
        self.before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._poll)
        self.timer.start(0)

    def _pending(self) -> Any:
        from PySide6.QtWidgets import QDialog

        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible() and id(widget) not in self.before:
                return widget
        return None

    def _poll(self) -> None:
        from PySide6.QtWidgets import QLabel

        dialog = self._pending()
        if dialog is None:
            self.tries -= 1
            if self.tries > 0:
                self.timer.start(10)
            return
        texts = [dialog.windowTitle()]
        if isinstance(dialog, QMessageBox):
            texts.append(dialog.text())
        texts.extend(label.text() for label in dialog.findChildren(QLabel))
        self.seen.append(" | ".join(t for t in texts if t))
        click(button_with_text(dialog, *self.words, avoid=self.avoid))

    def finish(self, qtbot: Any) -> list[str]:
        qtbot.waitUntil(lambda: not self.timer.isActive(), timeout=5000)
        return self.seen


# --- the nurse board --------------------------------------------------------------------
def board_of(window: Any) -> Any:
    board = feature(window, "nurse_board").board
    window.pages.setCurrentWidget(board)
    return board


def step(clinic: Any, board: Any, appointment: int, button: str, hh: int, mm: int) -> None:
    """At hh:mm the nurse clicks ``button`` on the patient's tile."""
    clinic.at(local(TUESDAY, hh, mm))
    board.tick()
    click(board.tiles[appointment].buttons[button])


def record_reaction(
    clinic: Any,
    board: Any,
    appointment: int,
    grade: int,
    hh: int,
    mm: int,
    action: str = "slowed",
    symptoms: str = "flushing",
) -> None:
    """Reaction...: the grade and the action taken clicked, the symptoms typed, OK (a
    grade 4 stops a running infusion whatever action is clicked)."""
    step(clinic, board, appointment, "reaction", hh, mm)
    dialog = board.dialog
    assert dialog is not None and dialog.isVisible()
    QTest.mouseClick(dialog.grade_buttons[grade], Qt.MouseButton.LeftButton)
    if grade != 4:
        QTest.mouseClick(dialog.action_buttons[action], Qt.MouseButton.LeftButton)
    dialog.symptoms_edit.setFocus()
    QTest.keyClicks(dialog.symptoms_edit, symptoms)
    assert dialog.grade == grade
    click(dialog.buttons.button(dialog.buttons.StandardButton.Ok))


def phase_shown(board: Any, appointment: int) -> str:
    return str(board.tiles[appointment].phase_label.text())


# --- the planner's week -----------------------------------------------------------------
def show_day(window: Any, day: Any) -> None:
    """Pick the day in the toolbar's date field."""
    window.date_edit.setFocus()
    window.date_edit.setDate(QDate(day.year, day.month, day.day))
    assert window.shown_day == day


def week_of(window: Any) -> Any:
    """Ctrl+2: the planner shows the week of the day shown."""
    from .conftest import press

    planner = feature(window, "planner")
    window.pages.setCurrentWidget(planner)
    press(window, Qt.Key.Key_2, CTRL)
    assert planner.in_week
    planner.week.reload(force=True)
    return planner


def week_block(planner: Any, mrn: str, cycle: int) -> Any:
    for block in planner.week.scene.blocks.values():
        if block.row.mrn == mrn and block.row.cycle == cycle:
            return block
    raise AssertionError(f"no block for cycle {cycle} of {mrn} in the week")


def week_drag(planner: Any, block: Any, lane: int, start: datetime) -> None:
    """Drag a block of the week to another day (and chair, time): its left edge lands
    at ``start`` in lane ``lane``. The release point is the press point plus the
    block's whole move, so only one rounding to a pixel happens."""
    view = planner.week.view
    week = planner.week.scene.week
    assert week is not None
    view.ensureVisible(block)
    press = view.viewport_point_of(block, dx=6)
    top_left = week.top_left_for(planner.chairs[lane].id, start)
    delta = top_left - block.pos()
    end = press + QPoint(round(delta.x()), round(delta.y()))
    viewport = view.viewport()
    assert viewport.rect().contains(press), press
    assert viewport.rect().contains(end), end
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    steps = 8
    for step in range(1, steps + 1):
        QTest.mouseMove(
            viewport,
            QPoint(
                press.x() + (end.x() - press.x()) * step // steps,
                press.y() + (end.y() - press.y()) * step // steps,
            ),
        )
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
