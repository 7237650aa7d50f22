"""``course show``'s JSON: the one place a ``CourseView`` becomes a JSON object.

Keys, their order and their values are the contract (``course show --json``): instants
as clinic wall time in ISO 8601 with the UTC offset, statuses as their stored words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..services.course_views import CourseView, CycleView

__all__ = ["course_json"]


def course_json(view: CourseView) -> dict[str, Any]:
    """The ``course show --json`` object of ``view``."""
    return {
        "mrn": view.mrn,
        "name": view.name,
        "setting": view.setting.value,
        "status": view.status.value,
        "stop_reason": view.stop_reason,
        "dose_level_mg_per_kg": view.dose_level_mg_per_kg,
        "cycles_given": view.cycles_given,
        "cycles_total": view.cycles_total,
        "cycles": [_cycle_json(view, cycle) for cycle in view.cycles],
    }


def _cycle_json(view: CourseView, cycle: CycleView) -> dict[str, Any]:
    def iso(instant: datetime | None) -> str | None:
        return None if instant is None else view.local(instant).isoformat()

    return {
        "cycle": cycle.cycle,
        "status": cycle.status.value,
        "start": iso(cycle.start),
        "end": iso(cycle.end),
        "chair": cycle.chair,
        "prep_min": cycle.prep_min,
        "infusion_min": cycle.infusion_min,
        "observation_min": cycle.observation_min,
        "given_at": iso(cycle.given_at),
        "infusion_actual_min": cycle.infusion_actual_min,
        "tolerated": cycle.tolerated,
        "infusion_completed": cycle.infusion_completed,
        "reaction_grade": cycle.reaction_grade,
        "reactions": [
            {
                "at": iso(r.at),
                "grade": r.grade,
                "symptoms": r.symptoms,
                "action": None if r.action is None else r.action.value,
                "note": r.note,
            }
            for r in cycle.reactions
        ],
        "dose_level_mg_per_kg": cycle.dose_level_mg_per_kg,
        "missed": [{"start": iso(m.start), "chair": m.chair} for m in cycle.missed],
    }
