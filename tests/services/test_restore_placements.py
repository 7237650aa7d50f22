"""Undo restores what a change recorded; it never re-plans (issue 12, clinical defect 1).

``restore_placements`` puts back every appointment (and new dose) row a move, a missed
dose or a blocked-time move wrote, refuses when any of them changed since, and restoring
its own ChangeSet again is the redo.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import clinic, courses, patients
from tdm1_scheduler.services.context import ChangeSet, Context
from tdm1_scheduler.services.preview import preview
from tdm1_scheduler.services.restore import restore_placements
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import ConflictError
from tests.store.backends import sqlite_of

from .conftest import cycles, dump, local, make_ctx, start_of

FIRST = "2026-03-02T09:00"  # a Monday: every cycle falls on a Monday


def book(ctx: Context, mrn: str = "P1") -> ChangeSet:
    return courses.book_course(ctx, mrn=mrn, setting="EBC", first_dose=local(FIRST))


def move(ctx: Context, cycle: int, days: int = 0, minutes: int = 0, chair: str | None = None):
    start = start_of(cycles(ctx, "P1")[cycle - 1])
    to = start + timedelta(days=days, minutes=minutes)
    return courses.move_appointment(ctx, mrn="P1", cycle=cycle, to=to, chair=chair)


def rows(ctx: Context) -> list[tuple[Any, ...]]:
    """The booking tables, whole rows in id order (versions included)."""
    db = sqlite_of(ctx.store)
    return [
        ("appointment", *row)
        for row in db.execute("SELECT * FROM appointments ORDER BY id").fetchall()
    ] + [("dose", *row) for row in db.execute("SELECT * FROM doses ORDER BY id").fetchall()]


def placements(ctx: Context) -> list[tuple[Any, ...]]:
    return [(c["cycle"], c["chair"], c["start"], c["end"], c["status"]) for c in cycles(ctx, "P1")]


def test_undo_of_a_later_move_gives_back_the_earlier_move_not_a_replan(ctx: Context) -> None:
    """The issue's reproduction: move cycle 5 two days later, cycle 3 one day later, undo."""
    book(ctx)
    move(ctx, 5, days=2)
    after_first = placements(ctx)
    second = move(ctx, 3, days=1)
    after_second = rows(ctx)
    # Replaying the move (what undo used to do) would bring cycles 5-14 back 2 days early.
    third = start_of(cycles(ctx, "P1")[2]) - timedelta(days=1)
    replay = preview(ctx, courses.move_appointment, mrn="P1", cycle=3, to=third)
    assert replay.changes is not None
    replayed = {m.cycle: m.new_start for m in replay.changes.moves}
    assert replayed[5] == start_of(cycles(ctx, "P1")[4]) - timedelta(days=1)

    undone = restore_placements(ctx, second)
    assert placements(ctx) == after_first
    assert undone.action == "undo move cycle 3 of P1"
    assert {m.cycle for m in undone.moves} == set(range(3, 15))  # days for the load strip
    redone = restore_placements(ctx, undone, verb="redo")
    assert rows(ctx) == after_second  # the very rows the move wrote, versions too
    assert redone.action == "redo move cycle 3 of P1"


def test_undo_and_redo_write_one_audit_row_each(ctx: Context) -> None:
    book(ctx)
    moved = move(ctx, 2, minutes=60)
    audits = repo.count(sqlite_of(ctx.store), "audit_log")
    undone = restore_placements(ctx, moved)
    restore_placements(ctx, undone, verb="redo")
    assert repo.count(sqlite_of(ctx.store), "audit_log") == audits + 2
    latest = repo.audit_rows(sqlite_of(ctx.store), 2)
    assert [r["action"] for r in latest] == ["redo", "undo"]
    assert "move cycle 2 of P1" in latest[1]["old_values"]


def test_undo_of_a_missed_dose_restores_its_booking_and_removes_the_new_one(ctx) -> None:
    book(ctx)
    before = rows(ctx)
    missed = courses.mark_dose_missed(ctx, mrn="P1", cycle=1)
    after = rows(ctx)
    assert cycles(ctx, "P1")[0]["missed"]  # the old booking is kept as missed
    undone = restore_placements(ctx, missed)
    assert rows(ctx) == before  # the re-booking is gone, the old one booked again
    restore_placements(ctx, undone, verb="redo")
    assert rows(ctx) == after


def test_undo_of_a_blocked_time_move(ctx: Context) -> None:
    start = local("2026-03-03T10:00")
    booked = courses.book_blocked_time(ctx, chair="Chair 2", start=start, minutes=45, label="x")
    (appointment_id,) = booked.appointments
    before = rows(ctx)
    moved = courses.move_blocked_time(
        ctx, appointment_id=appointment_id, to=start + timedelta(hours=2), chair="Chair 3"
    )
    undone = restore_placements(ctx, moved)
    assert rows(ctx) == before
    assert undone.chairs == moved.chairs  # both chairs redraw, as for the move


def test_undo_removes_doses_the_move_added_and_redo_brings_them_back(ctx: Context) -> None:
    """A longer MBC horizon set since booking: a move also books the new cycles."""
    clinic.update_settings(ctx, {"mbc_horizon_cycles": 3})
    courses.book_course(ctx, mrn="P1", setting="MBC", first_dose=local(FIRST))
    clinic.update_settings(ctx, {"mbc_horizon_cycles": 5})
    before = rows(ctx)
    moved = move(ctx, 2, days=1)
    after = rows(ctx)
    assert [c["cycle"] for c in cycles(ctx, "P1")] == [1, 2, 3, 4, 5]
    undone = restore_placements(ctx, moved)
    assert rows(ctx) == before
    assert [c["cycle"] for c in cycles(ctx, "P1")] == [1, 2, 3]
    restore_placements(ctx, undone, verb="redo")
    assert rows(ctx) == after


def test_undo_is_refused_when_a_dose_it_would_remove_is_prepared(ctx: Context) -> None:
    clinic.update_settings(ctx, {"mbc_horizon_cycles": 1})
    courses.book_course(ctx, mrn="P1", setting="MBC", first_dose=local(FIRST))
    clinic.update_settings(ctx, {"mbc_horizon_cycles": 2})
    moved = move(ctx, 1, minutes=30)
    (new_dose,) = [c.row_id for c in moved.rows.values() if c.table == "doses"]
    sqlite_of(ctx.store).execute("INSERT INTO preparations (dose_id) VALUES (?)", [new_dose])
    before = dump(ctx)
    with pytest.raises(ConflictError, match=rf"cannot undo: dose #{new_dose} is in use since"):
        restore_placements(ctx, moved)
    assert dump(ctx) == before


def test_a_restore_is_refused_when_a_booking_changed_since(ctx: Context) -> None:
    book(ctx)
    first = move(ctx, 5, days=2)
    move(ctx, 10, days=1)  # re-plans cycles 10-14, which the first move also wrote
    before = dump(ctx)
    with pytest.raises(ConflictError) as refused:
        restore_placements(ctx, first)
    assert refused.value.field == "appointment"
    assert "cannot undo: cycle 10 of P1" in str(refused.value)
    assert "changed since" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert dump(ctx) == before  # every table, the audit log included


def test_a_restore_is_refused_when_the_old_place_was_taken(ctx: Context) -> None:
    book(ctx)
    old_start = start_of(cycles(ctx, "P1")[4])
    moved = move(ctx, 5, chair="Chair 2")
    # Another booking takes cycle 5's old place in Chair 1 (not a row the move wrote).
    courses.book_blocked_time(ctx, chair="Chair 1", start=old_start, minutes=30, label="pump")
    before = dump(ctx)
    with pytest.raises(ConflictError) as refused:
        restore_placements(ctx, moved)
    assert refused.value.field == "chair"
    assert "cycle 5 of P1" in str(refused.value) and "taken" in str(refused.value)
    assert dump(ctx) == before


def test_a_restore_of_a_dose_since_given_is_refused(ctx: Context) -> None:
    book(ctx)
    moved = move(ctx, 1, minutes=30)
    row = cycles(ctx, "P1")[0]
    at = start_of(row) + timedelta(minutes=row["prep_min"])
    courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=at)
    before = dump(ctx)
    with pytest.raises(ConflictError, match="cycle 1 of P1"):
        restore_placements(ctx, moved)
    assert dump(ctx) == before


def test_a_move_onto_its_own_place_undoes_to_nothing(ctx: Context) -> None:
    book(ctx)
    before = rows(ctx)
    moved = move(ctx, 4)
    assert moved.rows == {}
    undone = restore_placements(ctx, moved)
    assert rows(ctx) == before and undone.rows == {}


def test_only_undo_or_redo(ctx: Context) -> None:
    with pytest.raises(DomainError, match="verb"):
        restore_placements(ctx, ChangeSet("move"), verb="replay")


# --- random sequences -----------------------------------------------------------------
MOVE = st.tuples(
    st.just("move"),
    st.integers(1, 14),
    st.integers(-3, 3),
    st.sampled_from([-60, -15, 0, 15, 45, 120]),
    st.sampled_from([None, "Chair 1", "Chair 2", "Chair 3"]),
)
STEP = st.one_of(MOVE, st.just(("miss",)), st.just(("undo",)), st.just(("redo",)))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(STEP, min_size=1, max_size=14))
def test_any_sequence_of_moves_misses_undos_and_redos_undoes_to_the_start(steps) -> None:
    """An undo stack as the GUI keeps it: every undo and redo in stack order succeeds,
    gives the state before (after) its action, and undoing everything gives the start."""
    ctx = make_ctx()
    try:
        patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
        book(ctx)
        start = rows(ctx)
        done: list[tuple[ChangeSet, list[Any], list[Any]]] = []  # (to undo, before, after)
        undone: list[tuple[ChangeSet, list[Any], list[Any]]] = []
        for step in steps:
            if step[0] in ("move", "miss"):
                before = rows(ctx)
                try:
                    if step[0] == "move":
                        _, cycle, days, minutes, chair = step
                        changes = move(ctx, cycle, days, minutes, chair)
                    else:
                        changes = courses.mark_dose_missed(ctx, mrn="P1", cycle=1)
                except (DomainError, ConflictError):
                    assert rows(ctx) == before  # a refused action writes nothing
                    continue
                done.append((changes, before, rows(ctx)))
                undone.clear()
            elif step[0] == "undo" and done:
                changes, before, after = done.pop()
                undone.append((restore_placements(ctx, changes), before, after))
                assert rows(ctx) == before
            elif step[0] == "redo" and undone:
                changes, before, after = undone.pop()
                done.append((restore_placements(ctx, changes, verb="redo"), before, after))
                assert rows(ctx) == after
        while done:
            changes, before, _after = done.pop()
            restore_placements(ctx, changes)
            assert rows(ctx) == before
        assert rows(ctx) == start
    finally:
        sqlite_of(ctx.store).close()
