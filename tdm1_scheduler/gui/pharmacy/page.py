"""The Pharmacy page: what to prepare, what is on the shelf, and what must be discarded.

A queue over ``services.pharmacy.pharmacy_queue`` at the clock's now (doses of today and
tomorrow, and every live preparation), most urgent first; a detail panel over
``preparation_view`` for the selected dose; and the actions Reconstitute..., Dilute...,
Discard... (pharmacy_dialogs.py) and Discard all expired. Every write is one service
call followed by ``session.apply_changes``. Every 30 s the time left is worked out again
from the stored instants and the injected clock: a re-read of times, never a write.
The queue's model and the detail panel's texts are in pharmacy_queue_model.py.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...domain.regimen import DRUG_NAME
from ...domain.stability import PrepStatus
from ...services import pharmacy
from ...services.context import ChangeSet
from ...services.errors import ConflictError
from ...services.live import read_all
from ...services.pharmacy import PreparationView
from ..readiness.dialogs import run_gated
from ..readiness.view import readiness_text
from ..session import Session
from ..shell import Shell
from ..widgets import fit_columns, info_label, read_only_table
from .actions import ACCESSIBLE_NAME, NAME, TITLE, PharmacyActions
from .dialogs import DiluteDialog, DiscardDialog, PrepDialog, ReconstituteDialog, drug_banner
from .queue_model import (
    CYCLE_ROLE,
    DETAIL_FIELDS,
    EXPIRED_BACKGROUND,
    EXPIRED_ROLE,
    EXPIRED_VALUES,
    MRN_ROLE,
    Column,
    PharmacyQueueModel,
    Row,
    detail_texts,
    status_text,
    time_left_text,
)

__all__ = [
    "EXPIRED_BACKGROUND",
    "EXPIRED_ROLE",
    "REFRESH_INTERVAL_MS",
    "Column",
    "PharmacyPage",
    "PharmacyQueueModel",
    "attach",
]


REFRESH_INTERVAL_MS = 30_000  # how often the time left is worked out again
# Hidden in this order when the queue is too narrow (the Selected dose panel has them).
OPTIONAL_COLUMNS = (Column.WATER, Column.WITHDRAW, Column.VIALS, Column.MRN)
NEXT_MIN_WIDTH = 140  # px the Next step column keeps before a column is hidden
ROW_PADDING = 8  # px above and below the line of text, with the grid


def one_line_rows(table: QTableView) -> None:
    """Rows one text line high: no wrapping, long text elided at the right (its cell's
    tooltip holds it whole)."""
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + ROW_PADDING)


class PharmacyPage(QWidget):
    """The page, its actions and the dialog it has open."""

    sig_selection_changed = Signal(object)
    """The dose selected in the queue: ``(mrn, cycle)``, or None."""

    def __init__(
        self,
        session: Session,
        window: Shell,
        parent: QWidget | None = None,
        actions: PharmacyActions | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.main_window = window
        self.ctx = session.ctx
        self.dialog: PrepDialog | None = None
        self.gate_dialog: QDialog | QMessageBox | None = None  # the readiness gate's question
        self.detail_view: PreparationView | None = None  # of the selected dose
        self.model = PharmacyQueueModel(self)
        self._build()
        self._build_actions(actions)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setObjectName("pharmacyRefreshTimer")
        self.refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self.refresh_timer.timeout.connect(self.refresh_times)
        self.refresh_timer.start()
        # The queue is the clock's today and tomorrow, not the day shown: day navigation
        # leaves it alone; data changes reload it (when the page is next seen if hidden).
        session.sig_changed.connect(self._data_changed)
        self._stale = True  # read on first show: a hidden page costs nothing at start
        self._loaded_on: date | None = None

    # --- building -------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.drug_label = drug_banner(self, "pharmacyDrugLabel")
        layout.addWidget(self.drug_label)
        self.button_row = QHBoxLayout()
        layout.addLayout(self.button_row)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("pharmacySplitter")
        self.table = read_only_table(
            splitter, "pharmacyQueueTable", f"Pharmacy queue: {DRUG_NAME}, most urgent first"
        )
        self.table.setModel(self.model)
        # The doses' numbers right after the status; the next step takes the width left.
        fit_columns(
            self.table,
            order=[c for c in Column if c is not Column.NEXT],
            stretch=Column.NEXT,
        )
        one_line_rows(self.table)
        self._auto_hidden: set[Column] = set()  # hidden by fit_width, not by the person
        self.table.installEventFilter(self)
        splitter.addWidget(self.table)
        # The panel scrolls when the window is too short for it (1366x768): every label
        # keeps the height its wrapped text needs instead of being squeezed and clipped.
        detail = QScrollArea(splitter)
        detail.setObjectName("pharmacyDetailScroll")
        detail.setWidgetResizable(True)
        detail.setFrameShape(QFrame.Shape.NoFrame)
        detail.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        detail.setWidget(self._build_detail(detail))
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 1)  # the queue takes the width a larger window adds
        splitter.setStretchFactor(1, 0)  # the panel keeps its width (its labels wrap)
        layout.addWidget(splitter, 1)
        self.notes_label = info_label(self, "pharmacyNotesLabel", "Last pharmacy action")
        layout.addWidget(self.notes_label)

    def _build_detail(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Selected dose", parent)
        box.setObjectName("pharmacyDetailBox")
        box.setAccessibleName("Selected dose")
        # A box layout of a grid, not a QFormLayout: it gives each wrapped label (the
        # banner, the values, the warnings) the height its width needs; a form layout
        # clipped them top and bottom.
        outer = QVBoxLayout(box)
        self.detail_drug_label = drug_banner(box, "detailDrugLabel")
        outer.addWidget(self.detail_drug_label)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)
        self.detail_labels: dict[str, QLabel] = {}
        for row, (key, title) in enumerate(DETAIL_FIELDS):
            label = info_label(box, f"detail_{key}", title)
            self.detail_labels[key] = label
            caption = QLabel(f"{title}:", box)
            caption.setBuddy(label)
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, 1)
        self.warning_label = info_label(box, "detailWarningLabel", "Warnings", error=True)
        outer.addWidget(self.warning_label)
        outer.addStretch(1)
        return box

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.Resize:
            self.fit_width()
        return super().eventFilter(watched, event)

    def fit_width(self) -> None:
        """On a narrow window, hide the columns the Selected dose panel also shows (water,
        withdraw, vials) before the table scrolls sideways; show them again when wide."""
        width = self.table.viewport().width()
        if width <= 0:
            return
        self.table.setUpdatesEnabled(False)
        try:
            for column in self._auto_hidden:
                self.table.setColumnHidden(column, False)
            self._auto_hidden.clear()
            shown = [c for c in Column if not self.table.isColumnHidden(c)]
            header = self.table.horizontalHeader()
            needed = {
                c: max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in shown
            }
            needed[Column.NEXT] = NEXT_MIN_WIDTH
            for column in OPTIONAL_COLUMNS:
                if sum(needed.values()) <= width:
                    break
                if column in needed:
                    self.table.setColumnHidden(column, True)
                    self._auto_hidden.add(column)
                    del needed[column]
        finally:
            self.table.setUpdatesEnabled(True)

    def _button(self, action: QAction, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setObjectName(name)
        button.setAccessibleName(action.text().replace("&", "").rstrip("."))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button_row.addWidget(button)
        return button

    def _build_actions(self, actions: PharmacyActions | None) -> None:
        """The buttons of Tools > Pharmacy's actions (made here, or by the tab that built
        the page, whose actions already call the page's handlers)."""
        if actions is None:
            actions = PharmacyActions(self.main_window, self)
            for action, slot in zip(
                actions.all(),
                (
                    self.open_reconstitute,
                    self.open_dilute,
                    self.open_discard,
                    self.discard_all_expired,
                ),
                strict=True,
            ):
                action.triggered.connect(slot)
        self.reconstitute_action = actions.reconstitute
        self.dilute_action = actions.dilute
        self.discard_action = actions.discard
        self.discard_expired_action = actions.discard_expired
        self.reconstitute_button = self._button(self.reconstitute_action, "reconstituteButton")
        self.dilute_button = self._button(self.dilute_action, "diluteButton")
        self.discard_button = self._button(self.discard_action, "discardButton")
        self.discard_expired_button = self._button(
            self.discard_expired_action, "discardExpiredButton"
        )
        self.button_row.addStretch(1)
        self.menu = actions.menu

    # --- reading ------------------------------------------------------------------------------
    def selected(self) -> tuple[str, int] | None:
        """The ``(mrn, cycle)`` of the dose selected in the queue."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0]
        return str(index.data(MRN_ROLE)), int(index.data(CYCLE_ROLE))

    def select(self, mrn: str, cycle: int) -> bool:
        row = self.model.find_row(mrn, cycle)
        if row is None:
            return False
        self.table.selectionModel().select(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.setCurrentIndex(self.model.index(row, 0))
        return True

    @Slot()
    def reload(self) -> None:
        """Read the queue again at the clock's now, keeping the selection."""
        keep = self.selected()
        now = self.ctx.clock.now()
        self._stale = False
        self._loaded_on = self.session.settings.calendar.local_date(now)
        self.model.reload(self.ctx.store, now)
        self.fit_width()  # other rows, other widths
        # Re-selecting shows the detail through the selection signal; else show it here.
        if keep is None or not self.select(*keep):
            self._show_detail()
            self._update_actions()

    @Slot()
    def refresh_times(self) -> None:
        """The timer's tick: status and time left at the clock's now, from stored times."""
        now = self.ctx.clock.now()
        if self._stale:
            return  # not read yet (or out of date while hidden): showing it reads it
        if self.session.settings.calendar.local_date(now) != self._loaded_on:
            self.reload()  # past midnight: today and tomorrow are other days now
            return
        keep = self.selected()
        self.model.refresh_times(now)
        if keep is not None and self.selected() != keep:
            self.select(*keep)
        self._update_actions()
        self._show_detail_times()

    @Slot(object)
    def _data_changed(self, changes: ChangeSet | None) -> None:
        relevant = not isinstance(changes, ChangeSet) or bool(
            changes.preparations or changes.appointments or changes.courses or changes.settings
        )
        if relevant:
            if self.isVisible():
                self.reload()
            else:
                self._stale = True
        if isinstance(changes, ChangeSet) and changes.preparations and not read_all(changes):
            self.notes_label.setText("\n".join([changes.action, *changes.notes]))

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.reload()
        super().showEvent(event)

    @Slot()
    def _selection_changed(self) -> None:
        self._show_detail()
        self._update_actions()
        self.sig_selection_changed.emit(self.selected())

    def _selected_row(self) -> Row | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_data(rows[0].row()) if rows else None

    def _show_detail(self) -> None:
        key = self.selected()
        if key is None:
            for label in self.detail_labels.values():
                label.setText("-")
            self.warning_label.setText("Select a dose in the queue.")
            self.detail_view = None
            return
        try:
            view = pharmacy.preparation_view(self.ctx.store, key[0], key[1], self.ctx.clock.now())
        except DomainError as error:  # e.g. the course changed under the queue
            self.detail_view = None
            self.warning_label.setText(f"Cannot show this dose: {error}")
            return
        self.detail_view = view
        for field, text in detail_texts(view, self.session.settings.calendar).items():
            self.detail_labels[field].setText(text)
        warnings = list(view.warnings)
        row = self._selected_row()
        held = None if row is None else self.model.not_ready(row)
        if held is not None:
            warnings.insert(0, f"DO NOT PREPARE: the dose is {readiness_text(held)}")
        if view.status in EXPIRED_VALUES:
            warnings.insert(0, "EXPIRED: never start it; discard it and record the waste")
        self.warning_label.setText("\n".join(f"Warning: {w}" for w in warnings))

    def _show_detail_times(self) -> None:
        """The tick's update of the panel: status and time left from the queue row."""
        row = self._selected_row()
        if row is None:
            return
        self.detail_labels["status"].setText(
            f"{status_text(row.status)}; time left {time_left_text(row.time_left)}"
        )

    def _update_actions(self) -> None:
        row = self._selected_row()
        status = None if row is None else row.status
        self.reconstitute_action.setEnabled(status is PrepStatus.NOT_PREPARED)
        # A vial past its window stays offered so a dilution done in time can be recorded
        # late; the service refuses one typed after the window, and the dialog says why.
        self.dilute_action.setEnabled(status in (PrepStatus.RECONSTITUTED, PrepStatus.VIAL_EXPIRED))
        self.discard_action.setEnabled(status is not None and status is not PrepStatus.NOT_PREPARED)
        self.discard_expired_action.setEnabled(self.model.expired_count() > 0)

    # --- actions ------------------------------------------------------------------------------
    def _open(self, kind: type[PrepDialog]) -> PrepDialog | None:
        key = self.selected()
        if key is None:
            self.main_window.statusBar().showMessage("Select a dose in the pharmacy queue", 5000)
            return None
        if self.dialog is not None:
            self.dialog.deleteLater()
        dialog = kind(self.ctx, key[0], key[1], self._apply, self.main_window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._forget)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def open_reconstitute(self) -> PrepDialog | QDialog | QMessageBox | None:
        """Reconstitute..., through the readiness gate (issue 17): a dose not ``ready``
        is asked about under ``warn`` and needs a recorded reason under ``enforce``."""
        key = self.selected()
        if key is None:
            return self._open(ReconstituteDialog)
        mrn, cycle = key
        row = self._selected_row()
        what = f"{row.name if row else mrn} ({mrn}), cycle {cycle}"
        opened: list[PrepDialog | None] = []
        gate = run_gated(
            self.main_window, self.ctx, mrn=mrn, cycle=cycle, what=what,
            action="reconstitute", proceed=lambda: opened.append(self._open(ReconstituteDialog)),
            on_changes=self._apply, refused=self.notes_label.setText, clinician=self.ctx.user,
        )  # fmt: skip
        if gate is None:
            return opened[0] if opened else None
        gate.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        gate.finished.connect(lambda _result=0, g=gate: self._forget_gate(g))
        self.gate_dialog = gate
        gate.open()
        return gate

    def _forget_gate(self, gate: QDialog | QMessageBox) -> None:
        if self.gate_dialog is gate:
            self.gate_dialog = None

    @Slot()
    def open_dilute(self) -> PrepDialog | None:
        return self._open(DiluteDialog)

    @Slot()
    def open_discard(self) -> PrepDialog | None:
        return self._open(DiscardDialog)

    @Slot(int)
    def _forget(self, _result: int = 0) -> None:
        self.dialog = None

    def _apply(self, changes: ChangeSet) -> None:
        """Every service result goes through the window, then a status line."""
        self.session.apply_changes(changes)
        self.main_window.statusBar().showMessage(f"Done: {changes.action}", 5000)

    @Slot()
    def discard_all_expired(self) -> ChangeSet | None:
        """Discard every expired vial and bag at the clock's now (one service call)."""
        try:
            changes = pharmacy.discard_expired(self.ctx, reason="expired")
        except (DomainError, ConflictError) as error:
            self.notes_label.setText(f"Refused: {error}")
            return None
        self._apply(changes)
        return changes


def attach(session: Session, window: Shell) -> PharmacyPage:
    """Add the Pharmacy page, built now, and its Tools > Pharmacy menu to the main window
    (the main window has ``tab.attach`` instead: the page built on first show)."""
    page = PharmacyPage(session, window)
    window.add_page(page, TITLE, NAME)
    page.setAccessibleName(ACCESSIBLE_NAME)
    return page
