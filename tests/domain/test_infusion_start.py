"""Can this infusion start (domain.infusion_start) and the readiness gate it asks
(domain.readiness_gate): every branch, with the texts the services and the board show.

[label] the diluted bag may start an infusion up to 24 h after dilution, the dilution
up to 24 h after reconstitution; [policy] a bag made for another dose is never infused;
the site's readiness_gate is off, warn or enforce (issue 17)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tdm1_scheduler.domain.course import CourseStatus, CycleStatus, check_active
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.infusion_start import (
    Refusal,
    StartFacts,
    bag_dose_refusal,
    bag_matches_dose,
    bag_refusal,
    ordered_mg,
    start_refusal,
)
from tdm1_scheduler.domain.readiness import Readiness, Reason, Verdict
from tdm1_scheduler.domain.readiness_gate import (
    GateAnswer,
    GateCheck,
    is_ready,
    not_ready_rule,
    nothing_on_record,
)
from tdm1_scheduler.domain.records import Dose, Preparation

NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
RECON = datetime(2026, 6, 10, 8, 0, tzinfo=NEW_YORK)  # 12:00 UTC
DILUTED = RECON + HOUR
START = RECON + 2 * HOUR

DOSE = Dose(
    id=7,
    course_id=1,
    cycle=3,
    status=CycleStatus.BOOKED,
    dose_level_mg_per_kg=3.6,
    weight_kg=72.0,
    weight_measured_at=RECON - timedelta(days=2),
    given_at=None,
    infusion_actual_min=None,
    tolerated=None,
    reaction_grade=None,
    infusion_completed=None,
    infusion_planned_min=None,
    version=1,
)
BAG = Preparation(
    id=3,
    dose_id=7,
    reconstituted_at=RECON,
    vial_lots="L1",
    storage="2-8 °C",
    diluted_at=DILUTED,
    diluent="250 mL 0.9% Sodium Chloride",
    dose_mg=259.2,  # 3.6 mg/kg x 72 kg
    discarded_at=None,
    discard_reason=None,
    wasted_mg=None,
    used_at=None,
    version=1,
)


def readiness(verdict: Verdict, *rules: str) -> Readiness:
    reasons = tuple(Reason(rule, f"{rule} text") for rule in rules)
    return Readiness(verdict, reasons, (), None, None, False, False)


READY = readiness(Verdict.READY)
HOLD = readiness(Verdict.HOLD, "platelets-grade-3")
NOTHING = readiness(Verdict.MISSING, "no-results")
GO = GateCheck("warn", READY, False)


def facts(**changes: object) -> StartFacts:
    base = StartFacts("MRN1", CourseStatus.ACTIVE, DOSE, BAG, GO)
    return replace(base, **changes)  # type: ignore[arg-type]


# --- the bag-matches-dose rule -----------------------------------------------------------
def test_the_ordered_dose_is_level_times_the_kept_weight() -> None:
    assert ordered_mg(DOSE) == 259.2
    assert bag_matches_dose(BAG, DOSE)
    assert bag_dose_refusal(BAG, DOSE) is None


def test_a_bag_for_another_dose_is_refused_with_both_amounts() -> None:
    reduced = replace(DOSE, dose_level_mg_per_kg=3.0)  # reduced since the bag was made
    assert not bag_matches_dose(BAG, reduced)
    assert bag_dose_refusal(BAG, reduced) == Refusal(
        "preparation",
        "the bag holds 259.2 mg but the dose is now 216 mg (3 mg/kg x 72 kg):"
        " discard it and prepare a new one",
    )
    reweighed = replace(DOSE, weight_kg=70.0)
    assert bag_dose_refusal(BAG, reweighed) is not None


def test_within_rounding_is_the_same_dose_and_no_mg_on_record_is_taken_as_made_for_it() -> None:
    assert bag_matches_dose(replace(BAG, dose_mg=259.24), DOSE)
    assert not bag_matches_dose(replace(BAG, dose_mg=259.3), DOSE)
    assert bag_matches_dose(replace(BAG, dose_mg=None), DOSE)


# --- the bag for a start ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("prep", "at", "rule"),
    [
        (None, START, "never prepared (no reconstitution recorded)"),
        (
            replace(BAG, diluted_at=None),
            START,
            "not yet diluted in 250 mL 0.9% Sodium Chloride (reconstituted vial expires at"
            " 2026-06-11T12:00:00+00:00)",
        ),
        (
            BAG,
            DILUTED - SECOND,
            "not yet diluted at 2026-06-10T12:59:59+00:00 (dilution recorded at"
            " 2026-06-10T13:00:00+00:00)",
        ),
        (
            BAG,
            DILUTED + 24 * HOUR + SECOND,
            "bag expired at 2026-06-11T13:00:00+00:00 (24 h at 2-8 °C after dilution [label]);"
            " start at 2026-06-11T13:00:01+00:00 refused",
        ),
        (
            replace(BAG, used_at=START),
            START,
            "already used at 2026-06-10T14:00:00+00:00",
        ),
        (
            replace(BAG, discarded_at=START),
            START,
            "discarded at 2026-06-10T14:00:00+00:00",
        ),
    ],
    ids=["no-prep", "vial-only", "before-dilution", "bag-expired", "used", "discarded"],
)
def test_a_bag_that_cannot_serve_the_start(
    prep: Preparation | None, at: datetime, rule: str
) -> None:
    assert bag_refusal(prep, DOSE, at) == Refusal("preparation", rule)


def test_an_expired_vial_never_diluted_cannot_serve_a_start() -> None:
    vial = replace(BAG, diluted_at=None)
    refusal = bag_refusal(vial, DOSE, RECON + 30 * HOUR)
    assert refusal is not None and refusal.rule.startswith("not yet diluted in")


def test_the_bag_window_ends_inclusive_at_24_hours() -> None:
    assert bag_refusal(BAG, DOSE, DILUTED + 24 * HOUR) is None
    assert bag_refusal(BAG, DOSE, DILUTED) is None


def test_the_window_is_checked_before_the_dose() -> None:
    reduced = replace(DOSE, dose_level_mg_per_kg=3.0)
    late = bag_refusal(BAG, reduced, DILUTED + 25 * HOUR)
    assert late is not None and late.rule.startswith("bag expired at")
    wrong = bag_refusal(BAG, reduced, START)
    assert wrong is not None and wrong.rule.startswith("the bag holds 259.2 mg")


def test_a_naive_instant_is_a_programming_error_not_a_refusal() -> None:
    with pytest.raises(DomainError) as raised:
        bag_refusal(BAG, DOSE, datetime(2026, 6, 10, 10, 0))
    assert raised.value.field == "infusion_start"


# --- the readiness gate ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("gate", "verdict", "overridden", "answer"),
    [
        ("off", None, False, GateAnswer.GO),
        ("warn", READY, False, GateAnswer.GO),
        ("warn", HOLD, False, GateAnswer.ACKNOWLEDGE),
        ("warn", HOLD, True, GateAnswer.GO),
        ("warn", NOTHING, False, GateAnswer.GO),  # nothing on record: shown, not asked
        ("enforce", READY, False, GateAnswer.GO),
        ("enforce", HOLD, False, GateAnswer.OVERRIDE),
        ("enforce", HOLD, True, GateAnswer.GO),
        ("enforce", NOTHING, False, GateAnswer.OVERRIDE),
    ],
)
def test_the_gate_answers(
    gate: str, verdict: Readiness | None, overridden: bool, answer: GateAnswer
) -> None:
    check = GateCheck(gate, verdict, overridden)
    assert check.answer is answer
    assert check.needs_override is (answer is GateAnswer.OVERRIDE)
    assert check.needs_acknowledgement is (answer is GateAnswer.ACKNOWLEDGE)


def test_ready_and_nothing_on_record() -> None:
    assert is_ready(READY) and not is_ready(HOLD) and not is_ready(None)
    assert nothing_on_record(NOTHING) and not nothing_on_record(HOLD)
    assert not nothing_on_record(readiness(Verdict.MISSING, "lab-missing"))
    assert not nothing_on_record(None)


def test_the_refusal_names_the_verdict_and_its_first_reason_not_the_ebc_note() -> None:
    ebc = readiness(Verdict.REVIEW, "ebc-table-unverified", "platelets-review")
    assert not_ready_rule("start infusion", "MRN1", 3, ebc) == (
        "cycle 3 of MRN1 is review (platelets-review: platelets-review text); under"
        " readiness_gate = enforce, start infusion needs a clinician's override with a reason"
    )
    bare = readiness(Verdict.MISSING)
    assert not_ready_rule("dose given", "MRN1", 3, bare) == (
        "cycle 3 of MRN1 is missing; under readiness_gate = enforce, dose given needs a"
        " clinician's override with a reason"
    )


# --- can this infusion start -------------------------------------------------------------
def test_a_ready_dose_with_a_good_bag_may_start() -> None:
    assert start_refusal(facts(), START) is None


@pytest.mark.parametrize("status", [CourseStatus.STOPPED, CourseStatus.COMPLETED])
def test_a_course_not_active_gives_nothing_more(status: CourseStatus) -> None:
    refusal = start_refusal(facts(course_status=status, prep=None), START)
    assert refusal == Refusal("course", f"the course is {status.value}")
    with pytest.raises(DomainError, match=f"course: the course is {status.value}"):
        check_active(status)
    check_active("active")


def test_the_bag_is_refused_before_the_gate_asks_for_an_override() -> None:
    blocked = GateCheck("enforce", HOLD, False)
    refusal = start_refusal(facts(prep=None, gate=blocked), START)
    assert refusal == Refusal("preparation", "never prepared (no reconstitution recorded)")


def test_a_hold_under_enforce_needs_an_override() -> None:
    refusal = start_refusal(facts(gate=GateCheck("enforce", HOLD, False)), START)
    assert refusal == Refusal("readiness", not_ready_rule("start infusion", "MRN1", 3, HOLD))
    assert refusal.overridable  # only the gate's refusal is: never the course nor the bag
    assert not Refusal("preparation", "never prepared").overridable
    assert not Refusal("course", "the course is stopped").overridable
    overridden = facts(gate=GateCheck("enforce", HOLD, True))
    assert start_refusal(overridden, START) is None


@pytest.mark.parametrize("gate", [GateCheck("warn", HOLD, False), GateCheck("off", None, False)])
def test_warn_and_off_do_not_refuse(gate: GateCheck) -> None:
    """Under warn the verdict is shown (the board asks for an acknowledgement); it is no
    refusal of the start itself."""
    assert start_refusal(facts(gate=gate), START) is None


def test_the_action_names_the_override_needed() -> None:
    blocked = facts(gate=GateCheck("enforce", HOLD, False), action="dose given")
    refusal = start_refusal(blocked, START)
    assert refusal is not None and "dose given needs a clinician's override" in refusal.rule


def test_after_the_fact_a_bag_not_on_record_is_not_asked_for() -> None:
    assert start_refusal(facts(prep=None, after_the_fact=True), START) is None
    used = replace(BAG, used_at=START - SECOND)
    assert start_refusal(facts(prep=used, after_the_fact=True), START) is None
    assert start_refusal(facts(prep=used), START) == Refusal(
        "preparation", "already used at 2026-06-10T13:59:59+00:00"
    )


def test_after_the_fact_a_bag_on_record_must_still_serve_the_dose() -> None:
    late = start_refusal(facts(after_the_fact=True), DILUTED + 25 * HOUR)
    assert late is not None and late.rule.startswith("bag expired at")
    reduced = replace(DOSE, dose_level_mg_per_kg=3.0)
    wrong = start_refusal(facts(dose=reduced, after_the_fact=True), START)
    assert wrong is not None and wrong.rule.startswith("the bag holds 259.2 mg")


def test_a_refusal_raises_as_the_domain_error_it_names() -> None:
    error = Refusal("preparation", "discarded at x").error()
    assert isinstance(error, DomainError)
    assert (error.field, error.rule, str(error)) == (
        "preparation",
        "discarded at x",
        "preparation: discarded at x",
    )


def test_instants_in_any_zone_compare_as_real_instants() -> None:
    utc_start = START.astimezone(UTC)
    assert start_refusal(facts(), utc_start) is None
    assert bag_refusal(BAG, DOSE, (DILUTED + 24 * HOUR).astimezone(UTC)) is None
