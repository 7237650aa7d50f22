"""An infusion's outcome as the dose keeps it: one mapping for both faces.

The CLI (``courses.record_dose_given``) and the nurse board (``nurse.end_infusion``,
``nurse.record_reaction``) build the outcome through ``domain.tolerance`` and write it
through here, so the next infusion is planned from the same fields whoever recorded it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..domain.records import Dose
from ..domain.tolerance import InfusionOutcome

# The dose's outcome columns, as its audit rows name them.
OUTCOME_COLUMNS = (
    "infusion_actual_min",
    "infusion_planned_min",
    "infusion_completed",
    "tolerated",
    "reaction_grade",
)


def with_outcome(dose: Dose, outcome: InfusionOutcome, reaction_grade: int | None) -> Dose:
    """``dose`` with ``outcome`` (and the visit's worst reaction grade) recorded."""
    return replace(
        dose,
        infusion_actual_min=outcome.infusion_min,
        infusion_planned_min=outcome.planned_min,
        infusion_completed=outcome.completed,
        tolerated=outcome.tolerated,
        reaction_grade=reaction_grade,
    )


def dose_values(outcome: InfusionOutcome, reaction_grade: int | None) -> dict[str, Any]:
    """The outcome as an audit row's values name it (``OUTCOME_COLUMNS``, as stored)."""
    return {
        "infusion_actual_min": outcome.infusion_min,
        "infusion_planned_min": outcome.planned_min,
        "infusion_completed": int(outcome.completed),
        "tolerated": int(outcome.tolerated),
        "reaction_grade": reaction_grade,
    }


def outcome_notes(outcome: InfusionOutcome) -> list[str]:
    """A line for people when the infusion was not completed."""
    if outcome.completed:
        return []
    return [
        f"infusion recorded as stopped before complete after {outcome.infusion_min} min"
        " (a partial dose): the next keeps at least its planned"
        f" {outcome.planned_min} min"
    ]
