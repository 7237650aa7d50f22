"""An infusion's outcome as the dose row keeps it: one mapping for both faces.

The CLI (``courses.record_dose_given``) and the nurse board (``nurse.end_infusion``,
``nurse.record_reaction``) build the outcome through ``domain.tolerance`` and write it
through here, so the next infusion is planned from the same columns whoever recorded it.
"""

from __future__ import annotations

from typing import Any

from ..domain.tolerance import InfusionOutcome


def dose_values(outcome: InfusionOutcome, reaction_grade: int | None) -> dict[str, Any]:
    """The dose row's outcome columns."""
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


def outcome_of_dose(row: dict[str, Any]) -> InfusionOutcome:
    """A given dose row's outcome; a row from before m003 (NULL) counts as completed."""
    completed = row["infusion_completed"] != 0
    return InfusionOutcome(
        row["infusion_actual_min"],
        bool(row["tolerated"]) and completed,
        planned_min=row["infusion_planned_min"],
        completed=completed,
    )
