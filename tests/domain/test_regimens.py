"""The regimen as data (tdm1_scheduler.domain.regimens): T-DM1's values, each checked
against shared/domain/TDM1_RULES.md with its tag, and the module constants that stay for
their callers equal to the regimen's values.

Tags: [label] current US label, [label-2013] the 2013 US label, [policy] a default that
is not labelling. The migration that records a course's regimen is tested in
tests/store/test_migration_regimen_code.py; ``text.cycle_label`` in
tests/test_text_cycle_label.py (domain tests import only the domain).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest

from tdm1_scheduler.domain import course, dosing, regimen, stability, tolerance
from tdm1_scheduler.domain.calendar import ClinicCalendar, weekday_hours, zone_from_name
from tdm1_scheduler.domain.course import CourseStatus, PlanningRules
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.regimen import Setting
from tdm1_scheduler.domain.regimens import (
    DEFAULT_REGIMEN,
    REGIMENS,
    TDM1,
    CourseLength,
    Regimen,
    Vial,
    regimen_for,
)
from tdm1_scheduler.domain.tolerance import InfusionOutcome

# --- T-DM1's values and their sources ---------------------------------------------------


def test_code_and_drug_name() -> None:
    """[label] + FDA 2013: the full nonproprietary name with the brand, never
    "trastuzumab" alone, and not Enhertu."""
    assert TDM1.code == "TDM1"
    assert TDM1.drug_name == "ado-trastuzumab emtansine (KADCYLA)"
    assert "Enhertu" in TDM1.drug_name_reminder
    assert "trastuzumab" in TDM1.drug_name_reminder


def test_cycle_length() -> None:
    """[label] one dose every 3 weeks: a 21-day cycle (Q3W)."""
    assert TDM1.cycle_length_days == 21


def test_infusion_and_observation_minutes() -> None:
    """[label] first infusion 90 min, observed at least 90 min after; later infusions 30
    min if the prior ones were well tolerated, observed at least 30 min after."""
    assert (TDM1.first_infusion_min, TDM1.first_observation_min) == (90, 90)
    assert (TDM1.later_infusion_min, TDM1.later_observation_min) == (30, 30)


def test_dose_ladder_and_maximum() -> None:
    """[label] 3.6 mg/kg, never more; [label-2013] reductions 3.0 then 2.4 mg/kg."""
    assert TDM1.dose_levels_mg_per_kg == (3.6, 3.0, 2.4)
    assert TDM1.max_dose_mg_per_kg == 3.6
    assert TDM1.starting_dose_mg_per_kg == 3.6
    assert TDM1.lowest_dose_mg_per_kg == 2.4


def test_course_lengths_by_setting() -> None:
    """[label] EBC 14 cycles in total; MBC until progression (no fixed count)."""
    assert TDM1.course_lengths == (CourseLength("EBC", 14), CourseLength("MBC", None))
    assert TDM1.settings == ("EBC", "MBC")
    assert TDM1.total_cycles("EBC") == 14
    assert TDM1.total_cycles(Setting.EBC) == 14
    assert TDM1.total_cycles(Setting.MBC) is None
    assert TDM1.fixed_cycles("EBC") == 14
    with pytest.raises(KeyError):
        TDM1.fixed_cycles("MBC")
    with pytest.raises(KeyError):
        TDM1.total_cycles("XYZ")


def test_settings_match_the_setting_enum() -> None:
    assert set(TDM1.settings) == {setting.value for setting in Setting}


def test_mbc_default_horizon() -> None:
    """[policy] a metastatic course is planned 6 cycles ahead on a rolling horizon."""
    assert TDM1.mbc_default_horizon_cycles == 6


def test_vials_and_concentration() -> None:
    """[label] single-dose vials of 100 and 160 mg, reconstituted with 5 and 8 mL
    Sterile Water for Injection: 20 mg/mL."""
    assert TDM1.vials == (Vial(100, 5.0), Vial(160, 8.0))
    assert TDM1.vial_sizes_mg == (100, 160)
    assert TDM1.water_ml_per_vial() == {100: 5.0, 160: 8.0}
    assert TDM1.concentration_mg_per_ml == 20.0
    for vial in TDM1.vials:
        assert vial.size_mg / vial.water_ml == TDM1.concentration_mg_per_ml


def test_diluent() -> None:
    """[label] dilute in 250 mL 0.9% Sodium Chloride; 5% Dextrose must not be used."""
    assert TDM1.diluent == "250 mL 0.9% Sodium Chloride"
    assert (TDM1.diluent_volume_ml, TDM1.diluent_fluid) == (250, "0.9% Sodium Chloride")
    assert "dextrose" not in TDM1.diluent.lower()


def test_stability_windows() -> None:
    """[label] reconstituted vial up to 24 h at 2-8 °C; diluted bag up to 24 h at 2-8 °C,
    in addition to the vial's 24 h."""
    assert TDM1.storage == "2-8 °C"
    assert TDM1.vial_hold == timedelta(hours=24)
    assert TDM1.bag_hold == timedelta(hours=24)


def test_the_regimen_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        TDM1.cycle_length_days = 14  # type: ignore[misc]


# --- the registry -----------------------------------------------------------------------


def test_tdm1_is_the_one_regimen_shipped() -> None:
    assert dict(REGIMENS) == {"TDM1": TDM1}
    assert DEFAULT_REGIMEN is TDM1
    assert regimen_for("TDM1") is TDM1
    assert regimen_for(" tdm1 ") is TDM1


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(DomainError, match="regimen_code: unknown regimen 'T-DXD'; known: TDM1"):
        regimen_for("T-DXD")


def test_the_registry_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        REGIMENS["X"] = TDM1  # type: ignore[index]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"code": "tdm1"}, "upper case"),
        ({"cycle_length_days": 0}, "cycle_length_days"),
        ({"later_infusion_min": 120}, "later infusions"),
        ({"dose_levels_mg_per_kg": (2.4, 3.0, 3.6)}, "highest first"),
        ({"dose_levels_mg_per_kg": (3.6, 3.6)}, "highest first"),
        ({"max_dose_mg_per_kg": 3.0}, "above the maximum"),
        ({"course_lengths": ()}, "course length"),
        ({"course_lengths": (CourseLength("EBC", 14),) * 2}, "course length"),
        ({"vials": (Vial(160, 8.0), Vial(100, 5.0))}, "smallest first"),
        ({"mbc_default_horizon_cycles": 0}, "horizon"),
    ],
)
def test_an_inconsistent_regimen_is_refused(change: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        dataclasses.replace(TDM1, **change)  # type: ignore[arg-type]


# --- the old names are reads of the regimen ----------------------------------------------


def test_regimen_module_aliases() -> None:
    assert TDM1.drug_name == regimen.DRUG_NAME
    assert TDM1.drug_name_reminder == regimen.DRUG_NAME_REMINDER
    assert TDM1.cycle_length_days == regimen.CYCLE_LENGTH_DAYS
    assert TDM1.first_infusion_min == regimen.FIRST_INFUSION_MIN
    assert TDM1.later_infusion_min == regimen.LATER_INFUSION_MIN
    assert TDM1.first_observation_min == regimen.FIRST_OBSERVATION_MIN
    assert TDM1.later_observation_min == regimen.LATER_OBSERVATION_MIN
    assert TDM1.total_cycles("EBC") == regimen.EBC_TOTAL_CYCLES
    assert TDM1.mbc_default_horizon_cycles == regimen.MBC_DEFAULT_HORIZON_CYCLES
    assert TDM1.dose_levels_mg_per_kg == regimen.DOSE_LEVELS_MG_PER_KG
    assert TDM1.max_dose_mg_per_kg == regimen.MAX_DOSE_LEVEL_MG_PER_KG


def test_policy_defaults_stay_site_settings() -> None:
    """[policy] prep and the early window are a site's, not the regimen's."""
    assert (regimen.DEFAULT_PREP_MIN, regimen.DEFAULT_EARLY_WINDOW_DAYS) == (15, 0)


def test_tolerance_aliases() -> None:
    assert TDM1.first_infusion_min == tolerance.FIRST_INFUSION_MIN
    assert TDM1.later_infusion_min == tolerance.LATER_INFUSION_MIN
    assert TDM1.later_infusion_min == tolerance.SHORTEST_INFUSION_MIN


def test_dosing_aliases() -> None:
    assert TDM1.vial_sizes_mg == dosing.VIAL_SIZES_MG
    assert TDM1.water_ml_per_vial() == dosing.WATER_ML_PER_VIAL
    assert TDM1.concentration_mg_per_ml == dosing.CONCENTRATION_MG_PER_ML
    assert TDM1.diluent == dosing.DILUENT
    assert TDM1.diluent_volume_ml == dosing.DILUENT_VOLUME_ML


def test_stability_aliases() -> None:
    assert TDM1.vial_hold == stability.VIAL_HOLD
    assert TDM1.bag_hold == stability.BAG_HOLD
    assert stability.HALF_NORMAL_SALINE_DILUENT == "250 mL 0.45% Sodium Chloride"


# --- the rules take a regimen, T-DM1 by default --------------------------------------------

# A made-up regimen that differs from T-DM1 in every value the rules read.
OTHER = Regimen(
    code="OTHER",
    drug_name="other drug",
    drug_name_reminder="",
    cycle_length_days=14,
    first_infusion_min=60,
    later_infusion_min=45,
    first_observation_min=60,
    later_observation_min=15,
    dose_levels_mg_per_kg=(5.0, 4.0),
    max_dose_mg_per_kg=5.0,
    course_lengths=(CourseLength("EBC", 6), CourseLength("MBC", None)),
    mbc_default_horizon_cycles=4,
    vials=(Vial(50, 2.5),),
    concentration_mg_per_ml=20.0,
    diluent_fluid="0.9% Sodium Chloride",
    diluent_volume_ml=100,
    storage="2-8 °C",
    vial_hold=timedelta(hours=8),
    bag_hold=timedelta(hours=4),
)


def test_total_cycles_and_cycle_number_read_the_regimen() -> None:
    assert regimen.total_cycles(Setting.EBC) == 14
    assert regimen.total_cycles(Setting.EBC, OTHER) == 6
    assert regimen.total_cycles(Setting.MBC, OTHER) is None
    assert regimen.check_cycle_number(Setting.EBC, 14) == 14
    with pytest.raises(DomainError, match="an EBC course has 6 cycles, got 7"):
        regimen.check_cycle_number(Setting.EBC, 7, OTHER)
    with pytest.raises(DomainError, match="an EBC course has 14 cycles, got 15"):
        regimen.check_cycle_number(Setting.EBC, 15)
    assert regimen.check_cycle_number(Setting.MBC, 40, OTHER) == 40


def test_chair_time_and_dose_rules_read_the_regimen() -> None:
    assert regimen.chair_time_for_next([], 15) == regimen.ChairTime(15, 90, 90)
    assert regimen.chair_time_for_next([], 15, OTHER) == regimen.ChairTime(15, 60, 60)
    tolerated = [InfusionOutcome(60, tolerated=True)]
    assert regimen.chair_time_for_next(tolerated, 10, OTHER) == regimen.ChairTime(10, 45, 15)
    assert tolerance.next_infusion_min([], OTHER) == 60
    assert regimen.check_dose_level(4.0, OTHER) == 4.0
    with pytest.raises(DomainError, match=r"above the maximum of 3\.6"):
        regimen.check_dose_level(4.0)
    assert regimen.next_lower_dose_level(5.0, OTHER) == 4.0
    assert regimen.next_lower_dose_level(4.0, OTHER) is None
    assert regimen.check_reduction(5.0, 4.0, OTHER) == 4.0


def test_course_planning_reads_the_regimen() -> None:
    """A course of another regimen plans its own cycle count, spacing and chair time;
    without one the rules are T-DM1's (EBC 14 cycles 21 days apart, 90 + 90 first)."""
    calendar = ClinicCalendar(
        zone_from_name("America/New_York"), weekday_hours(time(8), time(17)), frozenset()
    )
    rules = PlanningRules()
    monday = date(2027, 1, 4)
    tdm1_days = course.plan_days(Setting.EBC, [], calendar, rules, first_day=monday)
    assert len(tdm1_days) == 14
    assert (tdm1_days[1].day - tdm1_days[0].day).days == 21
    assert tdm1_days[0].chair_time == regimen.ChairTime(15, 90, 90)
    other_days = course.plan_days(Setting.EBC, [], calendar, rules, first_day=monday, regimen=OTHER)
    assert [p.cycle for p in other_days] == [1, 2, 3, 4, 5, 6]
    assert (other_days[1].day - other_days[0].day).days == 14
    assert other_days[0].chair_time == regimen.ChairTime(15, 60, 60)
    assert other_days[1].chair_time == regimen.ChairTime(15, 45, 15)
    assert course.course_status(Setting.EBC, 6, False, regimen=OTHER) is CourseStatus.COMPLETED
    assert course.course_status(Setting.EBC, 6, False) is CourseStatus.ACTIVE
    assert course.cycles_to_plan(Setting.MBC, 2, rules, regimen=OTHER) == range(3, 9)
    given = datetime(2027, 1, 4, 14, tzinfo=UTC)
    assert (
        course.spacing_problem(1, given, date(2027, 1, 18), calendar, rules, regimen=OTHER) is None
    )
    assert "21 days apart" in (
        course.spacing_problem(1, given, date(2027, 1, 18), calendar, rules) or ""
    )
    assert course.check_new_course(Setting.MBC, monday, [], calendar, rules, regimen=OTHER) == 5.0


def test_a_course_record_defaults_to_the_default_regimen() -> None:
    """A course from before m007 (no regimen_code) gives T-DM1."""
    from tdm1_scheduler.domain.records import DEFAULT_REGIMEN_CODE

    assert regimen_for(DEFAULT_REGIMEN_CODE) is DEFAULT_REGIMEN


def test_vial_plan_reads_the_regimen() -> None:
    """T-DM1's plan is the 100/160 mg one; another regimen's vials, water and
    concentration are its own, and the search covers any number of vial sizes."""
    assert dosing.vial_plan(252.0).vials == ((160, 1), (100, 1))
    assert dosing.vial_plan(252.0).regimen is TDM1
    plan = dosing.vial_plan(120.0, OTHER)
    assert (plan.vials, plan.water_ml_total, plan.withdraw_ml) == (((50, 3),), 7.5, 6.0)
    with pytest.raises(DomainError, match=r"no 100 mg vial; sizes are \(50,\)"):
        dosing.VialPlan(dose_mg=80.0, vials=((100, 1),), regimen=OTHER)
    three = dataclasses.replace(OTHER, vials=(Vial(20, 1.0), Vial(50, 2.5), Vial(100, 5.0)))
    assert dosing.vial_plan(130.0, three).vials == ((50, 1), (20, 4))  # no waste
    assert dosing.vial_plan(100.0, three).vials == ((100, 1),)  # fewest vials


def test_stability_windows_read_the_regimen() -> None:
    """T-DM1: vial 24 h, bag 24 h more [label]; another regimen's windows are its own."""
    at = datetime(2027, 1, 4, 14, tzinfo=UTC)
    assert stability.vial_expires_at(at) == at + timedelta(hours=24)
    assert stability.bag_expires_at(at, OTHER) == at + timedelta(hours=4)
    prep = stability.Preparation(at, at + timedelta(hours=1), regimen=OTHER)
    assert prep.bag_expires_at == at + timedelta(hours=5)
    assert stability.Preparation(at, None, regimen=OTHER).infuse_by == at + timedelta(hours=12)
    assert stability.Preparation(at, None).infuse_by == at + timedelta(hours=48)
    with pytest.raises(DomainError, match=r"\(8 h at 2-8 °C \[label\]\)"):
        stability.check_dilution(at, at + timedelta(hours=9), OTHER)
    with pytest.raises(DomainError, match=r"\(24 h at 2-8 °C after dilution \[label\]\)"):
        stability.check_can_start(stability.Preparation(at, at), at + timedelta(hours=25))
    with pytest.raises(DomainError, match=r"\(4 h at 2-8 °C after dilution \[label\]\)"):
        stability.check_can_start(
            stability.Preparation(at, at, regimen=OTHER), at + timedelta(hours=5)
        )
    with pytest.raises(DomainError, match=r"not yet diluted in 100 mL 0\.9% Sodium Chloride"):
        stability.check_can_start(stability.Preparation(at, None, regimen=OTHER), at)


def test_dose_ceiling_reads_the_regimen() -> None:
    """[label] never above 3.6 mg/kg for T-DM1; another regimen's ceiling is its own."""
    assert dosing.dose_mg(3.6, 70) == 252.0
    assert dosing.dose_mg(5.0, 70, OTHER) == 350.0
    with pytest.raises(DomainError, match=r"above the maximum of 3\.6 mg/kg"):
        dosing.dose_mg(5.0, 70)
    with pytest.raises(DomainError, match=r"above the maximum of 5\.0 mg/kg"):
        dosing.check_dose_level_ceiling(5.5, OTHER)
