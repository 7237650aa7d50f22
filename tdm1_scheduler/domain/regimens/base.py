"""What a regimen is, as data: the facts a course of one drug is planned and prepared by.

A ``Regimen`` holds only facts of the drug's labelling (and the few policy defaults that
belong to the drug rather than to a site); the rules that read them live in the domain
modules (``regimen``, ``course``, ``dosing``, ``stability``, ``tolerance``). Nothing
here imports the rest of the app, so every domain module may read a regimen.
"""

from __future__ import annotations

from datetime import timedelta

from ..lean import dataclass


@dataclass(frozen=True)
class Vial:
    """One single-dose vial size and the water that reconstitutes it."""

    size_mg: int
    water_ml: float


@dataclass(frozen=True)
class CourseLength:
    """How many cycles a course in one setting runs: ``cycles`` None for no fixed count."""

    setting: str
    cycles: int | None


@dataclass(frozen=True)
class Regimen:
    """One drug's schedule, dose ladder, preparation and stability windows."""

    code: str
    drug_name: str
    drug_name_reminder: str
    cycle_length_days: int
    first_infusion_min: int
    later_infusion_min: int
    first_observation_min: int
    later_observation_min: int
    dose_levels_mg_per_kg: tuple[float, ...]  # the ladder, highest first
    max_dose_mg_per_kg: float
    course_lengths: tuple[CourseLength, ...]
    mbc_default_horizon_cycles: int  # cycles planned ahead when there is no fixed count
    vials: tuple[Vial, ...]
    concentration_mg_per_ml: float
    diluent_fluid: str
    diluent_volume_ml: int
    storage: str  # where a reconstituted vial and a diluted bag are kept
    vial_hold: timedelta  # a reconstituted vial keeps this long
    bag_hold: timedelta  # a diluted bag keeps this long, in addition to the vial's time

    def __post_init__(self) -> None:
        problems = []
        if not self.code or self.code != self.code.strip().upper():
            problems.append(f"code must be upper case, got {self.code!r}")
        if self.cycle_length_days < 1:
            problems.append("cycle_length_days must be at least 1")
        if not 0 < self.later_infusion_min <= self.first_infusion_min:
            problems.append("later infusions may not run longer than the first")
        ladder = self.dose_levels_mg_per_kg
        if not ladder or list(ladder) != sorted(set(ladder), reverse=True):
            problems.append("the dose ladder must be distinct levels, highest first")
        elif ladder[0] > self.max_dose_mg_per_kg:
            problems.append("the ladder starts above the maximum dose")
        settings = [length.setting for length in self.course_lengths]
        if not settings or len(set(settings)) != len(settings):
            problems.append("each setting needs exactly one course length")
        sizes = [vial.size_mg for vial in self.vials]
        if not sizes or sizes != sorted(set(sizes)):
            problems.append("vial sizes must be distinct, smallest first")
        if self.mbc_default_horizon_cycles < 1:
            problems.append("mbc_default_horizon_cycles must be at least 1")
        if problems:
            raise ValueError(f"regimen {self.code!r}: " + "; ".join(problems))

    @property
    def settings(self) -> tuple[str, ...]:
        """The settings a course of this regimen may be given in."""
        return tuple(length.setting for length in self.course_lengths)

    def total_cycles(self, setting: str) -> int | None:
        """The fixed number of cycles of a course in ``setting``; None for no fixed end."""
        for length in self.course_lengths:
            if length.setting == setting:
                return length.cycles
        raise KeyError(f"regimen {self.code} has no setting {setting!r}")

    def fixed_cycles(self, setting: str) -> int:
        """The number of cycles of a setting that has a fixed count; refuses one without."""
        cycles = self.total_cycles(setting)
        if cycles is None:
            raise KeyError(f"regimen {self.code}: setting {setting!r} has no fixed count")
        return cycles

    @property
    def starting_dose_mg_per_kg(self) -> float:
        return self.dose_levels_mg_per_kg[0]

    @property
    def lowest_dose_mg_per_kg(self) -> float:
        return self.dose_levels_mg_per_kg[-1]

    @property
    def vial_sizes_mg(self) -> tuple[int, ...]:
        return tuple(vial.size_mg for vial in self.vials)

    def water_ml_per_vial(self) -> dict[int, float]:
        """Vial size (mg) -> water for injection (mL); a new dict each call."""
        return {vial.size_mg: vial.water_ml for vial in self.vials}

    @property
    def diluent(self) -> str:
        """``250 mL 0.9% Sodium Chloride``: the bag the dose is diluted in."""
        return f"{self.diluent_volume_ml} mL {self.diluent_fluid}"
