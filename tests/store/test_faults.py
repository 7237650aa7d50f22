"""Files that are not ours, damaged, newer, read-only or locked: one clear message,
exit 1 from the CLI (StoreError from the store), nothing written, bytes unchanged."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tdm1_scheduler.cli.main import main
from tdm1_scheduler.store.database import (
    StoreError,
    backup_to,
    integrity_problems,
    open_database,
    write_transaction,
)
from tdm1_scheduler.store.migrations import known_migration_names

from .conftest import sha

WRITE = ["patient", "add", "--mrn", "Z9", "--name", "Zed", "--weight-kg", "70"]


def not_sqlite_random(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def not_sqlite_text(path: Path) -> None:
    path.write_text("mrn,name,weight\nA1,Ann Lee,70\n" * 50)


def damaged(path: Path) -> None:
    size = path.stat().st_size
    page = 4096
    pages = size // page
    assert pages >= 6
    with path.open("r+b") as handle:
        for number in range(pages // 2 - 1, pages // 2 + 2):
            handle.seek(number * page)
            handle.write(bytes(range(256)) * (page // 256))


def newer_schema(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('tdm1_scheduler', 'm999_from_the_future', '2031-01-01')"
    )
    conn.commit()
    conn.close()


def other_app(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('hello')")
    conn.commit()
    conn.close()


def empty(path: Path) -> None:
    path.write_bytes(b"")


FAULTS = [
    (not_sqlite_random, "not a clinic database"),
    (not_sqlite_text, "not a clinic database"),
    (damaged, "damaged"),
    (newer_schema, "newer version"),
    (other_app, "not a clinic database"),
    (empty, "not a clinic database"),
]
IDS = [f[0].__name__ for f in FAULTS]


@pytest.mark.parametrize(("spoil", "message"), FAULTS, ids=IDS)
def test_open_database_refuses_and_leaves_the_file_alone(clinic_file, spoil, message):
    spoil(clinic_file)
    before = sha(clinic_file)
    with pytest.raises(StoreError, match=message) as refused:
        open_database(clinic_file)
    assert "\n" not in str(refused.value) and str(clinic_file) in str(refused.value)
    assert sha(clinic_file) == before


@pytest.mark.parametrize(("spoil", "message"), FAULTS, ids=IDS)
@pytest.mark.parametrize("argv", [WRITE, ["check"], ["course", "show", "--mrn", "A1"]])
def test_cli_exits_1_with_one_line_and_writes_nothing(capsys, clinic_file, spoil, message, argv):
    spoil(clinic_file)
    before = sha(clinic_file)
    code = main(["--db", str(clinic_file), *argv])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: ")
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert sha(clinic_file) == before


def test_read_only_file_refuses_writes_but_allows_reading(capsys, clinic_file):
    clinic_file.chmod(0o444)
    try:
        before = sha(clinic_file)
        with pytest.raises(StoreError, match="read-only"):
            open_database(clinic_file)
        assert main(["--db", str(clinic_file), *WRITE]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "read-only" in err and err.count("\n") == 1
        assert main(["--db", str(clinic_file), "check"]) == 0
        assert "integrity: ok" in capsys.readouterr().out
        assert main(["--db", str(clinic_file), "course", "show", "--mrn", "A1", "--json"]) == 0
        assert sha(clinic_file) == before
        assert stat.S_IMODE(clinic_file.stat().st_mode) == 0o444
    finally:
        clinic_file.chmod(0o644)


def test_locked_file_times_out_with_a_clear_message(capsys, clinic_file, monkeypatch):
    monkeypatch.setenv("TDM1_SCHEDULER_BUSY_TIMEOUT_MS", "200")
    holder = sqlite3.connect(clinic_file, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        before = sha(clinic_file)
        assert main(["--db", str(clinic_file), *WRITE]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "locked" in err and err.count("\n") == 1
        assert "0.2 s" in err
        db = open_database(clinic_file)
        try:
            with pytest.raises(StoreError, match="locked"), write_transaction(db):
                pass
        finally:
            db.close()
        assert sha(clinic_file) == before
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert main(["--db", str(clinic_file), *WRITE]) == 0  # free again


def test_missing_file_and_folder_are_refused(tmp_path, capsys):
    with pytest.raises(StoreError, match="no database"):
        open_database(tmp_path / "nope.db")
    assert not (tmp_path / "nope.db").exists()
    with pytest.raises(StoreError, match="folder"):
        open_database(tmp_path)
    assert main(["--db", str(tmp_path / "nope.db"), "check"]) == 1
    assert "tdm1-scheduler init" in capsys.readouterr().err


def test_every_connection_is_wal_full_sync_foreign_keys_and_busy_timeout(clinic_file, monkeypatch):
    for env, expected in ((None, 5000), ("750", 750)):
        if env:
            monkeypatch.setenv("TDM1_SCHEDULER_BUSY_TIMEOUT_MS", env)
        db = open_database(clinic_file)
        try:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert db.execute("PRAGMA busy_timeout").fetchone()[0] == expected
        finally:
            db.close()


def test_new_file_gets_the_schema_and_foreign_keys_hold(tmp_path):
    db = open_database(tmp_path / "fresh.db", create=True)
    try:
        names = set(db.table_names())
        assert {"clinic", "chairs", "patients", "courses", "doses", "appointments"} <= names
        assert {"audit_log", "_sqlite_migrations"} <= names
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(
                "INSERT INTO appointments (chair_id, kind, status, start_utc, end_utc) "
                "VALUES (99, 'blocked', 'booked', '2026-03-02T14:00:00Z', '2026-03-02T15:00:00Z')"
            )
    finally:
        db.close()


def test_instants_are_stored_as_utc_text(clinic_file):
    conn = sqlite3.connect(clinic_file)
    first = conn.execute("SELECT start_utc, end_utc FROM appointments ORDER BY id LIMIT 1")
    assert first.fetchone() == ("2026-03-02T14:00:00Z", "2026-03-02T17:15:00Z")
    conn.close()


def test_backup_copy_opens_and_passes_integrity_check(clinic_file, tmp_path, capsys):
    target = tmp_path / "copy.db"
    assert main(["--db", str(clinic_file), "backup", str(target)]) == 0
    assert "integrity ok" in capsys.readouterr().out
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    copied = "\n".join(conn.iterdump())
    conn.close()
    source = sqlite3.connect(clinic_file)
    assert "\n".join(source.iterdump()) == copied
    source.close()
    db = open_database(target)
    try:
        assert integrity_problems(db) == []
    finally:
        db.close()
    before = sha(target)  # backup replaces nothing: exit 2 naming PATH
    assert main(["--db", str(clinic_file), "backup", str(target)]) == 2
    assert "PATH" in capsys.readouterr().err and sha(target) == before


def test_backup_is_taken_while_another_connection_is_writing(clinic_file, tmp_path):
    writer = sqlite3.connect(clinic_file, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO chairs (name, position) VALUES ('Uncommitted', 99)")
    db = open_database(clinic_file)
    try:
        backup_to(db, tmp_path / "online.db")
    finally:
        db.close()
        writer.execute("ROLLBACK")
        writer.close()
    conn = sqlite3.connect(tmp_path / "online.db")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT COUNT(*) FROM chairs WHERE name = 'Uncommitted'").fetchone() == (0,)
    conn.close()


def test_check_prints_schema_and_integrity(clinic_file, capsys):
    assert main(["--db", str(clinic_file), "check"]) == 0
    newest = known_migration_names()[-1]
    assert capsys.readouterr().out.splitlines() == [f"schema: {newest}", "integrity: ok"]
