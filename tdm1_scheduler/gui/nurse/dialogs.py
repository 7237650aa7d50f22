"""The nurse board's dialogs: a reaction (grade, time, symptoms, action, note), the
reason for leaving early, "completed or stopped?" at an early end, and the in-window
alert banner. Each names the patient; none writes anything itself (the board calls the
service with what was answered).
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.calendar import ClinicCalendar
from ...domain.timers import LIFE_THREATENING_GRADE, REACTION_GRADES
from ...services.nurse import MAX_REASON_LENGTH, REACTION_ACTIONS

# CTCAE v5, infusion related reaction: one line a grade.
GRADE_LINES = {
    1: "Mild, transient; no interruption or treatment needed",
    2: "Interruption needed; responds promptly to treatment (e.g. antihistamines, fluids)",
    3: "Prolonged or recurring despite treatment; hospital care may be needed",
    4: "Life-threatening; urgent intervention needed (stops the course)",
}
ACTION_LINES = {
    "slowed": "Slowed: the infusion goes on at a lower rate",
    "interrupted": "Interrupted: paused now (resumed and completed counts as completed)",
    "stopped": "Stopped: ended now, a partial dose (the next keeps the planned minutes)",
}


class ReasonDialog(QDialog):
    """Asks why a patient leaves before the minimum observation is over."""

    def __init__(self, what: str, patient: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("earlyReasonDialog")
        title = f"Leaving early: {patient}" if patient else "Reason needed"
        self.setWindowTitle(title)
        self.setAccessibleName(f"Reason for leaving early{': ' + patient if patient else ''}")
        layout = QFormLayout(self)
        who = f" for {patient}" if patient else ""
        self.intro = QLabel(f"{what}{who} before the minimum observation is over.", self)
        self.intro.setObjectName("earlyReasonIntro")
        self.intro.setWordWrap(True)
        layout.addRow(self.intro)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("earlyReasonEdit")
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setMaxLength(MAX_REASON_LENGTH)
        layout.addRow("Reason:", self.reason_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("earlyReasonButtons")
        self.buttons.setAccessibleName("Confirm or cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addRow(self.buttons)

    @property
    def reason(self) -> str:
        return self.reason_edit.text()


class ReactionDialog(QDialog):
    """Records one reaction: the CTCAE grade (each described in a line), when it began,
    the symptoms, the action taken on a running infusion and a note.

    ``running``: the infusion is still going (else no action can be taken on it);
    ``paused``: it is paused already (it can only stay interrupted or be stopped)."""

    def __init__(
        self,
        patient: str,
        calendar: ClinicCalendar,
        now: datetime,
        *,
        running: bool = True,
        paused: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.calendar = calendar
        self.local_now = calendar.local(now)
        self.running = running
        self.setObjectName("reactionDialog")
        self.setWindowTitle(f"Reaction: {patient}")
        self.setAccessibleName(f"Record a reaction for {patient}")
        outer = QVBoxLayout(self)
        heading = QLabel(f"Record a reaction for {patient}", self)
        heading.setObjectName("reactionPatient")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)
        outer.addWidget(heading)
        form = QFormLayout()
        outer.addLayout(form)

        self.grade_group = QButtonGroup(self)
        self.grade_buttons: dict[int, QRadioButton] = {}
        grades = QVBoxLayout()
        for grade in REACTION_GRADES:
            button = QRadioButton(f"Grade {grade} - {GRADE_LINES[grade]}", self)
            button.setObjectName(f"reactionGrade{grade}")
            button.setAccessibleName(f"Grade {grade}: {GRADE_LINES[grade]}")
            self.grade_group.addButton(button, grade)
            self.grade_buttons[grade] = button
            grades.addWidget(button)
        form.addRow("CTCAE grade:", _boxed(grades, self))

        self.time_edit = QTimeEdit(self)
        self.time_edit.setObjectName("reactionTime")
        self.time_edit.setAccessibleName("When the reaction began (clinic time)")
        self.time_edit.setDisplayFormat("HH:mm")
        self.time_edit.setTime(QTime(self.local_now.hour, self.local_now.minute))
        self.time_edit.setMaximumTime(QTime(self.local_now.hour, self.local_now.minute))
        form.addRow("Began at:", self.time_edit)

        self.symptoms_edit = QLineEdit(self)
        self.symptoms_edit.setObjectName("reactionSymptoms")
        self.symptoms_edit.setAccessibleName("Symptoms")
        self.symptoms_edit.setPlaceholderText("e.g. flushing, chills, shortness of breath")
        self.symptoms_edit.setMaxLength(MAX_REASON_LENGTH)
        form.addRow("Symptoms:", self.symptoms_edit)

        self.action_group = QButtonGroup(self)
        self.action_buttons: dict[str, QRadioButton] = {}
        actions = QVBoxLayout()
        for number, action in enumerate(REACTION_ACTIONS):
            button = QRadioButton(ACTION_LINES[action], self)
            button.setObjectName(f"reactionAction_{action}")
            button.setAccessibleName(ACTION_LINES[action])
            button.setEnabled(running and not (paused and action == "slowed"))
            self.action_group.addButton(button, number)
            self.action_buttons[action] = button
            actions.addWidget(button)
        if not running:
            ended = QLabel("The infusion has already ended: no action on it.", self)
            ended.setObjectName("reactionNoAction")
            actions.addWidget(ended)
        form.addRow("Action taken:", _boxed(actions, self))

        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("reactionNote")
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setMaxLength(MAX_REASON_LENGTH)
        form.addRow("Note:", self.note_edit)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("reactionButtons")
        self.buttons.setAccessibleName("Confirm or cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.grade_group.idClicked.connect(self._changed)
        self.action_group.idClicked.connect(self._changed)
        self._changed()

    def _changed(self, _id: int = 0) -> None:
        """A grade 4 stops a running infusion; OK once a grade (and, for a running
        infusion, an action) is chosen."""
        if self.running and self.grade == LIFE_THREATENING_GRADE:
            self.action_buttons["stopped"].setChecked(True)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.grade_group.checkedId() > 0 and (not self.running or bool(self.action)))

    @property
    def grade(self) -> int:
        return max(0, self.grade_group.checkedId())

    @property
    def action(self) -> str | None:
        for action, button in self.action_buttons.items():
            if button.isChecked():
                return action
        return None

    @property
    def symptoms(self) -> str:
        return self.symptoms_edit.text()

    @property
    def note(self) -> str:
        return self.note_edit.text()

    @property
    def began_at(self) -> datetime:
        """The reaction's start: the chosen wall time today, in the clinic's zone."""
        chosen = self.time_edit.time()
        return self.calendar.at(self.local_now.date(), time(chosen.hour(), chosen.minute()))


def _boxed(layout: QVBoxLayout, parent: QWidget) -> QFrame:
    frame = QFrame(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    frame.setLayout(layout)
    return frame


class AlertBanner(QFrame):
    """An in-window alert that stays until a nurse acknowledges it."""

    def __init__(self, key: tuple[int, object], text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("alertBanner")
        self.setAccessibleName(f"Alert: {text}")
        self.setStyleSheet("#alertBanner { background: #fff3cd; border: 1px solid #d39e00; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.label = QLabel(text, self)
        self.label.setObjectName("alertText")
        self.label.setAccessibleName("Alert text")
        self.label.setWordWrap(True)
        self.ack_button = QPushButton("Acknowledge", self)
        self.ack_button.setObjectName("acknowledgeAlertButton")
        self.ack_button.setAccessibleName(f"Acknowledge: {text}")
        layout.addWidget(self.label, 1)
        layout.addWidget(self.ack_button)


def end_infusion_question(
    parent: QWidget, planned_min: int, paused: bool, patient: str = ""
) -> QMessageBox:
    """Ending before the planned end: "Completed" (accept) or "Stopped before complete"
    (destructive); Cancel (Esc) ends nothing. A paused infusion offers only the stop."""
    who = f"{patient}'s infusion" if patient else "The infusion"
    if paused:
        text = (
            f"{who} is paused and was not resumed, so it ends as stopped before"
            " complete (a partial dose)."
        )
    else:
        text = f"{who} is ending before its planned end. Was the whole dose given?"
    box = QMessageBox(QMessageBox.Icon.Question, "End the infusion", text, parent=parent)
    box.setInformativeText(
        f"Stopped before complete: the next infusion keeps at least the planned {planned_min}"
        " min. Completed: the whole dose went in; the next is planned from the minutes it"
        " took."
    )
    box.setObjectName("endInfusionQuestion")
    box.setAccessibleName("Was the infusion completed or stopped before complete?")
    if not paused:
        done = box.addButton("Completed", QMessageBox.ButtonRole.AcceptRole)
        done.setObjectName("infusionCompleted")
        done.setAccessibleName("The whole dose was given")
    stop = box.addButton("Stopped before complete", QMessageBox.ButtonRole.DestructiveRole)
    stop.setObjectName("infusionStopped")
    stop.setAccessibleName("Stopped before complete: a partial dose")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(cancel)
    box.setDefaultButton(cancel)
    return box
