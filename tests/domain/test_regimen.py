"""Regimen facts (tdm1_scheduler.domain.regimen).

Facts checked, with their tags from shared/domain/TDM1_RULES.md:
[label] 21-day cycle; first infusion 90 min + 90 min observation; later infusions 30 + 30
when the prior ones were tolerated; EBC 14 cycles, MBC no fixed count; 3.6 mg/kg maximum,
no re-escalation. [label-2013] ladder 3.6 -> 3.0 -> 2.4, a further reduction stops.
[policy] prep 15 min; after a reaction the next infusion keeps the duration last given.
"""

from __future__ import annotations

import pytest

from tdm1_scheduler.domain import regimen
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.regimen import (
    ChairTime,
    InfusionOutcome,
    Setting,
    chair_time_for_next,
    check_cycle_number,
    check_dose_level,
    check_reduction,
    next_lower_dose_level,
    parse_setting,
    total_cycles,
)

TOLERATED_90 = InfusionOutcome(90, tolerated=True)
TOLERATED_30 = InfusionOutcome(30, tolerated=True)


# --- constants ----------------------------------------------------------------------


def test_cycle_is_21_days() -> None:
    """[label] One dose every 3 weeks: a 21-day cycle (Q3W)."""
    assert regimen.CYCLE_LENGTH_DAYS == 21


def test_first_and_later_durations() -> None:
    """[label] First infusion 90 min, observed 90 min; later 30 min, observed 30 min."""
    assert (regimen.FIRST_INFUSION_MIN, regimen.FIRST_OBSERVATION_MIN) == (90, 90)
    assert (regimen.LATER_INFUSION_MIN, regimen.LATER_OBSERVATION_MIN) == (30, 30)


def test_policy_defaults() -> None:
    """[policy] prep 15 min, MBC rolling horizon 6 cycles, early window 0 days."""
    assert regimen.DEFAULT_PREP_MIN == 15
    assert regimen.MBC_DEFAULT_HORIZON_CYCLES == 6
    assert regimen.DEFAULT_EARLY_WINDOW_DAYS == 0


def test_drug_name_is_never_trastuzumab_alone() -> None:
    """[label] + FDA 2013: show the full nonproprietary name with the brand."""
    assert regimen.DRUG_NAME.startswith("ado-trastuzumab emtansine")
    assert "KADCYLA" in regimen.DRUG_NAME
    assert "Enhertu" in regimen.DRUG_NAME_REMINDER


# --- course length ------------------------------------------------------------------


def test_ebc_has_14_cycles_mbc_has_no_end() -> None:
    """[label] EBC: 14 cycles in total; MBC: treat until progression (no fixed count)."""
    assert total_cycles(Setting.EBC) == 14
    assert total_cycles(Setting.MBC) is None


@pytest.mark.parametrize(("text", "expected"), [("ebc", Setting.EBC), (" MBC ", Setting.MBC)])
def test_parse_setting_accepts_both(text: str, expected: Setting) -> None:
    """[label] The two settings the label distinguishes: EBC and MBC."""
    assert parse_setting(text) is expected


def test_parse_setting_refuses_unknown() -> None:
    """[label] Only EBC and MBC exist; anything else names the field 'setting'."""
    with pytest.raises(DomainError) as err:
        parse_setting("adjuvant")
    assert err.value.field == "setting"
    assert "EBC or MBC" in str(err.value)


@pytest.mark.parametrize("cycle", [1, 7, 14])
def test_ebc_cycle_numbers_in_range(cycle: int) -> None:
    """[label] EBC cycles are numbered 1..14."""
    assert check_cycle_number(Setting.EBC, cycle) == cycle


def test_ebc_cycle_15_refused() -> None:
    """[label] Never plan a 15th cycle for an EBC course."""
    with pytest.raises(DomainError) as err:
        check_cycle_number(Setting.EBC, 15)
    assert err.value.field == "cycle"
    assert "14" in err.value.rule


def test_mbc_cycle_numbers_unbounded() -> None:
    """[label] MBC has no fixed count, so cycle 40 is fine."""
    assert check_cycle_number(Setting.MBC, 40) == 40


@pytest.mark.parametrize("cycle", [0, -1, True, 2.0, "3"])
@pytest.mark.parametrize("setting", list(Setting))
def test_cycle_number_must_be_whole_from_1(setting: Setting, cycle: object) -> None:
    """[label] Cycles count from 1; a bool, float, string or number < 1 is refused."""
    with pytest.raises(DomainError) as err:
        check_cycle_number(setting, cycle)  # type: ignore[arg-type]
    assert err.value.field == "cycle"
    assert str(err.value).startswith("cycle: ")


# --- chair time ---------------------------------------------------------------------


def test_first_infusion_chair_time() -> None:
    """[label] First infusion 90 min + 90 min observation; [policy] prep 15 -> 195 min."""
    chair = chair_time_for_next([])
    assert chair == ChairTime(15, 90, 90)
    assert chair.total_min == 195


def test_second_infusion_after_tolerated_first() -> None:
    """[label] Later infusions 30 min + 30 min observation when prior were tolerated."""
    chair = chair_time_for_next([TOLERATED_90])
    assert chair == ChairTime(15, 30, 30)
    assert chair.total_min == 75


def test_many_tolerated_stay_short() -> None:
    """[label] 30 + 30 as long as every prior infusion was tolerated."""
    history = [TOLERATED_90] + [TOLERATED_30] * 6
    assert chair_time_for_next(history) == ChairTime(15, 30, 30)


def test_reaction_on_first_keeps_duration_actually_given() -> None:
    """[policy] after a reaction the next infusion keeps the duration actually given
    (here a first infusion slowed to 120 min); observation 30."""
    chair = chair_time_for_next([InfusionOutcome(120, tolerated=False)])
    assert chair == ChairTime(15, 120, 30)


def test_reaction_later_is_never_shortened_automatically() -> None:
    """[policy] a reaction at cycle 3 given over 75 min: next is 75, not the 30 of a
    tolerated course; observation 30."""
    history = [TOLERATED_90, TOLERATED_30, InfusionOutcome(75, tolerated=False)]
    assert chair_time_for_next(history) == ChairTime(15, 75, 30)


def test_after_reaction_keeps_last_given_even_when_last_was_tolerated() -> None:
    """[policy] once a reaction happened, the next infusion takes the duration given last
    time (here 60 min, tolerated after a 90-min reaction), never the 30-min default."""
    history = [
        InfusionOutcome(90, tolerated=False),
        InfusionOutcome(60, tolerated=True),
    ]
    assert chair_time_for_next(history) == ChairTime(15, 60, 30)


def test_prep_is_a_site_setting() -> None:
    """[policy] pre-infusion chair time is a site setting (default 15)."""
    assert chair_time_for_next([TOLERATED_90], prep_min=25) == ChairTime(25, 30, 30)
    assert chair_time_for_next([], prep_min=0).total_min == 180


def test_negative_prep_refused() -> None:
    """[policy] prep minutes cannot be negative; the error names prep_min."""
    with pytest.raises(DomainError) as err:
        chair_time_for_next([], prep_min=-5)
    assert err.value.field == "prep_min"


def test_chair_time_total_is_sum() -> None:
    """[policy]+[label] chair time = prep + infusion + observation."""
    assert ChairTime(10, 45, 30).total_min == 85


# --- dose ladder --------------------------------------------------------------------


def test_ladder_is_36_30_24() -> None:
    """[label-2013] 3.6 -> 3.0 -> 2.4 mg/kg."""
    assert regimen.DOSE_LEVELS_MG_PER_KG == (3.6, 3.0, 2.4)
    assert regimen.MAX_DOSE_LEVEL_MG_PER_KG == 3.6


@pytest.mark.parametrize(("current", "lower"), [(3.6, 3.0), (3.0, 2.4), (2.4, None)])
def test_next_lower_dose_level(current: float, lower: float | None) -> None:
    """[label-2013] first reduction to 3.0, second to 2.4; a further one stops (None)."""
    assert next_lower_dose_level(current) == lower


def test_next_lower_accepts_float_noise() -> None:
    """[label-2013] a rung computed in floating point (3.0000000001) still maps to 3.0."""
    assert next_lower_dose_level(3.0000000001) == 2.4


@pytest.mark.parametrize("value", [3.6, 3.0, 2.4])
def test_check_dose_level_accepts_rungs(value: float) -> None:
    """[label-2013] the three rungs are valid dose levels."""
    assert check_dose_level(value) == value


@pytest.mark.parametrize("value", [3.7, 4.0, 7.2])
def test_dose_above_max_refused(value: float) -> None:
    """[label] never more than 3.6 mg/kg."""
    with pytest.raises(DomainError) as err:
        check_dose_level(value)
    assert err.value.field == "dose_level_mg_per_kg"
    assert "maximum" in err.value.rule


@pytest.mark.parametrize("value", [3.5, 2.0, 1.8, 0.0, -3.6, float("nan")])
def test_dose_off_ladder_refused(value: float) -> None:
    """[label-2013] only 3.6, 3.0 and 2.4 mg/kg exist; 1.8 (a third reduction) is not one."""
    with pytest.raises(DomainError) as err:
        check_dose_level(value)
    assert err.value.field == "dose_level_mg_per_kg"
    assert "ladder" in err.value.rule


def test_next_lower_refuses_off_ladder() -> None:
    """[label-2013] the ladder has no 3.3 mg/kg rung to step down from."""
    with pytest.raises(DomainError, match="dose_level_mg_per_kg"):
        next_lower_dose_level(3.3)


@pytest.mark.parametrize(("current", "requested"), [(3.6, 3.0), (3.6, 2.4), (3.0, 2.4)])
def test_reduction_allowed(current: float, requested: float) -> None:
    """[label] a reduction goes to a lower rung."""
    assert check_reduction(current, requested) == requested


@pytest.mark.parametrize(("current", "requested"), [(3.0, 3.6), (2.4, 3.0), (2.4, 3.6)])
def test_no_re_escalation(current: float, requested: float) -> None:
    """[label] no re-escalation after a reduction."""
    with pytest.raises(DomainError) as err:
        check_reduction(current, requested)
    assert err.value.field == "dose_level_mg_per_kg"
    assert "re-escalation" in err.value.rule


def test_reduction_to_same_level_refused() -> None:
    """[label-2013] a reduction must go down a rung; staying at 3.0 is not one."""
    with pytest.raises(DomainError, match=r"already at 3\.0"):
        check_reduction(3.0, 3.0)


def test_reduction_from_above_max_refused() -> None:
    """[label] a current level above 3.6 mg/kg is refused outright."""
    with pytest.raises(DomainError, match="maximum"):
        check_reduction(4.0, 3.6)


@pytest.mark.parametrize("minutes", [0, -5])
def test_an_infusion_lasts_at_least_a_minute(minutes: int) -> None:
    """A recorded infusion of zero or negative minutes is impossible input: after a
    reaction it would otherwise plan a negative chair time."""
    with pytest.raises(DomainError) as refused:
        InfusionOutcome(minutes, tolerated=False)
    assert refused.value.field == "infusion_min"
