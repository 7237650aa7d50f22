"""T-DM1: ado-trastuzumab emtansine (KADCYLA, US BLA 125427), the one regimen shipped.

Tags: [label] current US label, [label-2013] the 2013 US label, [policy] a default that
is not labelling (see shared/domain/TDM1_RULES.md).
"""

from __future__ import annotations

from datetime import timedelta

from .base import CourseLength, Regimen, Vial

TDM1 = Regimen(
    code="TDM1",
    drug_name="ado-trastuzumab emtansine (KADCYLA)",
    # [label] + FDA 2013 safety communication: never shown as "trastuzumab" alone.
    drug_name_reminder="not trastuzumab, and not fam-trastuzumab deruxtecan (Enhertu)",
    cycle_length_days=21,  # [label] one dose every 3 weeks
    first_infusion_min=90,  # [label]
    later_infusion_min=30,  # [label] when prior infusions were well tolerated
    first_observation_min=90,  # [label] at least 90 min after the first infusion
    later_observation_min=30,  # [label] at least 30 min after later infusions
    # [label-2013], same in current tables: 3.6 -> 3.0 -> 2.4; a further reduction stops.
    dose_levels_mg_per_kg=(3.6, 3.0, 2.4),
    max_dose_mg_per_kg=3.6,  # [label] never more than 3.6 mg/kg
    course_lengths=(
        CourseLength("EBC", 14),  # [label] early breast cancer: 14 cycles in total
        CourseLength("MBC", None),  # [label] metastatic: until progression or toxicity
    ),
    mbc_default_horizon_cycles=6,  # [policy] metastatic: planned on a rolling horizon
    # [label] single-dose vials, Sterile Water for Injection per vial; both give 20 mg/mL.
    vials=(Vial(100, 5.0), Vial(160, 8.0)),
    concentration_mg_per_ml=20.0,  # [label] reconstituted concentration
    diluent_fluid="0.9% Sodium Chloride",  # [label] 5% Dextrose must not be used
    diluent_volume_ml=250,  # [label]
    storage="2-8 °C",  # [label] reconstituted vial and diluted bag, never frozen
    vial_hold=timedelta(hours=24),  # [label] reconstituted vial, 2-8 °C, then discard
    bag_hold=timedelta(hours=24),  # [label] diluted bag, 2-8 °C, in addition to the vial's
)
