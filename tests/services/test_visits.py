"""Cancel visit with a reason: a dose's visit is re-booked like a missed one; blocked
time is freed. The reason is in the audit; an undo puts every row back."""

from __future__ import annotations

import json

import pytest

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import courses, slots, visits
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.restore import restore_placements
from tdm1_scheduler.store import repository as repo
from tests.store.backends import sqlite_of

from .conftest import cycles, dump, local, start_of


def _appointments(ctx: Context) -> list[tuple[object, ...]]:
    rows = (
        sqlite_of(ctx.store)
        .execute(
            "SELECT id, dose_id, chair_id, start_utc, end_utc, status, version FROM appointments"
            " ORDER BY id"
        )
        .fetchall()
    )
    return [tuple(row) for row in rows]


def _last_cancel(ctx: Context) -> dict[str, object]:
    row = next(
        r for r in repo.audit_rows(sqlite_of(ctx.store)) if r["action"] == visits.CANCEL_ACTION
    )
    return {"entity_id": row["entity_id"], **json.loads(row["new_values"])}


@pytest.fixture
def booked(ctx: Context) -> Context:
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"),
                        chair="Chair 1")  # fmt: skip
    return ctx


def test_cancel_dose_visit_rebooks_the_chosen_slot_with_the_reason(booked: Context) -> None:
    ctx = booked
    record = courses.load_course(ctx.store, "P1")
    old_id = record.current[record.dose(1).id].id
    second = slots.find_slots(ctx, mrn="P1", cycle=1, missed=True, count=2)[1]
    before = _appointments(ctx)
    changes = visits.cancel_dose_visit(
        ctx, mrn="P1", cycle=1, reason="  patient  has flu ", to=second.start, chair=second.chair
    )
    first = cycles(ctx, "P1")[0]
    assert (start_of(first), first["chair"]) == (second.start, second.chair)
    assert repo.appointment_by_id(sqlite_of(ctx.store), old_id)["status"] == "missed"
    later = start_of(cycles(ctx, "P1")[1]).date()
    assert (later - start_of(first).date()).days >= 21  # later cycles keep 21 days apart
    audit = _last_cancel(ctx)
    assert audit["entity_id"] == old_id and audit["reason"] == "patient has flu"
    assert audit["status"] == "missed"
    restore_placements(ctx, changes)  # undo: every appointment row as it was
    assert _appointments(ctx) == before


def test_cancel_dose_visit_needs_a_reason_and_the_next_dose(booked: Context) -> None:
    ctx = booked
    before = dump(ctx)
    with pytest.raises(DomainError, match="reason: say why"):
        visits.cancel_dose_visit(ctx, mrn="P1", cycle=1, reason="   ")
    with pytest.raises(DomainError, match="cycle 2 is not the next dose"):
        visits.cancel_dose_visit(ctx, mrn="P1", cycle=2, reason="flu")
    assert dump(ctx) == before


def test_cancel_blocked_time_records_the_reason_and_undoes(ctx: Context) -> None:
    made = courses.book_blocked_time(
        ctx, chair="Chair 2", start=local("2026-03-24T10:00"), minutes=60, label="pump service"
    )
    (block,) = made.appointments
    before = _appointments(ctx)
    with pytest.raises(DomainError, match="reason"):
        visits.cancel_blocked_time(ctx, appointment_id=block, reason="")
    changes = visits.cancel_blocked_time(ctx, appointment_id=block, reason="vendor late")
    assert repo.appointment_by_id(sqlite_of(ctx.store), block)["status"] == "cancelled"
    assert _last_cancel(ctx) == {
        "entity_id": block, "status": "cancelled", "reason": "vendor late"
    }  # fmt: skip
    with pytest.raises(DomainError, match="not booked blocked time"):
        visits.cancel_blocked_time(ctx, appointment_id=block, reason="again")
    restore_placements(ctx, changes)
    assert _appointments(ctx) == before
