"""The nurse station's steps through the services, with a fixed clock.

The clinic (conftest): New York, Mon-Fri 08:00-17:00, three chairs, patient P1. Cycle 1
is booked Monday 2 March 2026 09:00 in Chair 1 (infusion 09:15-10:45, observation 90).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.records import Dose
from tdm1_scheduler.domain.timers import (
    AlertKind,
    Phase,
    VisitFlag,
    alerts_due,
    countdown_at,
    flags_at,
    phase_of,
)
from tdm1_scheduler.services import courses, nurse, pharmacy
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store import repository as repo, visits as visit_store
from tests.store.backends import sqlite_of

from .conftest import cycles, dump, local

FIRST = "2026-03-02T09:00"


def at(ctx: Context, text: str) -> datetime:
    """Set the clock to clinic wall time ``text``; return it."""
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.current = local(text)
    return clock.current


def book(ctx: Context, first: str = FIRST) -> int:
    """Book P1's EBC course; the id of cycle 1's appointment."""
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local(first), chair="Chair 1")
    return appointment_of(ctx, 1)


def appointment_of(ctx: Context, cycle: int) -> int:
    record = courses.load_course(ctx.store, "P1")
    return int(record.current[record.dose(cycle).id].id)


def prepare(ctx: Context, cycle: int = 1, day: str = "2026-03-02", dilute: bool = True) -> None:
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=cycle, at=local(f"{day}T07:30"))
    if dilute:
        pharmacy.record_dilution(ctx, mrn="P1", cycle=cycle, at=local(f"{day}T08:00"))


def tile(ctx: Context, appointment_id: int) -> nurse.BoardTile:
    return nurse.tile(ctx.store, appointment_id, ctx.clock.now())


def phase(ctx: Context, appointment_id: int) -> Phase:
    return phase_of(tile(ctx, appointment_id).visit)


def audits(ctx: Context) -> list[str]:
    return [row["action"] for row in reversed(repo.audit_rows(sqlite_of(ctx.store), 1000))]


def dose_row(ctx: Context, cycle: int) -> Dose:
    return courses.load_course(ctx.store, "P1").dose(cycle)


def started(ctx: Context) -> int:
    """Cycle 1 prepared, arrived 09:05 and started 09:15."""
    appointment = book(ctx)
    prepare(ctx)
    at(ctx, "2026-03-02T09:05")
    nurse.arrive(ctx, appointment_id=appointment)
    at(ctx, "2026-03-02T09:15")
    nurse.start_infusion(ctx, appointment_id=appointment)
    return appointment


def test_a_whole_visit_each_step_with_its_audit_row(ctx: Context) -> None:
    appointment = book(ctx)
    prepare(ctx)
    at(ctx, "2026-03-02T08:50")
    assert phase(ctx, appointment) is Phase.EXPECTED
    before = len(audits(ctx))
    at(ctx, "2026-03-02T09:02")
    nurse.arrive(ctx, appointment_id=appointment)
    assert phase(ctx, appointment) is Phase.PREP
    at(ctx, "2026-03-02T09:16")
    nurse.start_infusion(ctx, appointment_id=appointment)
    assert phase(ctx, appointment) is Phase.INFUSING
    dose = dose_row(ctx, 1)
    assert dose.status == "given" and dose.given_at == datetime.fromisoformat(
        "2026-03-02T14:16:00Z"
    )
    prep = repo.preparation_for_dose(sqlite_of(ctx.store), dose.id)
    assert prep is not None and prep["used_at"] == "2026-03-02T14:16:00Z"
    at(ctx, "2026-03-02T10:46")
    nurse.end_infusion(ctx, appointment_id=appointment)
    assert phase(ctx, appointment) is Phase.OBSERVING
    dose = dose_row(ctx, 1)
    assert (dose.infusion_actual_min, dose.tolerated) == (90, 1)
    at(ctx, "2026-03-02T12:16")
    # The minimum observation is over: a flag, not a new phase (issue 12 #14).
    assert phase(ctx, appointment) is Phase.OBSERVING
    assert flags_at(tile(ctx, appointment).visit, ctx.clock.now()) == (VisitFlag.READY_TO_LEAVE,)
    nurse.discharge(ctx, appointment_id=appointment)
    assert phase(ctx, appointment) is Phase.DONE
    visit = visit_store.visit_for_appointment(sqlite_of(ctx.store), appointment)
    assert visit is not None and visit["early_discharge_reason"] is None
    assert audits(ctx)[before:] == [
        "patient arrived",
        "record dose given",
        "start infusion",
        "end infusion",
        "discharge",
    ]
    # Tolerated at 90: the next cycle is booked at 30 + 30.
    assert (cycles(ctx, "P1")[1]["infusion_min"], cycles(ctx, "P1")[1]["observation_min"]) == (
        30,
        30,
    )


def test_never_prepared_bag_is_refused_with_the_reason_and_nothing_written(ctx: Context) -> None:
    appointment = book(ctx)
    at(ctx, "2026-03-02T09:15")
    before = dump(ctx)
    with pytest.raises(DomainError) as refused:
        nurse.start_infusion(ctx, appointment_id=appointment)
    assert refused.value.field == "preparation"
    assert "never prepared" in refused.value.rule
    assert dump(ctx) == before
    shown = tile(ctx, appointment)
    assert not shown.bag_ok and "never prepared" in shown.bag


def test_undiluted_bag_is_refused(ctx: Context) -> None:
    appointment = book(ctx)
    prepare(ctx, dilute=False)
    at(ctx, "2026-03-02T09:15")
    before = dump(ctx)
    with pytest.raises(DomainError, match="not yet diluted"):
        nurse.start_infusion(ctx, appointment_id=appointment)
    assert dump(ctx) == before


def test_expired_bag_is_refused_and_the_database_is_unchanged(ctx: Context) -> None:
    # Diluted Friday 08:00: good until Saturday 08:00, so Monday's start is refused.
    appointment = book(ctx)
    prepare(ctx, day="2026-02-27")
    at(ctx, "2026-03-02T09:15")
    before = dump(ctx)
    with pytest.raises(DomainError) as refused:
        nurse.start_infusion(ctx, appointment_id=appointment)
    assert refused.value.field == "preparation" and "expired" in refused.value.rule
    assert dump(ctx) == before
    assert "expired" in tile(ctx, appointment).bag


def test_a_bag_made_before_a_dose_reduction_is_refused(ctx: Context) -> None:
    """The bag holds the 3.6 mg/kg dose; the level was reduced to 3.0 since: never infused."""
    appointment = book(ctx)
    prepare(ctx)
    courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=3.0)
    at(ctx, "2026-03-02T09:15")
    before = dump(ctx)
    with pytest.raises(DomainError) as refused:
        nurse.start_infusion(ctx, appointment_id=appointment)
    assert refused.value.field == "preparation"
    assert "dose is now" in refused.value.rule and "discard" in refused.value.rule
    assert dump(ctx) == before


def test_pause_and_resume_push_the_end_back_and_the_next_cycle_keeps_the_real_length(
    ctx: Context,
) -> None:
    appointment = started(ctx)
    at(ctx, "2026-03-02T09:45")
    nurse.pause_infusion(ctx, appointment_id=appointment)
    assert phase(ctx, appointment) is Phase.PAUSED
    at(ctx, "2026-03-02T10:05")
    nurse.resume_infusion(ctx, appointment_id=appointment)
    countdown = countdown_at(tile(ctx, appointment).visit, ctx.clock.now())
    assert countdown.ends_at == local("2026-03-02T11:05")  # 10:45 + 20 min paused
    at(ctx, "2026-03-02T11:05")
    changes = nurse.end_infusion(ctx, appointment_id=appointment)
    dose = dose_row(ctx, 1)
    assert (dose.infusion_actual_min, dose.tolerated) == (110, 0)
    second = cycles(ctx, "P1")[1]
    assert (second["infusion_min"], second["observation_min"]) == (110, 30)
    assert any(note.startswith("cycle 2:") for note in changes.notes)
    # Observation counts 90 min from the real end.
    ends = countdown_at(tile(ctx, appointment).visit, ctx.clock.now()).ends_at
    assert ends == local("2026-03-02T12:35")


def test_a_reaction_changes_the_next_cycles_chair_time_and_its_booking(ctx: Context) -> None:
    appointment = started(ctx)
    second_before = cycles(ctx, "P1")[1]
    assert second_before["infusion_min"] == 30
    at(ctx, "2026-03-02T10:00")
    nurse.record_reaction(ctx, appointment_id=appointment, grade=2)
    at(ctx, "2026-03-02T10:45")  # on time, but a reaction: not tolerated
    nurse.end_infusion(ctx, appointment_id=appointment)
    assert dose_row(ctx, 1).reaction_grade == 2
    second = cycles(ctx, "P1")[1]
    assert second["infusion_min"] == 90
    start = datetime.fromisoformat(second["start"])
    end = datetime.fromisoformat(second["end"])
    assert end - start == timedelta(minutes=15 + 90 + 30)
    assert cycles(ctx, "P1")[2]["infusion_min"] == 90  # every later cycle keeps it too


def test_a_longer_booking_that_no_longer_fits_moves_to_the_nearest_fitting_slot(
    ctx: Context,
) -> None:
    appointment = started(ctx)
    second = cycles(ctx, "P1")[1]
    second_start = datetime.fromisoformat(second["start"])
    assert second["chair"] == "Chair 1"
    # Chair 1 is taken right after cycle 2's 60-min booking (30 + 30 + 15 prep = 75).
    courses.book_blocked_time(
        ctx,
        chair="Chair 1",
        start=second_start + timedelta(minutes=75),
        minutes=120,
        label="maintenance",
    )
    at(ctx, "2026-03-02T11:05")  # 110 min: slowed, not tolerated
    changes = nurse.end_infusion(ctx, appointment_id=appointment)
    moved = cycles(ctx, "P1")[1]
    assert moved["infusion_min"] == 110
    assert (moved["chair"], moved["start"]) != ("Chair 1", second["start"])
    assert any("moved from Chair 1" in note for note in changes.notes)
    # Nothing overlaps the blocked time in Chair 1.
    if moved["chair"] == "Chair 1":
        assert datetime.fromisoformat(moved["end"]) <= second_start + timedelta(minutes=75)


def test_discharge_before_the_minimum_observation_needs_a_reason(ctx: Context) -> None:
    appointment = started(ctx)
    at(ctx, "2026-03-02T10:45")
    nurse.end_infusion(ctx, appointment_id=appointment)
    at(ctx, "2026-03-02T11:30")  # 45 of 90 min
    before = dump(ctx)
    for blank in (None, "   "):
        with pytest.raises(DomainError) as refused:
            nurse.discharge(ctx, appointment_id=appointment, reason=blank)
        assert refused.value.field == "reason" and "45 min left" in refused.value.rule
    assert dump(ctx) == before
    nurse.discharge(ctx, appointment_id=appointment, reason="  transport  leaving ")
    visit = visit_store.visit_for_appointment(sqlite_of(ctx.store), appointment)
    assert visit is not None
    assert visit["early_discharge_reason"] == "transport leaving"
    assert phase(ctx, appointment) is Phase.DONE
    assert "transport leaving" in (repo.audit_rows(sqlite_of(ctx.store), 1)[0]["new_values"] or "")


def test_ending_the_observation_early_records_the_reason_once(ctx: Context) -> None:
    appointment = started(ctx)
    at(ctx, "2026-03-02T10:45")
    nurse.end_infusion(ctx, appointment_id=appointment)
    at(ctx, "2026-03-02T11:00")
    with pytest.raises(DomainError, match="reason"):
        nurse.end_observation(ctx, appointment_id=appointment)
    nurse.end_observation(ctx, appointment_id=appointment, reason="doctor reviewed")
    assert phase(ctx, appointment) is Phase.READY
    nurse.discharge(ctx, appointment_id=appointment)  # no second reason needed
    assert tile(ctx, appointment).early_discharge_reason == "doctor reviewed"


def test_a_life_threatening_reaction_needs_confirmation_then_stops_the_course(
    ctx: Context,
) -> None:
    appointment = started(ctx)
    at(ctx, "2026-03-02T09:40")
    before = dump(ctx)
    with pytest.raises(DomainError) as refused:
        nurse.record_reaction(ctx, appointment_id=appointment, grade=4)
    assert refused.value.field == "confirm"
    assert dump(ctx) == before
    changes = nurse.record_reaction(ctx, appointment_id=appointment, grade=4, confirm_stop=True)
    record = courses.load_course(ctx.store, "P1")
    assert record.course.status == "stopped"
    assert record.course.stop_reason == "life-threatening reaction"
    assert [d.status for d in record.doses[1:]] == ["cancelled"] * 13
    assert not record.booked
    assert any("13 future booking(s) cancelled" in note for note in changes.notes)
    dose = record.dose(1)
    assert (dose.infusion_actual_min, dose.tolerated, dose.reaction_grade) == (25, 0, 4)
    assert phase(ctx, appointment) is Phase.OBSERVING  # the infusion stopped


def test_reaction_grade_must_be_1_to_4_and_needs_an_infusion(ctx: Context) -> None:
    appointment = book(ctx)
    prepare(ctx)
    at(ctx, "2026-03-02T09:00")
    with pytest.raises(DomainError, match="phase"):
        nurse.record_reaction(ctx, appointment_id=appointment, grade=1)
    for bad in (0, 5, True):
        with pytest.raises(DomainError, match="reaction_grade"):
            nurse.record_reaction(ctx, appointment_id=appointment, grade=bad)


def test_steps_out_of_order_are_refused(ctx: Context) -> None:
    appointment = book(ctx)
    prepare(ctx)
    at(ctx, "2026-03-02T09:15")
    for step in (nurse.pause_infusion, nurse.resume_infusion, nurse.end_infusion):
        with pytest.raises(DomainError, match="phase"):
            step(ctx, appointment_id=appointment)
    with pytest.raises(DomainError, match="phase"):
        nurse.discharge(ctx, appointment_id=appointment, reason="x")
    nurse.start_infusion(ctx, appointment_id=appointment)
    with pytest.raises(DomainError, match="phase"):
        nurse.start_infusion(ctx, appointment_id=appointment)


def test_an_appointment_of_another_day_cannot_start(ctx: Context) -> None:
    appointment = book(ctx)
    prepare(ctx)
    at(ctx, "2026-03-03T09:15")
    with pytest.raises(DomainError, match="not today"):
        nurse.start_infusion(ctx, appointment_id=appointment)


def test_an_acknowledged_alert_stays_acknowledged(ctx: Context) -> None:
    appointment = started(ctx)
    now = at(ctx, "2026-03-02T10:46")
    shown = tile(ctx, appointment)
    assert [a.kind for a in alerts_due(shown.visit, now, shown.acknowledged)] == [
        AlertKind.INFUSION_END
    ]
    nurse.acknowledge_alert(ctx, appointment_id=appointment, kind="infusion_end")
    shown = tile(ctx, appointment)
    assert alerts_due(shown.visit, now, shown.acknowledged) == []
    with pytest.raises(DomainError, match="alert"):
        nurse.acknowledge_alert(ctx, appointment_id=appointment, kind="bogus")


def test_a_dose_recorded_elsewhere_is_a_whole_visit_on_record(ctx: Context) -> None:
    """``dose given`` (the CLI, data entered afterwards) records the whole visit: it is
    done at once, never on the board, and the board cannot rewrite its length. (It used
    to be read as infusing, then observing, as the clock passed its planned times.)"""
    appointment = book(ctx)
    at(ctx, "2026-03-02T09:20")
    courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local("2026-03-02T09:10"))
    for when in ("2026-03-02T09:20", "2026-03-02T11:00", "2026-03-02T16:00"):
        at(ctx, when)
        assert phase(ctx, appointment) is Phase.DONE
        assert appointment not in {
            t.appointment_id for t in nurse.board(ctx.store, ctx.clock.now())
        }
    before = dump(ctx)
    for step in (nurse.pause_infusion, nurse.end_infusion):
        with pytest.raises(DomainError, match="phase"):
            step(ctx, appointment_id=appointment)
    assert dump(ctx) == before
    nurse.acknowledge_alert(ctx, appointment_id=appointment, kind="infusion_end")
    assert phase(ctx, appointment) is Phase.DONE  # its visit row holds the whole visit


def test_the_board_has_one_tile_per_chair_in_progress_first(ctx: Context) -> None:
    from tdm1_scheduler.services import patients

    patients.add_patient(ctx, mrn="P2", name="Pat Two", weight_kg=60)
    appointment = book(ctx)
    courses.book_course(
        ctx, mrn="P2", setting="EBC", first_dose=local("2026-03-02T13:00"), chair="Chair 1"
    )
    prepare(ctx)
    at(ctx, "2026-03-02T08:00")
    tiles = nurse.board(ctx.store, ctx.clock.now())
    assert [(t.chair_name, t.mrn) for t in tiles] == [("Chair 1", "P1")]
    at(ctx, "2026-03-02T09:15")
    nurse.start_infusion(ctx, appointment_id=appointment)
    at(ctx, "2026-03-02T10:45")
    nurse.end_infusion(ctx, appointment_id=appointment)
    at(ctx, "2026-03-02T12:15")
    nurse.discharge(ctx, appointment_id=appointment)
    tiles = nurse.board(ctx.store, ctx.clock.now())
    assert [(t.chair_name, t.mrn, t.cycle_text) for t in tiles] == [("Chair 1", "P2", "cycle 1/14")]
