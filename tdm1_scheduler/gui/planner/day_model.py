"""The day's appointments as a Qt table model: a thin adapter over the day query.

The model never edits its rows; it only reloads them from ``services.queries.day_blocks``
(``DayBlock``: what a row shows, the read the planner's grid shares, issue 19). A row's
whole record (``row_data``) is read when it is asked for: a menu, a key move.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QIcon

from ...domain.day_blocks import DayBlock, as_shown
from ...domain.records import AppointmentKind, AppointmentView, CycleStatus
from ...domain.regimen import (
    EBC_TOTAL_CYCLES,
    FIRST_INFUSION_MIN,
    FIRST_OBSERVATION_MIN,
    total_cycles,
)
from ...services.context import ClinicSettings
from ...services.queries import booking, day_blocks
from ...services.storage import Store
from ...text import clock_time, cycle_label
from ..readiness.view import (
    appointments_readiness,
    readiness_brush,
    readiness_details,
    readiness_text,
)
from ..widgets import RowTableModel

if TYPE_CHECKING:
    from ...domain.readiness import Readiness  # read when first shown (issue 19)

AnyIndex = QModelIndex | QPersistentModelIndex

APPOINTMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    CHAIR = 0
    START = 1
    END = 2
    PATIENT = 3
    MRN = 4
    CYCLE = 5
    FIRST = 6
    PREP = 7
    INFUSION = 8
    OBSERVATION = 9
    STATUS = 10
    READY = 11


HEADERS = {
    Column.CHAIR: ("Chair", "Infusion chair"),
    Column.START: ("Start", "Chair time starts (clinic time)"),
    Column.END: ("End", "Chair time ends, after observation (clinic time)"),
    Column.PATIENT: ("Patient", "Patient name"),
    Column.MRN: ("MRN", "Medical record number"),
    Column.CYCLE: (
        "Cycle",
        f"Cycle number; of {EBC_TOTAL_CYCLES} for early breast cancer (EBC)",
    ),
    Column.FIRST: (
        "First",
        f"First infusion: {FIRST_INFUSION_MIN} min infusion and {FIRST_OBSERVATION_MIN} min"
        " observation",
    ),
    Column.PREP: ("Prep", "Preparation minutes (vitals, line access)"),
    Column.INFUSION: ("Infusion", "Infusion minutes"),
    Column.OBSERVATION: ("Obs.", "Observation minutes after the infusion"),
    Column.STATUS: ("Status", "Booked, given or blocked"),
    Column.READY: ("Ready", "Is the booked dose ready to give (labs, LVEF): the verdict and why"),
}

CENTERED = {Column.CYCLE, Column.FIRST, Column.PREP, Column.INFUSION, Column.OBSERVATION}
FIRST_INFUSION_BACKGROUND = QColor("#fde7ef")
BLOCKED_BACKGROUND = QColor("#eceff1")


def cycles_total(view: AppointmentView) -> int | None:
    """The course's length (None for MBC, which has no fixed end, and blocked time)."""
    return None if view.setting is None else total_cycles(view.setting)


def cycle_text(view: AppointmentView, word: str = "") -> str:
    """``7/14`` for an EBC course, ``7`` for MBC (no fixed end), ``""`` for blocked time;
    ``word="cycle "`` gives ``cycle 7/14``."""
    if view.cycle is None:
        return ""
    return cycle_label(view.cycle, cycles_total(view), word=word)


def is_blocked(view: AppointmentView) -> bool:
    return view.appointment.kind is AppointmentKind.BLOCKED


def is_first_infusion(view: AppointmentView) -> bool:
    return view.appointment.kind is AppointmentKind.DOSE and view.cycle == 1


def is_booked(view: AppointmentView) -> bool:
    """Still to come: it can move."""
    return view.appointment.status is CycleStatus.BOOKED


def is_booked_dose(view: AppointmentView) -> bool:
    """A dose still to give: its readiness is shown."""
    return view.appointment.kind is AppointmentKind.DOSE and is_booked(view)


def blocked_label(view: AppointmentView) -> str:
    """What blocked time is held for (``blocked`` when it says nothing)."""
    return view.appointment.label or "blocked"


def status_text(view: AppointmentView) -> str:
    return "blocked" if is_blocked(view) else view.appointment.status.value


# The same, of a ``DayBlock`` (the grid's and the Day list's lean row).
def block_cycle_text(block: DayBlock, word: str = "") -> str:
    """``cycle_text`` of the block's record."""
    if block.cycle is None:
        return ""
    total = None if block.setting is None else total_cycles(block.setting)
    return cycle_label(block.cycle, total, word=word)


def block_is_blocked(block: DayBlock) -> bool:
    return block.kind is AppointmentKind.BLOCKED


def block_is_first(block: DayBlock) -> bool:
    """``is_first_infusion`` of the block's record."""
    return block.kind is AppointmentKind.DOSE and block.cycle == 1


def block_label(block: DayBlock) -> str:
    """``blocked_label`` of the block's record."""
    return block.label or "blocked"


Fetch = Callable[[int], AppointmentView | None]
"""Reads one appointment's whole record by id (None: it is gone)."""


class DayAppointmentsModel(RowTableModel):
    """Rows: one chair-holding appointment of the day shown; read-only."""

    def __init__(self, settings: ClinicSettings, first_icon: QIcon | None = None) -> None:
        super().__init__([HEADERS[column] for column in Column])
        self._settings = settings
        self._day: date | None = None
        self._first_icon = first_icon or QIcon()
        self._store: Store | None = None
        self._readiness: dict[int, Readiness] | None = {}
        self._rows: list[DayBlock] = []
        self._fetch: Fetch | None = None

    # --- loading ------------------------------------------------------------
    @property
    def day(self) -> date | None:
        return self._day

    def set_settings(self, settings: ClinicSettings) -> None:
        self._settings = settings

    def reload(
        self,
        store: Store,
        day: date,
        rows: list[DayBlock] | None = None,
        fetch: Fetch | None = None,
    ) -> None:
        """Read the day again from the services (the only way rows change); ``rows``:
        the day's bookings (lean) when the caller has just read them; ``fetch`` reads a
        row's whole record (``row_data``; by default ``queries.booking`` of ``store``)."""
        rows = day_blocks(store, self._settings, day) if rows is None else rows
        self.beginResetModel()
        self._rows = rows
        self._store = store
        self._fetch = fetch
        self._readiness = None  # worked out when first shown or asked for (``_ready``)
        self._day = day
        self.endResetModel()

    def _ready(self) -> dict[int, Readiness]:
        """The booked doses' readiness by appointment id, read once per reload and only
        when the list is shown or asked: a commit made from the planner reloads this
        model while it is hidden, and the readiness of a busy day is most of that."""
        if self._readiness is None:
            dose, booked_status = AppointmentKind.DOSE, CycleStatus.BOOKED
            booked = [r.id for r in self._rows if r.kind is dose and r.status is booked_status]
            store = self._store
            self._readiness = {} if store is None else appointments_readiness(store, booked)
        return self._readiness

    def row_data(self, row: int) -> AppointmentView:
        """The whole record of ``row``, read now (a menu, a key move); the row as read
        (``as_shown``) when its appointment changed since."""
        block = self._rows[row]
        fetch = self._fetch
        if fetch is not None:
            found = fetch(block.id)
        elif self._store is not None:
            found = booking(self._store, block.id)
        else:
            found = None
        return as_shown(block, found)

    def block_at(self, row: int) -> DayBlock:
        """What ``row`` shows (no read)."""
        return self._rows[row]

    def first_infusions(self) -> int:
        """How many of the rows are a first infusion (cycle 1): the status line's count
        after each switch and commit, without a ``row_data`` call per row."""
        return [view.cycle for view in self._rows].count(1)

    def readiness_at(self, row: int) -> Readiness | None:
        """The booked dose's readiness on ``row`` (None for blocked time or a given dose)."""
        return self._ready().get(self._rows[row].id)

    # --- Qt model API -------------------------------------------------------------
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        found = self.cell(index)
        if found is None:
            return None
        row, number = found
        column = Column(number)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, column, accessible=role != Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in CENTERED:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and column is Column.FIRST:
            return self._first_icon if block_is_first(row) else None
        if column is Column.READY and role in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            foreground = role == Qt.ItemDataRole.ForegroundRole
            return readiness_brush(self._ready().get(row.id), foreground)
        if role == Qt.ItemDataRole.BackgroundRole:
            if block_is_blocked(row):
                return QBrush(BLOCKED_BACKGROUND)
            if block_is_first(row):
                return QBrush(FIRST_INFUSION_BACKGROUND)
            return None
        if role == APPOINTMENT_ID_ROLE:
            return row.id
        return None

    # --- helpers --------------------------------------------------------------------
    def _display(self, row: DayBlock, column: Column, *, accessible: bool) -> str:
        blocked = block_is_blocked(row)
        if column is Column.CHAIR:
            return row.chair_name
        if column is Column.START:
            return clock_time(self._settings.calendar, row.start)
        if column is Column.END:
            return clock_time(self._settings.calendar, row.end)
        if column is Column.PATIENT:
            return block_label(row) if blocked else str(row.patient_name)
        if column is Column.MRN:
            return "" if blocked else str(row.mrn)
        if column is Column.CYCLE:
            return block_cycle_text(row)
        if column is Column.FIRST:
            if block_is_first(row):
                return "first infusion" if accessible else "first"
            return "not first" if accessible else ""
        if column is Column.PREP:
            return str(row.prep_min)
        if column is Column.INFUSION:
            return str(row.infusion_min)
        if column is Column.OBSERVATION:
            return str(row.observation_min)
        if column is Column.READY:
            return readiness_text(self._ready().get(row.id))
        return "blocked" if blocked else row.status.value  # status_text

    def _tooltip(self, row: DayBlock, column: Column) -> str | None:
        if column is Column.READY:
            return readiness_details(self._ready().get(row.id)) or None
        if column is Column.INFUSION and row.kind is AppointmentKind.DOSE:
            if block_is_first(row):
                return (
                    f"First infusion: {FIRST_INFUSION_MIN} min, observe at least"
                    f" {FIRST_OBSERVATION_MIN} min after"
                )
            return f"{row.infusion_min} min infusion"
        if column is Column.CYCLE and row.setting is not None and row.cycle is not None:
            return f"{row.setting.value} course, {cycle_label(row.cycle, None)}"
        return None
