"""Can this infusion start: its facts read once as typed values, then the domain's
answer (``domain.infusion_start``). The nurse's Start infusion, the board before it,
and a dose recorded as given all ask here; nothing here decides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.course import CourseStatus
from ..domain.errors import DomainError
from ..domain.infusion_start import Refusal, StartFacts, start_refusal
from ..domain.records import Dose, Preparation
from ..store import repository as repo
from ..store.connection import Database
from ..store.mapping import row_to_dose, row_to_preparation
from . import readiness

Row = dict[str, Any]


def dose_of(db: Database, dose_id: int) -> Dose:
    row = repo.dose_by_id(db, dose_id)
    if row is None:
        raise DomainError("dose", f"#{dose_id} is not a dose")
    return row_to_dose(row)


def preparation_for(db: Database, dose_id: int) -> Preparation | None:
    """The dose's live preparation (the newest not discarded), or None."""
    row = repo.preparation_for_dose(db, dose_id)
    return None if row is None else row_to_preparation(row)


def start_facts(
    db: Database,
    *,
    mrn: str,
    course_status: str,
    dose: Row | Dose,
    action: str = "start infusion",
    after_the_fact: bool = False,
) -> StartFacts:
    """The facts of one start, read once: the dose, its bag and the gate for ``action``."""
    typed = dose if isinstance(dose, Dose) else row_to_dose(dose)
    return StartFacts(
        mrn=mrn,
        course_status=CourseStatus(course_status),
        dose=typed,
        prep=preparation_for(db, typed.id),
        gate=readiness.gate_of(db, mrn=mrn, cycle=typed.cycle, action=action),
        action=action,
        after_the_fact=after_the_fact,
    )


def error_of(facts: StartFacts, refusal: Refusal) -> DomainError:
    """What a refused start raises: ``NotReady`` (with the verdict) for the gate, else
    the DomainError naming the refusal's field and rule."""
    if refusal.overridable and facts.gate.readiness is not None:
        return readiness.NotReady(facts.action, facts.mrn, facts.dose.cycle, facts.gate.readiness)
    return refusal.error()


def require_start(facts: StartFacts, at: datetime) -> None:
    """Raise the domain's refusal of a start at ``at``, if any."""
    refusal = start_refusal(facts, at)
    if refusal is not None:
        raise error_of(facts, refusal)
