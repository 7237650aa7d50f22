"""Starting an infusion re-times its booking to the chair time really taken.

P1's cycle 1 is booked Monday 2 March 2026 13:00-16:15 in Chair 1 (prep 15, infusion
90, observation 90): its infusion is booked for 13:15.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import courses, nurse, patients
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store import repository as repo
from tests.store.backends import sqlite_of

from .conftest import local
from .test_nurse import appointment_of, at, prepare

BOOKED = "2026-03-02T13:00"


def book(ctx: Context, mrn: str = "P1", first: str = BOOKED, chair: str = "Chair 1") -> None:
    courses.book_course(ctx, mrn=mrn, setting="EBC", first_dose=local(first), chair=chair)


def appointment(ctx: Context, appointment_id: int) -> dict[str, Any]:
    row = repo.appointment_by_id(sqlite_of(ctx.store), appointment_id)
    assert row is not None
    return row


def start_audit(ctx: Context) -> dict[str, Any]:
    row = next(
        r for r in repo.audit_rows(sqlite_of(ctx.store), 50) if r["action"] == "start infusion"
    )
    return row


def test_an_early_start_retimes_the_booking_and_frees_the_booked_time(ctx: Context) -> None:
    book(ctx)
    booked = appointment_of(ctx, 1)
    prepare(ctx)
    patients.add_patient(ctx, mrn="P2", name="Rosa Ueda", weight_kg=60)
    book(ctx, "P2", BOOKED, "Chair 2")
    at(ctx, "2026-03-02T09:00")
    nurse.arrive(ctx, appointment_id=booked)
    at(ctx, "2026-03-02T09:15")
    changes = nurse.start_infusion(ctx, appointment_id=booked)

    row = appointment(ctx, booked)
    assert (row["chair_id"], row["start_utc"], row["end_utc"]) == (
        1,
        "2026-03-02T14:00:00Z",  # 09:00 New York: its infusion starts at 09:15
        "2026-03-02T17:15:00Z",  # same 195 chair minutes
    )
    assert courses.load_course(ctx.store, "P1").dose(1).given_at == datetime.fromisoformat(
        "2026-03-02T14:15:00Z"
    )
    # The nurse is told: more than 30 min off the booking.
    assert any("240 min earlier than booked (13:15)" in note for note in changes.notes)
    audit_row = start_audit(ctx)
    assert json.loads(audit_row["old_values"])["start_utc"] == "2026-03-02T18:00:00Z"
    assert json.loads(audit_row["new_values"])["start_utc"] == "2026-03-02T14:00:00Z"
    # Later cycles re-anchor on the day it was given.
    cycle2 = appointment(ctx, appointment_of(ctx, 2))
    assert cycle2["start_utc"].startswith("2026-03-23")
    # The booked time is free now: another booking moves into it.
    courses.move_appointment(ctx, mrn="P2", cycle=1, to=local(BOOKED), chair="Chair 1")
    record = courses.load_course(ctx.store, "P2")
    moved = record.current[record.dose(1).id]
    assert (moved.chair_id, moved.start) == (1, datetime.fromisoformat("2026-03-02T18:00:00Z"))


def test_the_time_really_taken_is_refused_to_others(ctx: Context) -> None:
    book(ctx)
    booked = appointment_of(ctx, 1)
    prepare(ctx)
    patients.add_patient(ctx, mrn="P2", name="Rosa Ueda", weight_kg=60)
    book(ctx, "P2", "2026-03-02T08:00", "Chair 2")
    at(ctx, "2026-03-02T09:15")
    nurse.start_infusion(ctx, appointment_id=booked)
    with pytest.raises(DomainError):
        courses.move_appointment(
            ctx, mrn="P2", cycle=1, to=local("2026-03-02T09:30"), chair="Chair 1"
        )


def test_a_chair_taken_at_the_actual_time_keeps_the_booking_with_a_note(ctx: Context) -> None:
    book(ctx)
    booked = appointment_of(ctx, 1)
    prepare(ctx)
    patients.add_patient(ctx, mrn="P2", name="Rosa Ueda", weight_kg=60)
    book(ctx, "P2", "2026-03-02T08:00", "Chair 1")  # 08:00-11:15 in Chair 1
    at(ctx, "2026-03-02T09:15")
    changes = nurse.start_infusion(ctx, appointment_id=booked)
    row = appointment(ctx, booked)
    assert (row["start_utc"], row["end_utc"]) == ("2026-03-02T18:00:00Z", "2026-03-02T21:15:00Z")
    assert any(
        "Chair 1 is not free 09:00\u201312:15: the booking stays 13:00\u201316:15" in note
        for note in changes.notes
    )
    assert courses.load_course(ctx.store, "P1").dose(1).status == "given"


def test_a_start_near_the_booking_retimes_without_a_note(ctx: Context) -> None:
    book(ctx)
    booked = appointment_of(ctx, 1)
    prepare(ctx)
    at(ctx, "2026-03-02T13:25")
    changes = nurse.start_infusion(ctx, appointment_id=booked)
    row = appointment(ctx, booked)
    assert row["start_utc"] == "2026-03-02T18:10:00Z"
    assert not any("than booked" in note for note in changes.notes)
