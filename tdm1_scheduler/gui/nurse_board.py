"""The nurse board: one tile per occupied chair, with a large countdown and the steps.

Every number on a tile is computed by ``domain.timers`` from stored instants and
``ctx.clock``; the 1 s timer only repaints, so a board opened later (or in another
process) shows the same time left. Each button is one service call in
``services.nurse``; a refusal is shown on the tile and nothing changes.

The board is a page of the main window and, from View > Open nurse board in a window,
a top-level window of its own for a second monitor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import DomainError
from ..domain.regimen import DRUG_NAME
from ..domain.timers import (
    LIFE_THREATENING_GRADE,
    REACTION_GRADES,
    Alert,
    AlertKind,
    Phase,
    alerts_due,
    infusion_due_at,
    observation_complete,
    phase_of,
)
from ..services import nurse
from ..services.context import ChangeSet, Context, load_settings
from ..store.database import ConflictError, StoreError, data_version
from ..text import clock_time, wall_message
from .commands import refusal_text
from .visit_tile import OVERRUN_COLOR as OVERRUN_COLOR  # re-exported: the tile lived here
from .visit_tile import VisitTile as VisitTile

TICK_MS = 1000
POLL_MS = 1000
TILE_COLUMNS = 3

ALERT_TEXT = {
    AlertKind.INFUSION_END: "the infusion should end now",
    AlertKind.OBSERVATION_COMPLETE: "the minimum observation is complete",
}


class ReasonDialog(QDialog):
    """Asks why a patient leaves before the minimum observation is over."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("earlyReasonDialog")
        self.setWindowTitle("Reason needed")
        self.setAccessibleName("Reason for leaving early")
        layout = QFormLayout(self)
        layout.addRow(QLabel(f"{what} before the minimum observation is over.", self))
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("earlyReasonEdit")
        self.reason_edit.setAccessibleName("Reason")
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
    """Asks the grade (1-4) of an infusion reaction."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reactionDialog")
        self.setWindowTitle("Record a reaction")
        self.setAccessibleName("Record a reaction")
        layout = QFormLayout(self)
        self.grade_combo = QComboBox(self)
        self.grade_combo.setObjectName("reactionGradeCombo")
        self.grade_combo.setAccessibleName("Reaction grade")
        for grade in REACTION_GRADES:
            note = " (life-threatening: stops the course)" if grade == 4 else ""
            self.grade_combo.addItem(f"Grade {grade}{note}", grade)
        layout.addRow("Grade:", self.grade_combo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("reactionButtons")
        self.buttons.setAccessibleName("Confirm or cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addRow(self.buttons)

    @property
    def grade(self) -> int:
        return int(self.grade_combo.currentData())


class AlertBanner(QFrame):
    """An in-window alert that stays until a nurse acknowledges it."""

    def __init__(self, key: tuple[int, AlertKind], text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("alertBanner")
        self.setAccessibleName(f"Alert: {text}")
        self.setStyleSheet("#alertBanner { background: #fff3cd; border: 1px solid #d39e00; }")
        layout = QHBoxLayout(self)
        self.label = QLabel(text, self)
        self.label.setObjectName("alertText")
        self.label.setAccessibleName("Alert text")
        self.label.setWordWrap(True)
        self.ack_button = QPushButton("Acknowledge", self)
        self.ack_button.setObjectName("acknowledgeAlertButton")
        self.ack_button.setAccessibleName(f"Acknowledge: {text}")
        layout.addWidget(self.label, 1)
        layout.addWidget(self.ack_button)


def end_infusion_question(parent: QWidget, planned_min: int, paused: bool) -> QMessageBox:
    """Ending before the planned end: "Completed" (accept) or "Stopped before complete"
    (destructive); Cancel (Esc) ends nothing. A paused infusion offers only the stop."""
    if paused:
        text = (
            "The infusion is paused and was not resumed, so it ends as stopped before"
            " complete (a partial dose)."
        )
    else:
        text = "The infusion is ending before its planned end. Was the whole dose given?"
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


class NurseBoard(QWidget):
    """Tiles for today's occupied chairs, alert banners above them."""

    sig_changed = Signal(object)
    """A step taken on this board changed data (the ``ChangeSet``)."""

    sig_alert = Signal(object, object)
    """An alert fired for the first time: (appointment id, ``Alert``)."""

    def __init__(self, ctx: Context, parent: QWidget | None = None, poll: bool = False) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = load_settings(ctx.db)
        self.setAccessibleName("Nurse board")
        self.tiles: dict[int, VisitTile] = {}
        self.banners: dict[tuple[int, AlertKind], AlertBanner] = {}
        self.notified: set[tuple[int, AlertKind]] = set()
        self.dialog: QDialog | QMessageBox | None = None
        self._messages: dict[int, tuple[str, bool]] = {}
        self._day: date | None = None
        self._tray: QSystemTrayIcon | None = None

        layout = QVBoxLayout(self)
        title = QLabel(f"Nurse board - {DRUG_NAME}", self)
        title.setObjectName("nurseBoardTitle")
        title.setAccessibleName("Nurse board title")
        layout.addWidget(title)
        self.banner_area = QVBoxLayout()
        layout.addLayout(self.banner_area)
        self.empty_label = QLabel("No chair is occupied today.", self)
        self.empty_label.setObjectName("emptyBoardLabel")
        self.empty_label.setAccessibleName("Board is empty")
        layout.addWidget(self.empty_label)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("nurseBoardScroll")
        self.scroll_area.setAccessibleName("Occupied chairs")
        self.scroll_area.setWidgetResizable(True)
        self.grid_host = QWidget(self.scroll_area)
        self.grid_host.setObjectName("nurseBoardTiles")
        self.grid_host.setAccessibleName("Chair tiles")
        self.grid = QGridLayout(self.grid_host)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.scroll_area.setWidget(self.grid_host)
        layout.addWidget(self.scroll_area, 1)

        self.tick_timer = QTimer(self)
        self.tick_timer.setObjectName("nurseBoardTick")
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self.tick)
        self.poll_timer: QTimer | None = None
        self._seen_version = data_version(ctx.db)
        if poll:  # standalone: reload after its own steps, and watch other connections
            self.sig_changed.connect(self.reload)
            self.poll_timer = QTimer(self)
            self.poll_timer.setInterval(POLL_MS)
            self.poll_timer.timeout.connect(self.poll_data_version)
            self.poll_timer.start()
        self.reload()
        self.tick_timer.start()

    # --- data --------------------------------------------------------------------------
    def _touches_today(self, changes: ChangeSet) -> bool:
        """Whether a change can alter today's board: anything but a pure re-timing of
        bookings on other days (moves named, none of them today or on a tile)."""
        if not changes.moves or changes.settings or changes.preparations:
            return True
        if self._day is None or changes.appointments & set(self.tiles):
            return True
        calendar = self.settings.calendar
        return any(
            calendar.local_date(instant) == self._day
            for move in changes.moves
            for instant in (move.old_start, move.new_start)
            if instant is not None
        )


    @Slot()
    @Slot(object)
    def reload(self, changes: object = None) -> None:
        """Read today's visits again and lay the tiles out in chair order (skipped for a
        change that only moved bookings on other days)."""
        if isinstance(changes, ChangeSet) and not self._touches_today(changes):
            return
        now = self.ctx.clock.now()
        self.settings = load_settings(self.ctx.db)
        self._day = self.settings.calendar.local_date(now)
        fresh = nurse.board(self.ctx.db, now)
        seen: set[int] = set()
        for index, data in enumerate(fresh):
            seen.add(data.appointment_id)
            tile = self.tiles.get(data.appointment_id)
            if tile is None:
                tile = VisitTile(data, self.grid_host)
                tile.sig_step.connect(self._step)
                self.tiles[data.appointment_id] = tile
            else:
                tile.set_data(data)
            self.grid.addWidget(tile, index // TILE_COLUMNS, index % TILE_COLUMNS)
            tile.show()
            text, error = self._messages.get(data.appointment_id, ("", False))
            tile.set_message(text, error)
        for appointment_id in [a for a in self.tiles if a not in seen]:
            tile = self.tiles.pop(appointment_id)
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.empty_label.setVisible(not self.tiles)
        self.tick()

    @Slot()
    def poll_data_version(self) -> bool:
        """Reload when another connection committed since the last look."""
        version = data_version(self.ctx.db)
        if version == self._seen_version:
            return False
        self._seen_version = version
        self.reload()
        return True

    @Slot()
    def tick(self) -> None:
        """Repaint every countdown at the clock's now and raise alerts that came due."""
        now = self.ctx.clock.now()
        if self._day is not None and self.settings.calendar.local_date(now) != self._day:
            self.reload()  # a new clinic day
            return
        due: dict[tuple[int, AlertKind], tuple[VisitTile, Alert]] = {}
        for appointment_id, tile in self.tiles.items():
            tile.repaint_at(now, self.settings)
            for alert in alerts_due(tile.data.visit, now, tile.data.acknowledged):
                due[(appointment_id, alert.kind)] = (tile, alert)
        for key in [k for k in self.banners if k not in due]:
            banner = self.banners.pop(key)  # acknowledged elsewhere, or moot
            self.banner_area.removeWidget(banner)
            banner.deleteLater()
        for key, (tile, alert) in due.items():
            if key not in self.banners:
                self._show_banner(key, tile, alert)

    def _show_banner(self, key: tuple[int, AlertKind], tile: VisitTile, alert: Alert) -> None:
        data = tile.data
        when = clock_time(self.settings.calendar, alert.due_at)
        text = f"{data.chair_name}, {data.patient_name}: {ALERT_TEXT[alert.kind]} ({when})"
        banner = AlertBanner(key, text, self)
        banner.ack_button.clicked.connect(lambda _checked=False, k=key: self.acknowledge(k))
        self.banner_area.addWidget(banner)
        banner.show()
        self.banners[key] = banner
        if key not in self.notified:
            self.notified.add(key)
            self.notify("Nurse board", text)
            self.sig_alert.emit(key[0], alert)

    def notify(self, title: str, text: str) -> None:
        """A desktop notification where the platform offers one; skipped otherwise."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            self._tray = QSystemTrayIcon(self.windowIcon(), self)
            self._tray.setToolTip("Nurse board")
            self._tray.show()
        self._tray.showMessage(title, text)

    def acknowledge(self, key: tuple[int, AlertKind]) -> None:
        appointment_id, kind = key
        self._call(appointment_id, nurse.acknowledge_alert, kind=kind)

    # --- steps -------------------------------------------------------------------------
    def tile_for(self, appointment_id: int) -> VisitTile:
        return self.tiles[appointment_id]

    def _call(
        self, appointment_id: int, action: Callable[..., ChangeSet], **kwargs: Any
    ) -> ChangeSet | None:
        """Run one service step; a refusal is shown on the tile, nothing else happens."""
        try:
            changes = action(self.ctx, appointment_id=appointment_id, **kwargs)
        except (DomainError, ConflictError, StoreError) as error:
            message = f"Refused: {wall_message(refusal_text(error), self.settings.calendar)}"
            self._messages[appointment_id] = (message, True)
            if appointment_id in self.tiles:
                self.tiles[appointment_id].set_message(message, True)
            return None
        self._messages[appointment_id] = ("; ".join(changes.notes), False)
        self.sig_changed.emit(changes)  # the window (or a standalone board itself) reloads
        return changes

    @Slot(str, int)
    def _step(self, step: str, appointment_id: int) -> None:
        simple: dict[str, Callable[..., ChangeSet]] = {
            "arrive": nurse.arrive,
            "start": nurse.start_infusion,
            "pause": nurse.pause_infusion,
            "resume": nurse.resume_infusion,
        }
        if step in simple:
            self._call(appointment_id, simple[step])
        elif step == "end_infusion":
            self._end_infusion(appointment_id)
        elif step == "reaction":
            self._ask_reaction(appointment_id)
        elif step in ("end_observation", "discharge"):
            self._leave(step, appointment_id)

    def _leave(self, step: str, appointment_id: int) -> None:
        action = nurse.discharge if step == "discharge" else nurse.end_observation
        visit = self.tiles[appointment_id].data.visit
        now = self.ctx.clock.now()
        if observation_complete(visit, now) or visit.observation_ended_at is not None:
            self._call(appointment_id, action)
            return
        what = "A discharge" if step == "discharge" else "Ending the observation"
        dialog = ReasonDialog(what, self)
        dialog.accepted.connect(
            lambda: self._call(appointment_id, action, reason=dialog.reason) and None
        )
        self._open(dialog)

    def _end_infusion(self, appointment_id: int) -> None:
        """At or after its planned end an infusion just ends (completed). Before it, ask:
        completed, or stopped before complete (a partial dose)? A paused one was never
        resumed, so it can only end as stopped (domain.tolerance)."""
        visit = self.tiles[appointment_id].data.visit
        now = self.ctx.clock.now()
        paused = phase_of(visit) is Phase.PAUSED
        due = infusion_due_at(visit, now)
        if not paused and (due is None or now >= due):
            self._call(appointment_id, nurse.end_infusion)
            return
        box = end_infusion_question(self, visit.infusion_min, paused)
        box.buttonClicked.connect(
            lambda button: self._answer_end(appointment_id, box.buttonRole(button))
        )
        self._open(box)

    def _answer_end(self, appointment_id: int, role: QMessageBox.ButtonRole) -> None:
        if role is QMessageBox.ButtonRole.AcceptRole:
            self._call(appointment_id, nurse.end_infusion, stopped=False)
        elif role is QMessageBox.ButtonRole.DestructiveRole:
            self._call(appointment_id, nurse.end_infusion, stopped=True)

    def _ask_reaction(self, appointment_id: int) -> None:
        dialog = ReactionDialog(self)
        dialog.accepted.connect(lambda: self._reaction(appointment_id, dialog.grade))
        self._open(dialog)

    def _reaction(self, appointment_id: int, grade: int) -> None:
        if grade != LIFE_THREATENING_GRADE:
            self._call(appointment_id, nurse.record_reaction, grade=grade)
            return
        data = self.tiles[appointment_id].data
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Stop the course?",
            f"A grade 4 (life-threatening) reaction stops {data.patient_name}'s course of"
            f" {DRUG_NAME} and cancels all of its future bookings.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("stopCourseConfirm")
        box.setAccessibleName("Confirm stopping the course")
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText("Stop course")
        yes.setAccessibleName("Stop the course and cancel its bookings")
        box.button(QMessageBox.StandardButton.Cancel).setAccessibleName("Cancel")
        box.accepted.connect(
            lambda: (
                self._call(appointment_id, nurse.record_reaction, grade=4, confirm_stop=True)
                and None
            )
        )
        self._open(box)

    def _open(self, dialog: QDialog | QMessageBox) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    def stop(self) -> None:
        """Stop the timers (before the database closes)."""
        self.tick_timer.stop()
        if self.poll_timer is not None:
            self.poll_timer.stop()


class NurseBoardWindow(QWidget):
    """The board in a top-level window of its own (for a second monitor)."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("nurseBoardWindow")
        self.setWindowTitle("Nurse board")
        self.setAccessibleName("Nurse board window")
        self.resize(1100, 750)
        layout = QVBoxLayout(self)
        self.board = NurseBoard(ctx, self)
        self.board.setObjectName("detachedNurseBoard")
        layout.addWidget(self.board)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.board.stop()
        super().closeEvent(event)


class NurseBoardFeature(QObject):
    """What ``attach`` adds to the main window: the page, the View action, the wiring."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.board = NurseBoard(window.ctx, window)
        window.add_page(self.board, "Nurse board", "nurseBoardPage")
        self.connect_board(self.board)
        self.detached: NurseBoardWindow | None = None
        self.open_action = QAction("Open nurse board in a &window", window)
        self.open_action.setObjectName("openNurseBoardWindowAction")
        self.open_action.setToolTip("Show the nurse board in its own window (a second monitor)")
        self.open_action.triggered.connect(self.open_window)
        window.menu("view").addAction(self.open_action)
        window.installEventFilter(self)

    def connect_board(self, board: NurseBoard) -> None:
        board.sig_changed.connect(self.window.apply_changes)
        self.window.sig_data_changed.connect(board.reload)

    @Slot()
    def open_window(self) -> NurseBoardWindow:
        if self.detached is None:
            self.detached = NurseBoardWindow(self.window.ctx, self.window)
            self.connect_board(self.detached.board)
            self.detached.destroyed.connect(self._window_gone)
            self.detached.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.detached.show()
        self.detached.raise_()
        self.detached.activateWindow()
        return self.detached

    @Slot()
    def _window_gone(self) -> None:
        self.detached = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # During interpreter shutdown Qt may call in after Python dropped our attributes.
        window = getattr(self, "window", None)
        if window is not None and watched is window and event.type() == QEvent.Type.Close:
            self.board.stop()
            if self.detached is not None:
                self.detached.close()
        return False


def attach(window: Any) -> NurseBoardFeature:
    """Add the nurse board page and View > Open nurse board in a window."""
    return NurseBoardFeature(window)
