"""``copy_clinic``: a SQLite clinic copied to an empty server database (issue 16, item 5),
against the throwaway server. Every table row for row, ids and sequences kept, the
audit log whole; a target that is not empty is refused, a copy that fails rolls back."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tdm1_scheduler.store.database import StoreError
from tdm1_scheduler.store.postgres import copy_clinic as copy_module
from tdm1_scheduler.store.postgres.copy_clinic import MIGRATED_DB_USER, TABLES, copy_clinic
from tdm1_scheduler.store.postgres.migrations import known_migration_names
from tdm1_scheduler.store.postgres.runner import applied_names, apply_pending

from .clinic_to_copy import build_clinic_to_copy
from .conftest import Connect


@pytest.fixture(scope="module")
def clinic_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite clinic, built once for the module (the copy only reads it)."""
    return build_clinic_to_copy(tmp_path_factory.mktemp("copy") / "clinic.db")


def instant_columns(conn: psycopg.Connection[Any], table: str) -> set[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND data_type = 'timestamp with time zone'",
        [table],
    )
    return {str(row[0]) for row in rows}


def sqlite_rows(path: Path, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as source:
        columns = [str(row[1]) for row in source.execute(f'PRAGMA table_info("{table}")')]
        names = ", ".join(f'"{column}"' for column in columns)
        rows = source.execute(f'SELECT {names} FROM "{table}" ORDER BY 1').fetchall()
    source.close()
    return columns, rows


def server_rows(
    conn: psycopg.Connection[Any], table: str, columns: list[str]
) -> list[tuple[Any, ...]]:
    names = ", ".join(f'"{column}"' for column in columns)
    return [tuple(row) for row in conn.execute(f'SELECT {names} FROM "{table}" ORDER BY 1')]


def as_server_would(
    row: tuple[Any, ...], columns: list[str], instants: set[str]
) -> tuple[Any, ...]:
    """SQLite's UTC text as the aware datetime the server returns."""
    return tuple(
        datetime.fromisoformat(value) if column in instants and value is not None else value
        for column, value in zip(columns, row, strict=True)
    )


def test_every_table_copies_row_for_row(clinic_file: Path, empty_db: str, connect: Connect) -> None:
    conn = connect(empty_db)
    counts = copy_clinic(clinic_file, conn)
    assert list(counts) == list(TABLES)
    assert applied_names(conn) == known_migration_names()  # the target was migrated
    for table in TABLES:
        columns, expected = sqlite_rows(clinic_file, table)
        assert expected, f"the test clinic has no {table} rows"
        assert counts[table] == (len(expected), len(expected))
        instants = instant_columns(conn, table)
        if table not in ("clinic", "opening_hours", "closed_dates", "chairs"):
            assert instants, table  # instants really are compared as datetimes
        got = server_rows(conn, table, columns)
        assert got == [as_server_would(row, columns, instants) for row in expected], table
        for row in got:  # aware, in UTC
            for column, value in zip(columns, row, strict=True):
                if column in instants and value is not None:
                    assert value.utcoffset().total_seconds() == 0
    # the history's writer on the server: the copy's marker, not the owner's name
    writers = conn.execute("SELECT DISTINCT db_user FROM audit_log").fetchall()
    assert writers == [(MIGRATED_DB_USER,)]
    # the appointments' patient, filled by the server's trigger
    missing = conn.execute(
        "SELECT count(*) FROM appointments WHERE kind = 'dose' AND patient_id IS NULL"
    ).fetchone()
    assert missing == (0,)


def test_the_undo_history_and_versions_come_along(
    clinic_file: Path, empty_db: str, connect: Connect
) -> None:
    conn = connect(empty_db)
    copy_clinic(clinic_file, conn)
    actions = [row[0] for row in conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert any(action.startswith("undo") for action in actions), actions
    assert any("move" in action for action in actions), actions
    versions = conn.execute("SELECT max(version) FROM appointments").fetchone()
    assert versions is not None and versions[0] > 1


def test_new_rows_get_ids_past_the_copied_ones(
    clinic_file: Path, empty_db: str, connect: Connect
) -> None:
    conn = connect(empty_db)
    copy_clinic(clinic_file, conn)
    top = {
        table: conn.execute(f'SELECT max(id) FROM "{table}"').fetchone()[0]  # type: ignore[index]
        for table in ("chairs", "audit_log", "lab_results")
    }
    chair = conn.execute("INSERT INTO chairs (name) VALUES ('Chair 99') RETURNING id").fetchone()
    audit = conn.execute(
        'INSERT INTO audit_log (at_utc, "user", action, entity) '
        "VALUES (now(), 'sam', 'add chair', 'chairs') RETURNING id, db_user"
    ).fetchone()
    assert chair is not None and chair[0] == top["chairs"] + 1
    assert audit is not None and audit[0] == top["audit_log"] + 1
    assert audit[1] != MIGRATED_DB_USER  # the writer trigger is on again: current_user
    lab = conn.execute(
        "INSERT INTO lab_results (patient_id, test, value, sampled_at, recorded_at) "
        "VALUES (1, 'platelets', 1, now(), now()) RETURNING id"
    ).fetchone()
    assert lab is not None and lab[0] == top["lab_results"] + 1


def test_the_copied_tables_have_the_planners_statistics(
    clinic_file: Path, empty_db: str, connect: Connect
) -> None:
    conn = connect(empty_db)
    copy_clinic(clinic_file, conn)
    analyzed = {
        row[0] for row in conn.execute("SELECT DISTINCT tablename::text FROM pg_stats")
    }
    assert {"appointments", "doses", "courses", "audit_log"} <= analyzed


def test_a_database_that_is_not_empty_is_refused_and_kept(
    clinic_file: Path, empty_db: str, connect: Connect
) -> None:
    conn = connect(empty_db)
    first = copy_clinic(clinic_file, conn)  # the allowed case: an empty database
    assert first["patients"] == (3, 3)
    before = {t: server_rows(conn, t, sqlite_rows(clinic_file, t)[0]) for t in TABLES}
    with pytest.raises(StoreError) as refused:
        copy_clinic(clinic_file, conn)
    message = str(refused.value)
    assert "\n" not in message
    assert "not empty" in message and "clinic has 1 row" in message
    after = {t: server_rows(conn, t, sqlite_rows(clinic_file, t)[0]) for t in TABLES}
    assert after == before


def test_one_patient_row_is_enough_to_refuse(
    empty_db: str, connect: Connect, clinic_file: Path
) -> None:
    conn = connect(empty_db)
    apply_pending(conn)
    conn.execute(
        "INSERT INTO patients (mrn, name, weight_kg, weight_measured_at) "
        "VALUES ('Z9', 'Zed', 70, now())"
    )
    with pytest.raises(StoreError, match=r"patients has 1 row\)"):
        copy_clinic(clinic_file, conn)
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone() == (0,)
    conn.execute("DELETE FROM patients")  # empty again: the copy goes ahead
    assert copy_clinic(clinic_file, conn)["patients"] == (3, 3)


def test_a_copy_that_fails_half_way_leaves_the_database_empty(
    clinic_file: Path, empty_db: str, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = copy_module.copy_table

    def failing(source: Any, conn: Any, table: str, columns: list[str]) -> int:
        if table == "visits":
            raise psycopg.errors.DiskFull("no space left on device")
        return real(source, conn, table, columns)

    monkeypatch.setattr(copy_module, "copy_table", failing)
    conn = connect(empty_db)
    with pytest.raises(StoreError, match="rolled back"):
        copy_clinic(clinic_file, conn)
    for table in TABLES:
        assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (0,), table
    # the writer trigger was never left off
    enabled = conn.execute(
        "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_log_writer'"
    ).fetchone()
    assert enabled == ("O",)
    monkeypatch.setattr(copy_module, "copy_table", real)  # and then the copy works
    assert copy_clinic(clinic_file, conn)["visits"] == (1, 1)


def test_a_count_that_does_not_match_rolls_back(
    clinic_file: Path, empty_db: str, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = copy_module.copy_table

    def short(source: Any, conn: Any, table: str, columns: list[str]) -> int:
        sent = real(source, conn, table, columns)
        if table == "lab_results":
            conn.execute("DELETE FROM lab_results WHERE id = (SELECT max(id) FROM lab_results)")
        return sent

    monkeypatch.setattr(copy_module, "copy_table", short)
    conn = connect(empty_db)
    with pytest.raises(StoreError, match=r"lab_results does not match \(2 rows in SQLite, 1 on"):
        copy_clinic(clinic_file, conn)
    for table in TABLES:
        assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (0,), table
    monkeypatch.setattr(copy_module, "copy_table", real)
    assert copy_clinic(clinic_file, conn)["lab_results"] == (2, 2)


SCHEMA_OBJECTS = """
SELECT 'constraint', t.relname, c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE t.relnamespace = 'public'::regnamespace
UNION ALL
SELECT 'index', tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'trigger', t.relname, g.tgname, g.tgenabled::text
FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid
WHERE t.relnamespace = 'public'::regnamespace AND NOT g.tgisinternal
ORDER BY 1, 2, 3
"""


def test_the_schema_is_as_migrated_after_the_copy(
    clinic_file: Path, empty_db: str, connect: Connect, pg_admin: psycopg.Connection[Any]
) -> None:
    """The constraints and indexes set aside during the copy are back, the same."""
    reference = f"{empty_db}_ref"
    pg_admin.execute(f'CREATE DATABASE "{reference}" OWNER tdm1_owner')
    migrated = connect(reference)
    apply_pending(migrated)
    conn = connect(empty_db)
    copy_clinic(clinic_file, conn)
    assert conn.execute(SCHEMA_OBJECTS).fetchall() == migrated.execute(SCHEMA_OBJECTS).fetchall()
    # and they hold: a second booking over a copied one in its chair is refused
    booked = conn.execute(
        "SELECT chair_id, start_utc, end_utc FROM appointments WHERE status = 'booked' LIMIT 1"
    ).fetchone()
    assert booked is not None
    with pytest.raises(psycopg.errors.ExclusionViolation, match="chair_overlap"):
        conn.execute(
            "INSERT INTO appointments (chair_id, kind, status, start_utc, end_utc) "
            "VALUES (%s, 'blocked', 'booked', %s, %s)",
            list(booked),
        )
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute(
            "INSERT INTO lab_results (patient_id, test, value, sampled_at, recorded_at) "
            "VALUES (9999, 'platelets', 1, now(), now())"
        )


def test_a_patient_booked_twice_at_once_is_refused_whole(
    tmp_path: Path, empty_db: str, connect: Connect
) -> None:
    """SQLite checks overlaps per chair only; the server per patient too. A clinic
    holding one patient in two chairs at once is refused at the copy, nothing kept."""
    path = build_clinic_to_copy(tmp_path / "clinic.db")
    with sqlite3.connect(path) as source:
        row = source.execute(
            "SELECT id, chair_id, start_utc, end_utc FROM appointments "
            "WHERE status = 'booked' AND kind = 'dose' ORDER BY id LIMIT 1"
        ).fetchone()
        other_chair = source.execute(
            "SELECT id FROM chairs WHERE id != ? ORDER BY id LIMIT 1", [row[1]]
        ).fetchone()[0]
        free = source.execute(
            "SELECT count(*) FROM appointments WHERE chair_id = ? AND start_utc < ? "
            "AND end_utc > ? AND status IN ('booked', 'given')",
            [other_chair, row[3], row[2]],
        ).fetchone()
        assert free == (0,)
        dose = source.execute("SELECT dose_id FROM appointments WHERE id = ?", [row[0]])
        source.execute(
            "INSERT INTO appointments (chair_id, dose_id, kind, status, start_utc, end_utc) "
            "VALUES (?, ?, 'dose', 'booked', ?, ?)",
            [other_chair, dose.fetchone()[0], row[2], row[3]],
        )
    source.close()
    conn = connect(empty_db)
    with pytest.raises(StoreError, match="patient_overlap"):
        copy_clinic(path, conn)
    for table in TABLES:
        assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (0,), table


def test_a_role_that_is_not_the_owner_is_refused(
    clinic_file: Path, clinic_db: str, connect: Connect
) -> None:
    """A scheduler's login may write rows but not set the constraints aside: refused
    naming the owner, nothing written; the owner's copy of the same database works."""
    with pytest.raises(StoreError, match="owner role"):
        copy_clinic(clinic_file, connect(clinic_db, user="sam"))
    owner = connect(clinic_db)
    for table in TABLES:
        assert owner.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (0,), table
    assert copy_clinic(clinic_file, owner)["patients"] == (3, 3)
