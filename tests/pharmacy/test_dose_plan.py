"""Dose, vials, water and volume, each row worked out by hand; the weight-change flag.

[label] dose = level x weight; 100 mg and 160 mg vials; 5 mL water per 100 mg, 8 mL per
160 mg (20 mg/mL); withdraw dose / 20 mg/mL; 250 mL 0.9% Sodium Chloride.
[policy] 0.1 mg and 0.1 mL, halves up; vials: least waste, then fewest vials.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tdm1_scheduler.cli.pharmacy_json import water_json
from tdm1_scheduler.services import clinic, courses, patients, pharmacy

from .support import MONDAY_7AM, NY, Clinic, prep_show

FIRST_DOSE = datetime(2026, 6, 15, 9, 0, tzinfo=NY)

# (level mg/kg, weight kg, dose mg, vials [(mg, count)], water mL, withdraw mL)
TABLE = [
    # 3.6 x 70 = 252.0. 0x160: 3x100 = 300; 1x160 + 1x100 = 260; 2x160 = 320 -> 260.
    # water 8 + 5 = 13; 252 / 20 = 12.6 mL.
    (3.6, 70.0, 252.0, [(160, 1), (100, 1)], 13.0, 12.6),
    # 3.6 x 64.5 = 232.2. 3x100 = 300; 1x160 + 1x100 = 260; 2x160 = 320 -> 260.
    # 232.2 / 20 = 11.61 -> 11.6 mL.
    (3.6, 64.5, 232.2, [(160, 1), (100, 1)], 13.0, 11.6),
    # 3.0 x 75.35 = 226.05 -> 226.1 (half up, in decimal); 160 + 100 = 260;
    # 226.1 / 20 = 11.305 -> 11.3 mL.
    (3.0, 75.35, 226.1, [(160, 1), (100, 1)], 13.0, 11.3),
    # 2.4 x 50 = 120.0. 1x160 = 160 beats 2x100 = 200; water 8; 120 / 20 = 6.0 mL.
    (2.4, 50.0, 120.0, [(160, 1)], 8.0, 6.0),
    # 3.6 x 100 = 360.0. 0x160: 400; 1x160 + 2x100 = 360 (no waste); 2x160 + 1x100 = 420;
    # 3x160 = 480 -> 360. water 8 + 2 x 5 = 18; 360 / 20 = 18.0 mL.
    (3.6, 100.0, 360.0, [(160, 1), (100, 2)], 18.0, 18.0),
    # 3.6 x 44.4 = 159.84 -> 159.8; 1x160; 159.8 / 20 = 7.99 -> 8.0 mL.
    (3.6, 44.4, 159.8, [(160, 1)], 8.0, 8.0),
    # 3.6 x 88.9 = 320.04 -> 320.0. 2x160 = 320 (no waste) beats 1x160 + 2x100 = 360 and
    # 4x100 = 400; water 16; 320 / 20 = 16.0 mL.
    (3.6, 88.9, 320.0, [(160, 2)], 16.0, 16.0),
    # 2.4 x 83.4 = 200.16 -> 200.2. 0x160: 3x100 = 300; 1x160 + 1x100 = 260; 2x160 = 320
    # -> 260. 200.2 / 20 = 10.01 -> 10.0 mL.
    (2.4, 83.4, 200.2, [(160, 1), (100, 1)], 13.0, 10.0),
    # 3.6 x 111.2 = 400.32 -> 400.3. 0x160: 5x100 = 500; 1x160 + 3x100 = 460;
    # 2x160 + 1x100 = 420; 3x160 = 480 -> 420. water 2 x 8 + 5 = 21;
    # 400.3 / 20 = 20.015 -> 20.0 mL.
    (3.6, 111.2, 400.3, [(160, 2), (100, 1)], 21.0, 20.0),
    # 3.0 x 53.3 = 159.9; 1x160; 159.9 / 20 = 7.995 -> 8.0 mL (half up).
    (3.0, 53.3, 159.9, [(160, 1)], 8.0, 8.0),
]


@pytest.mark.parametrize(("level", "weight", "mg", "vials", "water", "withdraw"), TABLE)
def test_dose_vials_water_and_volume(
    place: Clinic,
    level: float,
    weight: float,
    mg: float,
    vials: list[tuple[int, int]],
    water: float,
    withdraw: float,
) -> None:
    place.patient("P1", weight, FIRST_DOSE)
    if level != 3.6:
        courses.reduce_dose_level(place.ctx, mrn="P1", mg_per_kg=level)
    view = prep_show(place, "P1", 1, MONDAY_7AM)
    assert view["dose_level_mg_per_kg"] == level
    assert view["weight_kg"] == weight
    assert view["dose_mg"] == mg
    assert view["vials"] == [{"mg": size, "count": count} for size, count in vials]
    assert view["water_ml_total"] == water
    assert view["withdraw_ml"] == withdraw
    assert view["diluent"] == "250 mL 0.9% Sodium Chloride"
    assert view["recalculate"] is False


def test_plan_dose_keeps_water_per_vial_size() -> None:
    plan = pharmacy.plan_dose(3.6, 100.0)  # 360 mg: 1 x 160 + 2 x 100
    assert water_json(plan) == [
        {"mg": 160, "count": 1, "water_ml_per_vial": 8.0},
        {"mg": 100, "count": 2, "water_ml_per_vial": 5.0},
    ]


def test_weight_and_its_date_are_kept_with_the_dose(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    view = prep_show(place, "P1", 1, MONDAY_7AM)
    # add_patient measured the weight at the clock's now, Mon 07:00 EDT.
    assert view["weight_measured_at"] == "2026-06-15T07:00:00-04:00"


@pytest.mark.parametrize(
    ("new_weight", "flagged"),
    [
        (77.0, True),  # 70 -> 77: +10.0%, exactly the threshold counts
        (76.9, False),  # +9.86%
        (63.0, True),  # -10.0%
        (63.1, False),  # -9.86%
    ],
)
def test_weight_change_of_ten_percent_flags_recalculation(
    place: Clinic, new_weight: float, flagged: bool
) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    patients.record_weight(place.ctx, mrn="P1", weight_kg=new_weight)
    view = prep_show(place, "P1", 1, MONDAY_7AM)
    assert view["recalculate"] is flagged
    assert view["dose_mg"] == 252.0  # still the dose row's weight, 3.6 x 70
    assert view["current_weight_kg"] == new_weight
    if flagged:
        assert "70 kg" in view["recalculate_reason"]
        assert "recalculate" in view["recalculate_reason"]
    else:
        assert view["recalculate_reason"] is None


def test_recalculation_threshold_is_the_site_setting(place: Clinic) -> None:
    place.patient("P1", 70.0, FIRST_DOSE)
    patients.record_weight(place.ctx, mrn="P1", weight_kg=73.5)  # +5%
    assert prep_show(place, "P1", 1, MONDAY_7AM)["recalculate"] is False
    clinic.update_settings(place.ctx, {"weight_recalc_percent": 5})
    assert prep_show(place, "P1", 1, MONDAY_7AM)["recalculate"] is True
