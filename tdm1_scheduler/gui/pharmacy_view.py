"""The Pharmacy page: what to prepare, what is on the shelf, and what must be discarded.

A queue over ``services.pharmacy.pharmacy_queue`` at the clock's now (doses of today and
tomorrow, and every live preparation), most urgent first; a detail panel over
``preparation_view`` for the selected dose; and the actions Reconstitute..., Dilute...,
Discard... (pharmacy_dialogs.py) and Discard all expired. Every write is one service
call followed by ``window.apply_changes``. Every 30 s the time left is worked out again
from the stored instants and the injected clock: a re-read of times, never a write.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from ..domain.errors import DomainError
from ..domain.regimen import DRUG_NAME
from ..domain.stability import Preparation, PrepStatus, status_at
from ..services import pharmacy
from ..services.context import ChangeSet
from ..store.database import ConflictError
from .pharmacy_dialogs import (
    DiluteDialog,
    DiscardDialog,
    PrepDialog,
    ReconstituteDialog,
    drug_banner,
    vials_text,
    wall_text,
    water_text,
)
from .widgets import RowTableModel, info_label, read_only_table

Row = dict[str, Any]
AnyIndex = QModelIndex | QPersistentModelIndex

REFRESH_INTERVAL_MS = 30_000  # how often the time left is worked out again
MRN_ROLE = Qt.ItemDataRole.UserRole + 1
CYCLE_ROLE = Qt.ItemDataRole.UserRole + 2
EXPIRED_ROLE = Qt.ItemDataRole.UserRole + 3

EXPIRED_BACKGROUND = QColor("#f8d7da")
EXPIRED_FOREGROUND = QColor("#8b0000")
EXPIRED_VALUES = frozenset(status.value for status in pharmacy.EXPIRED)
# Statuses whose time left moves with the clock (a preparation on the shelf).
LIVE_VALUES = frozenset(
    status.value
    for status in (
        PrepStatus.NOT_PREPARED,
        PrepStatus.RECONSTITUTED,
        PrepStatus.DILUTED,
        PrepStatus.VIAL_EXPIRED,
        PrepStatus.BAG_EXPIRED,
    )
)
STATUS_TEXT = {
    PrepStatus.NOT_PREPARED.value: "not prepared",
    PrepStatus.RECONSTITUTED.value: "reconstituted (vial)",
    PrepStatus.DILUTED.value: "diluted (bag)",
    PrepStatus.VIAL_EXPIRED.value: "EXPIRED: vial",
    PrepStatus.BAG_EXPIRED.value: "EXPIRED: bag",
    PrepStatus.DISCARDED.value: "discarded",
    PrepStatus.USED.value: "used",
}


class Column(IntEnum):
    # Status and time left come early so they stay in sight on a narrow screen.
    PATIENT = 0
    MRN = 1
    CYCLE = 2
    INFUSION = 3
    STATUS = 4
    TIME_LEFT = 5
    NEXT = 6
    DOSE = 7
    VIALS = 8
    WATER = 9
    WITHDRAW = 10


HEADERS = {
    Column.PATIENT: ("Patient", "Patient name"),
    Column.MRN: ("MRN", "Medical record number"),
    Column.CYCLE: ("Cycle", "Cycle number"),
    Column.INFUSION: ("Infusion start", "When the infusion itself starts (clinic time)"),
    Column.DOSE: ("Dose mg", f"{DRUG_NAME} dose: level x weight"),
    Column.VIALS: ("Vials", "Single-dose vials to reconstitute"),
    Column.WATER: ("Water", "Sterile Water for Injection per vial"),
    Column.WITHDRAW: ("Withdraw mL", "Volume to withdraw at 20 mg/mL"),
    Column.STATUS: ("Status", "Where the preparation stands now"),
    Column.TIME_LEFT: ("Time left", "Until the reconstituted vial or the diluted bag expires"),
    Column.NEXT: ("Next step", "What the pharmacy does next for this dose"),
}
RIGHT_ALIGNED = {Column.CYCLE, Column.DOSE, Column.WITHDRAW, Column.TIME_LEFT}


def _instant(iso: str | None) -> datetime | None:
    return None if iso is None else datetime.fromisoformat(iso)


def time_left_text(minutes: int | None) -> str:
    """``3 h 05 min``; ``expired 0 h 40 min ago``; ``-`` when nothing is on the shelf."""
    if minutes is None:
        return "-"
    hours, mins = divmod(abs(minutes), 60)
    span = f"{hours} h {mins:02d} min"
    return f"expired {span} ago" if minutes < 0 else span


def is_expired(row: Row) -> bool:
    return row["status"] in EXPIRED_VALUES


def sort_key(row: Row) -> tuple[int, datetime, str, int]:
    """The service's order: discards first, then by deadline (start or expiry)."""
    due = _instant(row["due"])
    assert due is not None
    return (0 if row["action"] == "discard" else 1, due, row["mrn"], row["cycle"])


def retime(row: Row, now: datetime) -> Row:
    """The row with its status, time left and next step worked out again at ``now``
    from the stored instants alone (pure: no database)."""
    if row["status"] not in LIVE_VALUES:
        return row
    prep = Preparation(_instant(row["reconstituted_at"]), _instant(row["diluted_at"]))
    status = status_at(prep, now)
    left = pharmacy.prep_time_left(prep, now)
    action = "discard" if status in pharmacy.EXPIRED else row["action"]
    minutes = None if left is None else int(left.total_seconds() // 60)
    return {**row, "status": status.value, "time_left_min": minutes, "action": action}


class PharmacyQueueModel(RowTableModel):
    """Rows: one dose to prepare or one preparation on the shelf; read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__([HEADERS[column] for column in Column], parent)

    # --- loading ------------------------------------------------------------------
    def reload(self, db: Database, now: datetime) -> None:
        """Read the queue again from the service (the only way rows come and go)."""
        rows = pharmacy.pharmacy_queue(db, now)
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def refresh_times(self, now: datetime) -> bool:
        """Work out status and time left again at ``now``; re-sort when a row expired.

        Returns True when the order changed. No database access.
        """
        if not self._rows:
            return False
        self._rows = [retime(row, now) for row in self._rows]
        self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(Column) - 1))
        ordered = sorted(self._rows, key=sort_key)
        if ordered == self._rows:
            return False
        self.layoutAboutToBeChanged.emit()
        old_positions = {id(row): number for number, row in enumerate(self._rows)}
        new_positions = {old_positions[id(row)]: number for number, row in enumerate(ordered)}
        before = self.persistentIndexList()
        after = [
            self.index(new_positions[index.row()], index.column()) if index.isValid() else index
            for index in before
        ]
        self._rows = ordered
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
        return True

    def row_data(self, row: int) -> Row:
        return dict(self._rows[row])

    def find_row(self, mrn: str, cycle: int) -> int | None:
        for number, row in enumerate(self._rows):
            if row["mrn"] == mrn and row["cycle"] == cycle:
                return number
        return None

    def expired_count(self) -> int:
        return sum(1 for row in self._rows if is_expired(row))

    # --- Qt model API ----------------------------------------------------------------
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        found = self.cell(index)
        if found is None:
            return None
        row, number = found
        column = Column(number)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in RIGHT_ALIGNED:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and is_expired(row):
            return QBrush(EXPIRED_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and is_expired(row):
            return QBrush(EXPIRED_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole and is_expired(row):
            font = QFont()
            font.setBold(True)
            return font
        if role == MRN_ROLE:
            return str(row["mrn"])
        if role == CYCLE_ROLE:
            return int(row["cycle"])
        if role == EXPIRED_ROLE:
            return is_expired(row)
        return None

    def _display(self, row: Row, column: Column) -> str:
        if column is Column.PATIENT:
            return str(row["name"])
        if column is Column.MRN:
            return str(row["mrn"])
        if column is Column.CYCLE:
            return str(row["cycle"])
        if column is Column.INFUSION:
            start = row["infusion_start"]
            return "no booking" if start is None else wall_text(start, with_date=False)
        if column is Column.DOSE:
            return f"{row['dose_mg']:g}"
        if column is Column.VIALS:
            return vials_text(row["vials"])
        if column is Column.WATER:
            return water_text(row["vials"])
        if column is Column.WITHDRAW:
            return f"{row['withdraw_ml']:g}"
        if column is Column.STATUS:
            return STATUS_TEXT.get(row["status"], str(row["status"]))
        if column is Column.TIME_LEFT:
            return time_left_text(row["time_left_min"])
        step = str(row["action"])
        return f"{step}; RECALCULATE dose" if row["recalculate"] else step

    def _tooltip(self, row: Row, column: Column) -> str | None:
        if column is Column.STATUS and is_expired(row):
            return "Expired: never start it; discard and record the waste"
        if column is Column.TIME_LEFT:
            expiry = row["bag_expires_at"] or row["vial_expires_at"]
            return None if expiry is None else f"good until {wall_text(expiry)}"
        if column is Column.INFUSION and row["chair"]:
            return f"{row['chair']}, {wall_text(row['infusion_start'])}"
        if column is Column.NEXT and row["recalculate"]:
            return "The weight changed by the site's threshold or more: recalculate the dose"
        return None


# --- the detail panel ----------------------------------------------------------------------
DETAIL_FIELDS = (
    ("patient", "Patient"),
    ("infusion", "Infusion start"),
    ("dose", "Dose"),
    ("vials", "Vials"),
    ("water", "Sterile Water"),
    ("withdraw", "Withdraw"),
    ("diluent", "Diluent"),
    ("reconstituted", "Reconstituted"),
    ("lots", "Vial lots"),
    ("vial_expires", "Vial good until"),
    ("diluted", "Diluted"),
    ("bag_expires", "Bag good until"),
    ("infuse_by", "Infuse by"),
    ("status", "Status"),
)


def detail_texts(view: Row) -> dict[str, str]:
    """The preparation_view figures as the panel shows them, one text per field."""
    water = ", ".join(f"{w['water_ml_per_vial']:g} mL per {w['mg']} mg vial" for w in view["water"])
    diluted = wall_text(view["diluted_at"])
    if view["diluent_used"]:
        diluted = f"{diluted} in {view['diluent_used']}"
    return {
        "patient": f"{view['name']} ({view['mrn']}), cycle {view['cycle']} ({view['dose_status']})",
        "infusion": wall_text(view["infusion_start"]),
        "dose": (
            f"{view['dose_mg']:g} mg = {view['dose_level_mg_per_kg']:g} mg/kg x"
            f" {view['weight_kg']:g} kg (weighed {str(view['weight_measured_at'])[:10]})"
        ),
        "vials": (
            f"{vials_text(view['vials'])} ({view['vial_total_mg']:g} mg,"
            f" {view['vial_waste_mg']:g} mg over)"
        ),
        "water": f"{water} ({view['water_ml_total']:g} mL in all)",
        "withdraw": f"{view['withdraw_ml']:g} mL at {view['concentration_mg_per_ml']:g} mg/mL",
        "diluent": f"{view['diluent']}; store at {view['storage']}",
        "reconstituted": wall_text(view["reconstituted_at"]),
        "lots": ", ".join(view["vial_lots"]) or "-",
        "vial_expires": wall_text(view["vial_expires_at"]),
        "diluted": diluted,
        "bag_expires": wall_text(view["bag_expires_at"]),
        "infuse_by": wall_text(view["infuse_by"]),
        "status": (
            f"{STATUS_TEXT.get(view['status'], view['status'])};"
            f" time left {time_left_text(view['time_left_min'])}"
        ),
    }


class PharmacyPage(QWidget):
    """The page, its actions and the dialog it has open."""

    sig_selection_changed = Signal(object)
    """The dose selected in the queue: ``(mrn, cycle)``, or None."""

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.main_window = window
        self.ctx = window.ctx
        self.dialog: PrepDialog | None = None
        self.detail_view: Row | None = None  # preparation_view of the selected dose
        self.model = PharmacyQueueModel(self)
        self._build()
        self._build_actions()
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setObjectName("pharmacyRefreshTimer")
        self.refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self.refresh_timer.timeout.connect(self.refresh_times)
        self.refresh_timer.start()
        # The queue is the clock's today and tomorrow, not the day shown: day navigation
        # leaves it alone; data changes reload it (when the page is next seen if hidden).
        window.sig_data_changed.connect(self._data_changed)
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
        splitter.addWidget(self.table)
        splitter.addWidget(self._build_detail(splitter))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        self.notes_label = info_label(self, "pharmacyNotesLabel", "Last pharmacy action")
        layout.addWidget(self.notes_label)

    def _build_detail(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Selected dose", parent)
        box.setObjectName("pharmacyDetailBox")
        box.setAccessibleName("Selected dose")
        form = QFormLayout(box)
        self.detail_drug_label = drug_banner(box, "detailDrugLabel")
        form.addRow(self.detail_drug_label)
        self.detail_labels: dict[str, QLabel] = {}
        for key, title in DETAIL_FIELDS:
            label = info_label(box, f"detail_{key}", title)
            self.detail_labels[key] = label
            form.addRow(f"{title}:", label)
        self.warning_label = info_label(box, "detailWarningLabel", "Warnings", error=True)
        form.addRow(self.warning_label)
        return box

    def _action(self, text: str, name: str, slot: Any, tip: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def _button(self, action: QAction, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setObjectName(name)
        button.setAccessibleName(action.text().replace("&", "").rstrip("."))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button_row.addWidget(button)
        return button

    def _build_actions(self) -> None:
        self.reconstitute_action = self._action(
            "&Reconstitute...",
            "reconstituteAction",
            self.open_reconstitute,
            "Record the vials reconstituted, with their lot numbers",
        )
        self.dilute_action = self._action(
            "&Dilute...",
            "diluteAction",
            self.open_dilute,
            "Record the dose diluted in 250 mL 0.9% Sodium Chloride",
        )
        self.discard_action = self._action(
            "D&iscard...",
            "discardAction",
            self.open_discard,
            "Discard the selected preparation with a reason; the waste is recorded",
        )
        self.discard_expired_action = self._action(
            "Discard all &expired",
            "discardExpiredAction",
            self.discard_all_expired,
            "Discard every expired vial and bag now, recording the waste",
        )
        self.reconstitute_button = self._button(self.reconstitute_action, "reconstituteButton")
        self.dilute_button = self._button(self.dilute_action, "diluteButton")
        self.discard_button = self._button(self.discard_action, "discardButton")
        self.discard_expired_button = self._button(
            self.discard_expired_action, "discardExpiredButton"
        )
        self.button_row.addStretch(1)
        menu = self.main_window.menu("tools").addMenu("P&harmacy")
        menu.setObjectName("pharmacyMenu")
        for action in (
            self.reconstitute_action,
            self.dilute_action,
            self.discard_action,
            self.discard_expired_action,
        ):
            menu.addAction(action)
        self.menu = menu

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
        self._loaded_on = self.main_window.settings.calendar.local_date(now)
        self.model.reload(self.ctx.db, now)
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
        if self.main_window.settings.calendar.local_date(now) != self._loaded_on:
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
        if isinstance(changes, ChangeSet) and changes.preparations:
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
            view = pharmacy.preparation_view(self.ctx.db, key[0], key[1], self.ctx.clock.now())
        except DomainError as error:  # e.g. the course changed under the queue
            self.detail_view = None
            self.warning_label.setText(f"Cannot show this dose: {error}")
            return
        self.detail_view = view
        for field, text in detail_texts(view).items():
            self.detail_labels[field].setText(text)
        warnings = list(view["warnings"])
        if view["status"] in EXPIRED_VALUES:
            warnings.insert(0, "EXPIRED: never start it; discard it and record the waste")
        self.warning_label.setText("\n".join(f"Warning: {w}" for w in warnings))

    def _show_detail_times(self) -> None:
        """The tick's update of the panel: status and time left from the queue row."""
        row = self._selected_row()
        if row is None:
            return
        self.detail_labels["status"].setText(
            f"{STATUS_TEXT.get(row['status'], row['status'])};"
            f" time left {time_left_text(row['time_left_min'])}"
        )

    def _update_actions(self) -> None:
        row = self._selected_row()
        status = None if row is None else row["status"]
        self.reconstitute_action.setEnabled(status == PrepStatus.NOT_PREPARED.value)
        # A vial past its window stays offered so a dilution done in time can be recorded
        # late; the service refuses one typed after the window, and the dialog says why.
        self.dilute_action.setEnabled(
            status in (PrepStatus.RECONSTITUTED.value, PrepStatus.VIAL_EXPIRED.value)
        )
        self.discard_action.setEnabled(
            status is not None and status != PrepStatus.NOT_PREPARED.value
        )
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
    def open_reconstitute(self) -> PrepDialog | None:
        return self._open(ReconstituteDialog)

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
        self.main_window.apply_changes(changes)
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


def attach(window: Any) -> PharmacyPage:
    """Add the Pharmacy page and its Tools > Pharmacy menu to the main window."""
    page = PharmacyPage(window)
    window.add_page(page, "Pharmacy", "pharmacyPage")
    page.setAccessibleName(f"Pharmacy: {DRUG_NAME}")
    return page
