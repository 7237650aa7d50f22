"""Choose one of the next free slots for a dose: for Move to... and for Mark missed.

The list comes from ``services.slots.find_slots`` (every slot in it is one the move
accepts), earliest first and preselected. For the slot chosen, the dialog shows what
the service would do (run and rolled back): the later cycles that move and what
happens to a prepared bag. OK hands the slot to ``commit``, which makes the change
through the one move controller and returns None, or why not: then the dialog stays
open and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QVBoxLayout, QWidget

from ...domain.calendar import ClinicCalendar
from ...domain.errors import DomainError
from ...services import courses
from ...services.errors import StoreError
from ...services.preview import Preview
from ...services.slots import SlotOption
from ...text import clock_time, full_time
from ..widgets import RowTableModel, info_label, read_only_table

AnyIndex = QModelIndex | QPersistentModelIndex
SLOT_COUNT = 5

HEADERS = [
    ("When", "Chair time, clinic time: preparation, infusion and observation"),
    ("Chair", "The infusion chair"),
    ("Starts in slot", "Infusion starts already booked in that 30-minute slot, and the cap"),
    ("Bag", "What happens to a bag already prepared for this dose"),
]


def starts_text(option: SlotOption) -> str:
    if option.start_cap is None:
        return f"{option.starts_in_slot} (no cap)"
    return f"{option.starts_in_slot} of {option.start_cap}"


class SlotOptionsModel(RowTableModel):
    """The slots offered, one per row; read-only."""

    def __init__(self, calendar: ClinicCalendar) -> None:
        super().__init__(HEADERS)
        self.calendar = calendar

    def set_options(self, options: Sequence[SlotOption]) -> None:
        self.beginResetModel()
        self._rows = list(options)
        self.endResetModel()

    def option(self, row: int) -> SlotOption:
        option: SlotOption = self._rows[row]
        return option

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        found = self.cell(index)
        if found is None:
            return None
        option, column = found
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == 0:
                start = full_time(self.calendar, option.start)
                return f"{start}-{clock_time(self.calendar, option.end)}"
            if column == 1:
                return option.chair
            if column == 2:
                return starts_text(option)
            return option.bag_note or "no bag yet"
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return option.bag_note or "No bag is prepared for this dose yet"
        return None


class SlotDialog(QDialog):
    """The next free slots for one dose; the earliest is chosen until another is."""

    def __init__(
        self,
        *,
        title: str,
        intro: str,
        ok_text: str,
        calendar: ClinicCalendar,
        find: Callable[[], list[SlotOption]],
        preview: Callable[[SlotOption], Preview],
        commit: Callable[[SlotOption], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("slotDialog")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.resize(720, 420)
        self.preview_slot = preview
        self.commit = commit
        layout = QVBoxLayout(self)
        self.intro_label = info_label(self, "slotIntroLabel", "Which visit")
        self.intro_label.setText(intro)
        layout.addWidget(self.intro_label)
        self.model = SlotOptionsModel(calendar)
        self.table = read_only_table(self, "slotTable", "Free slots, earliest first")
        self.table.setModel(self.model)
        layout.addWidget(self.table, 1)
        self.effect_label = info_label(self, "slotEffectLabel", "What else moves")
        layout.addWidget(self.effect_label)
        self.error_label = info_label(self, "slotErrorLabel", "Why it is refused", error=True)
        layout.addWidget(self.error_label)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        box.setObjectName("slotButtons")
        self.ok_button: QPushButton = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setAccessibleName(ok_text)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.table.selectionModel().selectionChanged.connect(self.show_effect)
        self.table.doubleClicked.connect(lambda _index: self.accept())
        try:
            options = find()
        except (DomainError, StoreError) as error:
            options = []
            self.error_label.setText(f"No slot offered: {getattr(error, 'rule', error)}")
        self.model.set_options(options)
        if options:
            self.choose(0)
        else:
            if not self.error_label.text():
                self.error_label.setText("No free slot found in the search window.")
            self.ok_button.setEnabled(False)

    def choose(self, row: int) -> None:
        self.table.selectionModel().select(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.setCurrentIndex(self.model.index(row, 0))

    def chosen(self) -> SlotOption | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.option(rows[0].row()) if rows else None

    @Slot()
    def show_effect(self) -> None:
        """What the service would do with the slot chosen (rolled back)."""
        option = self.chosen()
        if option is None:
            self.effect_label.setText("")
            self.ok_button.setEnabled(False)
            return
        answer = self.preview_slot(option)
        if not answer.allowed:
            self.effect_label.setText("")
            self.error_label.setText(f"Refused: {answer.reason}")
            self.ok_button.setEnabled(False)
            return
        changes = answer.changes
        summary = courses.later_shift_summary(changes) if changes else ""
        self.effect_label.setText("; ".join([summary or "No later cycle moves", *answer.notes]))
        self.error_label.setText("")
        self.ok_button.setEnabled(True)

    def accept(self) -> None:
        option = self.chosen()
        if option is None or not self.ok_button.isEnabled():
            return
        refusal = self.commit(option)
        if refusal is None:
            super().accept()
            return
        self.error_label.setText(refusal)
