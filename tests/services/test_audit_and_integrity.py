"""One audit row per action; the database itself guards the audit log and the chairs;
stale versions conflict; a refusal changes nothing at all."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date

import pytest

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import clinic, courses, patients
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import ConflictError, to_utc_text
from tests.store.backends import sqlite_of

from .conftest import USER, dump, local

FIRST = local("2026-03-02T09:00")


def audit_rows(ctx: Context) -> list[dict]:
    return list(reversed(repo.audit_rows(sqlite_of(ctx.store), 10_000)))


def last_audit(ctx: Context) -> dict:
    row = repo.audit_rows(sqlite_of(ctx.store), 1)[0]
    row["old"] = None if row["old_values"] is None else json.loads(row["old_values"])
    row["new"] = None if row["new_values"] is None else json.loads(row["new_values"])
    return row


def booked_course(ctx: Context) -> None:
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=FIRST)


def test_init_and_add_patient_write_one_audit_row_each(ctx):
    rows = audit_rows(ctx)
    assert [r["action"] for r in rows] == ["init clinic", "add patient"]
    init = json.loads(rows[0]["new_values"])
    assert init["timezone"] == "America/New_York" and init["chairs"] == 3
    patient = last_audit(ctx)
    assert patient["user"] == USER
    assert patient["at_utc"] == to_utc_text(ctx.clock.now()) == "2026-03-01T13:00:00Z"
    assert patient["entity"] == "patient" and patient["old"] is None
    assert patient["new"]["mrn"] == "P1" and patient["new"]["weight_kg"] == 70


ACTIONS: list[tuple[str, Callable[[Context], object], str, Callable[[dict], bool]]] = [
    (
        "add chair",
        lambda c: clinic.add_chair(c, "Recliner A"),
        "add chair",
        lambda a: a["old"] is None and a["new"] == {"name": "Recliner A"},
    ),
    (
        "closed date",
        lambda c: clinic.add_closed_date(c, date(2026, 12, 25), "Christmas"),
        "add closed date",
        lambda a: a["new"] == {"day": "2026-12-25", "reason": "Christmas"},
    ),
    (
        "settings",
        lambda c: clinic.update_settings(c, {"mbc_horizon_cycles": 4}),
        "change settings",
        lambda a: a["old"] == {"mbc_horizon_cycles": 6} and a["new"] == {"mbc_horizon_cycles": 4},
    ),
    (
        "weight",
        lambda c: patients.record_weight(c, mrn="P1", weight_kg=66.5),
        "record weight",
        lambda a: a["old"]["weight_kg"] == 70 and a["new"]["weight_kg"] == 66.5,
    ),
    (
        "book",
        booked_course,
        "book course",
        lambda a: (
            a["old"] is None
            and len(a["new"]["cycles"]) == 14
            and a["new"]["cycles"][0] == [1, "2026-03-02T14:00:00Z", "Chair 1"]
        ),
    ),
    (
        "blocked time",
        lambda c: courses.book_blocked_time(
            c, chair="Chair 2", start=local("2026-03-03T10:00"), minutes=60, label="pump service"
        ),
        "block chair time",
        lambda a: a["new"]["label"] == "pump service" and a["new"]["kind"] == "blocked",
    ),
]


@pytest.mark.parametrize(("name", "act", "action", "content"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_each_action_writes_exactly_one_audit_row(ctx, name, act, action, content):
    before = len(audit_rows(ctx))
    act(ctx)
    assert len(audit_rows(ctx)) == before + 1
    row = last_audit(ctx)
    assert row["user"] == USER and row["action"] == action
    assert row["at_utc"] == "2026-03-01T13:00:00Z"
    assert content(row), row


def test_course_actions_write_one_audit_row_each_with_old_and_new(ctx):
    booked_course(ctx)
    steps: list[tuple[Callable[[], object], str, Callable[[dict], bool]]] = [
        (
            lambda: courses.record_dose_given(
                ctx, mrn="P1", cycle=1, given_at=local("2026-03-02T09:20")
            ),
            "record dose given",
            lambda a: (
                a["old"] == {"status": "booked"}
                and a["new"]["given_at"] == "2026-03-02T14:20:00Z"
                and a["new"]["tolerated"] == 1
                and a["new"]["cycle"] == 1
            ),
        ),
        (
            lambda: courses.move_appointment(ctx, mrn="P1", cycle=2, to=local("2026-03-24T10:00")),
            "move appointment",
            lambda a: (
                a["old"]["start"] == "2026-03-23T13:00:00Z"
                and a["new"]["start"] == "2026-03-24T14:00:00Z"
                and a["new"]["later_moved"] == 12
            ),
        ),
        (
            lambda: courses.mark_dose_missed(ctx, mrn="P1", cycle=2),
            "mark dose missed",
            lambda a: (
                a["old"]["start"] == "2026-03-24T14:00:00Z"
                and a["new"]["start"] > a["old"]["start"]
            ),
        ),
        (
            lambda: courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=3.0),
            "reduce dose level",
            lambda a: (
                a["old"] == {"dose_level_mg_per_kg": 3.6}
                and a["new"] == {"dose_level_mg_per_kg": 3.0}
            ),
        ),
        (
            lambda: courses.stop_course(ctx, mrn="P1", reason="recurrence"),
            "stop course",
            lambda a: (
                a["old"] == {"status": "active"}
                and a["new"]["status"] == "stopped"
                and a["new"]["reason"] == "recurrence"
                and len(a["new"]["cancelled_cycles"]) == 13
            ),
        ),
    ]
    ctx.clock.current = local("2026-03-24T12:00")
    for act, action, content in steps:
        before = len(audit_rows(ctx))
        act()
        assert len(audit_rows(ctx)) == before + 1
        row = last_audit(ctx)
        assert (row["user"], row["action"]) == (USER, action)
        assert row["at_utc"] == "2026-03-24T16:00:00Z"
        assert content(row), row


def test_audit_log_refuses_update_and_delete(ctx):
    before = dump(ctx)
    for sql in (
        "UPDATE audit_log SET user = 'mallory'",
        "UPDATE audit_log SET new_values = NULL WHERE id = 1",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = 2",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            sqlite_of(ctx.store).execute(sql)
    assert dump(ctx) == before


def _insert(ctx: Context, chair: int, start: str, end: str, status: str = "booked") -> int:
    return (
        sqlite_of(ctx.store)
        .execute(
            "INSERT INTO appointments (chair_id, kind, label, status, start_utc, end_utc) "
            "VALUES (?, 'blocked', 'sql', ?, ?, ?)",
            [chair, status, start, end],
        )
        .lastrowid
    )


def test_overlap_trigger_refuses_a_direct_sql_insert_and_update(ctx):
    first = _insert(ctx, 1, "2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z")
    before = dump(ctx)
    for start, end in (
        ("2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z"),  # same
        ("2026-03-02T14:59:00Z", "2026-03-02T16:00:00Z"),  # tail
        ("2026-03-02T13:00:00Z", "2026-03-02T14:01:00Z"),  # head
        ("2026-03-02T14:10:00Z", "2026-03-02T14:20:00Z"),  # inside
        ("2026-03-02T13:00:00Z", "2026-03-02T17:00:00Z"),  # around
    ):
        for status in ("booked", "given"):
            with pytest.raises(sqlite3.IntegrityError, match="chair_overlap"):
                _insert(ctx, 1, start, end, status)
    assert dump(ctx) == before
    # touching ends, another chair, and non-holding statuses are fine
    _insert(ctx, 1, "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z")
    _insert(ctx, 1, "2026-03-02T13:00:00Z", "2026-03-02T14:00:00Z")
    _insert(ctx, 2, "2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z")
    cancelled = _insert(ctx, 1, "2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z", "cancelled")
    _insert(ctx, 1, "2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z", "missed")
    with pytest.raises(sqlite3.IntegrityError, match="chair_overlap"):
        sqlite_of(ctx.store).execute(
            "UPDATE appointments SET status = 'booked' WHERE id = ?", [cancelled]
        )
    with pytest.raises(sqlite3.IntegrityError, match="chair_overlap"):
        sqlite_of(ctx.store).execute(
            "UPDATE appointments SET start_utc = '2026-03-02T14:30:00Z' WHERE id = ?", [first + 1]
        )


def test_repository_turns_an_overlap_into_a_conflict(ctx):
    _insert(ctx, 1, "2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z")
    with pytest.raises(ConflictError) as conflict:
        repo.insert_appointment(
            sqlite_of(ctx.store),
            {
                "chair_id": 1,
                "kind": "blocked",
                "status": "booked",
                "start_utc": "2026-03-02T14:30:00Z",
                "end_utc": "2026-03-02T15:30:00Z",
            },
        )
    assert conflict.value.field == "chair"


def test_stale_version_raises_conflict_and_changes_nothing(ctx):
    booked_course(ctx)
    row = (
        sqlite_of(ctx.store)
        .execute("SELECT id, version FROM appointments ORDER BY id LIMIT 1")
        .fetchone()
    )
    appointment_id, version = row
    repo.update_appointment(sqlite_of(ctx.store), appointment_id, version, {"label": "first edit"})
    before = dump(ctx)
    with pytest.raises(ConflictError) as conflict:
        repo.update_appointment(
            sqlite_of(ctx.store), appointment_id, version, {"label": "stale edit"}
        )
    assert conflict.value.field == "appointment"
    assert dump(ctx) == before
    assert repo.appointment_by_id(sqlite_of(ctx.store), appointment_id)["label"] == "first edit"
    with pytest.raises(ConflictError):
        repo.update_versioned(sqlite_of(ctx.store), "patients", 1, 99, {"name": "x"})


def test_move_with_a_stale_version_is_a_conflict(ctx):
    booked_course(ctx)
    appointment = (
        sqlite_of(ctx.store)
        .execute(
            "SELECT a.id, a.version FROM appointments a JOIN doses d ON d.id = a.dose_id "
            "WHERE d.cycle = 2"
        )
        .fetchone()
    )
    courses.move_appointment(ctx, mrn="P1", cycle=2, to=local("2026-03-23T10:00"))
    before = dump(ctx)
    with pytest.raises(ConflictError):
        courses.move_appointment(
            ctx, mrn="P1", cycle=2, to=local("2026-03-23T11:00"), expected_version=appointment[1]
        )
    assert dump(ctx) == before


REFUSALS: list[tuple[str, Callable[[Context], object]]] = [
    ("init twice", lambda c: clinic.init_clinic(c, timezone="UTC")),
    ("bad zone", lambda c: clinic.init_clinic(c, timezone="Mars/Olympus")),
    ("dup chair", lambda c: clinic.add_chair(c, "chair 1")),
    ("closed twice", lambda c: clinic.add_closed_date(c, date(2026, 12, 25))),
    ("close booked day", lambda c: clinic.add_closed_date(c, date(2026, 3, 23))),
    ("bad setting", lambda c: clinic.update_settings(c, {"mbc_horizon_cycles": 0})),
    ("weight text", lambda c: patients.add_patient(c, mrn="P9", name="N", weight_kg="abc")),
    ("weight zero", lambda c: patients.add_patient(c, mrn="P9", name="N", weight_kg=0)),
    ("weight low", lambda c: patients.add_patient(c, mrn="P9", name="N", weight_kg=19.9)),
    ("weight high", lambda c: patients.add_patient(c, mrn="P9", name="N", weight_kg=300.1)),
    ("dup mrn", lambda c: patients.add_patient(c, mrn="p1", name="N", weight_kg=70)),
    ("unknown mrn", lambda c: courses.stop_course(c, mrn="NOPE", reason="x")),
    ("second course", booked_course),
    (
        "chair taken",
        lambda c: courses.book_blocked_time(
            c, chair="Chair 1", start=local("2026-03-02T10:00"), minutes=30, label="x"
        ),
    ),
    (
        "after hours",
        lambda c: courses.book_blocked_time(
            c, chair="Chair 2", start=local("2026-03-02T16:50"), minutes=30, label="x"
        ),
    ),
    (
        "given too soon",
        lambda c: courses.record_dose_given(
            c, mrn="P1", cycle=2, given_at=local("2026-03-20T09:00")
        ),
    ),
    ("cycle 15", lambda c: courses.mark_dose_missed(c, mrn="P1", cycle=15)),
    ("cycle 0", lambda c: courses.mark_dose_missed(c, mrn="P1", cycle=0)),
    (
        "move too soon",
        lambda c: courses.move_appointment(c, mrn="P1", cycle=2, to=local("2026-03-19T09:00")),
    ),
    (
        "move to weekend",
        lambda c: courses.move_appointment(c, mrn="P1", cycle=3, to=local("2026-04-11T09:00")),
    ),
    ("re-escalate", lambda c: courses.reduce_dose_level(c, mrn="P1", mg_per_kg=3.6)),
    ("empty reason", lambda c: courses.stop_course(c, mrn="P1", reason="  ")),
    (
        "cycle given twice",
        lambda c: courses.record_dose_given(
            c, mrn="P1", cycle=1, given_at=local("2026-03-02T10:00")
        ),
    ),
]


@pytest.mark.parametrize(("name", "act"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_every_refusal_leaves_the_database_unchanged(ctx, name, act):
    clinic.add_closed_date(ctx, date(2026, 12, 25))
    booked_course(ctx)
    courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local("2026-03-02T09:15"))
    courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=3.0)
    before = dump(ctx)
    with pytest.raises((DomainError, ConflictError)) as refused:
        act(ctx)
    assert refused.value.field and "\n" not in str(refused.value)
    assert dump(ctx) == before
    assert not sqlite_of(ctx.store).conn.in_transaction
