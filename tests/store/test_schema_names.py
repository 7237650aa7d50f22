"""``store/schema_names.py``: opening a clinic file checks its migrations against
``MIGRATION_NAMES`` without importing the migrations (issue 19), and says a migration is
pending exactly when ``migrations.pending`` does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tdm1_scheduler.store import database
from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.migrations import known_migration_names, migrations
from tdm1_scheduler.store.schema_names import MIGRATION_NAMES, MIGRATION_SET, MIGRATIONS_TABLE

MIGRATION_MODULES = (
    "tdm1_scheduler.store.migrations",
    "tdm1_scheduler.store.migration_set",
    "tdm1_scheduler.store.m007_course_regimen",
    "tdm1_scheduler.store.m008_patients_by_name",
    "tdm1_scheduler.store.m009_live_preparations",
)


def test_the_names_are_the_registry_s() -> None:
    assert MIGRATION_NAMES == tuple(known_migration_names()) == tuple(migrations.names())
    assert migrations.name == MIGRATION_SET and migrations.migrations_table == MIGRATIONS_TABLE


def test_pending_as_the_migration_set_says(tmp_path: Path) -> None:
    fresh = Database(memory=True)
    assert database._pending(fresh) is True and bool(migrations.pending(fresh)) is True
    path = tmp_path / "clinic.db"
    db = database.open_database(path, create=True)
    assert database._pending(db) is False and migrations.pending(db) == []
    for name in reversed(MIGRATION_NAMES[-2:]):  # as a file of an older version
        db.execute(f"DELETE FROM {MIGRATIONS_TABLE} WHERE name = ?", [name])
        assert database._pending(db) is True and bool(migrations.pending(db)) is True
    other = Database(memory=True)  # another program's migrations table, not our set
    other.execute(
        f"CREATE TABLE {MIGRATIONS_TABLE} (migration_set TEXT, name TEXT, applied_at TEXT)"
    )
    other.execute(f"INSERT INTO {MIGRATIONS_TABLE} VALUES ('theirs', 'm001_initial', 'x')")
    assert database._pending(other) is True and bool(migrations.pending(other)) is True


def test_an_older_file_is_still_migrated_at_open(tmp_path: Path) -> None:
    path = tmp_path / "clinic.db"
    db = database.open_database(path, create=True)
    last = MIGRATION_NAMES[-1]
    db.execute(f"DELETE FROM {MIGRATIONS_TABLE} WHERE name = ?", [last])
    db.conn.close()
    again = database.open_database(path)
    assert database.schema_version(again) == last
    assert not database._pending(again)


def test_opening_an_up_to_date_file_imports_no_migration(tmp_path: Path) -> None:
    made = tmp_path / "made.db"
    database.open_database(made, create=True).conn.close()
    copy = tmp_path / "clinic.db"
    shutil.copy(made, copy)
    code = (
        "import sys; from tdm1_scheduler.store.database import open_database; "
        f"open_database({str(copy)!r}); "
        f"print(sorted(set({MIGRATION_MODULES!r}) & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
