"""The course actions use only the store protocol (issue 15, item 2).

``ProtocolOnly`` is a second class satisfying ``Store``: it is not a ``SqliteStore``, it
offers nothing but the protocol's methods (each handed to a store inside it), and a
context over it has no ``ctx.db``. Booking a course, previewing and committing a move,
previewing (run and rolled back) and committing a missed dose, moving blocked time,
undoing and redoing all run through it, and leave the database row for row as the same
actions through ``SqliteStore`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from tdm1_scheduler.cli.labs import readiness_json
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import (
    clinic,
    courses,
    exchange,
    nurse,
    patients,
    pharmacy,
    readiness,
    visits,
)
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.preview import preview, preview_move
from tdm1_scheduler.services.restore import restore_placements
from tdm1_scheduler.store.protocol import Store
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.store import backends
from tests.store.backends import close_store, open_store
from tests.store.protocol_only import ProtocolOnly

from .conftest import USER, ZONE_NAME, local

FIRST = "2026-03-02T09:00"  # a Monday


def scenario(ctx: Context) -> list[Any]:
    """Book, preview and move, miss, block and move blocked time, undo and redo."""
    clinic.init_clinic(ctx, timezone=ZONE_NAME, chairs=3)
    patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
    patients.add_patient(ctx, mrn="P2", name="Pat Two", weight_kg=64)
    seen: list[Any] = []
    booked = courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local(FIRST))
    courses.book_course(ctx, mrn="P2", setting="MBC", first_dose=local(FIRST), exact=False)
    third = booked.moves[2].new_start + timedelta(days=1)
    shown = preview_move(ctx, mrn="P1", cycle=3, to=third)
    assert preview(ctx, courses.move_appointment, mrn="P1", cycle=3, to=third) == shown
    moved = courses.move_appointment(ctx, mrn="P1", cycle=3, to=third)
    assert shown.changes is not None and shown.changes.moves == moved.moves
    tried = preview(ctx, courses.mark_dose_missed, mrn="P2", cycle=1)  # run, rolled back
    missed = courses.mark_dose_missed(ctx, mrn="P2", cycle=1)
    assert tried.changes is not None and tried.changes.moves == missed.moves
    block = courses.book_blocked_time(
        ctx, chair="Chair 2", start=local("2026-03-03T13:00"), minutes=60, label="pump check"
    )
    (block_id,) = block.appointments
    shifted = courses.move_blocked_time(ctx, appointment_id=block_id, to=local("2026-03-03T15:00"))
    for change in (shifted, missed, moved):
        undone = restore_placements(ctx, change)
        seen.append((undone.action, undone.moves, sorted(undone.appointments)))
    redone = restore_placements(ctx, undone, verb="redo")
    seen.append((redone.action, redone.moves, sorted(redone.appointments)))
    seen.extend((c.action, c.moves, c.notes) for c in (booked, moved, missed, shifted))
    return seen


def rows(store: Store) -> list[tuple[Any, ...]]:
    """Every table but the migrations' log, row for row (the same on either backend)."""
    return backends.rows(store)


@pytest.fixture
def two_stores() -> Iterator[tuple[SqliteStore, SqliteStore]]:
    """A plain SQLite store and one of the run's backend (``--backend``), both empty."""
    stores = (open_store("sqlite"), open_store())
    yield stores  # type: ignore[misc]
    for store in stores:
        close_store(store)


def test_the_course_actions_run_on_any_store(two_stores: tuple[SqliteStore, SqliteStore]) -> None:
    plain, inner = two_stores
    wrapped = ProtocolOnly(inner)
    assert isinstance(wrapped, Store) and not isinstance(wrapped, SqliteStore)
    clock = FixedClock(local("2026-03-01T08:00"))

    through_protocol = Context.over(wrapped, FixedClock(clock.current), USER)  # type: ignore[arg-type]
    assert not hasattr(through_protocol, "db")  # nothing below could have used one
    seen = scenario(through_protocol)
    direct = scenario(Context.over(plain, FixedClock(clock.current), USER))

    assert seen == direct
    assert rows(inner) == rows(plain)
    assert wrapped.calls["transaction"] >= 12 and wrapped.calls["read"] >= 1
    assert wrapped.calls["write_back"] and wrapped.calls["insert_appointment"]


def test_protocol_only_refuses_what_is_not_in_the_protocol() -> None:
    store = open_store("sqlite")
    try:
        with pytest.raises(AttributeError, match="not in the store protocol"):
            ProtocolOnly(store).db  # noqa: B018
    finally:
        close_store(store)


def readiness_scenario(ctx: Context) -> list[Any]:
    """Results in, the gate's settings, verdicts, an override, a dose given under the
    gate, a cancelled dose visit and cancelled blocked time."""
    clinic.init_clinic(ctx, timezone=ZONE_NAME, chairs=3)
    patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
    patients.add_patient(ctx, mrn="P2", name="Pat Two", weight_kg=64)
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local(FIRST), chair="Chair 1")
    courses.book_course(ctx, mrn="P2", setting="MBC", first_dose=local(FIRST), chair="Chair 2")
    store = ctx.store
    seen: list[Any] = [readiness.readiness_settings(store)]
    readiness.set_readiness_settings(ctx, {"readiness_gate": "enforce", "lab_freshness_days": 3})
    seen.append(readiness_json(readiness.dose_readiness(store, mrn="P1", cycle=1)))
    sampled = local("2026-02-28T10:00")
    for test, value, uln in (("ast", 30, 40), ("alt", 25, 40), ("bilirubin", 0.8, 1.2)):
        readiness.add_lab(ctx, mrn="P1", test=test, value=value, uln=uln, at=sampled)
    readiness.add_lab(ctx, mrn="P1", test="platelets", value=150000, uln=None, at=sampled)
    readiness.add_lvef(ctx, mrn="P1", percent=60, at=local("2026-02-20T10:00"))
    readiness.add_lvef(ctx, mrn="P2", percent=55, at=local("2026-02-20T10:00"), modality="muga")
    readiness.add_lab(ctx, mrn="P2", test="ast", value=200, uln=40, at=local("2026-03-01T10:00"))
    for mrn in ("P1", "P2"):
        seen.append(readiness_json(readiness.dose_readiness(store, mrn=mrn, cycle=1)))
    with pytest.raises(readiness.NotReady):
        readiness.require_ready(ctx, mrn="P2", cycle=1, action="start infusion")
    readiness.record_override(
        ctx, mrn="P2", cycle=1, reason="seen by the team", clinician="Dr A", action="start infusion"
    )
    for action in readiness.GATE_ACTIONS:
        seen.append(readiness.has_override(store, mrn="P2", cycle=1, action=action))
        seen.append(readiness.gate_of(store, mrn="P2", cycle=1, action=action))
    booked = [view.appointment.id for view in store.booked_from(local(FIRST))]
    day = readiness.readiness_for_appointments(store, booked)
    seen.append({appointment: readiness.summary(verdict) for appointment, verdict in day.items()})
    prepared = [
        pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T07:30")),
        pharmacy.record_dilution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T08:00")),
        readiness.set_readiness_settings(ctx, {"readiness_gate": "warn"}),
        pharmacy.record_reconstitution(
            ctx, mrn="P2", cycle=2, at=local("2026-03-22T07:30"), lots="L1"
        ),
        pharmacy.discard_preparation(ctx, mrn="P2", cycle=2, reason="dropped"),
        pharmacy.record_reconstitution(ctx, mrn="P2", cycle=3, at=local("2026-04-12T07:30")),
    ]
    for when in ("2026-03-02T07:45", "2026-04-13T08:00"):
        seen.append(pharmacy.pharmacy_queue(store, local(when)))
    seen.append(pharmacy.preparation_view(store, "P1", 1, local("2026-03-02T08:30")))
    seen.append(pharmacy.bag_check(store, 1, local("2026-03-02T09:15")))
    ctx.clock.current = local("2026-04-14T08:00")  # type: ignore[attr-defined]
    prepared.append(pharmacy.discard_expired(ctx))
    seen.extend((c.action, sorted(c.preparations), c.notes) for c in prepared)
    given = courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local("2026-03-02T09:15"))
    cancelled = visits.cancel_dose_visit(ctx, mrn="P2", cycle=1, reason="unwell  today")
    block = courses.book_blocked_time(
        ctx, chair="Chair 3", start=local("2026-03-03T13:00"), minutes=60, label="pump check"
    )
    freed = visits.cancel_blocked_time(ctx, appointment_id=min(block.appointments), reason="done")
    seen.extend((c.action, c.moves, c.notes) for c in (given, cancelled, freed))
    incoming = exchange.IncomingPatient("f#1", "P3", "Pat Three", 71.5, local("2026-03-20T10:00"))
    seen.append(exchange.import_patients(ctx, [incoming]))
    seen.append(exchange.close_holidays(ctx, [(date(2027, 6, 1), "a closed day")]).action)
    seen.append(exchange.patient_calendar(store, "P1"))
    seen.append(exchange.clinic_extract(store, date(2026, 3, 1), date(2026, 4, 30)))
    return seen


def test_the_readiness_and_visit_actions_run_on_any_store(
    two_stores: tuple[SqliteStore, SqliteStore],
) -> None:
    plain, inner = two_stores
    wrapped = ProtocolOnly(inner)
    clock = local("2026-03-02T08:00")
    through_protocol = Context.over(wrapped, FixedClock(clock), USER)  # type: ignore[arg-type]
    seen = readiness_scenario(through_protocol)
    assert seen == readiness_scenario(Context.over(plain, FixedClock(clock), USER))
    assert rows(inner) == rows(plain)
    for name in ("dose_bookings", "insert_lab", "insert_override", "insert_preparation"):
        assert wrapped.calls[name], name


def nurse_scenario(ctx: Context) -> list[Any]:
    """A whole chair visit at the nurse board: arrive, start, pause and resume, a
    reaction that slows it, end the infusion (the later cycles re-planned), an alert
    seen, end the observation, discharge; the tile and the board after each step."""
    clinic.init_clinic(ctx, timezone=ZONE_NAME, chairs=3)
    patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local(FIRST), chair="Chair 1")
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T07:30"))
    pharmacy.record_dilution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T08:00"))
    store, clock = ctx.store, ctx.clock
    assert isinstance(clock, FixedClock)
    appointment = store.booked_from(local(FIRST))[0].appointment.id
    clock.current = local("2026-03-02T08:50")
    seen: list[Any] = [
        nurse.start_check(store, appointment, clock.current),
        nurse.tile(store, appointment, clock.current),
        nurse.chair_board(store, clock.current),
    ]
    steps: list[tuple[str, Callable[..., Any], dict[str, Any]]] = [
        ("09:02", nurse.arrive, {}),
        ("09:16", nurse.start_infusion, {}),
        ("09:30", nurse.pause_infusion, {}),
        ("09:35", nurse.resume_infusion, {}),
        ("10:00", nurse.record_reaction, {"grade": 1, "action": "slowed", "symptoms": "flush"}),
        ("11:00", nurse.end_infusion, {}),
        ("11:05", nurse.acknowledge_alert, {"kind": "observation_complete"}),
        ("12:35", nurse.end_observation, {}),
        ("12:40", nurse.discharge, {}),
    ]
    for wall, step, options in steps:
        clock.current = local(f"2026-03-02T{wall}")
        seen.append(step(ctx, appointment_id=appointment, **options))
        seen.append(nurse.tile(store, appointment, clock.current))
        seen.append(nurse.chair_board(store, clock.current))
        seen.append(nurse.board(store, clock.current))
    return seen


def test_the_nurse_steps_run_on_any_store(two_stores: tuple[SqliteStore, SqliteStore]) -> None:
    plain, inner = two_stores
    wrapped = ProtocolOnly(inner)
    clock = local("2026-03-01T08:00")
    through_protocol = Context.over(wrapped, FixedClock(clock), USER)  # type: ignore[arg-type]
    seen = nurse_scenario(through_protocol)
    assert seen == nurse_scenario(Context.over(plain, FixedClock(clock), USER))
    assert rows(inner) == rows(plain)
    for name in (
        "board_visit",
        "board_visits",
        "doses_by_ids",
        "preparations_for_doses",
        "insert_visit",
        "update_visit",
        "insert_reaction",
        "update_dose",
    ):
        assert wrapped.calls[name], name
    tile = seen[-3]
    assert isinstance(tile, nurse.BoardTile) and tile.visit.discharged_at is not None
    assert [r.action for r in tile.reactions] == ["slowed"]


def desk_scenario(ctx: Context) -> list[Any]:
    """The desk's reads: the day sheet as JSON, the slot search, closing a date with its
    bookings re-booked, the change watch's marks moving with a write."""
    from tdm1_scheduler.reports.day_sheet import build_day_sheet, sheet_to_json
    from tdm1_scheduler.services import slots
    from tdm1_scheduler.services.live import ChangeWatch, data_mark

    clinic.init_clinic(ctx, timezone=ZONE_NAME, chairs=3)
    patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
    patients.add_patient(ctx, mrn="P2", name="Pat Two", weight_kg=64)
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local(FIRST), chair="Chair 1")
    courses.book_course(ctx, mrn="P2", setting="MBC", first_dose=local(FIRST), chair="Chair 2")
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=local("2026-03-02T07:30"))
    watch, mark = ChangeWatch(ctx), data_mark(ctx)
    courses.record_dose_given(ctx, mrn="P2", cycle=1, given_at=local("2026-03-02T09:40"))
    seen: list[Any] = [watch.poll(), data_mark(ctx) != mark]
    seen.append(sheet_to_json(build_day_sheet(ctx.store, date(2026, 3, 2), ctx.clock)))
    seen.append(slots.find_slots(ctx, mrn="P1", cycle=1, count=3))
    seen.append(slots.plan_close_date(ctx, day=date(2026, 3, 23)))
    changes = slots.close_date_and_rebook(ctx, day=date(2026, 3, 23), reason="staff day")
    seen.append((changes.action, changes.notes, sorted(changes.appointments)))
    seen.append(sheet_to_json(build_day_sheet(ctx.store, date(2026, 3, 23), ctx.clock)))
    return seen


def test_the_desk_reads_run_on_any_store(two_stores: tuple[SqliteStore, SqliteStore]) -> None:
    plain, inner = two_stores
    wrapped = ProtocolOnly(inner)
    clock = local("2026-03-02T08:00")
    through_protocol = Context.over(wrapped, FixedClock(clock), USER)  # type: ignore[arg-type]
    seen = desk_scenario(through_protocol)
    assert seen == desk_scenario(Context.over(plain, FixedClock(clock), USER))
    assert rows(inner) == rows(plain)
    for name in ("day_sheet_rows", "data_mark", "outside_mark", "insert_closed_date"):
        assert wrapped.calls[name], name
