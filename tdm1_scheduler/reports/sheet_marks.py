"""What the day sheet marks on a row: one list of ``Mark`` per appointment. No Qt.

Every mark is computed here from the row alone (``marks_for``), printed the same way in
the grid (``grid`` words, boxed; an ``alert`` mark white on black) and in the table
(``text``), and explained once in the legend (``MARK_LEGEND``). The paint code never
looks at a mark's code, so a new mark is a new entry in ``MARK_LEGEND`` and a ``Mark``
in a row's ``marks`` (``day_sheet.with_marks`` adds marks computed elsewhere, such as
the readiness gate's "labs pending" and "LVEF due").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ..domain.lean import dataclass
from ..domain.regimens import TDM1
from ..domain.tolerance import FIRST_INFUSION_MIN, LATER_INFUSION_MIN

if TYPE_CHECKING:
    from ..domain.readiness import Readiness


@dataclass(frozen=True)
class Mark:
    code: str  # a key of MARK_LEGEND
    text: str  # the table's words: "prolonged 120 min"
    grid: str  # the grid's shorter words: "120 min"
    alert: bool = False  # printed white on black in the grid, bold in the table


# code -> the legend's words (printed in this order when the day has such a mark)
MARK_LEGEND: dict[str, tuple[str, str]] = {
    "first": (
        "1st",
        f"first infusion ({TDM1.first_infusion_min} min"
        f" + {TDM1.first_observation_min} min observation)",
    ),
    "prolonged": ("N min", "infusion kept longer after a reaction"),
    "reaction": ("reaction G", "reaction recorded in this visit (CTCAE grade)"),
    "stopped": ("STOPPED", "infusion stopped before complete (a partial dose)"),
    "missed": ("MISSED", "visit missed today (re-booked where shown)"),
    "not_arrived": ("NOT IN", "chair start passed, patient not arrived when printed"),
    "bag_expires": ("EXP hh:mm", "bag or vial expires before the infusion starts"),
    "verdict": ("HOLD", "the lab/LVEF gate: hold, reduce or stop (MBC), review (EBC)"),
    "labs_pending": ("LABS", "a liver test or platelet count for this dose is not in yet"),
    "lvef_due": ("LVEF", "an LVEF (echo or MUGA) is due by this dose"),
}
# The readiness verdicts the sheet marks (EBC never holds: its out-of-range is "review").
MARKED_VERDICTS = ("hold", "reduce", "stop", "review")
# Reasons that explain rather than decide: never the text of a verdict mark.
_NOT_A_VERDICT_REASON = ("ebc-table-unverified", "lab-missing", "no-results")


class MarkedRow(Protocol):
    """What ``marks_for`` reads of a sheet row (``day_sheet.SheetAppointment``, which
    sits above this module and holds the marks)."""

    @property
    def is_dose(self) -> bool: ...
    @property
    def first_infusion(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def start(self) -> datetime: ...
    @property
    def infusion_start(self) -> datetime: ...
    @property
    def infusion_min(self) -> int | None: ...
    @property
    def infusion_actual_min(self) -> int | None: ...
    @property
    def infusion_planned_min(self) -> int | None: ...
    @property
    def completed(self) -> bool | None: ...
    @property
    def reaction_grade(self) -> int | None: ...
    @property
    def rebooked_to(self) -> datetime | None: ...
    @property
    def arrived_at(self) -> datetime | None: ...
    @property
    def bag_status(self) -> str | None: ...
    @property
    def bag_expires_at(self) -> datetime | None: ...


def _hhmm(value: datetime) -> str:
    return f"{value:%H:%M}"


def marks_for(item: MarkedRow, now: datetime) -> tuple[Mark, ...]:
    """The marks of one row at the sheet's ``now`` (blocked time has none)."""
    if not item.is_dose:
        return ()
    marks: list[Mark] = []
    if item.first_infusion:
        marks.append(Mark("first", "1st infusion", "1st"))
    usual = FIRST_INFUSION_MIN if item.first_infusion else LATER_INFUSION_MIN
    if item.infusion_min is not None and item.infusion_min > usual:
        minutes = item.infusion_min
        marks.append(Mark("prolonged", f"prolonged {minutes} min", f"{minutes} min"))
    if item.reaction_grade is not None:
        grade = item.reaction_grade
        marks.append(Mark("reaction", f"reaction grade {grade}", f"reaction G{grade}", True))
    if item.status == "given" and item.completed is False:
        done, planned = item.infusion_actual_min, item.infusion_planned_min
        detail = f" at {done} of {planned} min" if done and planned else ""
        marks.append(Mark("stopped", f"STOPPED{detail}", "STOPPED", True))
    if item.status == "missed":
        again = item.rebooked_to
        detail = "" if again is None else f", re-booked {again:%a %d %b %H:%M}"
        marks.append(Mark("missed", f"MISSED{detail}", "MISSED", True))
    if item.status == "booked" and item.arrived_at is None and item.start < now:
        marks.append(Mark("not_arrived", f"not arrived at {_hhmm(now)}", "NOT IN", True))
    expires = item.bag_expires_at
    if item.status == "booked" and expires is not None and expires < item.infusion_start:
        what = "vial" if item.bag_status in ("vial reconstituted", "vial expired") else "bag"
        marks.append(
            Mark(
                "bag_expires",
                f"{what} expires {_hhmm(expires)}, before start",
                f"EXP {_hhmm(expires)}",
                True,
            )
        )
    return tuple(marks)


def readiness_marks(verdicts: Mapping[int, Readiness], gate: str) -> dict[int, tuple[Mark, ...]]:
    """The gate's verdict (hold, reduce, stop, review), "labs pending" and "LVEF due"
    per booked dose (appointment id -> marks). Nothing
    while the site's gate is off, nor, under ``warn``, for a patient with no result
    recorded at all (a clinic that keeps its labs elsewhere is not flooded with marks)."""
    if gate == "off":
        return {}
    found: dict[int, tuple[Mark, ...]] = {}
    for appointment_id, readiness in verdicts.items():
        if gate == "warn" and any(r.rule == "no-results" for r in readiness.reasons):
            continue
        marks: list[Mark] = []
        verdict = _verdict_mark(readiness)
        if verdict is not None:
            marks.append(verdict)
        if readiness.labs_pending:
            marks.append(_labs_pending_mark(readiness))
        if readiness.lvef_overdue:
            due = f" by {readiness.lvef_due:%d %b}" if readiness.lvef_due else ""
            marks.append(Mark("lvef_due", f"LVEF due{due}", "LVEF", True))
        if marks:
            found[appointment_id] = tuple(marks)
    return found


def _verdict_mark(readiness: Readiness) -> Mark | None:
    """``HOLD: platelets 40,000/mm³: ...``: the verdict word and its first deciding reason."""
    word = str(readiness.verdict.value)
    if word not in MARKED_VERDICTS:
        return None
    reason = next((r.text for r in readiness.reasons if r.rule not in _NOT_A_VERDICT_REASON), None)
    shown = word.upper()
    return Mark("verdict", f"{shown}: {reason}" if reason else shown, shown, True)


def _labs_pending_mark(readiness: Readiness) -> Mark:
    """``labs pending: AST, platelets``, naming the tests the reasons say are not in."""
    missing = [r.text.split(":", 1)[0] for r in readiness.reasons if r.rule == "lab-missing"]
    text = f"labs pending: {', '.join(missing)}" if missing else "labs pending"
    return Mark("labs_pending", text, "LABS", True)
