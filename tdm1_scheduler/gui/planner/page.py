"""The planner page: the day grid, the load strip of the coming weeks, moves with undo.

``attach(session, window)`` builds it as the first page of the main window. Every move,
by mouse or by key (here or in the day list), goes the same way: preview through the
service, a confirmation only when later cycles move, the service call, an undo step,
and ``session.apply_changes``; the blocks it names are then redrawn from the database.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from ...domain.day_blocks import DayBlock, block_of
from ...domain.records import AppointmentView, CycleStatus
from ...services.context import ChangeSet, Context
from ...services.live import data_mark, read_all
from ...services.queries import chairs
from ...text import clock_time
from ..first_paint import Deferred, after_first_paint
from ..refusals import SERVICE_ERRORS, refusal_text
from ..resources import load_icon
from ..session import Session, day_blocks
from ..shell import Shell
from .controller import Confirm, MoveController, later_cycles_moving
from .day_model import APPOINTMENT_ID_ROLE
from .day_scene import Chair, MoveTarget, PlannerScene
from .day_view import ARROW_MOVES, MoveRequest, PlannerView
from .host import PlannerHost
from .load_strip import STRIP_DAYS, DayLoadSummary, LoadStrip, day_loads
from .menu_sources import MenuSources
from .shown_load import ShownDayLoad
from .view_actions import add_view_actions, select_on_focus

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from ...services.preview import Preview
    from .context_menu import VisitMenus
    from .week_view import WeekPane

Row = AppointmentView
MESSAGE_MS = 10000
__all__ = ["Confirm", "Planner", "later_cycles_moving"]


class Planner(PlannerHost):
    """The planner page and its controller."""

    def __init__(self, session: Session, window: Shell, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.main_window = window  # not ``window``: QWidget.window() exists
        self.ctx: Context = session.ctx
        self.setAccessibleName("Chair planner")
        self.moves = MoveController(session, self.say, self)
        self.moves.sig_moved.connect(self.select)
        self.chairs: list[Chair] = []
        self._built_key: tuple[date, int, int] | None = None
        self._rows: list[DayBlock] = []  # the day's appointments as last read (lean)
        self._shown_load = ShownDayLoad()  # the strip's count of those rows
        self._laid_out_width = -1.0
        self._relayout_timer = QTimer(self)
        self._relayout_timer.setSingleShot(True)
        self._relayout_timer.setInterval(0)
        self._relayout_timer.timeout.connect(self._relayout)
        self._strip_key: tuple[date, int, int] | None = None
        self.table_mover: TableKeyMover | None = None
        self._reload_after_drag = False
        self.block_action: QAction | None = None

        self._strip = LoadStrip(self)
        self.scene = PlannerScene(session.settings, load_icon("first-infusion"))
        self.scene.setParent(self)
        self.scene.fetch = session.booking  # a block's whole record, when asked
        # The day and week views are built in the stack that shows them, so adding
        # them does not move them: a move styles a built view again (issue 19: 4 M).
        self.stack = QStackedWidget(self)
        self.view = PlannerView(self.scene, self.stack)
        self.view.preview_move = self.moves.preview_move
        self.view.shift_summary = self.moves.shift_summary
        self.info = QLabel(self)
        self.info.setObjectName("plannerInfoLabel")
        self.info.setAccessibleName("Planner status")
        self.info.setWordWrap(True)
        self._week: WeekPane | None = None  # built when first asked for (issue 19)
        self.stack.addWidget(self.view)
        self._menus: VisitMenus | None = None  # built at the first menu (issue 19)
        self.menu_sources = MenuSources(self, lambda *at: self.menus.open_for(*at))
        self.menu_sources.watch_view(self.view)
        select_on_focus(self.view)
        self.mode_actions: dict[str, QAction] = {}
        self.guide_action: QAction | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self._strip)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.info)

        self.view.sig_move_requested.connect(self.moves.handle_request)
        self.view.sig_hint_changed.connect(self._hint_changed)
        self.view.sig_selection_described.connect(self._selection_described)
        self.view.sig_width_changed.connect(self._width_changed)
        self._strip.sig_day_requested.connect(session.show_day)
        session.sig_day_changed.connect(self._day_changed)
        session.sig_changed.connect(self._data_changed)
        # Issue 19: the grid is built once, at its first width (the window being shown),
        # and the strip of the coming weeks is counted just after its first paint.
        self._first_strip: Deferred | None = None

    # --- loading --------------------------------------------------------------------
    def _key(self) -> tuple[date, int, int]:
        return (self.session.shown_day, *data_mark(self.ctx))

    def reload(self, force: bool = False, strip: bool = True) -> None:
        """Rebuild the grid for the day shown (skipped when nothing changed since), and
        the strip unless ``strip`` is False."""
        if self.view.dragging:
            self._reload_after_drag = True  # never pull the dragged block from under the pointer
            return
        key = self._key()
        if not force and key == self._built_key:
            return
        selected = self.scene.selected_block()
        keep = selected.appointment_id if selected else None
        settings = self.session.settings
        day = self.session.shown_day
        built = self._built_key
        if key != built:  # a forced rebuild of unchanged data reuses the rows read
            if built is None or key[1:] != built[1:]:  # another day alone: the same chairs
                self.chairs = [Chair(c.id, c.name) for c in chairs(self.ctx.store)]
            self._rows = day_blocks(self.session, day)  # the Day list's read, shared
        width = float(self.view.viewport().width())
        self._laid_out_width = width
        self.scene.rebuild(settings, day, self.chairs, self._rows, self.ctx.clock.now(), width)
        self._built_key = key
        if keep is not None:
            self.select(keep)
        if strip:
            self._reload_strip()
        geometry = self.scene.geometry
        closed = geometry.closed_reason if geometry else None
        self.info.setText(closed.capitalize() if closed else "")

    @property
    def strip(self) -> LoadStrip:
        """The load strip of the coming weeks, counted (now, if its first paint has
        not come yet)."""
        if self._strip_key is None:
            self._reload_strip()
        return self._strip

    def _current_strip_key(self) -> tuple[date, int, int]:
        return (self.session.clinic_today(), *data_mark(self.ctx))

    def _reload_strip(self) -> None:
        key = self._current_strip_key()
        if key != self._strip_key:
            days = day_loads(self.ctx.store, self.session.settings, key[0])
            self._strip.reload(days, self.session.shown_day)
            self._strip_key = key
        else:
            self._strip.mark_shown(self.session.shown_day)

    def _width_changed(self) -> None:
        if self._built_key is None and not self.view.dragging:
            # The first width (the window being shown, before its first paint): build
            # the grid at it, once; the strip follows its own first paint.
            self.reload(force=True, strip=False)
            if self._strip_key is None and self._first_strip is None:
                self._first_strip = after_first_paint(self._strip.viewport(), self._reload_strip)
            return
        # A window being shown or resized sends several widths: lay out once, after them.
        self._relayout_timer.start()

    def _relayout(self) -> None:
        self._reload_week()
        width = float(self.view.viewport().width())
        if not self.view.dragging and width != self._laid_out_width:
            if self._built_key is None or self._key() != self._built_key:
                self.reload(force=True)
            else:  # the same day and data: reposition the blocks, rebuild nothing
                self._laid_out_width = width
                self.scene.relayout(width)

    def _day_changed(self, _day: object) -> None:
        self.reload()
        self.view.verticalScrollBar().setValue(0)  # a new day starts at the first chair
        if self._week is not None:
            self._week.view.verticalScrollBar().setValue(0)
        self._reload_week()

    # --- day or week ------------------------------------------------------------------
    @property
    def week(self) -> WeekPane:
        """The week view, built the first time it is asked for: the start does not show
        it, nor import its module (issue 19)."""
        if self._week is None:
            from .week_view import WeekPane

            self._week = WeekPane(self, self.stack)
            self.stack.addWidget(self._week.view)
            self.menu_sources.watch_view(self._week.view)
            # Where the start built it: Tab from the day grid's place in the chain.
            QWidget.setTabOrder(self.view, self._week.view)
        return self._week

    @property
    def menus(self) -> VisitMenus:
        """The visit menu's builder, made the first time a menu opens (issue 19)."""
        if self._menus is None:
            from .context_menu import VisitMenus

            self._menus = VisitMenus(self)
        return self._menus

    @property
    def in_week(self) -> bool:
        return self._week is not None and self.stack.currentWidget() is self._week.view

    def set_mode(self, mode: str) -> None:
        """Show the day grid ("day") or the week ("week") on the planner page."""
        week = mode == "week"
        self.stack.setCurrentWidget(self.week.view if week else self.view)
        if mode in self.mode_actions:
            self.mode_actions[mode].setChecked(True)
        self.main_window.pages.setCurrentWidget(self)
        if week:
            self.week.reload()
        (self.week.view if week else self.view).setFocus()

    def open_day(self, day: object) -> None:
        """A day double-clicked in the week: show it in the day grid."""
        assert isinstance(day, date)
        self.session.show_day(day)
        self.set_mode("day")

    def _reload_week(self) -> None:
        if self.in_week:
            self.week.reload()

    def _data_changed(self, changes: object) -> None:
        """A change made here names what moved: only those days of the strip are
        recounted (the day shown from the grid's rows, no read). Another connection's
        change (None) or a change with no moves recounts the whole strip when the grid
        reloads."""
        named = self._update_named_blocks(changes)
        counted = self._strip_key is not None  # else the whole strip is counted later
        if isinstance(changes, ChangeSet) and changes.moves and not changes.settings and counted:
            calendar = self.session.settings.calendar
            touched = {
                calendar.local_date(instant)
                for move in changes.moves
                for instant in (move.old_start, move.new_start)
                if instant is not None
            }
            first = self.session.clinic_today()
            in_strip = sorted(d for d in touched if 0 <= (d - first).days < STRIP_DAYS)
            self._strip.update_days([self._day_load(day, named) for day in in_strip])
            self._strip_key = self._current_strip_key()
        if named:
            self._reload_strip()  # recounts everything unless the moves already did it
        else:
            self.reload()
        self._reload_week()

    def _day_load(self, day: date, rows_current: bool) -> DayLoadSummary:
        """One day's load: the day shown from the grid's rows when they are current,
        any other from the store."""
        settings = self.session.settings
        if rows_current and self._built_key is not None and day == self._built_key[0]:
            in_service = {chair.id for chair in self.chairs}
            return self._shown_load.of(settings, day, self._rows, in_service)
        return day_loads(self.ctx.store, settings, day, 1)[0]

    def _update_named_blocks(self, changes: object) -> bool:
        """Redraw only the appointments a change made here names (read once, by the
        session); False when the whole day must be read again (another connection,
        settings, chairs, another day)."""
        if read_all(changes) or not isinstance(changes, ChangeSet):
            return False
        if changes.settings or changes.chairs:
            return False
        built = self._built_key
        if built is None or built[0] != self.session.shown_day or self.view.dragging:
            return False
        day_start, day_end = self.session.settings.calendar.day_bounds(built[0])
        rows = {row.id: row for row in self._rows}
        keep = self.scene.selected_block()
        removed: list[DayBlock] = []
        added: list[DayBlock] = []
        for appointment_id in changes.appointments:
            row = self.session.booking(appointment_id)
            shown = (
                row is not None
                and row.appointment.holds_chair
                and row.appointment.start < day_end
                and row.appointment.end > day_start
            )
            gone = rows.pop(appointment_id, None)
            if gone is not None:
                removed.append(gone)
            if shown:
                assert row is not None
                block = rows[appointment_id] = block_of(row)
                added.append(block)
            self.scene.replace_block(appointment_id, row if shown else None)
        new_rows = list(rows.values())
        self._shown_load.carry(self._rows, new_rows, removed, added)
        self._rows = new_rows
        self._built_key = self._key()
        if keep is not None:
            self.select(keep.appointment_id)
        return True

    def select(self, appointment_id: int) -> bool:
        if self.in_week:
            self.week.select(appointment_id)
        block = self.scene.block_for(appointment_id)
        self.scene.clearSelection()
        if block is None:
            return False
        block.setSelected(True)
        self.view.ensureVisible(block)
        return True

    # --- messages ---------------------------------------------------------------------
    def say(self, text: str) -> None:
        """Tell the scheduler: the status bar and the planner's own (accessible) line."""
        self.info.setText(text)
        self.main_window.statusBar().showMessage(text, MESSAGE_MS)

    def _hint_changed(self, text: str) -> None:
        if text:
            self.info.setText(text)
        elif self._reload_after_drag and not self.view.dragging:
            self._reload_after_drag = False  # the drag ended: catch up with what changed
            self.reload(force=True)

    def _selection_described(self, text: str) -> None:
        self.view.setAccessibleDescription(text or "No block selected")

    # --- moving: one controller for every view (gui/planner/controller.py) ----------------
    @property
    def confirm(self) -> Confirm:
        return self.moves.confirm

    @confirm.setter
    def confirm(self, value: Confirm) -> None:
        self.moves.confirm = value

    def preview_move(self, target: MoveTarget) -> Preview:
        return self.moves.preview_move(target)

    def request_move(self, row: Row, chair: Chair, start: datetime) -> bool:
        """Move a booking (from a key press in the day list, a menu, or a script)."""
        return self.moves.request_move(row, chair, start)

    def handle_request(self, request: MoveRequest) -> bool:
        return self.moves.handle_request(request)

    def local(self, instant: datetime) -> datetime:
        return self.moves.local(instant)

    def step_row(self, row: Row, lanes: int, minutes: int) -> bool:
        """A keyboard move of ``row``: ``lanes`` chairs down, ``minutes`` later."""
        ids = [c.id for c in self.chairs]
        if row.appointment.chair_id not in ids:
            return False
        index = ids.index(row.appointment.chair_id) + lanes
        if not 0 <= index < len(self.chairs):
            self.say("Not moved: " + ("no chair above" if lanes < 0 else "no chair below"))
            return False
        start = row.appointment.start + timedelta(minutes=minutes)
        return self.request_move(row, self.chairs[index], start)

    # --- blocked time ---------------------------------------------------------------------
    def book_blocked(self, chair_name: str, start: datetime, minutes: int, label: str) -> bool:
        """Hold a chair for something else; one undo step."""
        from ...services import courses  # when booked, not at start (issue 19)
        from .commands import BlockTimeCommand

        ctx = self.ctx

        def book() -> ChangeSet:
            return courses.book_blocked_time(
                ctx, chair=chair_name, start=start, minutes=minutes, label=label
            )

        def cancel(appointment_id: int) -> ChangeSet:
            return courses.cancel_blocked_time(ctx, appointment_id=appointment_id)

        try:
            changes = book()
        except SERVICE_ERRORS as error:
            self.say(f"Not blocked: {chair_name}: {refusal_text(error)}")
            return False
        at = clock_time(self.session.settings.calendar, start)
        text = f"block {chair_name} {at} ({label})"
        command = BlockTimeCommand(
            self.session, text, book, cancel, min(changes.appointments), self.say
        )
        self.moves.push(command)
        self.session.apply_changes(changes)
        self.say(f"Blocked {chair_name} {at} for {minutes} min: {label}")
        return True

    def open_block_dialog(self) -> QDialog:
        from .block_dialog import BlockTimeDialog  # built when asked (issue 19)

        dialog = BlockTimeDialog(self, [c.name for c in self.chairs])
        dialog.accepted.connect(
            lambda: self.book_blocked(
                dialog.chair.currentText(),
                self.session.settings.calendar.at(self.session.shown_day, dialog.wall_time()),
                dialog.minutes.value(),
                dialog.label.text(),
            )
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class TableKeyMover(QObject):
    """Ctrl+arrow keys in the day list move the selected booking like the planner's
    arrows (plain arrows keep moving between rows)."""

    def __init__(self, planner: Planner) -> None:
        super().__init__(planner)
        self.planner = planner

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False
        step = ARROW_MOVES.get(Qt.Key(event.key()))
        window = self.planner.main_window
        current = window.table.currentIndex()
        if step is None or not current.isValid():
            return False
        row = window.model.row_data(current.row())
        status = row.appointment.status
        if status is not CycleStatus.BOOKED:
            self.planner.say(f"Not moved: a {status.value} visit stays where it was")
            return True
        self.planner.step_row(row, *step)
        self._reselect(row.appointment.id, current.column())
        return True

    def _reselect(self, appointment_id: int, column: int) -> None:
        window = self.planner.main_window
        table = window.table.model()
        for number in range(table.rowCount()):
            if table.index(number, 0).data(APPOINTMENT_ID_ROLE) == appointment_id:  # no read
                window.table.setCurrentIndex(table.index(number, column))
                return


def attach(session: Session, window: Shell) -> Planner:
    """Build the planner as the first page, with its menu actions."""
    planner = Planner(session, window, window.page_parent())  # built where its tab puts it
    # The first tab, inserted there: not moved there through the tab bar, whose Python
    # class (with three enums) nothing else needs before the first paint (issue 19).
    index = window.add_page(planner, "Planner", "plannerPage", 0)
    window.pages.setCurrentIndex(index)
    planner.table_mover = TableKeyMover(planner)
    window.table.installEventFilter(planner.table_mover)
    window.table.setAccessibleDescription(
        "Ctrl+Up/Down moves the selected booking a chair up or down, "
        "Ctrl+Left/Right 15 minutes earlier or later"
    )
    action = QAction("&Block chair time...", window)
    action.setObjectName("blockChairTimeAction")
    action.setToolTip("Hold a chair on the day shown for another therapy or maintenance")
    action.triggered.connect(planner.open_block_dialog)
    window.menu("tools").addAction(action)
    planner.block_action = action
    planner.menu_sources.watch_table(window.table, window.model.row_data)
    add_view_actions(window, planner)
    return planner
