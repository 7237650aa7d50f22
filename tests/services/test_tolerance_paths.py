"""The tolerance rule at both faces' service paths, read back from the database.

CLI path: ``courses.record_dose_given``. Nurse path: start, pause, reaction, end early as
stopped or completed. Either way a reaction never makes a later infusion faster, and a
grade 4 reaction stops the course [label].
The clinic (conftest): New York, Mon-Fri 08:00-17:00, three chairs, patient P1; cycle 1
booked Monday 2 March 2026 09:00 in Chair 1 (infusion 09:15-10:45), cycle 2 on 23 March.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.records import Dose
from tdm1_scheduler.services import courses, nurse, pharmacy
from tdm1_scheduler.services.context import Context
from tests.store.backends import sqlite_of

from .conftest import dump, local


def at(ctx: Context, text: str) -> datetime:
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.current = local(text)
    return clock.current


def book(ctx: Context) -> None:
    courses.book_course(
        ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"), chair="Chair 1"
    )


def later_minutes(ctx: Context) -> list[int]:
    """The infusion minutes of every booked (future) appointment, in cycle order."""
    rows = (
        sqlite_of(ctx.store)
        .execute(
            "SELECT a.infusion_min FROM appointments a JOIN doses d ON d.id = a.dose_id"
            " WHERE a.status = 'booked' ORDER BY d.cycle"
        )
        .fetchall()
    )
    return [row[0] for row in rows]


def dose(ctx: Context, cycle: int) -> Dose:
    return courses.load_course(ctx.store, "P1").dose(cycle)


def give(ctx: Context, cycle: int, at_text: str, **kw: Any) -> None:
    courses.record_dose_given(ctx, mrn="P1", cycle=cycle, given_at=local(at_text), **kw)


# --- the CLI path ----------------------------------------------------------------------
@pytest.mark.parametrize("minutes", [2, 10, 40])
def test_a_first_infusion_stopped_early_books_the_rest_at_90(ctx: Context, minutes: int) -> None:
    book(ctx)
    give(ctx, 1, "2026-03-02T09:15", infusion_min=minutes, tolerated=False, completed=False)
    assert later_minutes(ctx) == [90] * 13
    row = dose(ctx, 1)
    assert (row.infusion_actual_min, row.infusion_completed) == (minutes, 0)
    assert (row.infusion_planned_min, row.tolerated) == (90, 0)


@pytest.mark.parametrize("minutes", [2, 10])
def test_a_later_infusion_stopped_early_books_the_rest_at_no_less_than_30(
    ctx: Context, minutes: int
) -> None:
    book(ctx)
    give(ctx, 1, "2026-03-02T09:15")
    give(ctx, 2, "2026-03-23T09:15", infusion_min=minutes, reaction_grade=2, completed=False)
    assert later_minutes(ctx) == [30] * 12


@pytest.mark.parametrize("minutes", [45, 60, 120])
def test_a_completed_slowed_infusion_books_the_rest_at_its_minutes(
    ctx: Context, minutes: int
) -> None:
    book(ctx)
    give(ctx, 1, "2026-03-02T09:15")
    give(ctx, 2, "2026-03-23T09:15", infusion_min=minutes, tolerated=False)
    assert later_minutes(ctx) == [minutes] * 12
    assert dose(ctx, 2).infusion_completed == 1


def test_a_completed_infusion_under_30_minutes_is_refused_and_nothing_written(
    ctx: Context,
) -> None:
    book(ctx)
    give(ctx, 1, "2026-03-02T09:15")
    before = dump(ctx)
    with pytest.raises(DomainError) as refused:
        give(ctx, 2, "2026-03-23T09:15", infusion_min=12, tolerated=False)
    assert refused.value.field == "infusion_min" and "stopped" in refused.value.rule
    assert dump(ctx) == before


def test_a_grade_4_reaction_records_the_dose_and_stops_the_course_in_one_step(
    ctx: Context,
) -> None:
    book(ctx)
    give(ctx, 1, "2026-03-02T09:15")
    changes = courses.record_dose_given(
        ctx,
        mrn="P1",
        cycle=2,
        given_at=local("2026-03-23T09:15"),
        infusion_min=8,
        completed=False,
        reaction_grade=4,
    )
    record = courses.load_course(ctx.store, "P1")
    assert record.course.status == "stopped"
    assert record.course.stop_reason == "life-threatening reaction"
    assert record.dose(2).status == "given" and record.dose(2).reaction_grade == 4
    assert [d.status for d in record.doses[2:]] == ["cancelled"] * 12
    assert later_minutes(ctx) == []
    assert any("12 future booking(s) cancelled" in note for note in changes.notes)
    assert any("cycle 3" in note and "2026-04-13" in note for note in changes.notes)
    before = dump(ctx)
    with pytest.raises(DomainError) as refused:
        give(ctx, 3, "2026-04-13T09:15")
    assert refused.value.field == "course"
    assert dump(ctx) == before


# --- the nurse path --------------------------------------------------------------------
def prepared(ctx: Context, cycle: int, day: str) -> None:
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=cycle, at=local(f"{day}T07:30"))
    pharmacy.record_dilution(ctx, mrn="P1", cycle=cycle, at=local(f"{day}T08:00"))


def appointment_of(ctx: Context, cycle: int) -> int:
    record = courses.load_course(ctx.store, "P1")
    return int(record.current[record.dose(cycle).id].id)


def started(ctx: Context, cycle: int = 1, day: str = "2026-03-02") -> int:
    prepared(ctx, cycle, day)
    appointment = appointment_of(ctx, cycle)
    at(ctx, f"{day}T09:05")
    nurse.arrive(ctx, appointment_id=appointment)
    at(ctx, f"{day}T09:15")
    nurse.start_infusion(ctx, appointment_id=appointment)
    return appointment


def test_nurse_paused_for_a_reaction_and_ended_without_resuming_counts_as_stopped(
    ctx: Context,
) -> None:
    book(ctx)
    appointment = started(ctx)
    at(ctx, "2026-03-02T09:25")
    nurse.pause_infusion(ctx, appointment_id=appointment)
    nurse.record_reaction(ctx, appointment_id=appointment, grade=2)
    at(ctx, "2026-03-02T09:55")
    changes = nurse.end_infusion(ctx, appointment_id=appointment)
    row = dose(ctx, 1)
    assert (row.infusion_actual_min, row.infusion_completed, row.tolerated) == (40, 0, 0)
    assert later_minutes(ctx) == [90] * 13  # not 40
    assert any("stopped before complete" in note for note in changes.notes)


def test_nurse_ended_early_as_stopped_keeps_the_planned_minutes(ctx: Context) -> None:
    book(ctx)
    appointment = started(ctx)
    at(ctx, "2026-03-02T09:17")
    nurse.record_reaction(ctx, appointment_id=appointment, grade=3)
    at(ctx, "2026-03-02T09:25")
    nurse.end_infusion(ctx, appointment_id=appointment, stopped=True)
    row = dose(ctx, 1)
    assert (row.infusion_actual_min, row.infusion_completed) == (10, 0)
    assert later_minutes(ctx) == [90] * 13  # not 10


def test_nurse_ended_early_as_completed_is_completed(ctx: Context) -> None:
    book(ctx)
    appointment = started(ctx)
    at(ctx, "2026-03-02T10:35")  # 80 of 90 min, no reaction: just completed
    nurse.end_infusion(ctx, appointment_id=appointment, stopped=False)
    row = dose(ctx, 1)
    assert (row.infusion_actual_min, row.infusion_completed, row.tolerated) == (80, 1, 1)
    assert later_minutes(ctx) == [30] * 13


def test_nurse_reaction_then_completed_early_never_goes_below_90_before_a_tolerated_one(
    ctx: Context,
) -> None:
    book(ctx)
    appointment = started(ctx)
    at(ctx, "2026-03-02T09:30")
    nurse.record_reaction(ctx, appointment_id=appointment, grade=1)
    at(ctx, "2026-03-02T10:15")  # completed in 60 min, with a reaction
    nurse.end_infusion(ctx, appointment_id=appointment, stopped=False)
    assert dose(ctx, 1).infusion_completed == 1
    assert later_minutes(ctx) == [90] * 13  # not 60


def test_nurse_second_infusion_stopped_after_10_minutes_books_the_rest_at_30(
    ctx: Context,
) -> None:
    book(ctx)
    first = started(ctx)
    at(ctx, "2026-03-02T10:45")
    nurse.end_infusion(ctx, appointment_id=first)
    assert later_minutes(ctx) == [30] * 13
    second = started(ctx, 2, "2026-03-23")
    at(ctx, "2026-03-23T09:20")
    nurse.pause_infusion(ctx, appointment_id=second)
    nurse.record_reaction(ctx, appointment_id=second, grade=2)
    at(ctx, "2026-03-23T09:25")
    nurse.end_infusion(ctx, appointment_id=second)
    assert dose(ctx, 2).infusion_actual_min == 10
    assert later_minutes(ctx) == [30] * 12  # not 10


def test_nurse_interrupted_resumed_and_completed_keeps_its_total_minutes(ctx: Context) -> None:
    book(ctx)
    appointment = started(ctx)
    at(ctx, "2026-03-02T09:45")
    nurse.pause_infusion(ctx, appointment_id=appointment)
    nurse.record_reaction(ctx, appointment_id=appointment, grade=1)
    at(ctx, "2026-03-02T10:15")
    nurse.resume_infusion(ctx, appointment_id=appointment)
    at(ctx, "2026-03-02T11:15")
    nurse.end_infusion(ctx, appointment_id=appointment)
    row = dose(ctx, 1)
    assert (row.infusion_actual_min, row.infusion_completed) == (120, 1)
    assert later_minutes(ctx) == [120] * 13


def test_nurse_grade_4_stops_through_the_same_path_and_no_dose_follows(ctx: Context) -> None:
    book(ctx)
    appointment = started(ctx)
    at(ctx, "2026-03-02T09:22")
    changes = nurse.record_reaction(ctx, appointment_id=appointment, grade=4, confirm_stop=True)
    record = courses.load_course(ctx.store, "P1")
    assert record.course.stop_reason == "life-threatening reaction"
    row = record.dose(1)
    assert (row.infusion_actual_min, row.infusion_completed) == (7, 0)
    assert later_minutes(ctx) == []
    assert any("cycle 2" in note and "2026-03-23" in note for note in changes.notes)
    with pytest.raises(DomainError, match="course"):
        give(ctx, 2, "2026-03-23T09:15")
