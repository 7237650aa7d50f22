"""Dose, vial, water and volume arithmetic (tdm1_scheduler.domain.dosing).

Label facts checked: 3.6 mg/kg maximum; 100 mg and 160 mg single-dose vials;
5 mL / 8 mL Sterile Water for Injection per vial giving 20 mg/mL; withdraw dose / 20 mL.
Policy checked: actual weight, 0.1 mg / 0.1 mL rounding half up, least-waste vials,
recalculate at a 10% weight change.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given, settings, strategies as st

from tdm1_scheduler.domain.dosing import (
    CONCENTRATION_MG_PER_ML,
    DILUENT,
    DILUENT_VOLUME_ML,
    VIAL_SIZES_MG,
    WATER_ML_PER_VIAL,
    VialPlan,
    dose_mg,
    needs_recalculation,
    validate_weight,
    vial_plan,
)
from tdm1_scheduler.domain.errors import DomainError

# Each row worked by hand. Candidates list every 160 mg count with the fewest 100 mg vials
# that cover the dose; the smallest total wins, then the fewest vials.
# Water = 8 mL per 160 mg vial + 5 mL per 100 mg vial [label]; withdraw = dose / 20 [label].
DOSE_TABLE = [
    # 3.6 x 60 = 216.0. 160+100=260 (waste 44), 3x100=300, 2x160=320 -> 160+100.
    # water 8+5=13; withdraw 216/20 = 10.8
    (3.6, 60, 216.0, ((160, 1), (100, 1)), 13.0, 10.8),
    # 3.6 x 70 = 252.0. 160+100=260 (waste 8) -> 160+100. water 13; 252/20 = 12.6
    (3.6, 70, 252.0, ((160, 1), (100, 1)), 13.0, 12.6),
    # 3.6 x 45 = 162.0. 2x100=200 (waste 38) beats 260 and 320. water 10; 162/20 = 8.1
    (3.6, 45, 162.0, ((100, 2),), 10.0, 8.1),
    # 3.0 x 50 = 150.0. 1x160=160 (waste 10) beats 2x100=200. water 8; 150/20 = 7.5
    (3.0, 50, 150.0, ((160, 1),), 8.0, 7.5),
    # 2.4 x 40 = 96.0. 1x100 (waste 4). water 5; 96/20 = 4.8
    (2.4, 40, 96.0, ((100, 1),), 5.0, 4.8),
    # 3.6 x 100 = 360.0. 160+2x100=360 (waste 0). water 8+10=18; 360/20 = 18.0
    (3.6, 100, 360.0, ((160, 1), (100, 2)), 18.0, 18.0),
    # 3.6 x 88.9 = 320.04 -> 320.0 mg after rounding, so 2x160 covers it with no waste.
    # water 16; 320/20 = 16.0
    (3.6, 88.9, 320.0, ((160, 2),), 16.0, 16.0),
    # 3.0 x 75.35 = 226.05 -> 226.1 (half up; float gives 226.04999.. and would say 226.0).
    # 160+100=260 (waste 33.9). water 13; 226.1/20 = 11.305 -> 11.3
    (3.0, 75.35, 226.1, ((160, 1), (100, 1)), 13.0, 11.3),
    # 3.6 x 62.5 = 225.0. 260 -> 160+100. water 13; 225/20 = 11.25 -> 11.3 (half up,
    # half-even would give 11.2)
    (3.6, 62.5, 225.0, ((160, 1), (100, 1)), 13.0, 11.3),
    # 2.4 x 120 = 288.0. 3x100=300 (waste 12) beats 2x160=320. water 15; 288/20 = 14.4
    (2.4, 120, 288.0, ((100, 3),), 15.0, 14.4),
    # 3.6 x 150 = 540.0. n160=0:600, 1:160+400=560, 2:320+300=620, 3:480+100=580, 4:640
    # -> 160+4x100=560 (waste 20). water 8+20=28; 540/20 = 27.0
    (3.6, 150, 540.0, ((160, 1), (100, 4)), 28.0, 27.0),
    # 3.6 x 300 = 1080.0. n160=0:1100, 1:1160, 2:1120, 3:480+600=1080 (waste 0)
    # -> 3x160+6x100. water 24+30=54; 1080/20 = 54.0
    (3.6, 300, 1080.0, ((160, 3), (100, 6)), 54.0, 54.0),
    # 3.0 x 64 = 192.0. 2x100=200 (waste 8) beats 260. water 10; 192/20 = 9.6
    (3.0, 64, 192.0, ((100, 2),), 10.0, 9.6),
    # 2.4 x 55.5 = 133.2. 1x160 (waste 26.8) beats 2x100. water 8; 133.2/20 = 6.66 -> 6.7
    (2.4, 55.5, 133.2, ((160, 1),), 8.0, 6.7),
    # 3.0 x 266.6 = 799.8. 8x100 = 800 = 5x160 (both waste 0.2): fewer vials wins -> 5x160.
    # water 40; 799.8/20 = 39.99 -> 40.0
    (3.0, 266.6, 799.8, ((160, 5),), 40.0, 40.0),
    # 2.4 x 200 = 480.0. 3x160=480 (waste 0) beats 5x100=500. water 24; 480/20 = 24.0
    (2.4, 200, 480.0, ((160, 3),), 24.0, 24.0),
]


@pytest.mark.parametrize(
    ("level", "weight", "expected_mg", "expected_vials", "expected_water", "expected_withdraw"),
    DOSE_TABLE,
)
def test_dose_table_label_vials_water_and_withdraw_volume(
    level: float,
    weight: float,
    expected_mg: float,
    expected_vials: tuple[tuple[int, int], ...],
    expected_water: float,
    expected_withdraw: float,
) -> None:
    """[label] mg/kg x weight; 100/160 mg vials; 5/8 mL water; withdraw dose / 20 mg/mL."""
    mg = dose_mg(level, weight)
    assert mg == expected_mg
    plan = vial_plan(mg)
    assert plan.vials == expected_vials
    assert plan.dose_mg == expected_mg
    assert plan.water_ml_total == expected_water
    assert plan.withdraw_ml == expected_withdraw
    assert plan.total_mg == sum(size * count for size, count in expected_vials)
    assert plan.vial_count == sum(count for _, count in expected_vials)


def test_label_constants() -> None:
    """[label] 100 and 160 mg vials, 5 and 8 mL water, 20 mg/mL, 250 mL 0.9% NaCl."""
    assert VIAL_SIZES_MG == (100, 160)
    assert WATER_ML_PER_VIAL == {100: 5.0, 160: 8.0}
    assert CONCENTRATION_MG_PER_ML == 20.0
    for size in VIAL_SIZES_MG:  # every vial reconstitutes to 20 mg/mL
        assert size / WATER_ML_PER_VIAL[size] == CONCENTRATION_MG_PER_ML
    assert DILUENT == "250 mL 0.9% Sodium Chloride"
    assert DILUENT_VOLUME_ML == 250


def test_waste_is_exact_to_the_dose_decimals() -> None:
    """[policy] waste = vial total - dose: 260 - 226.1 is 33.9, not 33.900000000000006."""
    plan = vial_plan(226.1)
    assert plan.total_mg == 260
    assert plan.waste_mg == 33.9
    assert vial_plan(216.0).waste_mg == 44.0


def test_dose_rounds_half_up_not_half_even_policy() -> None:
    """[policy] 0.1 mg half up: 3.0 x 75.35 = 226.05 -> 226.1 (half-even gives 226.0)."""
    assert Decimal("226.05").quantize(Decimal("0.1"), ROUND_HALF_EVEN) == Decimal("226.0")
    assert dose_mg(3.0, 75.35) == 226.1


def test_dose_rounds_below_half_down_policy() -> None:
    """[policy] 3.6 x 88.94 = 320.184 -> 320.2; 3.6 x 88.93 = 320.148 -> 320.1."""
    assert dose_mg(3.6, 88.94) == 320.2
    assert dose_mg(3.6, 88.93) == 320.1


@pytest.mark.parametrize("level", [3.7, 3.6000001, 7.2, 0.0, -3.6, math.nan, math.inf])
def test_dose_level_above_label_maximum_or_not_positive_refused(level: float) -> None:
    """[label] never more than 3.6 mg/kg; a level must be a finite number above 0."""
    with pytest.raises(DomainError) as caught:
        dose_mg(level, 70)
    assert caught.value.field == "dose_level_mg_per_kg"


def test_dose_level_reduced_levels_accepted() -> None:
    """[label] reductions 3.0 and 2.4 mg/kg are computed like the full dose."""
    assert dose_mg(3.0, 70) == 210.0
    assert dose_mg(2.4, 70) == 168.0


def test_dose_level_message_names_the_maximum() -> None:
    """[label] the refusal says what the ceiling is."""
    with pytest.raises(DomainError, match=r"3\.6 mg/kg"):
        dose_mg(4.0, 70)


@pytest.mark.parametrize("weight", [0, -70, math.nan, math.inf, -math.inf])
def test_dose_weight_must_be_finite_and_positive(weight: float) -> None:
    """[policy] actual body weight: a finite number of kg above 0."""
    with pytest.raises(DomainError) as caught:
        dose_mg(3.6, weight)
    assert caught.value.field == "weight_kg"


@pytest.mark.parametrize("weight", ["70", None, True, [70]])
def test_dose_weight_must_be_a_number(weight: object) -> None:
    """[policy] text, None and booleans are not weights."""
    with pytest.raises(DomainError) as caught:
        dose_mg(3.6, weight)  # type: ignore[arg-type]
    assert caught.value.field == "weight_kg"


# --- validate_weight ------------------------------------------------------------------


@pytest.mark.parametrize("weight", [20, 20.0, 70.5, 300, 300.0])
def test_validate_weight_accepts_inclusive_site_bounds(weight: float) -> None:
    """[policy] site bounds default 20-300 kg, both ends allowed."""
    assert validate_weight(weight) == float(weight)
    assert isinstance(validate_weight(weight), float)


@pytest.mark.parametrize("weight", [19.9, 300.1, 5, 1000])
def test_validate_weight_outside_bounds_names_them(weight: float) -> None:
    """[policy] outside the site bounds: the message says which bounds."""
    with pytest.raises(DomainError, match=r"20-300 kg") as caught:
        validate_weight(weight)
    assert caught.value.field == "weight_kg"


def test_validate_weight_zero_and_negative_refused() -> None:
    """[policy] a weight must be above 0 whatever the bounds."""
    for weight in (0, -5):
        with pytest.raises(DomainError) as caught:
            validate_weight(weight)
        assert caught.value.field == "weight_kg"


@pytest.mark.parametrize("weight", [math.nan, math.inf, -math.inf, "70", None, True])
def test_validate_weight_refuses_non_numbers_nan_and_inf(weight: object) -> None:
    """[policy] NaN, infinities, text, None and booleans are refused."""
    with pytest.raises(DomainError) as caught:
        validate_weight(weight)  # type: ignore[arg-type]
    assert caught.value.field == "weight_kg"


def test_validate_weight_custom_site_bounds() -> None:
    """[policy] the bounds are a site setting."""
    assert validate_weight(15, min_kg=10, max_kg=150) == 15.0
    with pytest.raises(DomainError, match=r"10-150 kg"):
        validate_weight(151, min_kg=10, max_kg=150)
    with pytest.raises(DomainError) as caught:
        validate_weight(70, min_kg=100, max_kg=50)
    assert caught.value.field == "max_kg"


# --- VialPlan -------------------------------------------------------------------------


def test_vial_plan_orders_largest_vial_first_and_drops_zero_counts() -> None:
    """[label] 100/160 mg vials: (160, n) comes before (100, n); no (size, 0) entries."""
    assert vial_plan(96.0).vials == ((100, 1),)
    assert vial_plan(150.0).vials == ((160, 1),)
    assert vial_plan(360.0).vials == ((160, 1), (100, 2))


def test_vial_plan_tie_on_waste_goes_to_fewer_vials() -> None:
    """[policy] 800 mg: 8 x 100 and 5 x 160 waste the same; 5 vials beat 8."""
    plan = vial_plan(800.0)
    assert plan.vials == ((160, 5),)
    assert plan.waste_mg == 0.0
    assert plan.vial_count == 5


def test_vial_plan_exact_cover_needs_no_spare_vial() -> None:
    """[label] 100 mg dose fits one 100 mg vial; 100.05 mg needs more than one."""
    assert vial_plan(100.0).vials == ((100, 1),)
    assert vial_plan(100.05).vials == ((160, 1),)


@pytest.mark.parametrize("dose", [0, -1, math.nan, math.inf])
def test_vial_plan_refuses_non_positive_or_non_finite_dose(dose: float) -> None:
    with pytest.raises(DomainError) as caught:
        vial_plan(dose)
    assert caught.value.field == "dose_mg"


@pytest.mark.parametrize(
    "vials",
    [
        ((100, 1), (160, 1)),  # smallest first
        ((160, 0),),  # zero count
        ((120, 2),),  # no such vial [label]
        ((160, 1), (160, 1)),  # repeated size
        ((100, 1),),  # 100 mg does not cover 150 mg
    ],
)
def test_vial_plan_constructor_refuses_malformed_vials(
    vials: tuple[tuple[int, int], ...],
) -> None:
    """[label] only 100/160 mg vials exist; a plan must cover its dose."""
    with pytest.raises(DomainError) as caught:
        VialPlan(dose_mg=150.0, vials=vials)
    assert caught.value.field == "vials"


def _brute_force_best(dose: float) -> tuple[int, int]:
    """Least (total mg, vial count) over every (n100, n160) up to one vial past the dose."""
    best: tuple[int, int] | None = None
    for n100 in range(math.ceil(dose / 100) + 2):
        for n160 in range(math.ceil(dose / 160) + 2):
            total = 100 * n100 + 160 * n160
            if total >= dose and (best is None or (total, n100 + n160) < best):
                best = (total, n100 + n160)
    assert best is not None
    return best


@settings(max_examples=200)
@given(
    st.one_of(
        st.integers(min_value=1, max_value=11_000).map(lambda tenths: tenths / 10),
        st.floats(min_value=0.001, max_value=1_200, allow_nan=False, allow_infinity=False),
    )
)
def test_vial_plan_property_covers_dose_with_least_waste_then_fewest_vials(
    dose: float,
) -> None:
    """[policy] no other 100/160 mg combination wastes less, or as little with fewer vials."""
    plan = vial_plan(dose)
    assert plan.total_mg >= dose
    assert all(size in VIAL_SIZES_MG and count > 0 for size, count in plan.vials)
    assert (plan.total_mg, plan.vial_count) == _brute_force_best(dose)
    assert plan.waste_mg == pytest.approx(plan.total_mg - dose)


# --- needs_recalculation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (70, 77, True),  # +10% exactly counts
        (70, 63, True),  # -10% exactly counts
        (70, 76.9, False),  # +9.86%
        (70, 63.1, False),  # -9.86%
        (70, 70, False),
        (70, 90, True),
        (73.3, 80.63, True),  # exactly +10%; in float (80.63-73.3)/73.3 = 0.0999999...
        (50, 44.99, True),  # -10.02%
    ],
)
def test_needs_recalculation_at_ten_percent_policy(old: float, new: float, expected: bool) -> None:
    """[policy] recalculate when the weight changes by 10% or more (site setting)."""
    assert needs_recalculation(old, new) is expected


def test_needs_recalculation_custom_threshold_policy() -> None:
    """[policy] the threshold is a site setting: at 5%, 70 -> 73.5 kg counts."""
    assert needs_recalculation(70, 73.5, threshold_percent=5) is True
    assert needs_recalculation(70, 73.4, threshold_percent=5) is False


@pytest.mark.parametrize(
    ("old", "new", "threshold", "field"),
    [
        (0, 70, 10, "weight_at_calculation_kg"),
        (70, math.nan, 10, "current_weight_kg"),
        (70, 77, 0, "threshold_percent"),
    ],
)
def test_needs_recalculation_refuses_bad_input(
    old: float, new: float, threshold: float, field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        needs_recalculation(old, new, threshold_percent=threshold)
    assert caught.value.field == field
