"""The patients dock: search by name or MRN, the chosen patient's course, and the
actions New patient (Ctrl+N), Book course and Mark missed.

``attach(session, window)`` adds the dock on the left and the actions to the Tools menu.
Every change goes through a dialog that calls one service and then
``session.apply_changes``; the panel reloads when ``session.sig_changed`` says
something changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.records import CycleStatus
from ...services.context import ChangeSet, Context
from ...services.live import read_all
from ..first_paint import after_first_paint
from ..readiness.view import booked_readiness
from ..session import Session
from ..shell import Shell
from ..widgets import fit_columns, read_only_table
from .host import PatientsHost
from .models import CYCLE_ROLE, CourseCyclesModel, PatientListModel, find_course_view

if TYPE_CHECKING:  # the dialogs are imported when one opens (issue 19)
    from PySide6.QtWidgets import QDialog

    from .dialogs import BookCourseDialog, MarkMissedDialog, NewPatientDialog

DOCK_WIDTH = 460


class PatientsPanel(QWidget):
    """Search box and results above, the chosen patient's course below."""

    sig_patient_selected = Signal(object)
    """The chosen patient changed: their MRN (str), or None when nobody is chosen."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("patientsPanel")
        self.setAccessibleName("Patients")
        self._mrn: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("patientSearchEdit")
        self.search_edit.setAccessibleName("Search patients by name or MRN")
        self.search_edit.setPlaceholderText("Search name or MRN")
        self.search_edit.setClearButtonEnabled(True)
        layout.addWidget(self.search_edit)
        self.buttons = QHBoxLayout()
        layout.addLayout(self.buttons)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("patientsSplitter")
        self._patient_model = PatientListModel()
        self.patient_view = read_only_table(splitter, "patientTable", "Patients found")
        self.patient_view.setModel(self._patient_model)
        course_box = QWidget(splitter)
        course_layout = QVBoxLayout(course_box)
        course_layout.setContentsMargins(0, 0, 0, 0)
        self.course_label = QLabel("Choose a patient to see the course.", course_box)
        self.course_label.setObjectName("courseSummaryLabel")
        self.course_label.setAccessibleName("Course summary")
        self.course_label.setWordWrap(True)
        course_layout.addWidget(self.course_label)
        self.cycles_model = CourseCyclesModel()
        self.course_view = read_only_table(course_box, "courseCyclesTable", "Cycles of the course")
        self.course_view.setModel(self.cycles_model)
        # Cycle, status, date, time and chair fit the dock; Ready takes the rest. The
        # minutes (in the chair time span) and the history (the Status tooltip) can be
        # shown again from the header's context menu.
        fit_columns(self.course_view, **self.cycles_model.dock_columns())
        # One line a cycle, so the dock shows the course, not two wrapped rows: a long
        # readiness reason is cut at the right, and its cell's tooltip holds it whole.
        self.course_view.setWordWrap(False)
        self.course_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        course_layout.addWidget(self.course_view, 1)
        self.course_layout = course_layout  # the readiness strip goes below the table
        splitter.addWidget(self.patient_view)
        splitter.addWidget(course_box)
        layout.addWidget(splitter, 1)
        self.search_edit.textChanged.connect(self.search)
        self.patient_view.selectionModel().selectionChanged.connect(self._selection_changed)
        # Issue 19: the first search (every patient, up to SEARCH_LIMIT) runs just after
        # the list is first painted, so the window shows first; any search before it
        # (typing, refresh, open_course) makes it moot.
        self.first_search = after_first_paint(self.patient_view.viewport(), self.refresh)

    def add_action_button(self, action: QAction, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setObjectName(name)
        button.setAccessibleName(action.text().replace("&", "").rstrip("."))
        self.buttons.addWidget(button)
        return button

    # --- patients --------------------------------------------------------------------
    @property
    def patient_model(self) -> PatientListModel:
        """The search results (the first search run now if it has not yet)."""
        self.first_search.run_now()
        return self._patient_model

    @property
    def current_mrn(self) -> str | None:
        return self._mrn

    @Slot(str)
    def search(self, text: str) -> None:
        """Show the patients whose name or MRN contains ``text``; keep the choice if shown."""
        self.first_search.cancel()  # this search is the first
        chosen = self._mrn
        self._patient_model.reload(self.ctx.store, text)
        if chosen is None or not self.select_mrn(chosen):
            self._choose(None)

    def select_mrn(self, mrn: str) -> bool:
        """Choose the patient with ``mrn`` when the results hold them."""
        row = self._patient_model.row_of_mrn(mrn)
        if row is None:
            return False
        self.patient_view.selectRow(row)  # a new selection chooses through its signal
        if self._mrn != mrn:
            self._choose(mrn)
        return True

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.patient_view.selectionModel().selectedRows()
        self._choose(self._patient_model.mrn_at(rows[0].row()) if rows else None)

    def _choose(self, mrn: str | None) -> None:
        changed = mrn != self._mrn
        self._mrn = mrn
        self.show_course()
        if changed:
            self.sig_patient_selected.emit(mrn)

    # --- the course ------------------------------------------------------------------
    def show_course(self) -> None:
        store = self.ctx.store
        view = None if self._mrn is None else find_course_view(store, self._mrn)
        self.cycles_model.load(view, None if view is None else booked_readiness(store, view))
        if self._mrn is None:
            self.course_label.setText("Choose a patient to see the course.")
        elif view is None:
            self.course_label.setText(f"{self._mrn} has no course yet.")
        else:
            total = view.cycles_total
            given = f"{view.cycles_given} of {total}" if total else str(view.cycles_given)
            self.course_label.setText(
                f"{view.name} ({view.mrn}): {view.setting.value} course, {view.status.value}; "
                f"{given} given; {view.dose_level_mg_per_kg:g} mg/kg"
            )

    def course_is_active(self) -> bool:
        view = self.cycles_model.view
        return view is not None and view.is_active

    def cycle_to_mark_missed(self) -> int | None:
        """The booked cycle chosen in the course table, else the next booked one."""
        view = self.cycles_model.view
        if view is None or not view.is_active:
            return None
        rows = self.course_view.selectionModel().selectedRows()
        if rows:
            index = rows[0]
            row = self.cycles_model.row_data(index.row())
            if row.status is CycleStatus.BOOKED:
                return int(index.data(CYCLE_ROLE))
        booked = view.booked()
        return booked[0].cycle if booked else None

    @Slot()
    def refresh(self) -> None:
        """Read the search results and the course again (after any change)."""
        self.search(self.search_edit.text())


class PatientsFeature(PatientsHost):
    """The dock, its actions, and the dialog last opened (``dialog``, for tests)."""

    panel: PatientsPanel

    def __init__(self, session: Session, window: Shell) -> None:
        super().__init__(window)
        self.session = session
        self.window = window
        self.ctx: Context = session.ctx
        self.dialog: QDialog | None = None
        self.dock = QDockWidget("Patients", window)
        self.dock.setObjectName("patientsDock")
        self.dock.setAccessibleName("Patients")
        # Built in the dock, so setWidget does not move it: moving the built panel
        # styled it and its 40 widgets again under the stylesheet (issue 19: 13 M).
        self.panel = PatientsPanel(self.ctx, self.dock)
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        # Wide enough for the course table's date, time and chair columns.
        window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        self.new_patient_action = self._action(
            "&New patient...", "newPatientAction", self.open_new_patient, "Ctrl+N"
        )
        self.book_course_action = self._action(
            "&Book course...", "bookCourseAction", self.open_book_course
        )
        self.mark_missed_action = self._action(
            "&Mark missed...", "markMissedAction", self.open_mark_missed
        )
        tools = self.window.menu("tools")
        for action in (self.new_patient_action, self.book_course_action, self.mark_missed_action):
            tools.addAction(action)
        toggle = self.dock.toggleViewAction()
        toggle.setText("Show &patients panel")
        toggle.setObjectName("togglePatientsDockAction")
        self.window.menu("view").addAction(toggle)
        self.new_button = self.panel.add_action_button(self.new_patient_action, "newPatientButton")
        self.book_button = self.panel.add_action_button(self.book_course_action, "bookCourseButton")
        self.missed_button = self.panel.add_action_button(
            self.mark_missed_action, "markMissedButton"
        )
        self.panel.sig_patient_selected.connect(self._update_actions)
        self.panel.course_view.selectionModel().selectionChanged.connect(self._update_actions)
        session.sig_changed.connect(self._data_changed)
        self._update_actions()
        from . import exports as patient_exports  # Export calendar..., Print appointment card...

        self.exports = patient_exports.attach(self)
        from . import course_readiness  # readiness strip, Record lab result.../LVEF...

        self.readiness = course_readiness.attach(self)

    def _action(self, text: str, name: str, slot: Any, shortcut: str | None = None) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    @Slot()
    def _update_actions(self) -> None:
        mrn = self.panel.current_mrn
        self.book_course_action.setEnabled(mrn is not None and not self.panel.course_is_active())
        self.mark_missed_action.setEnabled(self.panel.cycle_to_mark_missed() is not None)

    @Slot(object)
    def _data_changed(self, changes: ChangeSet | None) -> None:
        """Search again only when patients may have changed (another connection, a new
        patient); any other change only re-reads the chosen patient's course (none
        chosen: nothing to read or repaint)."""
        if changes is None or read_all(changes) or changes.patients:
            self.panel.refresh()
        elif (changes.courses or changes.appointments) and self.panel.current_mrn is not None:
            self.panel.show_course()
        self._update_actions()

    def _apply(self, changes: ChangeSet) -> None:
        """Every dialog's service result goes through the window, then a status line."""
        self.session.apply_changes(changes)
        self.window.statusBar().showMessage(f"Done: {changes.action}", 5000)

    def _show(self, dialog: QDialog) -> QDialog:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()
        return dialog

    # --- the three actions --------------------------------------------------------------
    @Slot()
    def open_new_patient(self) -> NewPatientDialog:
        from .dialogs import NewPatientDialog

        dialog = NewPatientDialog(self.ctx, self._apply, self.window)
        dialog.sig_patient_added.connect(self._show_new_patient)
        self._show(dialog)
        return dialog

    def open_course(self, mrn: str, cycle: int | None = None) -> bool:
        """Show the patient's course in the dock, the row of ``cycle`` chosen (the
        planner's Open course)."""
        self.dock.show()
        self.dock.raise_()
        self.panel.search_edit.setText(mrn)
        found = bool(self.panel.select_mrn(mrn))
        view, model = self.panel.course_view, self.panel.cycles_model
        for number in range(model.rowCount()):
            if model.row_data(number).cycle == cycle:
                view.selectRow(number)
                break
        view.setFocus()
        return found

    @Slot(str)
    def _show_new_patient(self, mrn: str) -> None:
        self.panel.search_edit.setText(mrn)
        self.panel.select_mrn(mrn)
        self._update_actions()

    @Slot()
    def open_book_course(self) -> BookCourseDialog | None:
        mrn = self.panel.current_mrn
        if mrn is None:
            self.window.statusBar().showMessage("Choose a patient first", 5000)
            return None
        from .dialogs import BookCourseDialog

        dialog = BookCourseDialog(self.ctx, mrn, self._apply, self.window)
        self._show(dialog)
        return dialog

    @Slot()
    def open_mark_missed(self) -> MarkMissedDialog | None:
        mrn = self.panel.current_mrn
        cycle = self.panel.cycle_to_mark_missed()
        if mrn is None or cycle is None:
            self.window.statusBar().showMessage("Choose a patient with a booked dose", 5000)
            return None
        from .dialogs import MarkMissedDialog

        dialog = MarkMissedDialog(self.ctx, mrn, cycle, self._apply, self.window)
        self._show(dialog)
        return dialog


def attach(session: Session, window: Shell) -> PatientsFeature:
    """Add the patients dock and actions to ``window`` (see ``gui/pages.py``)."""
    return PatientsFeature(session, window)
