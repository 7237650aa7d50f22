"""The readiness gate (issue 17): what the site's ``readiness_gate`` asks of one action
(start infusion, reconstitute, dose given) on one dose, from the dose's verdict.

One rule for the services' refusal (``services.readiness.require_ready``, ``NotReady``)
and the GUI's dialogs (``gui/readiness/dialogs.run_gated``):

- ``off``: nothing is asked (no verdict is even read);
- a dose ``ready``, or one with a clinician's override on record for the action, goes;
- ``enforce``: any other verdict is refused until a clinician's override is recorded;
- ``warn``: the person sees the verdict and goes on knowingly; a course with nothing on
  record (``missing`` with rule ``no-results``) is not asked about until the site turns
  the gate on (issue 17, compatibility): its verdict only shows.
"""

from __future__ import annotations

from enum import StrEnum

from .lean import dataclass
from .readiness import Readiness, Verdict

NO_RESULTS_RULE = "no-results"
EBC_RULE = "ebc-table-unverified"


class GateAnswer(StrEnum):
    GO = "go"
    ACKNOWLEDGE = "acknowledge"  # warn: shown to the person, who may go on
    OVERRIDE = "override"  # enforce: refused until a clinician's override is recorded


def is_ready(readiness: Readiness | None) -> bool:
    return readiness is not None and readiness.verdict is Verdict.READY


def nothing_on_record(readiness: Readiness | None) -> bool:
    """``missing`` because the patient has no result at all (rule ``no-results``)."""
    if readiness is None or readiness.verdict is not Verdict.MISSING:
        return False
    return any(reason.rule == NO_RESULTS_RULE for reason in readiness.reasons)


@dataclass(frozen=True)
class GateCheck:
    """The facts the gate decides on for one action on one dose: the site's mode, the
    dose's readiness (None under ``off``) and whether the action was overridden."""

    gate: str  # off | warn | enforce
    readiness: Readiness | None
    overridden: bool

    @property
    def ready(self) -> bool:
        return is_ready(self.readiness)

    @property
    def answer(self) -> GateAnswer:
        if self.gate == "off" or self.readiness is None or self.ready or self.overridden:
            return GateAnswer.GO
        if self.gate == "enforce":
            return GateAnswer.OVERRIDE
        if self.gate == "warn" and not nothing_on_record(self.readiness):
            return GateAnswer.ACKNOWLEDGE
        return GateAnswer.GO

    @property
    def needs_override(self) -> bool:
        """Under ``enforce``: refused until a clinician's override is on record."""
        return self.answer is GateAnswer.OVERRIDE

    @property
    def needs_acknowledgement(self) -> bool:
        """Under ``warn``: the person sees the verdict and goes on knowingly."""
        return self.answer is GateAnswer.ACKNOWLEDGE


def not_ready_rule(action: str, mrn: str, cycle: int, readiness: Readiness) -> str:
    """The rule of a refusal under ``enforce``: the verdict and its first reason."""
    first = next((r for r in readiness.reasons if r.rule != EBC_RULE), None)
    why = f" ({first.rule}: {first.text})" if first else ""
    return (
        f"cycle {cycle} of {mrn} is {readiness.verdict.value}{why}; under readiness_gate "
        f"= enforce, {action} needs a clinician's override with a reason"
    )
