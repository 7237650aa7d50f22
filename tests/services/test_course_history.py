"""Rules that reach across a patient's courses and doses, each through the services.

[label] doses stay 21 days apart, never re-escalated, never a 15th EBC dose, permanently
stopped after a life-threatening reaction; [policy] a slowed infusion keeps its length.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import clinic, courses, pharmacy
from tdm1_scheduler.services.context import Context

from .conftest import cycles, dump, local, start_of


def given_then_stopped(ctx: Context, reason: str = "other") -> None:
    """P1: EBC cycle 1 given Mon 2026-03-02, reduced to 3.0 mg/kg, then stopped."""
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"))
    courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local("2026-03-02T09:15"))
    courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=3.0)
    courses.stop_course(ctx, mrn="P1", reason=reason)


def test_a_new_course_keeps_21_days_after_the_last_dose_of_an_earlier_one(ctx: Context) -> None:
    given_then_stopped(ctx)
    before = dump(ctx)
    with pytest.raises(DomainError) as refused:
        courses.book_course(ctx, mrn="P1", setting="MBC", first_dose=local("2026-03-03T09:00"))
    assert refused.value.field == "first_dose" and "only 1 days after" in refused.value.rule
    assert dump(ctx) == before
    courses.book_course(ctx, mrn="P1", setting="MBC", first_dose=local("2026-03-23T09:00"))


def test_a_new_course_never_re_escalates_the_dose(ctx: Context) -> None:
    from tdm1_scheduler.services.queries import course_view

    given_then_stopped(ctx)
    courses.book_course(ctx, mrn="P1", setting="MBC", first_dose=local("2026-03-23T09:00"))
    view = course_json(course_view(ctx.store, "P1"))
    assert view["dose_level_mg_per_kg"] == 3.0
    assert {c["dose_level_mg_per_kg"] for c in view["cycles"]} == {3.0}


def test_no_second_ebc_course_after_ebc_doses_were_given(ctx: Context) -> None:
    given_then_stopped(ctx)
    with pytest.raises(DomainError) as refused:
        courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-23T09:00"))
    assert refused.value.field == "setting" and "14 doses in total" in refused.value.rule


def test_no_new_course_after_a_life_threatening_reaction(ctx: Context) -> None:
    given_then_stopped(ctx, reason="life-threatening reaction")
    with pytest.raises(DomainError, match="permanently stopped"):
        courses.book_course(ctx, mrn="P1", setting="MBC", first_dose=local("2026-04-06T09:00"))


def test_a_shorter_mbc_horizon_still_keeps_every_booking_21_days_apart(ctx: Context) -> None:
    courses.book_course(ctx, mrn="P1", setting="MBC", first_dose=local("2026-03-02T09:00"))
    clinic.update_settings(ctx, {"mbc_horizon_cycles": 2})
    courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local("2026-03-12T09:15"))
    booked = [c for c in cycles(ctx, "P1") if c["status"] in ("booked", "given")]
    days = [start_of(c).date() for c in booked]
    gaps = [(later - earlier).days for earlier, later in pairwise(days)]
    assert len(booked) >= 6 and min(gaps) >= 21


def test_an_infusion_longer_than_booked_counts_as_not_tolerated(ctx: Context) -> None:
    """[policy] slowed to 120 min without a reaction flag: the next one still gets 120."""
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"))
    courses.record_dose_given(
        ctx, mrn="P1", cycle=1, given_at=local("2026-03-02T09:15"), infusion_min=120
    )
    second = cycles(ctx, "P1")[1]
    assert (second["infusion_min"], second["observation_min"]) == (120, 30)


def test_a_dose_is_not_recorded_as_given_from_an_undiluted_vial(ctx: Context) -> None:
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"))
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T07:30"))
    before = dump(ctx)
    with pytest.raises(DomainError) as refused:
        courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local("2026-03-02T09:15"))
    assert refused.value.field == "preparation" and "not yet diluted" in refused.value.rule
    assert dump(ctx) == before
