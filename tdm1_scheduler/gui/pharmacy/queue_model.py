"""The Pharmacy page's queue model and detail texts: what each row and field shows.

``PharmacyQueueModel`` holds ``services.pharmacy.pharmacy_queue``'s read models
(``PrepQueueItem``, read-only) and works their status and time left out again from the
stored instants (``retime``); ``detail_texts`` turns a ``PreparationView`` into the
detail panel's texts. Every text is made here, at the GUI's edge, with the shared wall
time formatters (text.py). No widgets beyond the model: the page is page.py, its
dialogs dialogs.py.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QWidget

from ...domain.calendar import ClinicCalendar
from ...domain.dosing import CONCENTRATION_MG_PER_ML, WATER_ML_PER_VIAL
from ...domain.readiness import Readiness
from ...domain.readiness_gate import is_ready
from ...domain.records import CycleStatus
from ...domain.regimen import DRUG_NAME
from ...domain.stability import Preparation, PrepStatus, status_at
from ...services import pharmacy
from ...services.context import settings_from
from ...services.pharmacy import PrepAction, PreparationView, PrepQueueItem
from ...services.storage import Store
from ..readiness.view import (
    dose_readiness,
    readiness_brush,
    readiness_details,
    readiness_text,
    site_gate,
)
from ..widgets import RowTableModel
from .dialogs import vials_text, wall_text, water_text

Row = PrepQueueItem
AnyIndex = QModelIndex | QPersistentModelIndex

MRN_ROLE = Qt.ItemDataRole.UserRole + 1
CYCLE_ROLE = Qt.ItemDataRole.UserRole + 2
EXPIRED_ROLE = Qt.ItemDataRole.UserRole + 3

EXPIRED_BACKGROUND = QColor("#f8d7da")
EXPIRED_FOREGROUND = QColor("#8b0000")
EXPIRED_VALUES = pharmacy.EXPIRED
# Statuses whose time left moves with the clock (a preparation on the shelf).
LIVE_VALUES = frozenset(
    (
        PrepStatus.NOT_PREPARED,
        PrepStatus.RECONSTITUTED,
        PrepStatus.DILUTED,
        PrepStatus.VIAL_EXPIRED,
        PrepStatus.BAG_EXPIRED,
    )
)
STATUS_TEXT = {
    PrepStatus.NOT_PREPARED: "not prepared",
    PrepStatus.RECONSTITUTED: "reconstituted (vial)",
    PrepStatus.DILUTED: "diluted (bag)",
    PrepStatus.VIAL_EXPIRED: "EXPIRED: vial",
    PrepStatus.BAG_EXPIRED: "EXPIRED: bag",
    PrepStatus.DISCARDED: "discarded",
    PrepStatus.USED: "used",
}
# The Next step cell's reason is cut to this many characters (the tooltip has it all).
NEXT_REASON_CHARS = 24


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


def minutes_of(span: timedelta | None) -> int | None:
    """A span in whole minutes, floored; None stays None."""
    return None if span is None else math.floor(span.total_seconds() / 60)


def time_left_text(span: timedelta | None) -> str:
    """``3 h 05 min``; ``expired 0 h 40 min ago``; ``-`` when nothing is on the shelf."""
    minutes = minutes_of(span)
    if minutes is None:
        return "-"
    hours, mins = divmod(abs(minutes), 60)
    text = f"{hours} h {mins:02d} min"
    return f"expired {text} ago" if minutes < 0 else text


def status_text(status: PrepStatus) -> str:
    return STATUS_TEXT.get(status, status.value)


def withdraw_text(ml: float) -> str:
    """Always one decimal: ``18.0``."""
    return f"{ml:.1f}"


def is_expired(row: Row) -> bool:
    return row.status in EXPIRED_VALUES


def sort_key(row: Row) -> tuple[int, datetime, str, int]:
    """The service's order: discards first, then by deadline (start or expiry)."""
    return pharmacy.queue_order(row)


def retime(row: Row, now: datetime) -> Row:
    """The row with its status, time left and next step worked out again at ``now``
    from the stored instants alone (pure: no database)."""
    if row.status not in LIVE_VALUES:
        return row
    prep = Preparation(row.prep.reconstituted_at, row.prep.diluted_at)
    status = status_at(prep, now)
    left = pharmacy.prep_time_left(prep, now)
    action = PrepAction.DISCARD if status in pharmacy.EXPIRED else row.action
    if (status, left, action) == (row.status, row.time_left, row.action):
        return row
    return dataclasses.replace(row, status=status, time_left=left, action=action)


class PharmacyQueueModel(RowTableModel):
    """Rows: one dose to prepare or one preparation on the shelf; read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__([HEADERS[column] for column in Column], parent)
        self._rows: list[Row] = []
        self._readiness: dict[tuple[str, int], Readiness] = {}
        self.calendar: ClinicCalendar | None = None  # the clinic's, read with the rows

    # --- loading ------------------------------------------------------------------
    def reload(self, store: Store, now: datetime) -> None:
        """Read the queue again from the service (the only way rows come and go)."""
        rows = pharmacy.pharmacy_queue(store, now)
        calendar = settings_from(store).calendar
        readiness: dict[tuple[str, int], Readiness] = {}
        gate_on = site_gate(store) != "off"  # under "off" the queue says nothing of readiness
        for row in rows:
            if gate_on and row.dose_status is CycleStatus.BOOKED:
                found = dose_readiness(store, row.mrn, row.cycle)
                if found is not None:
                    readiness[(row.mrn, row.cycle)] = found
        self.beginResetModel()
        self._rows = rows
        self.calendar = calendar
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
        return self._rows[row]

    def find_row(self, mrn: str, cycle: int) -> int | None:
        for number, row in enumerate(self._rows):
            if row.mrn == mrn and row.cycle == cycle:
                return number
        return None

    def readiness_of(self, row: Row) -> Readiness | None:
        """The booked dose's readiness (issue 17), None when it is not booked."""
        return self._readiness.get((row.mrn, row.cycle))

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
            return row.mrn
        if role == CYCLE_ROLE:
            return row.cycle
        if role == EXPIRED_ROLE:
            return is_expired(row)
        return None

    def _wall(self, instant: datetime | None, with_date: bool = True) -> str:
        assert self.calendar is not None  # rows come with the clinic's calendar
        return wall_text(self.calendar, instant, with_date)

    def _display(self, row: Row, column: Column) -> str:
        if column is Column.PATIENT:
            return row.name
        if column is Column.MRN:
            return row.mrn
        if column is Column.CYCLE:
            return str(row.cycle)
        if column is Column.INFUSION:
            start = row.infusion_start
            return "no booking" if start is None else self._wall(start, with_date=False)
        if column is Column.DOSE:
            return f"{row.plan.dose_mg:g}"
        if column is Column.VIALS:
            return vials_text(row.plan.vials.vials)
        if column is Column.WATER:
            return water_text(row.plan.vials.vials)
        if column is Column.WITHDRAW:
            return withdraw_text(row.plan.withdraw_ml)
        if column is Column.STATUS:
            return status_text(row.status)
        if column is Column.TIME_LEFT:
            return time_left_text(row.time_left)
        return self.next_step(row, NEXT_REASON_CHARS)

    def next_step(self, row: Row, limit: int | None = None) -> str:
        """What the pharmacy does next: the cell cuts the readiness reason to ``limit``
        characters (one line; the cell is elided too), the tooltip says it whole."""
        step = row.action.value
        held = self.not_ready(row)
        if held is None:
            reason = ""
        else:
            reason = readiness_text(held) if limit is None else readiness_text(held, limit)
        if held is not None and row.status is PrepStatus.NOT_PREPARED:
            step = f"DO NOT PREPARE ({reason})"
        elif held is not None:
            step = f"{step}; dose {reason}" if limit else f"{step} - but the dose is {reason}"
        return f"{step}; RECALCULATE dose" if row.recalculate else step

    def _tooltip(self, row: Row, column: Column) -> str | None:
        if column is Column.STATUS and is_expired(row):
            return "Expired: never start it; discard and record the waste"
        if column is Column.TIME_LEFT:
            expiry = row.expires_at
            return None if expiry is None else f"good until {self._wall(expiry)}"
        if column is Column.INFUSION and row.chair:
            return f"{row.chair}, {self._wall(row.infusion_start)}"
        if column is Column.NEXT:
            lines = [self.next_step(row)]  # the whole text the cell may cut
            if (held := self.not_ready(row)) is not None:
                lines.append(f"Do not prepare: the dose is not ready.\n{readiness_details(held)}")
            elif row.recalculate:
                lines.append(
                    "The weight changed by the site's threshold or more: recalculate the dose"
                )
            return "\n".join(lines)
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


def detail_texts(view: PreparationView, calendar: ClinicCalendar) -> dict[str, str]:
    """The preparation_view figures as the panel shows them, one text per field."""
    plan, prep, vials = view.plan, view.prep, view.plan.vials
    water = ", ".join(
        f"{WATER_ML_PER_VIAL[size]:g} mL per {size} mg vial" for size, _ in vials.vials
    )
    diluted = wall_text(calendar, prep.diluted_at)
    if view.diluent_used:
        diluted = f"{diluted} in {view.diluent_used}"
    return {
        "patient": f"{view.name} ({view.mrn}), cycle {view.cycle} ({view.dose_status.value})",
        "infusion": wall_text(calendar, view.infusion_start),
        "dose": (
            f"{plan.dose_mg:g} mg = {plan.dose_level_mg_per_kg:g} mg/kg x"
            f" {plan.weight_kg:g} kg (weighed {calendar.local(view.weight_measured_at):%Y-%m-%d})"
        ),
        "vials": (f"{vials_text(vials.vials)} ({vials.total_mg:g} mg, {vials.waste_mg:g} mg over)"),
        "water": f"{water} ({vials.water_ml_total:g} mL in all)",
        "withdraw": f"{plan.withdraw_ml:.1f} mL at {CONCENTRATION_MG_PER_ML:g} mg/mL",
        "diluent": f"{plan.diluent}; store at {pharmacy.STORAGE}",
        "reconstituted": wall_text(calendar, prep.reconstituted_at),
        "lots": ", ".join(view.vial_lots) or "-",
        "vial_expires": wall_text(calendar, prep.vial_expires_at),
        "diluted": diluted,
        "bag_expires": wall_text(calendar, prep.bag_expires_at),
        "infuse_by": wall_text(calendar, prep.infuse_by),
        "status": f"{status_text(view.status)}; time left {time_left_text(view.time_left)}",
    }
