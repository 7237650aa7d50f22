"""T-DM1 regimen facts as data, each tagged with its source.

Tags: [label] current US label, [label-2013] the 2013 US label, [policy] a site
setting with its default (see shared/domain/TDM1_RULES.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .errors import DomainError
from .tolerance import (
    FIRST_INFUSION_MIN as FIRST_INFUSION_MIN,
    LATER_INFUSION_MIN as LATER_INFUSION_MIN,
    InfusionOutcome as InfusionOutcome,
    next_infusion_min,
)

DRUG_NAME = "ado-trastuzumab emtansine (KADCYLA)"
# [label] + FDA 2013 safety communication: never shown as "trastuzumab" alone.
DRUG_NAME_REMINDER = "not trastuzumab, and not fam-trastuzumab deruxtecan (Enhertu)"

CYCLE_LENGTH_DAYS = 21  # [label] one dose every 3 weeks
# FIRST_INFUSION_MIN (90) and LATER_INFUSION_MIN (30) [label] live in tolerance.py.
FIRST_OBSERVATION_MIN = 90  # [label] at least 90 min after the first infusion
LATER_OBSERVATION_MIN = 30  # [label] at least 30 min after later infusions
DEFAULT_PREP_MIN = 15  # [policy] vitals and line access before the infusion
EBC_TOTAL_CYCLES = 14  # [label] early breast cancer: 14 cycles in total
MBC_DEFAULT_HORIZON_CYCLES = 6  # [policy] metastatic: planned on a rolling horizon
DEFAULT_EARLY_WINDOW_DAYS = 0  # [policy] days a site lets a dose come before 21 days

# [label-2013], same in current tables: 3.6 -> 3.0 -> 2.4; a further reduction stops.
DOSE_LEVELS_MG_PER_KG: tuple[float, ...] = (3.6, 3.0, 2.4)
MAX_DOSE_LEVEL_MG_PER_KG = 3.6  # [label] never more than 3.6 mg/kg


class Setting(StrEnum):
    """Why the patient is treated; decides how long the course runs."""

    EBC = "EBC"  # early breast cancer (adjuvant): 14 cycles [label]
    MBC = "MBC"  # metastatic: until progression or unmanageable toxicity [label]


class StopReason(StrEnum):
    RECURRENCE = "recurrence"
    PROGRESSION = "progression"
    TOXICITY = "toxicity"
    LIFE_THREATENING_REACTION = "life-threatening reaction"
    OTHER = "other"


def parse_setting(value: str) -> Setting:
    try:
        return Setting(value.strip().upper())
    except ValueError:
        raise DomainError("setting", f"must be EBC or MBC, got {value!r}") from None


def total_cycles(setting: Setting) -> int | None:
    """14 for EBC; None (no fixed end) for MBC."""
    return EBC_TOTAL_CYCLES if setting is Setting.EBC else None


def check_cycle_number(setting: Setting, cycle: int) -> int:
    if not isinstance(cycle, int) or isinstance(cycle, bool) or cycle < 1:
        raise DomainError("cycle", f"must be a whole number from 1, got {cycle!r}")
    if setting is Setting.EBC and cycle > EBC_TOTAL_CYCLES:
        raise DomainError("cycle", f"an EBC course has {EBC_TOTAL_CYCLES} cycles, got {cycle}")
    return cycle


@dataclass(frozen=True)
class ChairTime:
    """Minutes a chair is needed for one visit: prep, then infusion, then observation."""

    prep_min: int
    infusion_min: int
    observation_min: int

    @property
    def total_min(self) -> int:
        return self.prep_min + self.infusion_min + self.observation_min


def chair_time_for_next(
    previous: Sequence[InfusionOutcome], prep_min: int = DEFAULT_PREP_MIN
) -> ChairTime:
    """Durations for the next infusion from every infusion given before it.

    The infusion minutes follow the tolerance rule (``tolerance.next_infusion_min``).
    [label] at least 90 min observation after the first infusion, 30 after later ones.
    """
    if prep_min < 0:
        raise DomainError("prep_min", f"must not be negative, got {prep_min}")
    observation = LATER_OBSERVATION_MIN if previous else FIRST_OBSERVATION_MIN
    return ChairTime(prep_min, next_infusion_min(previous), observation)


def check_dose_level(value: float) -> float:
    """A dose level must be a rung of the ladder and never above 3.6 mg/kg [label]."""
    if value > MAX_DOSE_LEVEL_MG_PER_KG:
        raise DomainError(
            "dose_level_mg_per_kg",
            f"{value} is above the maximum of {MAX_DOSE_LEVEL_MG_PER_KG} mg/kg",
        )
    for level in DOSE_LEVELS_MG_PER_KG:
        if abs(value - level) < 1e-9:
            return level
    ladder = " -> ".join(str(level) for level in DOSE_LEVELS_MG_PER_KG)
    raise DomainError("dose_level_mg_per_kg", f"{value} is not on the ladder {ladder} mg/kg")


def next_lower_dose_level(current: float) -> float | None:
    """The next rung down, or None when a further reduction means stopping [label-2013]."""
    index = DOSE_LEVELS_MG_PER_KG.index(check_dose_level(current))
    if index + 1 < len(DOSE_LEVELS_MG_PER_KG):
        return DOSE_LEVELS_MG_PER_KG[index + 1]
    return None


def check_reduction(current: float, requested: float) -> float:
    """A new level must be a lower rung: no re-escalation, no staying put [label]."""
    current = check_dose_level(current)
    requested = check_dose_level(requested)
    if requested > current:
        raise DomainError(
            "dose_level_mg_per_kg",
            f"no re-escalation after a reduction: {current} -> {requested} mg/kg refused",
        )
    if requested == current:
        raise DomainError("dose_level_mg_per_kg", f"the course is already at {current} mg/kg")
    return requested
