"""How a dose's readiness (issue 17) reads on screen, and the gate each write path asks.

The verdict is always a word, with the first reason beside it; colour only repeats what
the word says. ``gate_check`` is what the nurse board and the pharmacy ask before Start
infusion and Reconstitute: under ``enforce`` a dose not ``ready`` needs a clinician's
override on record, under ``warn`` an acknowledgement, under ``off`` nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtGui import QBrush, QColor

from ...domain.errors import DomainError
from ...domain.verdicts import Verdict
from ...services.errors import StoreError

if TYPE_CHECKING:
    # The readiness rules, their records and the service that reads them: imported by
    # the first function that needs them, after the window's first paint (issue 19;
    # about 8 M instructions of a start otherwise).
    from ...domain.readiness import Readiness, ResultUsed
    from ...domain.readiness_gate import GateCheck
    from ...services.course_views import CourseView
    from ...services.storage import Store

SHORT_REASON_CHARS = 60
EBC_NOTE = "EBC: the label's EBC table is not verified here; no hold, reduce or stop computed"
ERRORS = (DomainError, StoreError)

# Background and text colour per verdict; the verdict word is always shown with them.
VERDICT_COLORS: dict[Verdict, tuple[str, str]] = {
    Verdict.READY: ("#e8f5e9", "#1b5e20"),
    Verdict.HOLD: ("#fff3cd", "#7a4f00"),
    Verdict.REDUCE: ("#ffe0b2", "#7a3e00"),
    Verdict.STOP: ("#f8d7da", "#8b0000"),
    Verdict.MISSING: ("#eceff1", "#37474f"),
    Verdict.REVIEW: ("#e3f2fd", "#0d47a1"),
}
TEST_NAMES = {
    "ast": "AST",
    "alt": "ALT",
    "bilirubin": "bilirubin",
    "platelets": "platelets",
    "lvef": "LVEF",
}


def verdict_word(readiness: Readiness) -> str:
    """``ready``, ``HOLD``, ``reduce to 3.0 mg/kg``...: what a person reads first."""
    verdict = readiness.verdict
    if verdict is Verdict.READY:
        return "ready"
    if verdict is Verdict.REDUCE and readiness.proposed_mg_per_kg is not None:
        return f"REDUCE to {readiness.proposed_mg_per_kg:g} mg/kg"
    if verdict is Verdict.HOLD and readiness.proposed_mg_per_kg is not None:
        return f"HOLD (then {readiness.proposed_mg_per_kg:g} mg/kg)"
    return verdict.value.upper()


def short_reason(readiness: Readiness, limit: int = SHORT_REASON_CHARS) -> str:
    """The first reason, cut to ``limit`` characters, and how many more there are."""
    from ...domain.readiness_gate import EBC_RULE

    # The EBC note is said once elsewhere (the strip, the tooltip); the finding comes first.
    reasons = [r for r in readiness.reasons if r.rule != EBC_RULE] or list(readiness.reasons)
    if not reasons:
        return ""
    text = reasons[0].text.strip()
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    more = len(reasons) - 1
    return f"{text} (+{more} more)" if more else text


def readiness_text(readiness: Readiness | None, limit: int = SHORT_REASON_CHARS) -> str:
    """``HOLD: platelets 40,000/mm3 ...``; empty for a dose nobody asked about."""
    if readiness is None:
        return ""
    reason = short_reason(readiness, limit)
    word = verdict_word(readiness)
    return f"{word}: {reason}" if reason else word


def result_text(result: ResultUsed) -> str:
    name = TEST_NAMES.get(result.test, result.test)
    if result.test == "lvef":
        value = f"{result.value:g}%"
    elif result.test == "platelets":
        value = f"{result.value:,.0f}/mm3"
    else:
        value = f"{result.value:g}"
        if result.uln:
            value += f" (ULN {result.uln:g}, {result.value / result.uln:.1f}x)"
    return f"{name} {value}, sampled {result.at:%Y-%m-%d %H:%M}"


def readiness_details(readiness: Readiness | None) -> str:
    """Every reason with its rule, the results used and what is due (a tooltip)."""
    if readiness is None:
        return ""
    lines = [f"Readiness: {verdict_word(readiness)}"]
    lines += [f"- {reason.text} [{reason.rule}]" for reason in readiness.reasons]
    if readiness.results:
        lines.append("Results used:")
        lines += [f"- {result_text(result)}" for result in readiness.results]
    if readiness.labs_pending:
        lines.append("Labs pending: liver tests and platelets needed for this dose")
    if readiness.lvef_due is not None:
        overdue = " (overdue)" if readiness.lvef_overdue else ""
        lines.append(f"LVEF due by {readiness.lvef_due:%Y-%m-%d}{overdue}")
    return "\n".join(lines)


def readiness_brush(readiness: Readiness | None, foreground: bool = False) -> QBrush | None:
    if readiness is None:
        return None
    background, text = VERDICT_COLORS.get(readiness.verdict, ("#ffffff", "#000000"))
    return QBrush(QColor(text if foreground else background))


def ebc_unverified(readiness: Readiness | None) -> bool:
    """An EBC course: results shown, no hold, reduce or stop computed (issue 17)."""
    if readiness is None:
        return False
    from ...domain.readiness_gate import EBC_RULE

    return any(r.rule == EBC_RULE for r in readiness.reasons)


def reasons_list(readiness: Readiness) -> str:
    """Every reason on its own line, for a question a person must answer."""
    if not readiness.reasons:
        return "No reason given."
    return "\n".join(f"- {reason.text}" for reason in readiness.reasons)


# --- reads -------------------------------------------------------------------------------
def dose_readiness(store: Store, mrn: str, cycle: int) -> Readiness | None:
    """The dose's readiness, or None when it cannot be worked out (shown as blank)."""
    from ...services import readiness as service

    try:
        return service.dose_readiness(store, mrn=mrn, cycle=cycle)
    except ERRORS:
        return None


def appointments_readiness(store: Store, appointment_ids: Iterable[int]) -> dict[int, Readiness]:
    """Each booked dose appointment's readiness, by appointment id (empty when unread)."""
    ids = list(appointment_ids)
    if not ids:
        return {}
    from ...services import readiness as service

    try:
        return service.readiness_for_appointments(store, ids)
    except ERRORS:
        return {}


# --- the gate ------------------------------------------------------------------------------
def site_gate(store: Store) -> str:
    """The site's ``readiness_gate`` (``warn`` when it cannot be read)."""
    from ...services import readiness as service

    try:
        return service.readiness_gate(store)
    except ERRORS:
        return "warn"


def gate_check(store: Store, *, mrn: str, cycle: int, action: str) -> GateCheck:
    """The gate, the dose's readiness and whether ``action`` was overridden for it."""
    from ...domain.readiness_gate import GateCheck, is_ready
    from ...services import readiness as service

    gate = site_gate(store)
    if gate == "off":
        return GateCheck(gate, None, False)
    readiness = dose_readiness(store, mrn, cycle) or unknown_readiness()
    overridden = False
    if not is_ready(readiness):
        try:
            overridden = service.has_override(store, mrn=mrn, cycle=cycle, action=action)
        except ERRORS:
            overridden = False
    return GateCheck(gate, readiness, overridden)


def unknown_readiness() -> Readiness:
    """A dose whose readiness could not be read is treated as not known to be ready."""
    from ...domain.readiness import Readiness, Reason

    reason = Reason("readiness-unavailable", "readiness could not be worked out")
    return Readiness(Verdict.MISSING, (reason,), (), None, None, True, False)


def booked_readiness(store: Store, view: CourseView) -> dict[int, Readiness]:
    """Each booked cycle's readiness in a course view (``queries.course_view``), by cycle."""
    found: dict[int, Readiness] = {}
    for cycle in view.booked():
        readiness = dose_readiness(store, view.mrn, cycle.cycle)
        if readiness is not None:
            found[cycle.cycle] = readiness
    return found
