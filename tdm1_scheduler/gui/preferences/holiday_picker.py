"""Preferences: a year's public holidays to pick from, closed through the one rule.

A country[-subdivision] (``US``, ``DE-BY``) and a year list that year's public holidays
(``interop.holidays.public_holidays``), each with a check box; a date already closed is
shown ticked and greyed. "Close selected" closes the ticked ones with their names as
the reasons (``services.exchange.close_holidays``, as ``closed add --holidays``): all in
one transaction, refused as a whole when any of them holds bookings. Then "Close
selected and re-book" closes them and re-books those bookings by the close-and-re-book
path of a single date, as one undoable step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...services.clinic import add_closed_date, remove_closed_date
from ...services.context import ChangeSet, Context, load_settings
from ...services.restore import restore_placements
from ..planner.commands import SERVICE_ERRORS, ChangeSink, refusal_text
from ..shell import Shell
from ..widgets import info_label
from .close_date_rebook import CloseDateCommand

DAY_ROLE = Qt.ItemDataRole.UserRole
REBOOK_TEXT = "Close selected and re-book"


class CloseHolidaysCommand(CloseDateCommand):
    """Holidays were closed and their bookings re-booked: undo reopens every one of them
    and puts every booking back; redo moves them off again and closes them."""

    def __init__(
        self,
        window: ChangeSink,
        ctx: Context,
        changes: ChangeSet,
        days: Sequence[tuple[date, str]],
        report: Callable[[str], None],
    ) -> None:
        first, reason = days[0]
        super().__init__(window, ctx, changes, first, reason, report)
        self.days = list(days)

    def _undo(self) -> ChangeSet:
        for day, _name in self.days:
            remove_closed_date(self.ctx, day)
        self.changes = restore_placements(self.ctx, self.changes, verb="undo")
        self.changes.settings = True
        return self.changes

    def _redo(self) -> ChangeSet:
        self.changes = restore_placements(self.ctx, self.changes, verb="redo")
        for day, name in self.days:
            add_closed_date(self.ctx, day, name)
        self.changes.settings = True
        return self.changes


class HolidayPicker(QGroupBox):
    """The holidays of a country and year, with check boxes and "Close selected"."""

    sig_closed = Signal(object)
    """Holidays were closed (the ChangeSet); the window has been told."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__("Public holidays", parent)
        self.setObjectName("holidaysBox")
        self.ctx = ctx
        self.main_window: Shell | None = None  # its session (undo stack), status bar
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.region_edit = QLineEdit(self)
        self.region_edit.setObjectName("holidayRegionEdit")
        self.region_edit.setAccessibleName("Country or country-subdivision")
        self.region_edit.setPlaceholderText("Country[-subdivision], e.g. US or DE-BY")
        self.year_spin = QSpinBox(self)
        self.year_spin.setObjectName("holidayYearSpin")
        self.year_spin.setAccessibleName("Year of the holidays")
        self.year_spin.setRange(1900, 2200)
        self.year_spin.setValue(QDate.currentDate().year())
        self.list_button = QPushButton("&List holidays", self)
        self.list_button.setObjectName("listHolidaysButton")
        self.list_button.setAccessibleName("List the public holidays of that year")
        self.list_button.clicked.connect(self.list_holidays)
        self.region_edit.returnPressed.connect(self.list_holidays)
        row.addWidget(self.region_edit, 1)
        row.addWidget(self.year_spin)
        row.addWidget(self.list_button)
        layout.addLayout(row)
        self.list = QListWidget(self)
        self.list.setObjectName("holidayList")
        self.list.setAccessibleName("Public holidays; tick the ones to close")
        self.list.setMaximumHeight(140)
        layout.addWidget(self.list)
        self.error_label = info_label(self, "holidayErrorLabel", "Why not", error=True)
        layout.addWidget(self.error_label)
        buttons = QHBoxLayout()
        self.close_button = QPushButton("Close &selected", self)
        self.close_button.setObjectName("closeHolidaysButton")
        self.close_button.setAccessibleName("Close the clinic on the ticked holidays")
        self.close_button.setToolTip(
            "Closes every ticked holiday with its name as the reason; refused as a whole "
            "when any of them has bookings"
        )
        self.close_button.clicked.connect(self.close_selected)
        self.rebook_button = QPushButton(REBOOK_TEXT.replace("re-book", "re-&book"), self)
        self.rebook_button.setObjectName("closeHolidaysRebookButton")
        self.rebook_button.setAccessibleName("Close the ticked holidays and re-book")
        self.rebook_button.setToolTip(
            "Closes the ticked holidays and moves their bookings to the earliest allowed "
            "free slot after each: one step, undone with Edit > Undo"
        )
        self.rebook_button.clicked.connect(self.close_and_rebook)
        self.rebook_button.hide()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.rebook_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.close_button.setEnabled(False)

    def set_year(self, year: int) -> None:
        self.year_spin.setValue(year)

    @Slot()
    def list_holidays(self) -> bool:
        """List the holidays of the region and year typed; a closed one is ticked, greyed."""
        self.list.clear()
        self.rebook_button.hide()
        self.error_label.setText("")
        from ...interop.holidays import public_holidays  # its data: only when listing

        try:
            found = public_holidays(self.region_edit.text(), self.year_spin.value())
        except DomainError as error:
            self.error_label.setText(refusal_text(error))
            self.close_button.setEnabled(False)
            return False
        closed = load_settings(self.ctx.store).calendar.closed_dates
        for day, name in found:
            item = QListWidgetItem(f"{day:%a %Y-%m-%d}  {name}", self.list)
            item.setData(DAY_ROLE, (day.isoformat(), name))
            if day in closed:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Checked)
                item.setText(f"{item.text()} (closed)")
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
        if not found:
            self.error_label.setText("no public holidays listed for that year")
        self.close_button.setEnabled(bool(found))
        return bool(found)

    def selected(self) -> list[tuple[date, str]]:
        """The ticked holidays not closed yet, as (date, name)."""
        picked = []
        for index in range(self.list.count()):
            item = self.list.item(index)
            enabled = bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)
            if enabled and item.checkState() == Qt.CheckState.Checked:
                text, name = item.data(DAY_ROLE)
                picked.append((date.fromisoformat(text), name))
        return picked

    @Slot()
    def close_selected(self) -> ChangeSet | None:
        return self._close(rebook=False)

    @Slot()
    def close_and_rebook(self) -> ChangeSet | None:
        return self._close(rebook=True)

    def _close(self, *, rebook: bool) -> ChangeSet | None:
        picked = self.selected()
        if not picked:
            self.error_label.setText("Tick the holidays to close first")
            return None
        from ...services.exchange import close_holidays  # only when closing

        try:
            changes = close_holidays(
                self.ctx, picked, rebook=rebook, rebook_hint=f'"{REBOOK_TEXT}"'
            )
        except (DomainError, *SERVICE_ERRORS) as error:
            self.error_label.setText(f"Nothing closed: {refusal_text(error)}")
            self.rebook_button.setVisible(not rebook)
            return None
        self.error_label.setText("")
        self.rebook_button.hide()
        window = self.main_window
        if window is not None:
            if rebook and changes.rows:

                def report(message: str) -> None:
                    window.statusBar().showMessage(message, 10000)

                command = CloseHolidaysCommand(window.session, self.ctx, changes, picked, report)
                window.session.undo_stack.push(command)
            window.session.apply_changes(changes)
        self.list_holidays()
        self.sig_closed.emit(changes)
        return changes
