"""Qt table models for the patients panel and its dialogs: thin, read-only adapters.

Each model only shows what it was last given (search results, a course view, a proposed
plan, a missed dose's moves); none edits data. The two read functions here are the
panel's only reads; reads need no transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from ...domain.calendar import ClinicCalendar
from ...domain.errors import DomainError
from ...domain.lean import dataclass  # cheaper to define (issue 19)
from ...domain.records import CycleStatus, Patient
from ...domain.regimen import EBC_TOTAL_CYCLES, Setting, total_cycles
from ...services.context import CycleMove
from ...services.course_views import CourseView, CycleView
from ...services.queries import course_view, search_patients
from ...services.storage import Store
from ...text import cycle_label
from ..readiness.view import readiness_brush, readiness_details, readiness_text
from ..widgets import RowTableModel

if TYPE_CHECKING:  # a proposal's slot; domain.booking is imported when booking (issue 19)
    from ...domain.booking import Slot
    from ...domain.readiness import Readiness  # read after the first paint (issue 19)

AnyIndex = QModelIndex | QPersistentModelIndex

MRN_ROLE = Qt.ItemDataRole.UserRole + 1
CYCLE_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_LIMIT = 200
TOTAL_EBC_CYCLES = EBC_TOTAL_CYCLES  # the regimen's (T-DM1: 14)
COURSE_REASON_CHARS = 36  # the dock is narrow: the whole reason is in the tooltip


# --- reads --------------------------------------------------------------------------
def find_patients(store: Store, text: str) -> list[Patient]:
    """Patients whose name or MRN contains ``text`` (every patient when it is empty)."""
    return search_patients(store, text, SEARCH_LIMIT)


def find_course_view(store: Store, mrn: str) -> CourseView | None:
    """The patient's course as ``course show`` shows it, or None without one."""
    try:
        return course_view(store, mrn)
    except DomainError:
        return None


# --- a small base: rows of anything, columns described once -------------------------
@dataclass(frozen=True)
class ColumnSpec:
    title: str
    tip: str
    text: Callable[[Any], str]
    centered: bool = False
    roles: Callable[[Any, int], Any] | None = None  # this column's other roles


class ReadOnlyTableModel(RowTableModel):
    """Rows set as a whole with ``set_rows``; each column turns a row into text."""

    def __init__(self, columns: Sequence[ColumnSpec]) -> None:
        super().__init__([(column.title, column.tip) for column in columns])
        self._columns = list(columns)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_data(self, row: int) -> Any:
        return self._rows[row]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        found = self.cell(index)
        if found is None:
            return None
        row, number = found
        column = self._columns[number]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.centered:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if column.roles is not None and (value := column.roles(row, role)) is not None:
            return value
        return self.extra_data(row, role)

    def extra_data(self, row: Any, role: int) -> Any:
        """Roles beyond text and alignment (subclasses add their own)."""
        return None


# --- patients -----------------------------------------------------------------------
class PatientListModel(ReadOnlyTableModel):
    """Search results: one row a patient (MRN, name, weight)."""

    def __init__(self) -> None:
        super().__init__(
            [
                ColumnSpec("MRN", "Medical record number", lambda p: p.mrn),
                ColumnSpec("Name", "Patient name", lambda p: p.name),
                ColumnSpec(
                    "Weight",
                    "Last recorded weight (kg)",
                    lambda p: f"{p.weight_kg:g} kg",
                    centered=True,
                ),
            ]
        )

    def reload(self, store: Store, text: str) -> None:
        self.set_rows(find_patients(store, text))

    def mrn_at(self, row: int) -> str:
        patient: Patient = self._rows[row]
        return patient.mrn

    def row_of_mrn(self, mrn: str) -> int | None:
        for number, patient in enumerate(self._rows):
            if patient.mrn == mrn:
                return number
        return None

    def extra_data(self, row: Any, role: int) -> Any:
        return row.mrn if role == MRN_ROLE else None


# --- a course's cycles ----------------------------------------------------------------
def cycle_of_total(cycle: int, setting: Setting | str | None) -> str:
    """``3 of 14`` for an early breast cancer course; ``3`` for a metastatic one."""
    total = total_cycles(Setting(setting)) if setting in ("EBC", "MBC") else None
    return cycle_label(cycle, total, word="", of=" of ")


def cycle_status_text(cycle: CycleView) -> str:
    missed = len(cycle.missed)
    status = cycle.status.value
    return f"{status} (missed {missed}x)" if missed else status


def cycle_history_text(cycle: CycleView, zone: tzinfo) -> str:
    """``completed in 120 min; grade 2 at 09:35: flushing - slowed``: what the record
    says happened at a given dose (empty before it was given); times in ``zone``."""
    parts: list[str] = []
    minutes = cycle.infusion_actual_min
    if cycle.status is CycleStatus.GIVEN and minutes:
        if cycle.infusion_completed is False:
            parts.append(f"stopped before complete after {minutes} min (partial dose)")
        else:
            parts.append(f"completed in {minutes} min")
    for reaction in cycle.reactions:
        text = f"grade {reaction.grade} reaction at {reaction.at.astimezone(zone):%H:%M}"
        if reaction.symptoms:
            text += f": {reaction.symptoms}"
        if reaction.action:
            text += f" - infusion {reaction.action.value}"
        if reaction.note:
            text += f" ({reaction.note})"
        parts.append(text)
    if not cycle.reactions and cycle.reaction_grade:
        parts.append(f"grade {cycle.reaction_grade} reaction")
    return "; ".join(parts)


def _text(value: object) -> str:
    return "" if value is None else str(value)


class CourseCyclesModel(ReadOnlyTableModel):
    """Every cycle of one course (``services.queries.course_view``'s ``CourseView``)."""

    def __init__(self) -> None:
        self.readiness: dict[int, Readiness] = {}
        self.view: CourseView | None = None
        super().__init__(
            [
                ColumnSpec(
                    "Cycle",
                    f"Cycle number; of {TOTAL_EBC_CYCLES} for early breast cancer (EBC)",
                    lambda r: cycle_of_total(r.cycle, self.view.setting if self.view else None),
                    centered=True,
                ),
                ColumnSpec(
                    "Status",
                    "Booked, given, cancelled",
                    cycle_status_text,
                    roles=self._history_tip,
                ),
                ColumnSpec(
                    "Ready",
                    "Is the booked dose ready to give (labs, LVEF): the verdict and why",
                    lambda r: readiness_text(self.readiness_of(r), COURSE_REASON_CHARS),
                    roles=self._readiness_role,
                ),
                ColumnSpec(
                    "Date", "Day of the chair booking", lambda r: self._wall(r.start, "%a %Y-%m-%d")
                ),
                ColumnSpec(
                    "Time",
                    "Chair time (clinic time), from prep to the end of observation",
                    lambda r: (
                        f"{self._wall(r.start, '%H:%M')}-{self._wall(r.end, '%H:%M')}"
                        if r.start
                        else ""
                    ),
                ),
                ColumnSpec("Chair", "Infusion chair", lambda r: _text(r.chair)),
                ColumnSpec("Prep", "Preparation minutes", lambda r: _text(r.prep_min), True),
                ColumnSpec("Infusion", "Infusion minutes", lambda r: _text(r.infusion_min), True),
                ColumnSpec("Obs.", "Observation minutes", lambda r: _text(r.observation_min), True),
                ColumnSpec(
                    "What happened",
                    "A given dose: completed or stopped, its minutes, and each reaction"
                    " recorded on the nurse board (grade, time, symptoms, action, note)",
                    self.history_text,
                ),
            ]
        )

    def row_data(self, row: int) -> CycleView:
        cycle: CycleView = self._rows[row]
        return cycle

    def _wall(self, instant: datetime | None, fmt: str) -> str:
        """``instant`` on the clinic's wall clock, formatted (empty for none)."""
        if instant is None or self.view is None:
            return ""
        return f"{self.view.local(instant):{fmt}}"

    def history_text(self, cycle: CycleView) -> str:
        return "" if self.view is None else cycle_history_text(cycle, self.view.zone)

    def _history_tip(self, row: CycleView, role: int) -> Any:
        """The Status cell's tooltip: what happened at a given dose, and its minutes."""
        if role != Qt.ItemDataRole.ToolTipRole:
            return None
        minutes = (
            f"prep {_text(row.prep_min)}, infusion {_text(row.infusion_min)}, "
            f"observation {_text(row.observation_min)} min"
        )
        history = self.history_text(row)
        return f"{history}\n{minutes}" if history else minutes

    def dock_columns(self) -> dict[str, Any]:
        """The course table in the patients dock: what ``widgets.fit_columns`` takes."""
        titles = [self.headerData(c, Qt.Orientation.Horizontal) for c in range(self.columnCount())]
        at = {title: column for column, title in enumerate(titles)}
        return {
            "order": [at[t] for t in ("Cycle", "Status", "Date", "Time", "Chair")],
            "stretch": at["Ready"],
            "hidden": [at[t] for t in ("Prep", "Infusion", "Obs.", "What happened")],
        }

    def load(self, view: CourseView | None, readiness: dict[int, Readiness] | None = None) -> None:
        """Show ``view`` (a course view), or nothing for a patient without a course;
        ``readiness`` holds each booked cycle's verdict, by cycle number."""
        self.view = view
        self.readiness = dict(readiness or {})
        self.set_rows([] if view is None else view.cycles)

    def readiness_of(self, row: CycleView) -> Readiness | None:
        return self.readiness.get(row.cycle)

    def _readiness_role(self, row: CycleView, role: int) -> Any:
        readiness = self.readiness_of(row)
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole reason first, then the details
            whole = readiness_text(readiness, limit=10_000)
            return "\n".join(t for t in (whole, readiness_details(readiness)) if t) or None
        if role == Qt.ItemDataRole.BackgroundRole:
            return readiness_brush(readiness)
        if role == Qt.ItemDataRole.ForegroundRole:
            return readiness_brush(readiness, foreground=True)
        return None

    def extra_data(self, row: Any, role: int) -> Any:
        return row.cycle if role == CYCLE_ROLE else None


# --- a proposed plan (book course) ------------------------------------------------------
@dataclass(frozen=True)
class ProposedCycle:
    cycle: int
    slot: Slot
    chair_name: str


class ProposalModel(ReadOnlyTableModel):
    """The whole proposed course before anything is saved: one row a cycle."""

    def __init__(self, calendar: ClinicCalendar, setting: str = "EBC") -> None:
        self._calendar = calendar
        self._setting = setting
        local = calendar.local
        super().__init__(
            [
                ColumnSpec(
                    "Cycle",
                    "Cycle number",
                    lambda p: cycle_of_total(p.cycle, self._setting),
                    centered=True,
                ),
                ColumnSpec("Date", "Day", lambda p: f"{local(p.slot.start):%a %Y-%m-%d}"),
                ColumnSpec(
                    "Time",
                    "Chair time (clinic time), from prep to the end of observation",
                    lambda p: f"{local(p.slot.start):%H:%M}-{local(p.slot.end):%H:%M}",
                ),
                ColumnSpec("Chair", "Infusion chair", lambda p: p.chair_name),
                ColumnSpec(
                    "Prep", "Preparation minutes", lambda p: str(p.slot.chair_time.prep_min), True
                ),
                ColumnSpec(
                    "Infusion",
                    "Infusion minutes (90 for the first infusion)",
                    lambda p: str(p.slot.chair_time.infusion_min),
                    True,
                ),
                ColumnSpec(
                    "Obs.",
                    "Observation minutes after the infusion",
                    lambda p: str(p.slot.chair_time.observation_min),
                    True,
                ),
            ]
        )

    def show_plan(self, setting: str, plan: Sequence[ProposedCycle]) -> None:
        self._setting = setting
        self.set_rows(plan)

    @property
    def plan(self) -> list[ProposedCycle]:
        return list(self._rows)


# --- cycles that move (mark missed) ----------------------------------------------------------
class MovesModel(ReadOnlyTableModel):
    """Cycles a change moves: old and new day, time and chair."""

    def __init__(self, calendar: ClinicCalendar) -> None:
        local = calendar.local

        def when(moment: datetime | None) -> str:
            return "" if moment is None else f"{local(moment):%a %Y-%m-%d %H:%M}"

        def shift(move: CycleMove) -> str:
            if move.shift is None:
                return ""
            days = round(move.shift.total_seconds() / 86400)
            return f"{days:+d} days" if days else "same day"

        super().__init__(
            [
                ColumnSpec("Cycle", "Cycle number", lambda m: str(m.cycle), centered=True),
                ColumnSpec("Was", "Booked before", lambda m: when(m.old_start)),
                ColumnSpec("Now", "Booked after", lambda m: when(m.new_start)),
                ColumnSpec("Chair", "Chair after the move", lambda m: m.new_chair),
                ColumnSpec("Shift", "How far it moves", shift, centered=True),
            ]
        )
