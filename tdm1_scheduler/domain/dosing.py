"""Dose arithmetic for ado-trastuzumab emtansine (KADCYLA): mg, vials, water, volume.

Tags: [label] current US label, [policy] a site setting with its default (see
shared/domain/TDM1_RULES.md). The dose ladder (3.6 -> 3.0 -> 2.4 mg/kg) lives in
regimen.py; this module takes whatever level it is given and only checks the ceiling.

Decimal is used wherever a result is rounded, so that 3.0 x 75.35 gives 226.1 mg and
not the 226.0 that float arithmetic (226.04999...) would round to.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .errors import DomainError
from .lean import dataclass, field
from .regimens import TDM1, Regimen

# Reads of the T-DM1 regimen (regimens/tdm1.py), the names kept for their callers.
VIAL_SIZES_MG: tuple[int, ...] = TDM1.vial_sizes_mg  # [label] single-dose 100, 160 mg
# [label] Sterile Water for Injection per vial (5 mL, 8 mL); both give 20 mg/mL.
WATER_ML_PER_VIAL: dict[int, float] = TDM1.water_ml_per_vial()
CONCENTRATION_MG_PER_ML = TDM1.concentration_mg_per_ml  # [label] reconstituted: 20 mg/mL
DILUENT = TDM1.diluent  # [label] 250 mL 0.9% Sodium Chloride; 5% Dextrose must not be used
DILUENT_VOLUME_ML = TDM1.diluent_volume_ml  # [label] 250 mL

# [policy] doses are rounded to 0.1 mg and volumes to 0.1 mL, halves rounded up.
_ONE_DECIMAL = Decimal("0.1")

DEFAULT_MIN_WEIGHT_KG = 20.0  # [policy] site setting: lowest plausible adult weight
DEFAULT_MAX_WEIGHT_KG = 300.0  # [policy] site setting: highest plausible weight
DEFAULT_RECALC_THRESHOLD_PERCENT = 10.0  # [policy] recalculate at a >= 10% weight change


def _to_decimal(value: float) -> Decimal:
    """The decimal the user typed: ``repr`` of a float is its shortest round-trip form."""
    return Decimal(repr(value))


def _round_one_decimal(value: Decimal) -> float:
    return float(value.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP))


def _require_positive_number(field: str, value: object) -> float:
    """A real int or float (not bool, not text), finite and above zero."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DomainError(field, f"expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise DomainError(field, f"must be a finite number, got {value}")
    if value <= 0:
        raise DomainError(field, f"must be above 0, got {value}")
    return float(value)


def check_dose_level_ceiling(dose_level_mg_per_kg: float, regimen: Regimen = TDM1) -> float:
    """A level above 0 and never above 3.6 mg/kg [label]; the ladder itself is regimen.py's."""
    level = _require_positive_number("dose_level_mg_per_kg", dose_level_mg_per_kg)
    if level > regimen.max_dose_mg_per_kg:
        raise DomainError(
            "dose_level_mg_per_kg",
            f"{level} is above the maximum of {regimen.max_dose_mg_per_kg} mg/kg",
        )
    return level


def validate_weight(
    weight_kg: float,
    min_kg: float = DEFAULT_MIN_WEIGHT_KG,
    max_kg: float = DEFAULT_MAX_WEIGHT_KG,
) -> float:
    """A body weight in kg within the site's bounds (inclusive) [policy]."""
    low = _require_positive_number("min_kg", min_kg)
    high = _require_positive_number("max_kg", max_kg)
    if high < low:
        raise DomainError("max_kg", f"the upper bound {high} kg is below the lower {low} kg")
    weight = _require_positive_number("weight_kg", weight_kg)
    if not low <= weight <= high:
        raise DomainError(
            "weight_kg", f"{weight} kg is outside the site's bounds of {low:g}-{high:g} kg"
        )
    return weight


def dose_mg(dose_level_mg_per_kg: float, weight_kg: float, regimen: Regimen = TDM1) -> float:
    """Level x actual body weight, rounded half up to 0.1 mg [policy].

    The label gives mg/kg only; which weight and the rounding are site policy. Bounds on
    the weight are validate_weight's job; here it only has to be a number above 0.
    """
    level = check_dose_level_ceiling(dose_level_mg_per_kg, regimen)
    weight = _require_positive_number("weight_kg", weight_kg)
    return _round_one_decimal(_to_decimal(level) * _to_decimal(weight))


@dataclass(frozen=True)
class VialPlan:
    """Which vials to reconstitute for one dose.

    ``vials`` holds (vial_mg, count) pairs, largest vial first, zero counts left out.
    """

    dose_mg: float
    vials: tuple[tuple[int, int], ...]
    regimen: Regimen = field(default=TDM1, repr=False)  # its vials, water and concentration

    def __post_init__(self) -> None:
        _require_positive_number("dose_mg", self.dose_mg)
        sizes = [size for size, _ in self.vials]
        if sizes != sorted(set(sizes), reverse=True):
            raise DomainError("vials", f"vial sizes must be distinct, largest first: {sizes}")
        known = self.regimen.vial_sizes_mg
        for size, count in self.vials:
            if size not in known:
                raise DomainError("vials", f"no {size} mg vial; sizes are {known}")
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise DomainError("vials", f"count for {size} mg must be a whole number >= 1")
        if self.total_mg < self.dose_mg:
            raise DomainError(
                "vials", f"{self.total_mg} mg of vials does not cover {self.dose_mg} mg"
            )

    @property
    def total_mg(self) -> int:
        return sum(size * count for size, count in self.vials)

    @property
    def waste_mg(self) -> float:
        """Drug left over in the vials, in mg (exact to the dose's decimals)."""
        return float(Decimal(self.total_mg) - _to_decimal(self.dose_mg))

    @property
    def vial_count(self) -> int:
        return sum(count for _, count in self.vials)

    @property
    def water_ml_total(self) -> float:
        """Sterile Water for Injection for all vials: 5 mL per 100 mg, 8 mL per 160 mg [label]."""
        water = self.regimen.water_ml_per_vial()
        return sum(water[size] * count for size, count in self.vials)

    @property
    def withdraw_ml(self) -> float:
        """Volume to withdraw = dose / 20 mg/mL [label], rounded half up to 0.1 mL [policy]."""
        concentration = self.regimen.concentration_mg_per_ml
        return _round_one_decimal(_to_decimal(self.dose_mg) / _to_decimal(concentration))


def _vial_counts(rest: Fraction, sizes: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every count of each size (largest first) worth trying to cover ``rest`` mg: for
    each count of the larger sizes, the fewest of the smallest that cover what is left."""
    if len(sizes) == 1:
        return [(max(0, math.ceil(rest / sizes[0])),)]
    size, smaller = sizes[0], sizes[1:]
    counts: list[tuple[int, ...]] = []
    for count in range(max(0, math.floor(rest / size)) + 2):
        counts.extend((count, *tail) for tail in _vial_counts(rest - size * count, smaller))
    return counts


def vial_plan(dose_mg: float, regimen: Regimen = TDM1) -> VialPlan:
    """The vial counts (T-DM1: 100 and 160 mg) covering the dose with the least waste
    [policy].

    Ties on waste go to the plan with fewer vials (e.g. 800 mg: 5 x 160 beats 8 x 100).
    For each count of the larger vials the fewest of the smallest that cover the rest is
    the only candidate worth trying, so this search is exhaustive.
    """
    dose = _require_positive_number("dose_mg", dose_mg)
    exact_dose = Fraction(dose)  # exact value of the float: no rounding in the ceil below
    sizes = tuple(sorted(regimen.vial_sizes_mg, reverse=True))
    # Least total is least waste; then fewest vials; then the most of the larger vials.
    best = min(
        _vial_counts(exact_dose, sizes),
        key=lambda counts: (
            sum(size * count for size, count in zip(sizes, counts, strict=True)),
            sum(counts),
            tuple(-count for count in counts),
        ),
    )
    vials = tuple((size, count) for size, count in zip(sizes, best, strict=True) if count)
    return VialPlan(dose_mg=dose, vials=vials, regimen=regimen)


def needs_recalculation(
    weight_at_calculation_kg: float,
    current_weight_kg: float,
    threshold_percent: float = DEFAULT_RECALC_THRESHOLD_PERCENT,
) -> bool:
    """True when the weight moved by threshold_percent or more either way [policy].

    Exactly 10% counts (70 -> 77 kg). Compared in Decimal so that 73.3 -> 80.63 kg is
    exactly 10% rather than 9.99999...%.
    """
    old = _require_positive_number("weight_at_calculation_kg", weight_at_calculation_kg)
    new = _require_positive_number("current_weight_kg", current_weight_kg)
    threshold = _require_positive_number("threshold_percent", threshold_percent)
    change = abs(_to_decimal(new) - _to_decimal(old))
    return change * 100 >= _to_decimal(threshold) * _to_decimal(old)
