"""T-DM1 regimen facts as data, each tagged with its source.

Tags: [label] current US label, [label-2013] the 2013 US label, [policy] a site
setting with its default (see shared/domain/TDM1_RULES.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from .errors import DomainError
from .lean import dataclass
from .regimens import TDM1, Regimen
from .tolerance import (
    FIRST_INFUSION_MIN as FIRST_INFUSION_MIN,
    LATER_INFUSION_MIN as LATER_INFUSION_MIN,
    InfusionOutcome as InfusionOutcome,
    next_infusion_min,
)

# Every regimen fact below is a read of the T-DM1 regimen (regimens/tdm1.py, where each
# carries its source tag); the names stay for their callers.
DRUG_NAME = TDM1.drug_name  # [label]
# [label] + FDA 2013 safety communication: never shown as "trastuzumab" alone.
DRUG_NAME_REMINDER = TDM1.drug_name_reminder

CYCLE_LENGTH_DAYS = TDM1.cycle_length_days  # [label] one dose every 3 weeks
# FIRST_INFUSION_MIN (90) and LATER_INFUSION_MIN (30) [label] are read in tolerance.py.
FIRST_OBSERVATION_MIN = TDM1.first_observation_min  # [label] at least 90 min after the first
LATER_OBSERVATION_MIN = TDM1.later_observation_min  # [label] at least 30 min after later ones
DEFAULT_PREP_MIN = 15  # [policy] vitals and line access before the infusion
EBC_TOTAL_CYCLES = TDM1.fixed_cycles("EBC")  # [label] early breast cancer: 14 cycles
MBC_DEFAULT_HORIZON_CYCLES = TDM1.mbc_default_horizon_cycles  # [policy] rolling horizon
DEFAULT_EARLY_WINDOW_DAYS = 0  # [policy] days a site lets a dose come before 21 days

# [label-2013], same in current tables: 3.6 -> 3.0 -> 2.4; a further reduction stops.
DOSE_LEVELS_MG_PER_KG: tuple[float, ...] = TDM1.dose_levels_mg_per_kg
MAX_DOSE_LEVEL_MG_PER_KG = TDM1.max_dose_mg_per_kg  # [label] never more than 3.6 mg/kg


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


def total_cycles(setting: Setting, regimen: Regimen = TDM1) -> int | None:
    """The course's fixed length (T-DM1: 14 for EBC); None (no fixed end) for MBC."""
    return regimen.total_cycles(setting)


def check_cycle_number(setting: Setting, cycle: int, regimen: Regimen = TDM1) -> int:
    if not isinstance(cycle, int) or isinstance(cycle, bool) or cycle < 1:
        raise DomainError("cycle", f"must be a whole number from 1, got {cycle!r}")
    limit = regimen.total_cycles(setting)
    if limit is not None and cycle > limit:
        raise DomainError("cycle", f"an {setting} course has {limit} cycles, got {cycle}")
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
    previous: Sequence[InfusionOutcome],
    prep_min: int = DEFAULT_PREP_MIN,
    regimen: Regimen = TDM1,
) -> ChairTime:
    """Durations for the next infusion from every infusion given before it.

    The infusion minutes follow the tolerance rule (``tolerance.next_infusion_min``).
    [label] at least 90 min observation after the first infusion, 30 after later ones.
    """
    if prep_min < 0:
        raise DomainError("prep_min", f"must not be negative, got {prep_min}")
    observation = regimen.later_observation_min if previous else regimen.first_observation_min
    return ChairTime(prep_min, next_infusion_min(previous, regimen), observation)


def check_dose_level(value: float, regimen: Regimen = TDM1) -> float:
    """A dose level must be a rung of the ladder and never above 3.6 mg/kg [label]."""
    if value > regimen.max_dose_mg_per_kg:
        raise DomainError(
            "dose_level_mg_per_kg",
            f"{value} is above the maximum of {regimen.max_dose_mg_per_kg} mg/kg",
        )
    for level in regimen.dose_levels_mg_per_kg:
        if abs(value - level) < 1e-9:
            return level
    ladder = " -> ".join(str(level) for level in regimen.dose_levels_mg_per_kg)
    raise DomainError("dose_level_mg_per_kg", f"{value} is not on the ladder {ladder} mg/kg")


def next_lower_dose_level(current: float, regimen: Regimen = TDM1) -> float | None:
    """The next rung down, or None when a further reduction means stopping [label-2013]."""
    ladder = regimen.dose_levels_mg_per_kg
    index = ladder.index(check_dose_level(current, regimen))
    if index + 1 < len(ladder):
        return ladder[index + 1]
    return None


def check_reduction(current: float, requested: float, regimen: Regimen = TDM1) -> float:
    """A new level must be a lower rung: no re-escalation, no staying put [label]."""
    current = check_dose_level(current, regimen)
    requested = check_dose_level(requested, regimen)
    if requested > current:
        raise DomainError(
            "dose_level_mg_per_kg",
            f"no re-escalation after a reduction: {current} -> {requested} mg/kg refused",
        )
    if requested == current:
        raise DomainError("dose_level_mg_per_kg", f"the course is already at {current} mg/kg")
    return requested
