"""The server schema enforces SQLite's invariants itself (issue 16), against a real server:
its migrations, the no-overlap exclusion constraints, and the version check."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest
from psycopg import errors

from tdm1_scheduler.store.database import StoreError
from tdm1_scheduler.store.postgres import runner
from tdm1_scheduler.store.postgres.migrations import (
    CHAIR_OVERLAP,
    MIGRATIONS,
    PATIENT_OVERLAP,
    Migration,
    known_migration_names,
)
from tdm1_scheduler.store.postgres.runner import apply_pending, pending, schema_version
from tests.store.postgres.conftest import Connect
from tests.store.postgres.seed import at, book, chair, dose


def test_migrations_apply_to_an_empty_database_once(empty_db: str, connect: Connect) -> None:
    owner = connect(empty_db)
    assert schema_version(owner) is None
    superuser = owner.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    assert superuser.fetchone() == (False,)  # the owner is no superuser

    assert apply_pending(owner) == known_migration_names()
    recorded = owner.execute("SELECT name FROM schema_version ORDER BY name").fetchall()
    assert [name for (name,) in recorded] == [migration.name for migration in MIGRATIONS]
    assert schema_version(owner) == MIGRATIONS[-1].name
    tables = owner.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert tables == (16,)  # SQLite's 15 tables (no migrations table) and schema_version

    # Idempotent: a second run (a second app starting) applies nothing and changes nothing.
    assert pending(connect(empty_db)) == []
    assert apply_pending(connect(empty_db)) == []
    assert owner.execute("SELECT count(*) FROM schema_version").fetchone() == (len(MIGRATIONS),)


def test_a_database_from_a_newer_app_is_refused(clinic_db: str, connect: Connect) -> None:
    owner = connect(clinic_db)
    assert pending(owner) == []  # ours: fine
    owner.execute("INSERT INTO schema_version (name) VALUES ('p999_from_the_future')")
    with pytest.raises(StoreError, match="newer version of the app"):
        apply_pending(owner)


def test_a_failed_migration_leaves_nothing_behind(
    empty_db: str, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Migration("p999_broken", "CREATE TABLE half_made (id integer); SELECT 1 / 0;")
    monkeypatch.setattr(runner, "MIGRATIONS", (*MIGRATIONS, broken))
    owner = connect(empty_db)
    with pytest.raises(errors.DivisionByZero):
        apply_pending(owner)
    assert schema_version(owner) == MIGRATIONS[-1].name  # the good ones are kept
    assert owner.execute("SELECT to_regclass('half_made')").fetchone() == (None,)

    monkeypatch.setattr(runner, "MIGRATIONS", MIGRATIONS)
    assert apply_pending(owner) == []


def test_two_apps_migrating_at_once_apply_each_migration_once(
    empty_db: str, connect: Connect
) -> None:
    results: list[list[str]] = []
    conns = [connect(empty_db), connect(empty_db)]
    apps = [threading.Thread(target=lambda c=c: results.append(apply_pending(c))) for c in conns]
    for app in apps:
        app.start()
    for app in apps:
        app.join(30)
    assert len(results) == 2
    assert sorted(name for applied in results for name in applied) == sorted(
        known_migration_names()
    )
    assert pending(conns[0]) == []


def exclusion(error: pytest.ExceptionInfo[errors.ExclusionViolation]) -> str | None:
    return error.value.diag.constraint_name


def test_one_chair_holds_one_booking_at_a_time(clinic_db: str, connect: Connect) -> None:
    conn = connect(clinic_db)
    one, two = chair(conn, "Chair 1"), chair(conn, "Chair 2")
    first = book(conn, one, 9, 10)

    book(conn, one, 10, 11)  # back to back: [9, 10) and [10, 11) do not overlap
    book(conn, two, 9.5, 10.5)  # another chair at the same time
    book(conn, one, 9.5, 10.5, status="cancelled")  # a cancelled or missed one holds no chair
    book(conn, one, 9.5, 10.5, status="missed")
    with pytest.raises(errors.ExclusionViolation) as refused:
        book(conn, one, 9.5, 10.5)
    assert exclusion(refused) == CHAIR_OVERLAP
    with pytest.raises(errors.ExclusionViolation):
        book(conn, one, 8, 12, status="given")  # a given visit holds the chair too

    # An update is held to it as well: moving into the first booking's hour is refused,
    # moving next to it is not.
    late = book(conn, one, 12, 13)
    with pytest.raises(errors.ExclusionViolation):
        conn.execute("UPDATE appointments SET start_utc = %s WHERE id = %s", [at(9.5), late])
    conn.execute("UPDATE appointments SET start_utc = %s WHERE id = %s", [at(11), late])
    # Cancelling the first frees its hour.
    conn.execute("UPDATE appointments SET status = 'cancelled' WHERE id = %s", [first])
    book(conn, one, 9, 10)


def test_one_patient_sits_in_one_chair_at_a_time(clinic_db: str, connect: Connect) -> None:
    conn = connect(clinic_db)
    one, two, three = chair(conn, "Chair 1"), chair(conn, "Chair 2"), chair(conn, "Chair 3")
    first_dose, second_dose = dose(conn, "MRN1", cycle=1), dose(conn, "MRN1", cycle=2)
    other_patients = dose(conn, "MRN2")
    book(conn, one, 9, 11, dose_id=first_dose)

    book(conn, two, 9, 11, dose_id=other_patients)  # someone else, same hours: fine
    book(conn, two, 11, 12, dose_id=second_dose)  # the same patient right after: fine
    with pytest.raises(errors.ExclusionViolation) as refused:
        book(conn, three, 10, 11.5, dose_id=dose(conn, "MRN1", cycle=3))
    assert exclusion(refused) == PATIENT_OVERLAP
    # The database keeps each appointment's patient, whatever a writer claims.
    blocked = book(conn, three, 10, 11.5)  # a blocked slot is nobody's
    conn.execute("UPDATE appointments SET patient_id = NULL WHERE dose_id = %s", [first_dose])
    conn.execute("UPDATE appointments SET patient_id = 999 WHERE dose_id = %s", [second_dose])
    patients = conn.execute(
        "SELECT a.id, a.patient_id, c.patient_id FROM appointments a "
        "LEFT JOIN doses d ON d.id = a.dose_id LEFT JOIN courses c ON c.id = d.course_id"
    ).fetchall()
    assert all(kept == true for _, kept, true in patients)
    assert [row_id for row_id, kept, _ in patients if kept is None] == [blocked]
    # A dose's course never changes, so that patient stays true.
    with pytest.raises(errors.IntegrityConstraintViolation):
        conn.execute("UPDATE doses SET course_id = course_id + 1 WHERE id = %s", [first_dose])
    conn.execute("UPDATE doses SET course_id = course_id WHERE id = %s", [first_dose])


def swap(conn: psycopg.Connection[Any], a: int, b: int, deferred: bool) -> None:
    """Swap two bookings' times in one transaction."""
    with conn.transaction():
        if deferred:
            conn.execute(f"SET CONSTRAINTS {CHAIR_OVERLAP}, {PATIENT_OVERLAP} DEFERRED")
        conn.execute("UPDATE appointments SET start_utc = %s, end_utc = %s WHERE id = %s",
                     [at(10), at(11), a])  # fmt: skip
        conn.execute("UPDATE appointments SET start_utc = %s, end_utc = %s WHERE id = %s",
                     [at(9), at(10), b])  # fmt: skip


def test_two_bookings_swap_in_one_transaction_with_deferred_constraints(
    clinic_db: str, connect: Connect
) -> None:
    conn = connect(clinic_db)
    one = chair(conn, "Chair 1")
    a, b = book(conn, one, 9, 10, dose(conn, "A")), book(conn, one, 10, 11, dose(conn, "B"))

    with pytest.raises(errors.ExclusionViolation):
        swap(conn, a, b, deferred=False)  # immediate: the first update overlaps b
    swap(conn, a, b, deferred=True)
    times = conn.execute(
        "SELECT id, extract(hour FROM start_utc AT TIME ZONE 'UTC') FROM appointments ORDER BY id"
    ).fetchall()
    assert [(row_id, int(hour)) for row_id, hour in times] == [(a, 10), (b, 9)]

    # Deferred is only later, not never: an overlap left at commit is refused then.
    with pytest.raises(errors.ExclusionViolation), conn.transaction():
        conn.execute(f"SET CONSTRAINTS {CHAIR_OVERLAP} DEFERRED")
        conn.execute("UPDATE appointments SET start_utc = %s WHERE id = %s", [at(9.5), a])


VERSIONED_UPDATE = (
    "UPDATE appointments SET label = %s, version = version + 1 WHERE id = %s AND version = %s"
)


def test_a_stale_version_is_refused(clinic_db: str, connect: Connect) -> None:
    """The store's compare-and-set: a row count of 0 is the stale edit, sequential or
    concurrent (the second writer waits for the first, then matches nothing)."""
    first, second = connect(clinic_db), connect(clinic_db)
    booking = book(first, chair(first, "Chair 1"), 9, 10)

    assert first.execute(VERSIONED_UPDATE, ["moved", booking, 1]).rowcount == 1
    assert second.execute(VERSIONED_UPDATE, ["stale", booking, 1]).rowcount == 0  # read v1
    assert second.execute(VERSIONED_UPDATE, ["fresh", booking, 2]).rowcount == 1

    # Both read version 3 and write at once: exactly one wins.
    counts: list[int] = []
    with first.transaction():
        counts.append(first.execute(VERSIONED_UPDATE, ["one", booking, 3]).rowcount)
        racer = threading.Thread(
            target=lambda: counts.append(
                second.execute(VERSIONED_UPDATE, ["two", booking, 3]).rowcount
            )
        )
        racer.start()
        racer.join(0.3)
        assert racer.is_alive()  # waiting on the first writer's row lock
    racer.join(10)
    assert counts == [1, 0]
    row = first.execute("SELECT label, version FROM appointments WHERE id = %s", [booking])
    assert row.fetchone() == ("one", 4)


def test_at_repeatable_read_the_second_writer_fails_to_serialize(
    clinic_db: str, connect: Connect
) -> None:
    first, second = connect(clinic_db), connect(clinic_db)
    booking = book(first, chair(first, "Chair 1"), 9, 10)
    second.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    with pytest.raises(errors.SerializationFailure), second.transaction():
        assert second.execute("SELECT version FROM appointments").fetchone() == (1,)
        assert first.execute(VERSIONED_UPDATE, ["moved", booking, 1]).rowcount == 1
        second.execute(VERSIONED_UPDATE, ["stale", booking, 1])  # its snapshot says v1
    with second.transaction():  # a fresh snapshot sees v2, and may write over it
        assert second.execute(VERSIONED_UPDATE, ["fresh", booking, 2]).rowcount == 1
