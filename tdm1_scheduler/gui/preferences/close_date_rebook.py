"""Closing a date that has bookings (Preferences): who is booked, where each would go,
and "Close and re-book them" as one undoable action.

``plan_close_date`` shows where each booking goes before anything is written;
``close_date_and_rebook`` then closes the date and moves them all in one transaction,
or refuses as a whole. Undo reopens the date and puts back every row the action wrote
(``services.restore``), so the bookings are where they were.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...domain.records import AppointmentKind, CycleStatus
from ...services.clinic import add_closed_date, remove_closed_date
from ...services.context import ChangeSet, Context, load_settings
from ...services.queries import day_bookings
from ...services.restore import restore_placements
from ...services.slots import Rebooking, close_date_and_rebook, plan_close_date
from ...text import clock_time, cycle_label, full_time
from ..planner.commands import SERVICE_ERRORS, ChangeSink, ServiceCommand, refusal_text
from ..shell import Shell
from ..widgets import info_label


class CloseDateCommand(ServiceCommand):
    """A date was closed and its bookings re-booked: undo reopens it and puts every
    booking back; redo moves them off again and closes it."""

    def __init__(
        self,
        window: ChangeSink,
        ctx: Context,
        changes: ChangeSet,
        day: date,
        reason: str,
        report: Callable[[str], None],
    ) -> None:
        super().__init__(window, changes.action, report)
        self.ctx = ctx
        self.changes = changes
        self.day = day
        self.reason = reason

    def _undo(self) -> ChangeSet:
        remove_closed_date(self.ctx, self.day)
        self.changes = restore_placements(self.ctx, self.changes, verb="undo")
        self.changes.settings = True
        return self.changes

    def _redo(self) -> ChangeSet:
        self.changes = restore_placements(self.ctx, self.changes, verb="redo")
        add_closed_date(self.ctx, self.day, self.reason)
        self.changes.settings = True
        return self.changes

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._run(self._redo, "redo")

    def undo(self) -> None:
        self._run(self._undo, "undo")


def booking_lines(ctx: Context, day: date) -> list[str]:
    """The doses booked on ``day``, by patient, in clinic wall time."""
    settings = load_settings(ctx.store)
    lines = []
    for row in day_bookings(ctx.store, settings, day):
        booking = row.appointment
        if booking.status is not CycleStatus.BOOKED:
            continue
        at = clock_time(settings.calendar, booking.start)
        if booking.kind is AppointmentKind.BLOCKED:
            lines.append(f"Blocked time '{booking.label or 'blocked'}', {row.chair_name} {at}")
        else:
            cycle = cycle_label(int(row.cycle or 0), None)
            lines.append(f"{row.patient_name} ({row.mrn}), {cycle}, {row.chair_name} {at}")
    return lines


class RebookPanel(QGroupBox):
    """Shown when a date to close has bookings: the bookings, where each would go, and
    the button that closes the date and re-books them."""

    sig_done = Signal(object)
    """The date was closed and re-booked (the ChangeSet)."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__("Bookings on the date to close", parent)
        self.setObjectName("rebookBox")
        self.ctx = ctx
        self.day: date | None = None
        self.reason = ""
        self.plan: list[Rebooking] = []
        self.main_window: Shell | None = None  # its session (undo stack), status bar
        layout = QVBoxLayout(self)
        self.summary_label = info_label(self, "rebookSummaryLabel", "Who is booked")
        self.list = QListWidget(self)
        self.list.setObjectName("rebookList")
        self.list.setAccessibleName("Bookings on the date and where each would go")
        # tall enough for six bookings; more scroll inside the list
        self.list.setMinimumHeight(6 * self.list.fontMetrics().lineSpacing() + 12)
        self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.error_label = info_label(self, "rebookErrorLabel", "Why not", error=True)
        self.rebook_button = QPushButton("Close and &re-book them", self)
        self.rebook_button.setObjectName("closeAndRebookButton")
        self.rebook_button.setAccessibleName("Close the date and re-book its bookings")
        self.rebook_button.setToolTip(
            "Moves each booking to the earliest allowed free slot after the date, then "
            "closes it: one step, undone with Edit > Undo"
        )
        self.rebook_button.clicked.connect(self.close_and_rebook)
        for widget in (self.summary_label, self.list, self.error_label, self.rebook_button):
            layout.addWidget(widget)
        self.hide()

    def show_for(self, day: date, reason: str) -> None:
        """List who is booked on ``day`` and where ``plan_close_date`` puts each."""
        self.day, self.reason = day, reason
        calendar = load_settings(self.ctx.store).calendar
        lines = booking_lines(self.ctx, day)
        self.summary_label.setText(
            f"{len(lines)} booking(s) on {day:%a %d %b %Y}. The date can be closed once "
            "they are moved: re-book them at the earliest allowed free slot after it?"
        )
        self.list.clear()
        self.error_label.setText("")
        try:
            self.plan = plan_close_date(self.ctx, day=day)
        except SERVICE_ERRORS as error:
            self.plan = []
            self.list.addItems(lines)
            self.error_label.setText(f"Cannot re-book them all: {refusal_text(error)}")
            self.rebook_button.setEnabled(False)
        else:
            for move in self.plan:
                self.list.addItem(
                    f"{move.patient_name} ({move.mrn}), {cycle_label(move.cycle, None)}: "
                    f"{full_time(calendar, move.old_start)} -> "
                    f"{full_time(calendar, move.new_start)} on {move.chair}"
                )
            self.rebook_button.setEnabled(bool(self.plan))
        self.show()

    def close_and_rebook(self) -> ChangeSet | None:
        if self.day is None:
            return None
        day = self.day
        try:
            changes = close_date_and_rebook(self.ctx, day=day, reason=self.reason)
        except (DomainError, *SERVICE_ERRORS) as error:
            self.error_label.setText(f"Nothing closed: {refusal_text(error)}")
            return None
        window = self.main_window
        text = f"Closed {day:%a %d %b %Y} and re-booked {len(changes.notes)} visit(s)"
        if window is not None:

            def report(message: str) -> None:
                window.statusBar().showMessage(message, 10000)

            window.session.undo_stack.push(
                CloseDateCommand(window.session, self.ctx, changes, day, self.reason, report)
            )
            window.session.apply_changes(changes)
            report(text)
        self.hide()
        self.sig_done.emit(changes)
        return changes
