"""One chair's tile on the nurse board: who, which cycle, the phase, its flags and a
large countdown, with the step buttons of that phase.

The phase shows only what was recorded; the clock adds flags on top (late, infusion
due to end, ready to leave), so nothing moves a visit on by itself. Every time on the
tile is clinic wall time, formatted by ``text``.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..domain.timers import (
    Phase,
    Visit,
    VisitFlag,
    countdown_at,
    flags_at,
    format_countdown,
    infusion_due_at,
    observation_due_at,
)
from ..services import nurse
from ..services.context import ClinicSettings
from ..text import clock_time, wall_message

OVERRUN_COLOR = "#c62828"
FLAG_COLOR = "#8a5a00"  # amber text: a flag asks for a look, it is no error
COUNTDOWN_POINT_SIZE = 28

# Which buttons a tile shows in each phase.
BUTTONS_BY_PHASE: dict[Phase, tuple[str, ...]] = {
    Phase.EXPECTED: ("arrive", "start"),
    Phase.PREP: ("start",),
    Phase.INFUSING: ("pause", "end_infusion", "reaction"),
    Phase.PAUSED: ("resume", "end_infusion", "reaction"),
    Phase.OBSERVING: ("reaction", "end_observation", "discharge"),
    Phase.READY: ("reaction", "discharge"),
    Phase.DONE: (),
}
BUTTON_TEXT = {
    "arrive": "Arrived",
    "start": "Start infusion",
    "pause": "Pause (reaction)",
    "resume": "Resume",
    "end_infusion": "End infusion",
    "reaction": "Reaction...",
    "end_observation": "End observation",
    "discharge": "Discharge",
}
PHASE_CAPTION = {
    Phase.EXPECTED: "infusion due at",
    Phase.PREP: "infusion due at",
    Phase.INFUSING: "infusion ends at",
    Phase.OBSERVING: "observation until",
}


class VisitTile(QFrame):
    """One chair's visit: who, which cycle, the phase and a large countdown."""

    sig_step = Signal(str, int)
    """A step button was clicked: (step name, appointment id)."""

    def __init__(self, data: nurse.BoardTile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visitTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.data = data
        layout = QVBoxLayout(self)
        self.chair_label = QLabel(self)
        self.chair_label.setObjectName("chairLabel")
        bold = QFont(self.chair_label.font())
        bold.setBold(True)
        self.chair_label.setFont(bold)
        self.patient_label = QLabel(self)
        self.patient_label.setObjectName("patientLabel")
        self.cycle_label = QLabel(self)
        self.cycle_label.setObjectName("cycleLabel")
        self.phase_label = QLabel(self)
        self.phase_label.setObjectName("phaseLabel")
        self.flags_label = QLabel(self)
        self.flags_label.setObjectName("flagsLabel")
        self.flags_label.setWordWrap(True)
        self.flags_label.setStyleSheet(f"color: {FLAG_COLOR}; font-weight: bold;")
        self.countdown_label = QLabel(self)
        self.countdown_label.setObjectName("countdownLabel")
        big = QFont(self.countdown_label.font())
        big.setPointSize(COUNTDOWN_POINT_SIZE)
        big.setBold(True)
        self.countdown_label.setFont(big)
        self.countdown_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.until_label = QLabel(self)
        self.until_label.setObjectName("untilLabel")
        self.bag_label = QLabel(self)
        self.bag_label.setObjectName("bagLabel")
        self.bag_label.setWordWrap(True)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        for label in (
            self.chair_label,
            self.patient_label,
            self.cycle_label,
            self.phase_label,
            self.flags_label,
            self.countdown_label,
            self.until_label,
            self.bag_label,
            self.message_label,
        ):
            layout.addWidget(label)
        self.buttons: dict[str, QPushButton] = {}
        row = QGridLayout()
        for index, (step, text) in enumerate(BUTTON_TEXT.items()):
            button = QPushButton(text, self)
            button.setObjectName(f"{step}Button")
            button.clicked.connect(lambda _checked=False, s=step: self._clicked(s))
            self.buttons[step] = button
            row.addWidget(button, index // 2, index % 2)
        layout.addLayout(row)
        self.set_data(data)

    def _clicked(self, step: str) -> None:
        self.sig_step.emit(step, self.data.appointment_id)

    def set_data(self, data: nurse.BoardTile) -> None:
        self.data = data
        who = f"{data.patient_name} in {data.chair_name}"
        self.setAccessibleName(f"Visit of {who}")
        self.chair_label.setText(data.chair_name)
        self.patient_label.setText(f"{data.patient_name} ({data.mrn})")
        first = " - first infusion" if data.cycle == 1 else ""
        self.cycle_label.setText(f"{data.cycle_text}{first}")
        for label, name in (
            (self.chair_label, "Chair"),
            (self.patient_label, "Patient"),
            (self.cycle_label, "Cycle"),
            (self.phase_label, "Phase"),
            (self.flags_label, "Flags"),
            (self.countdown_label, "Time left"),
            (self.until_label, "Phase ends"),
            (self.bag_label, "Bag"),
            (self.message_label, "Message"),
        ):
            label.setAccessibleName(f"{name} of {who}")
        for step, button in self.buttons.items():
            button.setAccessibleName(f"{BUTTON_TEXT[step].rstrip('.')} for {who}")

    def set_message(self, text: str, error: bool) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        self.message_label.setStyleSheet(f"color: {OVERRUN_COLOR};" if error else "")

    def repaint_at(self, now: datetime, settings: ClinicSettings) -> Phase:
        """Phase, flags, countdown and buttons at ``now`` (a repaint; nothing is read)."""
        visit = self.data.visit
        countdown = countdown_at(visit, now)
        phase = countdown.phase
        self.phase_label.setText(phase.value.capitalize())
        flags = [flag_text(visit, flag, now, settings) for flag in flags_at(visit, now)]
        self.flags_label.setText(" | ".join(flags))
        self.flags_label.setVisible(bool(flags))
        self.countdown_label.setText(format_countdown(countdown))
        overrun = countdown.is_overrun
        if self.countdown_label.property("overrun") != overrun:
            self.countdown_label.setProperty("overrun", overrun)
            self.countdown_label.setStyleSheet(f"color: {OVERRUN_COLOR};" if overrun else "")
        caption = PHASE_CAPTION.get(phase)
        if caption and countdown.ends_at is not None:
            until = clock_time(settings.calendar, countdown.ends_at)
            late = " - overrun" if overrun else ""
            self.until_label.setText(f"{caption} {until}{late}")
        elif phase is Phase.PAUSED:
            self.until_label.setText("paused: the end moves by the pause")
        else:
            self.until_label.setText("")
        show_bag = phase in (Phase.EXPECTED, Phase.PREP) and bool(self.data.bag)
        self.bag_label.setVisible(show_bag)
        self.bag_label.setText(f"Bag: {wall_message(self.data.bag, settings.calendar)}")
        self.bag_label.setStyleSheet("" if self.data.bag_ok else f"color: {OVERRUN_COLOR};")
        shown = BUTTONS_BY_PHASE[phase]
        for step, button in self.buttons.items():
            button.setVisible(step in shown)
        return phase


def flag_text(visit: Visit, flag: VisitFlag, now: datetime, settings: ClinicSettings) -> str:
    """One flag for a person: what it is and since when (clinic wall time)."""
    calendar = settings.calendar
    since: datetime | None
    if flag is VisitFlag.LATE:
        since = visit.planned_start
    elif flag is VisitFlag.INFUSION_DUE:
        since = infusion_due_at(visit, now)
    else:
        since = observation_due_at(visit)
    label = flag.value.capitalize()
    return label if since is None else f"{label} (since {clock_time(calendar, since)})"
