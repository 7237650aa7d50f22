"""Can this infusion start now: the one rule (issue 15, item 4), and the bag-matches-dose
rule it uses.

Asked by the nurse's Start infusion (``services.nurse``, and the board before it offers
an override), by a dose recorded as given (``services.courses``) and by the pharmacy's
reads; none of them decides on its own. In this order, the first that fails refuses:

1. the course is active (a stopped or completed course gives nothing more);
2. the dose's bag can serve it at that instant: prepared, diluted, not used or
   discarded, within 24 h of dilution [label] (``stability.check_can_start``), and made
   for this dose: a bag whose mg differ from the dose now ordered (the level was
   reduced, the weight re-measured) is never infused;
3. the readiness gate (``readiness_gate.GateCheck``): under ``enforce`` a dose not
   ready needs a clinician's override on record.

The bag comes before the gate so no override is asked for, or recorded for, an
infusion that cannot start anyway. A dose recorded as given after the fact
(``after_the_fact``) asks nothing of a bag that is not on record (none prepared, or
already used): the pharmacy may not have tracked it.

The facts are typed values (``records.Dose``, ``records.Preparation``); pure Python, no
clock: the instant is passed in.
"""

from __future__ import annotations

from datetime import datetime

from .course import CourseStatus, check_active
from .dosing import dose_mg
from .errors import DomainError
from .lean import dataclass
from .readiness_gate import GateAnswer, GateCheck, not_ready_rule
from .records import Dose, Preparation
from .stability import Preparation as PreparationInstants, check_can_start

# Prepared and ordered mg are both kept to 0.1 mg: a smaller gap is the same dose.
SAME_DOSE_MG = 0.05
NOTHING_PREPARED = PreparationInstants(None, None)
READINESS_FIELD = "readiness"  # the field of the gate's refusal (NotReady's)


@dataclass(frozen=True)
class Refusal:
    """Why not: the field and the rule broken, as a ``DomainError`` names them."""

    field: str
    rule: str

    @property
    def overridable(self) -> bool:
        """The readiness gate refused: a clinician's override on record lets it go on
        (the course and the bag are never overridden)."""
        return self.field == READINESS_FIELD

    def error(self) -> DomainError:
        return DomainError(self.field, self.rule)


def _refusal(error: DomainError) -> Refusal:
    return Refusal(error.field, error.rule)


# --- the bag-matches-dose rule ---------------------------------------------------------
def ordered_mg(dose: Dose) -> float:
    """The mg the dose now orders: its level x the weight kept with it (dosing)."""
    return dose_mg(dose.dose_level_mg_per_kg, dose.weight_kg)


def bag_matches_dose(prep: Preparation, dose: Dose) -> bool:
    """The preparation holds the dose now ordered (one without its mg on record is
    taken as made for it)."""
    made = prep.dose_mg
    return made is None or abs(float(made) - ordered_mg(dose)) <= SAME_DOSE_MG


def bag_dose_refusal(prep: Preparation, dose: Dose) -> Refusal | None:
    """A bag made for another dose (the level was reduced since) is never infused."""
    if bag_matches_dose(prep, dose):
        return None
    made, wanted = float(prep.dose_mg or 0), ordered_mg(dose)
    return Refusal(
        "preparation",
        f"the bag holds {made:g} mg but the dose is now {wanted:g} mg "
        f"({dose.dose_level_mg_per_kg:g} mg/kg x {dose.weight_kg:g} kg): "
        "discard it and prepare a new one",
    )


# --- the bag for a start ---------------------------------------------------------------
def bag_refusal(prep: Preparation | None, dose: Dose, at: datetime) -> Refusal | None:
    """Why this preparation (None: none on record) cannot serve the dose's infusion
    starting at ``at``: its window [label], then its dose; None when it can. A naive
    ``at`` is a programming error and raises."""
    try:
        check_can_start(NOTHING_PREPARED if prep is None else prep.instants(), at)
    except DomainError as error:
        if error.field != "preparation":
            raise
        return _refusal(error)
    assert prep is not None  # check_can_start refuses a start with nothing prepared
    return bag_dose_refusal(prep, dose)


# --- can this infusion start -------------------------------------------------------------
@dataclass(frozen=True)
class StartFacts:
    """What decides whether the dose's infusion may start: the patient's MRN and the
    course's state, the dose, its live preparation (None: none on record), the readiness
    gate for the action, and whether the dose is being recorded after the fact."""

    mrn: str
    course_status: CourseStatus
    dose: Dose
    prep: Preparation | None
    gate: GateCheck
    action: str = "start infusion"
    after_the_fact: bool = False


def start_refusal(facts: StartFacts, at: datetime) -> Refusal | None:
    """None when the infusion may start at ``at``, else the first refusal (module doc).
    A gate answer of ``acknowledge`` is not a refusal: the caller shows the verdict."""
    try:
        check_active(facts.course_status)
    except DomainError as error:
        return _refusal(error)
    prep = facts.prep
    if not (facts.after_the_fact and (prep is None or prep.used_at is not None)):
        refused = bag_refusal(prep, facts.dose, at)
        if refused is not None:
            return refused
    if facts.gate.answer is GateAnswer.OVERRIDE:
        assert facts.gate.readiness is not None  # an override is asked only of a verdict
        rule = not_ready_rule(facts.action, facts.mrn, facts.dose.cycle, facts.gate.readiness)
        return Refusal(READINESS_FIELD, rule)
    return None
