"""The readiness gate in the write paths (issue 17): the nurse's Start infusion, the
pharmacy's reconstitution and ``dose given``, under off, warn and enforce; overrides
audited; a day's readiness in one read.

The clinic (conftest): New York, three chairs, patient P1. P1's MBC cycle 1 is booked
Monday 2 March 2026 09:00 in Chair 1 (infusion planned 09:15)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.readiness import Verdict
from tdm1_scheduler.services import courses, nurse, pharmacy, readiness
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store import repository as repo
from tests.store import backends

from .conftest import dump, local


def at(ctx: Context, text: str) -> datetime:
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.current = local(text)
    return clock.current


def book(ctx: Context) -> int:
    courses.book_course(ctx, mrn="P1", setting="MBC", first_dose=local("2026-03-02T09:00"))
    record = courses.load_course(ctx.store, "P1")
    return int(record.current[record.dose(1).id].id)


def good_results(ctx: Context, platelets: float = 210_000) -> None:
    sampled = local("2026-03-01T10:00")
    for test, value, uln in (("ast", 25, 40), ("alt", 22, 40), ("bilirubin", 0.5, 1.2)):
        readiness.add_lab(ctx, mrn="P1", test=test, value=value, uln=uln, at=sampled)
    readiness.add_lab(ctx, mrn="P1", test="platelets", value=platelets, uln=None, at=sampled)
    readiness.add_lvef(ctx, mrn="P1", percent=61, at=local("2026-02-20T10:00"))


def gate(ctx: Context, mode: str) -> None:
    readiness.set_readiness_settings(ctx, {"readiness_gate": mode})


def prepared_and_arrived(ctx: Context) -> int:
    appointment = book(ctx)
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T07:30"))
    pharmacy.record_dilution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T08:00"))
    at(ctx, "2026-03-02T09:05")
    nurse.arrive(ctx, appointment_id=appointment)
    at(ctx, "2026-03-02T09:15")
    return appointment


def audits(ctx: Context) -> list[str]:
    return [row["action"] for row in repo.audit_rows(backends.under(ctx.store), 1000)]


def test_defaults_and_a_course_without_results(ctx: Context) -> None:
    book(ctx)
    assert readiness.readiness_gate(ctx.store) == "warn"
    assert readiness.readiness_settings(ctx.store)["lab_freshness_days"] == 3
    assert readiness.dose_readiness(ctx.store, mrn="P1", cycle=1).verdict is Verdict.MISSING


def test_nurse_start_refused_under_enforce_then_allowed_with_an_override(ctx: Context) -> None:
    good_results(ctx, platelets=40_000)  # grade 3: hold
    appointment = prepared_and_arrived(ctx)
    gate(ctx, "enforce")
    before = dump(ctx)
    with pytest.raises(readiness.NotReady) as refused:
        nurse.start_infusion(ctx, appointment_id=appointment)
    assert "hold" in str(refused.value) and refused.value.readiness.verdict is Verdict.HOLD
    assert dump(ctx) == before  # nothing written
    assert not readiness.has_override(ctx.store, mrn="P1", cycle=1, action="start infusion")
    readiness.record_override(
        ctx,
        mrn="P1",
        cycle=1,
        reason="platelets repeated at 80,000 by phone",
        clinician="Dr. Okafor",
        action="start infusion",
    )
    assert readiness.has_override(ctx.store, mrn="P1", cycle=1, action="start infusion")
    assert readiness.has_override(ctx.store, mrn="P1", cycle=1, action="dose given")
    assert not readiness.has_override(ctx.store, mrn="P1", cycle=1, action="reconstitute")
    nurse.start_infusion(ctx, appointment_id=appointment)
    assert courses.load_course(ctx.store, "P1").dose(1).status == "given"
    assert "override readiness" in audits(ctx)
    (row,) = backends.execute(
        ctx.store, "SELECT verdict, clinician FROM readiness_overrides"
    ).fetchall()
    assert row == ("hold", "Dr. Okafor")


@pytest.mark.parametrize("mode", ["off", "warn"])
def test_nurse_start_proceeds_under_off_and_warn(ctx: Context, mode: str) -> None:
    good_results(ctx, platelets=40_000)
    appointment = prepared_and_arrived(ctx)
    gate(ctx, mode)
    nurse.start_infusion(ctx, appointment_id=appointment)
    assert courses.load_course(ctx.store, "P1").dose(1).status == "given"


def test_nurse_start_under_enforce_when_ready(ctx: Context) -> None:
    good_results(ctx)
    appointment = prepared_and_arrived(ctx)
    gate(ctx, "enforce")
    assert readiness.dose_readiness(ctx.store, mrn="P1", cycle=1).verdict is Verdict.READY
    nurse.start_infusion(ctx, appointment_id=appointment)
    assert "override readiness" not in audits(ctx)


def test_reconstitute_under_enforce_needs_a_reason(ctx: Context) -> None:
    book(ctx)  # no results: missing
    gate(ctx, "enforce")
    before = dump(ctx)
    with pytest.raises(readiness.NotReady, match="missing"):
        pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T07:30"))
    assert dump(ctx) == before
    with pytest.raises(DomainError, match="reason"):
        readiness.record_override(
            ctx, mrn="P1", cycle=1, reason="  ", clinician="Dr. O", action="reconstitute"
        )
    readiness.record_override(
        ctx, mrn="P1", cycle=1, reason="labs at the outside clinic", clinician="Dr. O",
        action="reconstitute",
    )  # fmt: skip
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T07:30"))
    assert repo.preparation_for_dose(
        backends.under(ctx.store), courses.load_course(ctx.store, "P1").dose(1).id
    )


def test_dose_given_under_enforce(ctx: Context) -> None:
    book(ctx)
    gate(ctx, "enforce")
    with pytest.raises(readiness.NotReady):
        courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local("2026-03-02T09:15"))
    good_results(ctx)
    courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local("2026-03-02T09:15"))


def test_bad_override_action_and_settings(ctx: Context) -> None:
    book(ctx)
    with pytest.raises(DomainError, match="action"):
        readiness.record_override(ctx, mrn="P1", cycle=1, reason="x", clinician="y", action="go")
    for key, value in (("readiness_gate", "strict"), ("lab_freshness_days", "0"),
                       ("lvef_interval_weeks", "53"), ("lab_freshness_days", "two")):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            readiness.set_readiness_settings(ctx, {key: value})
        assert refused.value.field == key
    readiness.set_readiness_settings(ctx, {"lab_freshness_days": "1"})
    assert readiness.readiness_settings(ctx.store)["lab_freshness_days"] == 1


def test_a_days_readiness_in_one_read(ctx: Context) -> None:
    appointment = book(ctx)
    good_results(ctx)
    with backends.statements(ctx.store) as statements:
        day = readiness.readiness_for_appointments(ctx.store, [appointment, 99999])
    assert set(day) == {appointment}
    assert day[appointment].verdict is Verdict.READY
    assert len(statements) < 12  # a fixed number of queries, not one per row


def test_weight_change_flags_the_dose_in_the_reasons(ctx: Context) -> None:
    from tdm1_scheduler.services import patients

    book(ctx)
    good_results(ctx)
    changes = patients.update_patient(ctx, mrn="P1", weight_kg="63")  # 70 -> 63: -10%
    assert any("recalculate" in note for note in changes.notes)
    rules = [r.rule for r in readiness.dose_readiness(ctx.store, mrn="P1", cycle=1).reasons]
    assert "weight-recalculate" in rules
    patients.update_patient(ctx, mrn="P1", weight_kg="69")
    rules = [r.rule for r in readiness.dose_readiness(ctx.store, mrn="P1", cycle=1).reasons]
    assert "weight-recalculate" not in rules
