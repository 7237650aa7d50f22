"""The nurse board: a tile for every chair, in a fixed place in the clinic's chair order,
with the phase, the patient's name large, the countdown in words and the steps.

Every number on a tile is computed by ``domain.timers`` from stored instants and
``ctx.clock``; the 1 s timer only repaints, so a board opened later (or in another
process) shows the same time left. Each button is one service call in
``services.nurse``; a refusal is shown on the tile and nothing changes. The tiles
(``visit_tile``), their grid (``board_grid``), the header with date and clock
(``board_header``) and the dialogs (``board_dialogs``) live in modules of their own.

The board is a page of the main window and, from View > Open nurse board in a window,
a top-level window of its own for a second monitor or a wall screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMessageBox,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...domain.regimen import DRUG_NAME
from ...domain.timers import (
    LIFE_THREATENING_GRADE,
    Alert,
    AlertKind,
    Phase,
    alerts_due,
    infusion_due_at,
    observation_complete,
    phase_of,
)
from ...services import nurse
from ...services.context import ChangeSet, Context, load_settings
from ...services.errors import ConflictError, StoreError
from ...text import clock_time, wall_message
from ..planner.commands import refusal_text
from ..readiness.dialogs import run_gated
from ..readiness.view import appointments_readiness
from ..session import Session
from .dialogs import (
    AlertBanner as AlertBanner,
    ReactionDialog as ReactionDialog,
    ReasonDialog as ReasonDialog,
    end_infusion_question as end_infusion_question,
)
from .grid import BoardGrid
from .header import BoardHeader
from .tile import (
    OVERRUN_COLOR as OVERRUN_COLOR,  # re-exported: the tile lived here
    VisitTile as VisitTile,
)

TICK_MS = 1000
NOT_STARTED = (Phase.EXPECTED, Phase.PREP)  # a tile shows its dose's readiness

ALERT_TEXT = {
    AlertKind.INFUSION_END: "the infusion should end now",
    AlertKind.OBSERVATION_COMPLETE: "the minimum observation is complete",
}


class NurseBoard(QWidget):
    """A tile for every chair in the clinic's chair order, the date and clock above, the
    alert banners under them."""

    sig_changed = Signal(object)
    """A step taken on this board changed data (the ``ChangeSet``)."""

    sig_alert = Signal(object, object)
    """An alert fired for the first time: (appointment id, ``Alert``)."""

    def __init__(self, ctx: Context, parent: QWidget | None = None, poll: bool = False) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = load_settings(ctx.db)
        self.setAccessibleName("Nurse board")
        self.tiles: dict[int, VisitTile] = {}  # appointment id -> tile, visits not done
        self.chair_tiles: dict[int, VisitTile] = {}  # chair id -> its tile, every chair
        self.banners: dict[tuple[int, AlertKind], AlertBanner] = {}
        self.notified: set[tuple[int, AlertKind]] = set()
        self.dialog: QDialog | QMessageBox | None = None
        self._messages: dict[int, tuple[str, bool]] = {}
        self._day: date | None = None
        self._tray: QSystemTrayIcon | None = None

        layout = QVBoxLayout(self)
        self.header = BoardHeader(self)
        self.header.overdue_first.toggled.connect(self._place)
        layout.addWidget(self.header)
        self.banner_area = QVBoxLayout()
        self.banner_area.setSpacing(2)
        layout.addLayout(self.banner_area)
        self.empty_label = QLabel("No chair is set up: add chairs in Preferences.", self)
        self.empty_label.setObjectName("emptyBoardLabel")
        self.empty_label.setAccessibleName("Board is empty")
        layout.addWidget(self.empty_label)
        self.scroll_area = BoardGrid(self)
        layout.addWidget(self.scroll_area, 1)

        self.tick_timer = QTimer(self)
        self.tick_timer.setObjectName("nurseBoardTick")
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self.tick)
        self.session: Session | None = None
        if poll:  # standalone: a session of its own tells it of its steps and others'
            self.session = Session(ctx, self)
            self.sig_changed.connect(self.session.apply_changes)
            self.session.sig_changed.connect(self.reload)
        self.reload()
        self.tick_timer.start()

    # --- data --------------------------------------------------------------------------
    def _touches_today(self, changes: ChangeSet) -> bool:
        """Whether a change can alter today's board: anything but a pure re-timing of
        bookings on other days (moves named, none of them today or on a tile)."""
        if not changes.moves or changes.settings or changes.preparations:
            return True
        shown = {t.data.appointment_id for t in self.chair_tiles.values() if t.data}
        if self._day is None or changes.appointments & shown:
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
        views = nurse.chair_board(self.ctx.db, now)
        self.tiles = {}
        for view in views:
            tile = self.chair_tiles.get(view.chair_id)
            if tile is None:
                tile = VisitTile(view.chair_id, view.chair_name, view.tile, self.scroll_area.host)
                tile.sig_step.connect(self._step)
                self.chair_tiles[view.chair_id] = tile
            else:
                tile.chair_name = view.chair_name
                tile.set_data(view.tile)
            data = view.tile
            if data is not None and phase_of(data.visit) is not Phase.DONE:
                self.tiles[data.appointment_id] = tile
            shown = self._messages.get(data.appointment_id) if data else None
            tile.set_message(*(shown or ("", False)))
        waiting = [a for a in self.tiles if phase_of(self.data_of(a).visit) in NOT_STARTED]
        readiness = appointments_readiness(self.ctx.store, waiting)
        for tile in self.chair_tiles.values():
            on_tile = tile.data.appointment_id if tile.data else None
            tile.set_readiness(readiness.get(on_tile) if on_tile is not None else None)
        seen = {view.chair_id for view in views}
        for chair_id in [c for c in self.chair_tiles if c not in seen]:
            tile = self.chair_tiles.pop(chair_id)
            tile.deleteLater()
        self.empty_label.setVisible(not self.chair_tiles)
        self.tick()
        self._place()

    @Slot()
    def _place(self) -> None:
        """Tiles in the clinic's chair order; told to, overdue and ready-to-leave first
        (each group still in chair order)."""
        tiles = list(self.chair_tiles.values())
        if self.header.overdue_first.isChecked():
            tiles.sort(key=lambda tile: not tile.needs_look)
        self.scroll_area.place(tiles)

    def data_of(self, appointment_id: int) -> nurse.BoardTile:
        data = self.tiles[appointment_id].data
        assert data is not None
        return data

    @Slot()
    def poll_data_version(self) -> bool:
        """Standalone: show another connection's commits since the last look (its
        session's poll of the change feed); True when there were any."""
        return self.session.poll() if self.session is not None else False

    @Slot()
    def tick(self) -> None:
        """Repaint every countdown at the clock's now and raise alerts that came due."""
        now = self.ctx.clock.now()
        if self._day is not None and self.settings.calendar.local_date(now) != self._day:
            self.reload()  # a new clinic day
            return
        self.header.show_time(self.settings.calendar, now)
        for tile in self.chair_tiles.values():
            tile.repaint_at(now, self.settings)
        due: dict[tuple[int, AlertKind], tuple[VisitTile, Alert]] = {}
        for appointment_id, tile in self.tiles.items():
            data = self.data_of(appointment_id)
            for alert in alerts_due(data.visit, now, data.acknowledged):
                due[(appointment_id, alert.kind)] = (tile, alert)
        for key in [k for k in self.banners if k not in due]:
            banner = self.banners.pop(key)  # acknowledged elsewhere, or moot
            self.banner_area.removeWidget(banner)
            banner.deleteLater()
        for key, (tile, alert) in due.items():
            if key not in self.banners:
                self._show_banner(key, tile, alert)
        if self.header.overdue_first.isChecked():
            self._place()  # a flag that came up moves its chair to the front
        self.scroll_area.fit()  # a flag or a line that came up may need more room

    def _show_banner(self, key: tuple[int, AlertKind], tile: VisitTile, alert: Alert) -> None:
        data = self.data_of(key[0])
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
        self, appointment_id: int, action: Callable[..., ChangeSet], /, **kwargs: Any
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
        if step == "start":  # through the readiness gate (issue 17)
            self._start(appointment_id)
            return
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

    def _start(self, appointment_id: int) -> None:
        """Start infusion as the readiness gate allows (gui/readiness/dialogs.run_gated):
        under ``enforce`` a dose not ready needs a clinician's override, under ``warn``
        the nurse acknowledges the verdict."""
        data = self.data_of(appointment_id)
        what = f"{data.patient_name} ({data.mrn}), {data.cycle_text}"

        def refused(text: str) -> None:
            self._messages[appointment_id] = (text, True)
            self.tiles[appointment_id].set_message(text, True)

        # The domain's answer (nurse.start_check): a course or a bag that cannot serve
        # the start is refused before any override is asked for, so none is recorded
        # for an infusion that never starts; the gate's refusal goes to run_gated.
        try:
            refusal = nurse.start_check(self.ctx.db, appointment_id, self.ctx.clock.now())
        except (DomainError, StoreError):
            refusal = None  # the step itself says why (``_call``)
        if refusal is not None and not refusal.overridable:
            refused(f"Refused: {wall_message(refusal.rule, self.settings.calendar)}")
            return
        gate = run_gated(
            self, self.ctx, mrn=data.mrn, cycle=data.cycle, what=what, action="start infusion",
            proceed=lambda: self._call(appointment_id, nurse.start_infusion),
            on_changes=self.sig_changed.emit, refused=refused,
        )  # fmt: skip
        if gate is not None:
            self._open(gate)

    def _leave(self, step: str, appointment_id: int) -> None:
        action = nurse.discharge if step == "discharge" else nurse.end_observation
        data = self.data_of(appointment_id)
        visit = data.visit
        now = self.ctx.clock.now()
        if observation_complete(visit, now) or visit.observation_ended_at is not None:
            self._call(appointment_id, action)
            return
        what = "A discharge" if step == "discharge" else "Ending the observation"
        dialog = ReasonDialog(what, data.patient_name, self)
        dialog.accepted.connect(
            lambda: self._call(appointment_id, action, reason=dialog.reason) and None
        )
        self._open(dialog)

    def _end_infusion(self, appointment_id: int) -> None:
        """At or after its planned end an infusion just ends (completed). Before it, ask:
        completed, or stopped before complete (a partial dose)? A paused one was never
        resumed, so it can only end as stopped (domain.tolerance)."""
        data = self.data_of(appointment_id)
        visit = data.visit
        now = self.ctx.clock.now()
        paused = phase_of(visit) is Phase.PAUSED
        due = infusion_due_at(visit, now)
        if not paused and (due is None or now >= due):
            self._call(appointment_id, nurse.end_infusion)
            return
        box = end_infusion_question(self, visit.infusion_min, paused, data.patient_name)
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
        data = self.data_of(appointment_id)
        phase = phase_of(data.visit)
        dialog = ReactionDialog(
            data.patient_name,
            self.settings.calendar,
            self.ctx.clock.now(),
            running=phase in (Phase.INFUSING, Phase.PAUSED),
            paused=phase is Phase.PAUSED,
            parent=self,
        )
        dialog.accepted.connect(lambda: self._reaction(appointment_id, dialog))
        self._open(dialog)

    def _reaction(self, appointment_id: int, dialog: ReactionDialog) -> None:
        """Record what the dialog was told; a grade 4 asks once more (it stops the
        course and cancels its future bookings)."""
        details: dict[str, Any] = {
            "grade": dialog.grade,
            "action": dialog.action,
            "symptoms": dialog.symptoms,
            "note": dialog.note,
            "at": dialog.began_at,
        }
        if dialog.grade != LIFE_THREATENING_GRADE:
            self._call(appointment_id, nurse.record_reaction, **details)
            return
        data = self.data_of(appointment_id)
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
                self._call(appointment_id, nurse.record_reaction, confirm_stop=True, **details)
                and None
            )
        )
        self._open(box)

    def changeEvent(self, event: QEvent) -> None:
        """The desktop's font changed: every tile and the header scale from it again
        (a tile's style sheet keeps Qt from passing the change on by itself)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.header.apply_fonts()
            for tile in self.chair_tiles.values():
                tile.apply_fonts()
            self.scroll_area.fit()

    def _open(self, dialog: QDialog | QMessageBox) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    def stop(self) -> None:
        """Stop the timers (before the database closes)."""
        self.tick_timer.stop()
        if self.session is not None:
            self.session.stop()


class NurseBoardWindow(QWidget):
    """The board in a top-level window of its own (for a second monitor)."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("nurseBoardWindow")
        self.setWindowTitle("Nurse board")
        self.setAccessibleName("Nurse board window")
        room = self.screen().availableGeometry()  # a 1366x768 laptop: within its screen
        self.resize(min(1100, room.width()), min(750, room.height()))
        layout = QVBoxLayout(self)
        self.board = NurseBoard(ctx, self)
        self.board.setObjectName("detachedNurseBoard")
        layout.addWidget(self.board)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.board.stop()
        super().closeEvent(event)
