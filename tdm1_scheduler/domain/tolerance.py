"""How long the next infusion runs: the tolerance rule, in one place.

[label] "administer the infusion at the dose and rate the patient tolerated in the most
recent infusion"; later infusions run over 30 minutes only "if prior infusions were well
tolerated". A rate is not the number of minutes infused, so:

- an infusion completed (slowed or not) over N minutes books the next at N;
- one stopped before it was complete (a partial dose) books the next at no less than
  that infusion's planned minutes;
- no infusion is planned shorter than 30 minutes, nor shorter than 90 while none was yet
  well tolerated;
- interrupted, resumed and completed counts as completed over its total minutes (pauses
  included); interrupted and never resumed counts as stopped.
[policy] after any reaction the kept duration is never shortened by the app itself.

Both faces build their outcome here: the CLI from what was entered
(``recorded_outcome``), the nurse board from the timed visit (``ended_outcome``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .errors import DomainError, require_aware
from .lean import dataclass, replace
from .regimens import TDM1, Regimen
from .timers import LIFE_THREATENING_GRADE, Visit, infusion_minutes, paused_total, tolerated

# Reads of the T-DM1 regimen (regimens/tdm1.py), the names kept for their callers.
FIRST_INFUSION_MIN = TDM1.first_infusion_min  # [label] 90
LATER_INFUSION_MIN = TDM1.later_infusion_min  # [label] 30 when prior ones were tolerated
SHORTEST_INFUSION_MIN = LATER_INFUSION_MIN  # [label] never over less than 30 minutes
MAX_RECORDED_INFUSION_MIN = 600  # a plausibility bound on entered minutes


@dataclass(frozen=True)
class InfusionOutcome:
    """What happened at one given infusion.

    ``infusion_min`` is its real length (pauses included); ``planned_min`` what it was
    booked for (None on rows recorded before it was kept); ``completed`` False for a
    partial dose, stopped before it was complete. A slowed, interrupted or reacting
    infusion is not ``tolerated``; a stopped one never is.
    """

    infusion_min: int
    tolerated: bool
    planned_min: int | None = None
    completed: bool = True

    def __post_init__(self) -> None:
        if self.infusion_min < 1:
            raise DomainError("infusion_min", f"must be at least 1 minute, got {self.infusion_min}")
        if self.planned_min is not None and self.planned_min < 1:
            raise DomainError("planned_min", f"must be at least 1 minute, got {self.planned_min}")
        if not self.completed and self.planned_min is None:
            raise DomainError("planned_min", "a stopped infusion needs its planned minutes")
        if not self.completed and self.tolerated:
            raise DomainError("tolerated", "an infusion stopped before complete was not tolerated")

    @property
    def kept_min(self) -> int:
        """The minutes the next infusion keeps after this one, before the floors."""
        if self.completed or self.planned_min is None:
            return self.infusion_min
        return max(self.infusion_min, self.planned_min)


def next_infusion_min(previous: Sequence[InfusionOutcome], regimen: Regimen = TDM1) -> int:
    """Minutes for the next infusion from every infusion given before it (module doc)."""
    if not previous:
        return regimen.first_infusion_min
    if all(outcome.tolerated for outcome in previous):
        return regimen.later_infusion_min
    any_tolerated = any(outcome.tolerated for outcome in previous)
    # [label] never shorter than the later infusion's minutes (T-DM1: 30)
    floor = regimen.later_infusion_min if any_tolerated else regimen.first_infusion_min
    return max(previous[-1].kept_min, floor)


def usual_infusion_min(cycle: int, regimen: Regimen = TDM1) -> int:
    """Minutes of cycle ``cycle`` when every infusion before it was well tolerated: the
    rule above over such a history (T-DM1: 90 for the first, then 30)."""
    well = InfusionOutcome(regimen.first_infusion_min, tolerated=True)
    return next_infusion_min([well] * (cycle - 1), regimen)


def ends_course(reaction_grade: int | None) -> bool:
    """[label] a life-threatening (grade 4) reaction permanently ends the course."""
    return reaction_grade == LIFE_THREATENING_GRADE


def recorded_outcome(
    *, planned_min: int, infusion_min: int | None, completed: bool, reaction: bool
) -> InfusionOutcome:
    """The outcome of an infusion entered after the fact (no minutes: it ran as planned).

    A completed infusion under 30 minutes is refused: the label never runs one faster;
    one stopped before complete is recorded as stopped. A completed infusion is tolerated
    when there was no reaction and it took no longer than planned.
    """
    minutes = planned_min if infusion_min is None else infusion_min
    if (
        not isinstance(minutes, int)
        or isinstance(minutes, bool)
        or not 1 <= minutes <= MAX_RECORDED_INFUSION_MIN
    ):
        raise DomainError(
            "infusion_min", f"must be 1-{MAX_RECORDED_INFUSION_MIN} minutes, got {minutes}"
        )
    if completed and minutes < SHORTEST_INFUSION_MIN:
        raise DomainError(
            "infusion_min",
            f"a completed infusion takes at least {SHORTEST_INFUSION_MIN} minutes, got"
            f" {minutes}; record one stopped before it was complete as stopped",
        )
    was_tolerated = completed and not reaction and minutes <= planned_min
    return InfusionOutcome(minutes, was_tolerated, planned_min=planned_min, completed=completed)


def visit_outcome(visit: Visit, *, completed: bool) -> InfusionOutcome:
    """The outcome of a timed infusion that has ended."""
    minutes = infusion_minutes(visit)
    if minutes is None:
        raise DomainError("infusion_ended_at", "the infusion has not ended")
    return InfusionOutcome(
        minutes,
        completed and tolerated(visit),
        planned_min=max(1, visit.infusion_min),
        completed=completed,
    )


def ended_outcome(
    visit: Visit, ended_at: datetime, *, stopped: bool
) -> tuple[Visit, InfusionOutcome]:
    """End a running or paused infusion at ``ended_at``: the ended visit and its outcome.

    ``stopped`` is what the nurse said; one still paused at its end was never resumed,
    so it counts as stopped whatever was said.
    """
    require_aware("ended_at", ended_at)
    if visit.infusion_started_at is None or visit.infusion_ended_at is not None:
        raise DomainError("infusion_ended_at", "only a running infusion can end")
    completed = not stopped and visit.paused_at is None
    paused = int(paused_total(visit, ended_at).total_seconds())
    ended = replace(visit, paused_at=None, paused_seconds=paused, infusion_ended_at=ended_at)
    return ended, visit_outcome(ended, completed=completed)
