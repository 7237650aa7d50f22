"""The words the painted sheet prints: table cells and the legends. No Qt, no geometry.

Times are the ``shown_*`` ones of the model: what the nurses recorded where they did
(a given dose prints its actual times), the booking's elsewhere. "Obs. ends" is when
the observation ends; "Chair free" is when the chair stands empty after the visit, up
to its next booking (both were the booking's end before, the same time twice: a
booking holds its chair exactly from prep to the end of observation, so the new column
says what the old one could not, how long the chair is free).
"""

from __future__ import annotations

from ..day_sheet import DaySheet, SheetAppointment, SheetChair
from ..html import BAG_LEGEND, bag_cell, hhmm
from ..sheet_marks import MARK_LEGEND

TABLE_COLUMNS = [
    ("chair", "Chair"),
    ("start", "Start"),
    ("infusion", "Infusion"),
    ("obs", "Obs. ends"),
    ("free", "Chair free"),
    ("patient", "Patient"),
    ("mrn", "MRN"),
    ("cycle", "Cycle"),
    ("bag", "Bag"),
    ("marks", "Marks"),
]

TIMES_LEGEND = (
    "Start = chair start (prep begins), or arrival \u00b7 Infusion = start\u2013end "
    "\u00b7 Obs. ends = observation ends \u00b7 Chair free = empty from\u2013until the next "
    "booking (\u2018on\u2019: for the rest of the day; \u2018no gap\u2019: the next patient "
    "straight after) \u00b7 given and started visits print the times recorded"
)
PATTERN_LEGEND = (
    "Bars: hatched = prep \u00b7 black = infusion \u00b7 open = observation \u00b7 "
    "cross-hatched = blocked \u00b7 dashed = missed \u00b7 heavy lines = opening hours "
    "\u00b7 black count = over the start cap"
)


def free_text(item: SheetAppointment) -> str:
    """When the chair is empty after this visit (empty for a missed one)."""
    if item.status == "missed":
        return ""
    begin, until = item.free_from, item.free_until
    if until is None:
        return f"{hhmm(begin)} on"
    if until <= begin:
        return "no gap"
    return f"{hhmm(begin)}\u2013{hhmm(until)}"


def cell(
    sheet: DaySheet, chair: SheetChair, item: SheetAppointment, key: str
) -> tuple[str, bool, bool]:
    """Text, bold, italic of one table cell."""
    dose = item.is_dose
    missed = item.status == "missed"
    if key == "chair":
        return (chair.name + ("" if chair.active else " (out)"), True, False)
    if key == "start":
        return hhmm(item.start if missed else item.shown_start), False, missed
    if key == "infusion":
        if not dose:
            return "", False, False
        begin, end = (
            (item.infusion_start, item.infusion_end)
            if missed
            else (item.shown_infusion_start, item.shown_infusion_end)
        )
        return f"{hhmm(begin)}\u2013{hhmm(end)}", False, missed
    if key == "obs":
        if not dose or missed:
            return "", False, False
        return hhmm(item.shown_observation_end), False, False
    if key == "free":
        return free_text(item), False, False
    if key == "patient":
        if not dose:
            return f"blocked: {item.label}", False, True
        return item.name or "", item.first_infusion, False
    if key == "mrn":
        return item.mrn or "", False, False
    if key == "cycle":
        return item.cycle_text, False, False
    if key == "marks":
        return " \u00b7 ".join(m.text for m in item.marks), any(m.alert for m in item.marks), False
    if missed:
        return "", False, False
    text, prepare = bag_cell(sheet, item)
    return text, prepare, False


def marks_legend(sheet: DaySheet) -> str:
    """The marks the day carries, each with what it means ("" when none)."""
    parts = []
    for code in sheet.mark_codes:
        short, words = MARK_LEGEND.get(code, (code, ""))
        parts.append(f"{short} = {words}" if words else short)
    return ("Marks: " + " \u00b7 ".join(parts)) if parts else ""


def grid_legend(sheet: DaySheet) -> str:
    return " \u00b7 ".join(p for p in (PATTERN_LEGEND, marks_legend(sheet)) if p)


def table_legend(sheet: DaySheet, with_marks: bool = True) -> str:
    marks = marks_legend(sheet) if with_marks else ""
    return " \u00b7 ".join(p for p in (TIMES_LEGEND, BAG_LEGEND, marks) if p)
