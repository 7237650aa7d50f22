"""The service paths of "can this infusion start" give the domain's answer
(``domain.infusion_start.start_refusal``) for the same facts: the nurse's Start infusion
(and ``nurse.start_check``, which the board asks), ``dose given`` (after the fact), the
tile's bag line, and the pharmacy's bag-for-another-dose warning.

The clinic (conftest): New York, P1 (70 kg), MBC cycle 1 booked Monday 2 March 2026
09:00 in Chair 1, infusion planned 09:15."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.course import CourseStatus
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.infusion_start import Refusal, StartFacts, start_refusal
from tdm1_scheduler.domain.readiness_gate import GateCheck
from tdm1_scheduler.services import courses, nurse, pharmacy, readiness
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.mapping import row_to_preparation
from tests.store import backends

from .conftest import dump, local

START = "2026-03-02T09:15"


def at(ctx: Context, text: str) -> datetime:
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.current = local(text)
    return clock.current


def hold_results(ctx: Context) -> None:
    """Liver tests normal, platelets 40,000/mm³ (grade 3: hold), LVEF 61%."""
    sampled = local("2026-03-01T10:00")
    for test, value, uln in (("ast", 25, 40), ("alt", 22, 40), ("bilirubin", 0.5, 1.2)):
        readiness.add_lab(ctx, mrn="P1", test=test, value=value, uln=uln, at=sampled)
    readiness.add_lab(ctx, mrn="P1", test="platelets", value=40_000, uln=None, at=sampled)
    readiness.add_lvef(ctx, mrn="P1", percent=61, at=local("2026-02-20T10:00"))


def no_prep(ctx: Context) -> None:
    pass


def vial_only(ctx: Context) -> None:
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T07:30"))


def good_bag(ctx: Context) -> None:
    vial_only(ctx)
    pharmacy.record_dilution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T08:00"))


def expired_bag(ctx: Context) -> None:
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-02-28T09:00"))
    pharmacy.record_dilution(ctx, mrn="P1", cycle=1, at=local("2026-03-01T09:00"))


def reduced_since(ctx: Context) -> None:
    good_bag(ctx)  # 252 mg, then the level goes to 3.0 mg/kg: 210 mg
    courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=3.0)


SCENARIOS = {
    # name: (prepare, gate mode, hold results)
    "no-prep": (no_prep, "warn", False),
    "vial-only": (vial_only, "warn", False),
    "expired-bag": (expired_bag, "warn", False),
    "bag-for-another-dose": (reduced_since, "warn", False),
    "hold-enforce": (good_bag, "enforce", True),
    "hold-enforce-no-prep": (no_prep, "enforce", True),
    "hold-warn": (good_bag, "warn", True),
    "off": (good_bag, "off", True),
}


def arrange(ctx: Context, name: str) -> int:
    prepare, mode, hold = SCENARIOS[name]
    courses.book_course(ctx, mrn="P1", setting="MBC", first_dose=local("2026-03-02T09:00"))
    if hold:
        hold_results(ctx)
    prepare(ctx)
    readiness.set_readiness_settings(ctx, {"readiness_gate": mode})
    record = courses.load_course(ctx.store, "P1")
    appointment = int(record.current[record.dose(1).id].id)
    at(ctx, "2026-03-02T09:05")
    nurse.arrive(ctx, appointment_id=appointment)
    at(ctx, START)
    return appointment


def facts_of(ctx: Context, action: str = "start infusion") -> StartFacts:
    """The facts as the test reads them, straight from the store, not through the
    service that is under test."""
    record = courses.load_course(ctx.store, "P1")
    dose = record.dose(1)
    prep = repo.preparation_for_dose(backends.under(ctx.store), dose.id)
    mode = readiness.readiness_gate(ctx.store)
    verdict = None if mode == "off" else readiness.dose_readiness(ctx.store, mrn="P1", cycle=1)
    overridden = readiness.has_override(ctx.store, mrn="P1", cycle=1, action=action)
    return StartFacts(
        mrn="P1",
        course_status=CourseStatus(record.course.status),
        dose=dose,
        prep=None if prep is None else row_to_preparation(prep),
        gate=GateCheck(mode, verdict, overridden),
        action=action,
    )


EXPECTED_FIELD = {
    "no-prep": "preparation",
    "vial-only": "preparation",
    "expired-bag": "preparation",
    "bag-for-another-dose": "preparation",
    "hold-enforce": "readiness",
    "hold-enforce-no-prep": "preparation",  # the bag before the gate
    "hold-warn": None,
    "off": None,
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_nurse_start_gives_the_domain_answer(ctx: Context, name: str) -> None:
    appointment = arrange(ctx, name)
    now = local(START)
    expected = start_refusal(facts_of(ctx), now)
    assert (expected.field if expected else None) == EXPECTED_FIELD[name]

    assert nurse.start_check(ctx.store, appointment, now) == expected
    before = dump(ctx)
    if expected is None:
        nurse.start_infusion(ctx, appointment_id=appointment)
        assert courses.load_course(ctx.store, "P1").dose(1).status == "given"
        return
    with pytest.raises(DomainError) as refused:
        nurse.start_infusion(ctx, appointment_id=appointment)
    assert Refusal(refused.value.field, refused.value.rule) == expected
    if expected.field == "readiness":
        assert isinstance(refused.value, readiness.NotReady)
    assert dump(ctx) == before  # nothing written


@pytest.mark.parametrize("name", ["vial-only", "expired-bag", "bag-for-another-dose", "no-prep"])
def test_the_tile_shows_the_domain_bag_rule(ctx: Context, name: str) -> None:
    appointment = arrange(ctx, name)
    refusal = start_refusal(facts_of(ctx), local(START))
    assert refusal is not None
    assert nurse.tile(ctx.store, appointment, local(START)).bag == refusal.rule
    assert not nurse.tile(ctx.store, appointment, local(START)).bag_ok


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_dose_given_gives_the_domain_answer_after_the_fact(ctx: Context, name: str) -> None:
    arrange(ctx, name)
    facts = replace(facts_of(ctx, "dose given"), after_the_fact=True)
    expected = start_refusal(facts, local(START))
    if name == "no-prep":
        assert expected is None  # a dose recorded afterwards needs no bag on record
    before = dump(ctx)
    if expected is None:
        courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local(START))
        return
    with pytest.raises(DomainError) as refused:
        courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local(START))
    assert Refusal(refused.value.field, refused.value.rule) == expected
    assert dump(ctx) == before


def test_a_bag_for_another_dose_names_both_amounts_everywhere(ctx: Context) -> None:
    appointment = arrange(ctx, "bag-for-another-dose")
    rule = (
        "the bag holds 252 mg but the dose is now 210 mg (3 mg/kg x 70 kg):"
        " discard it and prepare a new one"
    )
    assert nurse.start_check(ctx.store, appointment, local(START)) == Refusal("preparation", rule)
    view = pharmacy.preparation_view(ctx.store, "P1", 1, local(START))
    warning = "prepared 252 mg but the dose is now 210 mg: discard and prepare again"
    assert warning in view.warnings


def test_a_used_bag_is_marked_once_and_a_stopped_course_gives_nothing(ctx: Context) -> None:
    appointment = arrange(ctx, "hold-warn")
    nurse.start_infusion(ctx, appointment_id=appointment)
    record = courses.load_course(ctx.store, "P1")
    prep = repo.preparation_for_dose(backends.under(ctx.store), record.dose(1).id)
    assert prep is not None and prep["used_at"] is not None
    courses.stop_course(ctx, mrn="P1", reason="patient choice")
    facts = facts_of(ctx)
    assert facts.course_status is CourseStatus.STOPPED
    assert start_refusal(facts, local(START)) == Refusal("course", "the course is stopped")
