"""The Pharmacy page's queue model and detail texts: what each row and field shows.

``PharmacyQueueModel`` holds ``services.pharmacy.pharmacy_queue`` rows (read-only) and
works their status and time left out again from the stored instants (``retime``);
``detail_texts`` turns a ``preparation_view`` into the detail panel's texts. No widgets
beyond the model: the page is pharmacy_view.py, its dialogs pharmacy_dialogs.py.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QWidget

from ...domain.dosing import CONCENTRATION_MG_PER_ML
from ...domain.readiness import Readiness
from ...domain.regimen import DRUG_NAME
from ...domain.stability import Preparation, PrepStatus, status_at
from ...services import pharmacy
from ...services.storage import Store
from ..readiness.view import (
    dose_readiness,
    is_ready,
    readiness_brush,
    readiness_details,
    readiness_text,
    site_gate,
)
from ..widgets import RowTableModel
from .dialogs import vials_text, wall_text, water_text

Row = dict[str, Any]
AnyIndex = QModelIndex | QPersistentModelIndex

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
    Column.WITHDRAW: ("Withdraw mL", f"Volume to withdraw at {CONCENTRATION_MG_PER_ML:g} mg/mL"),
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
        self._readiness: dict[tuple[str, int], Readiness] = {}

    # --- loading ------------------------------------------------------------------
    def reload(self, store: Store, now: datetime) -> None:
        """Read the queue again from the service (the only way rows come and go)."""
        rows = pharmacy.pharmacy_queue(store, now)
        readiness: dict[tuple[str, int], Readiness] = {}
        gate_on = site_gate(store) != "off"  # under "off" the queue says nothing of readiness
        for row in rows:
            if gate_on and row["dose_status"] == "booked":
                found = dose_readiness(store, str(row["mrn"]), int(row["cycle"]))
                if found is not None:
                    readiness[(str(row["mrn"]), int(row["cycle"]))] = found
        self.beginResetModel()
        self._rows = rows
        self._readiness = readiness
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

    def readiness_of(self, row: Row) -> Readiness | None:
        """The booked dose's readiness (issue 17), None when it is not booked."""
        return self._readiness.get((str(row["mrn"]), int(row["cycle"])))

    def not_ready(self, row: Row) -> Readiness | None:
        """The readiness of a booked dose that is not ``ready``; else None."""
        readiness = self.readiness_of(row)
        return None if readiness is None or is_ready(readiness) else readiness

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
        held = self.not_ready(row)
        if column is Column.NEXT and held is not None and not is_expired(row):
            if role == Qt.ItemDataRole.BackgroundRole:
                return readiness_brush(held)
            if role == Qt.ItemDataRole.ForegroundRole:
                return readiness_brush(held, foreground=True)
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
            return f"{row['withdraw_ml']:.1f}"
        if column is Column.STATUS:
            return STATUS_TEXT.get(row["status"], str(row["status"]))
        if column is Column.TIME_LEFT:
            return time_left_text(row["time_left_min"])
        step = str(row["action"])
        held = self.not_ready(row)
        if held is not None and row["status"] == PrepStatus.NOT_PREPARED.value:
            step = f"DO NOT PREPARE ({readiness_text(held)})"
        elif held is not None:
            step = f"{step} - but the dose is {readiness_text(held)}"
        return f"{step}; RECALCULATE dose" if row["recalculate"] else step

    def _tooltip(self, row: Row, column: Column) -> str | None:
        if column is Column.STATUS and is_expired(row):
            return "Expired: never start it; discard and record the waste"
        if column is Column.TIME_LEFT:
            expiry = row["bag_expires_at"] or row["vial_expires_at"]
            return None if expiry is None else f"good until {wall_text(expiry)}"
        if column is Column.INFUSION and row["chair"]:
            return f"{row['chair']}, {wall_text(row['infusion_start'])}"
        if column is Column.NEXT and (held := self.not_ready(row)) is not None:
            return f"Do not prepare: the dose is not ready.\n{readiness_details(held)}"
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
        "withdraw": f"{view['withdraw_ml']:.1f} mL at {view['concentration_mg_per_ml']:g} mg/mL",
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
