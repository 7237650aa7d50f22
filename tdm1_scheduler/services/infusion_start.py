"""Can this infusion start: its facts read once as typed values, then the domain's
answer (``domain.infusion_start``). The nurse's Start infusion, the board before it,
and a dose recorded as given all ask here; nothing here decides."""

from __future__ import annotations

from datetime import datetime

from ..domain.course import CourseStatus
from ..domain.errors import DomainError
from ..domain.infusion_start import Refusal, StartFacts, start_refusal
from ..domain.records import Dose, Preparation
from ..store.protocol import Store
from . import readiness


def dose_of(store: Store, dose_id: int) -> Dose:
    dose = store.dose_by_id(dose_id)
    if dose is None:
        raise DomainError("dose", f"#{dose_id} is not a dose")
    return dose


def preparation_for(store: Store, dose_id: int) -> Preparation | None:
    """The dose's live preparation (the newest not discarded), or None."""
    return store.preparation_for_dose(dose_id)


def start_facts(
    store: Store,
    *,
    mrn: str,
    course_status: str | CourseStatus,
    dose: Dose,
    action: str = "start infusion",
    after_the_fact: bool = False,
) -> StartFacts:
    """The facts of one start, read once: the dose, its bag and the gate for ``action``."""
    return StartFacts(
        mrn=mrn,
        course_status=CourseStatus(course_status),
        dose=dose,
        prep=preparation_for(store, dose.id),
        gate=readiness.gate_of(store, mrn=mrn, cycle=dose.cycle, action=action),
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
