"""One chair's tile on the nurse board: the chair, its phase (colour, label and icon), the
clock's flags, the patient's name large, the countdown in words with its wall time,
badges, what was recorded, and the step buttons of that phase.

A tile belongs to a chair and keeps its place; it shows the chair's visit of the day
(``nurse.ChairView``) or "Free". The phase shows only what was recorded; the clock
adds flags on top (late, infusion due to end, ready to leave), so nothing moves a visit
on by itself. Every time on the tile is clinic wall time, formatted by ``text``. Sizes
follow the desktop font; ``compact`` tiles (a big clinic) use less of it.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...domain.readiness import Readiness, Verdict
from ...domain.timers import (
    Phase,
    Visit,
    VisitFlag,
    countdown_at,
    flags_at,
    infusion_due_at,
    observation_due_at,
)
from ...services import nurse
from ...services.context import ClinicSettings
from ...text import clock_time, unbroken, wall_message
from ..readiness.view import readiness_text
from .look import (
    ALARM_COLOR,
    BADGE_COLORS,
    BAG_WARNING,
    FREE,
    PHASE_LOOK,
    READY_COLOR,
    PhaseIcon,
    countdown_words,
)

OVERRUN_COLOR = "#c62828"

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
    "pause": "Pause",
    "resume": "Resume",
    "end_infusion": "End infusion",
    "reaction": "Reaction...",
    "end_observation": "End observation",
    "discharge": "Discharge",
}
ACTION_TEXT = {"slowed": "slowed", "interrupted": "interrupted", "stopped": "stopped"}

# Sizes, as multiples of the desktop font: (normal, compact).
NAME_SCALE = (2.2, 1.4)
COUNTDOWN_SCALE = (1.6, 1.15)
CHIP_SCALE = (1.2, 1.0)


class VisitTile(QFrame):
    """One chair: who, which cycle, the phase and the countdown, in a fixed place."""

    sig_step = Signal(str, int)
    """A step button was clicked: (step name, appointment id)."""

    def __init__(
        self,
        chair_id: int,
        chair_name: str,
        data: nurse.BoardTile | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("visitTile")
        self.chair_id = chair_id
        self.chair_name = chair_name
        self.data = data
        self.compact = False
        self.phase = ""  # none shown yet: the first repaint styles the tile
        self._flags: tuple[VisitFlag, ...] = ()
        self._badges: list[tuple[str, str]] = []
        self._shown: tuple[str, ...] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        self.main_layout = layout

        header = QHBoxLayout()
        self.chair_label = self._label("chairLabel")
        self.phase_chip = QFrame(self)
        self.phase_chip.setObjectName("phaseChip")
        chip = QHBoxLayout(self.phase_chip)
        chip.setContentsMargins(6, 2, 8, 2)
        chip.setSpacing(5)
        self.phase_icon = PhaseIcon(self.phase_chip)
        self.phase_icon.setObjectName("phaseIcon")
        self.phase_label = QLabel(self.phase_chip)
        self.phase_label.setObjectName("phaseLabel")
        chip.addWidget(self.phase_icon)
        chip.addWidget(self.phase_label)
        header.addWidget(self.chair_label)
        header.addStretch(1)
        header.addWidget(self.phase_chip)
        layout.addLayout(header)

        self.flags_label = self._label("flagsLabel", wrap=True)
        self.patient_label = self._label("patientLabel", wrap=True)
        self.cycle_label = self._label("cycleLabel", wrap=True)
        countdown = QHBoxLayout()
        self.countdown_label = self._label("countdownLabel", wrap=True)
        self.until_label = self._label("untilLabel")
        self.until_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        countdown.addWidget(self.countdown_label, 1)
        countdown.addWidget(self.until_label, 0, Qt.AlignmentFlag.AlignTop)
        self.badge_grid = QGridLayout()
        self.badge_grid.setHorizontalSpacing(4)
        self.badge_grid.setVerticalSpacing(3)
        self.badge_labels: dict[str, QLabel] = {}
        for key in BADGE_COLORS:
            badge = self._label(f"{key}Badge")
            ink, fill = BADGE_COLORS[key]
            badge.setStyleSheet(
                f"color: {ink}; background: {fill}; border: 1px solid {ink};"
                " border-radius: 4px; padding: 1px 5px; font-weight: bold;"
            )
            badge.hide()
            self.badge_labels[key] = badge
        self.reaction_label = self._label("reactionLabel", wrap=True)
        self.bag_label = self._label("bagLabel", wrap=True)
        self.verdict_label = self._label("verdictLabel", wrap=True)
        self.message_label = self._label("messageLabel", wrap=True)
        layout.addWidget(self.flags_label)
        layout.addWidget(self.patient_label)
        layout.addWidget(self.cycle_label)
        layout.addLayout(countdown)
        layout.addLayout(self.badge_grid)
        for label in (self.reaction_label, self.bag_label, self.verdict_label):
            layout.addWidget(label)
        layout.addStretch(1)
        layout.addWidget(self.message_label)
        self.buttons: dict[str, QPushButton] = {}
        self.button_grid = QGridLayout()
        self.button_grid.setSpacing(4)
        for step, text in BUTTON_TEXT.items():
            button = QPushButton(text, self)
            button.setObjectName(f"{step}Button")
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, s=step: self._clicked(s))
            button.hide()
            self.buttons[step] = button
        layout.addLayout(self.button_grid)
        self.verdict_label.hide()
        self.message_label.hide()
        self.apply_fonts()
        self.set_data(data)

    def _label(self, name: str, wrap: bool = False) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(wrap)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def _clicked(self, step: str) -> None:
        if self.data is not None:
            self.sig_step.emit(step, self.data.appointment_id)

    # --- size ------------------------------------------------------------------------
    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.apply_fonts()
            self._place_buttons()

    def apply_fonts(self) -> None:
        """Fonts as multiples of the desktop's; the board calls this again when the
        desktop's font changes (the tile's style sheet keeps Qt from passing it on)."""
        base = QApplication.font()
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        mode = 1 if self.compact else 0
        self.setFont(base)  # the unscaled lines and the buttons

        def scaled(scale: float, bold: bool = True) -> QFont:
            font = QFont(base)
            font.setPointSizeF(size * scale)
            font.setBold(bold)
            return font

        self.patient_label.setFont(scaled(NAME_SCALE[mode]))
        self.countdown_label.setFont(scaled(COUNTDOWN_SCALE[mode]))
        self.until_label.setFont(scaled(COUNTDOWN_SCALE[mode], bold=False))
        self.chair_label.setFont(scaled(CHIP_SCALE[mode]))
        self.phase_label.setFont(scaled(CHIP_SCALE[mode]))
        self.phase_icon.setFont(scaled(CHIP_SCALE[mode]))
        self.flags_label.setFont(scaled(CHIP_SCALE[mode]))
        margin = 6 if self.compact else 10
        self.main_layout.setContentsMargins(margin, margin, margin, margin)
        self.main_layout.setSpacing(3 if self.compact else 6)
        self.phase_icon.updateGeometry()

    # --- data ------------------------------------------------------------------------
    def set_data(self, data: nurse.BoardTile | None) -> None:
        self.data = data
        self.chair_label.setText(self.chair_name)
        if data is None:
            who = f"{self.chair_name} (free)"
            self.patient_label.setText("No patient")
            self.cycle_label.setText("no visit in this chair today")
        else:
            who = f"{data.patient_name} in {self.chair_name}"
            self.patient_label.setText(data.patient_name)
            first = " - first infusion" if data.first_infusion else ""
            self.cycle_label.setText(f"{data.mrn} - {data.cycle_text}{first}")
        self.setAccessibleName(f"Visit of {who}" if data else f"{self.chair_name}: free")
        for label, name in (
            (self.chair_label, "Chair"),
            (self.patient_label, "Patient"),
            (self.cycle_label, "Cycle"),
            (self.phase_label, "Phase"),
            (self.flags_label, "Flags"),
            (self.countdown_label, "Time left"),
            (self.until_label, "Phase ends"),
            (self.reaction_label, "Reactions"),
            (self.bag_label, "Bag"),
            (self.verdict_label, "Readiness"),
            (self.message_label, "Message"),
        ):
            label.setAccessibleName(f"{name} of {who}")
        for key, badge in self.badge_labels.items():
            badge.setAccessibleName(f"{key.capitalize()} badge of {who}")
        for step, button in self.buttons.items():
            button.setAccessibleName(f"{BUTTON_TEXT[step].rstrip('.')} for {who}")

    def set_message(self, text: str, error: bool) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        self.message_label.setStyleSheet(f"color: {OVERRUN_COLOR};" if error else "")

    def set_verdict(self, text: str, ok: bool | None = None) -> None:
        """A short verdict line (the readiness check before Start infusion hooks in
        here); empty hides it. ``ok`` False shows it as a warning."""
        self.verdict_label.setText(unbroken(text))
        self.verdict_label.setVisible(bool(text))
        self.verdict_label.setStyleSheet(
            f"color: {OVERRUN_COLOR}; font-weight: bold;" if ok is False else ""
        )

    def set_readiness(self, readiness: Readiness | None) -> None:
        """The dose's readiness verdict before the infusion starts (issue 17): its word
        and first reason on the verdict line; None hides it."""
        if readiness is None:
            self.set_verdict("")
            return
        # no result recorded at all (a clinic keeping its labs elsewhere): shown, not red
        nothing_recorded = any(r.rule == "no-results" for r in readiness.reasons)
        ok = None if nothing_recorded else readiness.verdict is Verdict.READY
        self.set_verdict(f"Readiness: {readiness_text(readiness)}", ok)

    @property
    def flags(self) -> tuple[VisitFlag, ...]:
        return self._flags

    @property
    def badges(self) -> list[str]:
        """The badges shown, as their texts (first infusion, reaction, ...)."""
        return [text for _key, text in self._badges]

    @property
    def needs_look(self) -> bool:
        """Overdue or ready to leave: listed first when the board is told to."""
        return bool(self._flags)

    # --- the clock ---------------------------------------------------------------------
    def repaint_at(self, now: datetime, settings: ClinicSettings) -> str:
        """Phase, flags, countdown, badges and buttons at ``now`` (nothing is read)."""
        data = self.data
        if data is None:
            self._show_phase(FREE, ())
            self.countdown_label.setText("")
            self.until_label.setText("")
            self._set_badges([])
            for label in (self.reaction_label, self.bag_label):
                label.hide()
            self._show_buttons(())
            return FREE
        visit = data.visit
        countdown = countdown_at(visit, now)
        phase = countdown.phase
        self._show_phase(phase.value, flags_at(visit, now))
        flags = [flag_text(visit, flag, now, settings) for flag in self._flags]
        self.flags_label.setText(" | ".join(flags))
        what, wall = countdown_words(visit, now, settings.calendar)
        self.countdown_label.setText(unbroken(what[:1].upper() + what[1:]))
        self.until_label.setText(wall)
        overrun = countdown.is_overrun
        if self.countdown_label.property("overrun") != overrun:
            self.countdown_label.setProperty("overrun", overrun)
            self.countdown_label.setStyleSheet(f"color: {OVERRUN_COLOR};" if overrun else "")
        self._set_badges(self._badges_at(now, settings))
        self._show_reactions(settings)
        show_bag = phase in (Phase.EXPECTED, Phase.PREP) and bool(data.bag)
        self.bag_label.setVisible(show_bag)
        self.bag_label.setText(f"Bag: {wall_message(data.bag, settings.calendar)}")
        self.bag_label.setStyleSheet("" if data.bag_ok else f"color: {OVERRUN_COLOR};")
        self._show_buttons(BUTTONS_BY_PHASE[phase])
        return phase.value

    def _show_phase(self, phase: str, flags: tuple[VisitFlag, ...]) -> None:
        look = PHASE_LOOK[phase]
        self.phase_label.setText(look.label)
        self.phase_icon.set_phase(phase)
        if phase == self.phase and flags == self._flags:
            return
        self.phase, self._flags = phase, flags
        alarm = {VisitFlag.LATE, VisitFlag.INFUSION_DUE} & set(flags)
        edge = ALARM_COLOR if alarm else READY_COLOR if flags else look.ink
        width = 3 if flags else 1
        style = "dashed" if phase == FREE else "solid"
        self.setStyleSheet(
            f"#visitTile {{ background: {look.fill}; border: {width}px {style} {edge};"
            " border-radius: 6px; }"
            f" #phaseChip {{ background: {look.ink}; border-radius: 4px; }}"
            " #phaseLabel { color: white; }"
            f" #flagsLabel {{ color: white; background: {edge}; border-radius: 4px;"
            " padding: 2px 6px; }"
        )
        self.flags_label.setVisible(bool(flags))
        self.phase_chip.setAccessibleName(f"Phase: {look.label}")

    def _badges_at(self, now: datetime, settings: ClinicSettings) -> list[tuple[str, str]]:
        data = self.data
        assert data is not None
        found: list[tuple[str, str]] = []
        if data.first_infusion:
            found.append(("first", "First infusion"))
        grade = data.visit.reaction_grade
        if grade is not None:
            found.append(("reaction", f"Reaction grade {grade}"))
        if data.slowed:
            found.append(("prolonged", "Slowed"))
        elif data.prolonged_min is not None:
            found.append(("prolonged", f"Prolonged {data.prolonged_min} min"))
        expiry = data.bag_expires_at
        if expiry is not None and now < expiry <= now + BAG_WARNING:
            found.append(("bag", f"Bag expires {clock_time(settings.calendar, expiry)}"))
        return found

    def _set_badges(self, badges: list[tuple[str, str]]) -> None:
        if badges == self._badges:
            return
        self._badges = badges
        for badge in self.badge_labels.values():
            self.badge_grid.removeWidget(badge)
            badge.hide()
        columns = 2
        for index, (key, text) in enumerate(badges):
            badge = self.badge_labels[key]
            badge.setText(text)
            self.badge_grid.addWidget(badge, index // columns, index % columns)
            badge.show()
        self.badge_grid.setColumnStretch(columns, 1)

    def _show_reactions(self, settings: ClinicSettings) -> None:
        data = self.data
        assert data is not None
        lines = [reaction_text(settings, reaction) for reaction in data.reactions]
        self.reaction_label.setText("\n".join(lines))
        self.reaction_label.setVisible(bool(lines))

    def _show_buttons(self, shown: tuple[str, ...]) -> None:
        if shown != self._shown:
            self._shown = shown
            self._place_buttons()

    def _place_buttons(self) -> None:
        for button in self.buttons.values():
            self.button_grid.removeWidget(button)
            button.hide()
        columns = 2 if self.compact else 3
        for index, step in enumerate(self._shown or ()):
            button = self.buttons[step]
            self.button_grid.addWidget(button, index // columns, index % columns)
            button.show()


def reaction_text(settings: ClinicSettings, reaction: nurse.ReactionRecord) -> str:
    """``Grade 2 at 10:40: flushing - interrupted. Note: ...`` (clinic wall time)."""
    parts = [f"Grade {reaction.grade} at {clock_time(settings.calendar, reaction.at)}"]
    text = parts[0] + (f": {reaction.symptoms}" if reaction.symptoms else "")
    if reaction.action:
        text += f" - infusion {ACTION_TEXT[reaction.action]}"
    if reaction.note:
        text += f". Note: {reaction.note}"
    return text


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
