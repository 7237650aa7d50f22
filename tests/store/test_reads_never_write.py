"""Reads never write: another program's SQLite file is refused byte-identical, migrations
run only on our own clinic file, ``check`` opens read-only, a refused init leaves nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from tdm1_scheduler.cli.main import main
from tdm1_scheduler.store.database import APPLICATION_ID, StoreError, open_database
from tdm1_scheduler.store.migrations import known_migration_names

from .conftest import sha

READS = [["check"], ["chair", "list"], ["course", "show", "--mrn", "A1"]]
WRITE = ["patient", "add", "--mrn", "Z9", "--name", "Zed", "--weight-kg", "70"]


def with_own_migrations(path: Path) -> None:
    """Another program that also keeps its schema with sqlite-utils migrations."""
    theirs = Migrations("recipes")

    @theirs()
    def m001_recipes(db: Database) -> None:
        db.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)")

    db = Database(path)
    theirs.apply(db)
    db.execute("INSERT INTO recipes (title) VALUES ('soup')")
    db.conn.commit()
    db.close()


def with_another_application_id(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT, applied_at TEXT)")
    conn.execute("INSERT INTO _sqlite_migrations VALUES ('tdm1_scheduler', 'm001_initial', 'x')")
    conn.commit()
    conn.close()


def files_beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


@pytest.mark.parametrize("make", [with_own_migrations, with_another_application_id])
@pytest.mark.parametrize("argv", [*READS, WRITE, ["init", "--timezone", "UTC"]])
def test_another_programs_file_is_refused_and_left_byte_identical(tmp_path, capsys, make, argv):
    path = tmp_path / "theirs.db"
    make(path)
    before, beside = sha(path), files_beside(path)
    assert main(["--db", str(path), *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not a clinic database" in err and err.count("\n") == 1
    assert sha(path) == before and files_beside(path) == beside
    with pytest.raises(StoreError, match="not a clinic database"):
        open_database(path)
    assert sha(path) == before


def test_a_new_clinic_carries_our_application_id(tmp_path, capsys):
    path = tmp_path / "new.db"
    assert main(["--db", str(path), "init", "--timezone", "UTC"]) == 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    conn.close()


def test_an_older_clinic_without_the_id_is_still_ours(clinic_file, capsys):
    conn = sqlite3.connect(clinic_file)
    conn.execute("PRAGMA application_id = 0")
    conn.commit()
    conn.close()
    assert main(["--db", str(clinic_file), "course", "show", "--mrn", "A1"]) == 0
    assert main(["--db", str(clinic_file), *WRITE]) == 0


def roll_back_last_migration(path: Path) -> str:
    newest = known_migration_names()[-1]
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", [newest])
    conn.commit()
    conn.close()
    return newest


def test_check_opens_read_only_and_migrates_nothing(clinic_file, capsys):
    newest = roll_back_last_migration(clinic_file)
    before = sha(clinic_file)
    assert main(["--db", str(clinic_file), "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("schema: ") and newest not in out
    assert sha(clinic_file) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["init", "--timezone", "Mars/Base"],
        ["init", "--timezone", "../../etc/passwd"],
        ["init", "--timezone", "UTC", "--chairs", "9999"],
        ["init", "--timezone", "UTC", "--open", "8am"],
    ],
)
def test_a_refused_init_leaves_no_file_behind(tmp_path, capsys, argv):
    path = tmp_path / "sub" / "clinic.db"
    assert main(["--db", str(path), *argv]) == 2
    assert not path.exists() and list(tmp_path.iterdir()) == []
    assert main(["--db", str(path), "init", "--timezone", "UTC"]) == 0  # the same path works
    assert path.is_file()
