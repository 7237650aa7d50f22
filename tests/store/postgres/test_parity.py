"""The server schema has SQLite's tables and columns, so one mapping serves both: each
column with its NOT NULL, its default and its list of allowed values, instants as
``timestamptz``. A new SQLite migration without its server twin fails here."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tdm1_scheduler.store.database import open_database
from tests.store.postgres.conftest import Connect

# What only the server has: the patient an appointment's overlap is checked by, the
# audit row's server user, and the server's own migrations table.
SERVER_ONLY = {("appointments", "patient_id"), ("audit_log", "db_user")}
SQLITE_ONLY_TABLES = {"_sqlite_migrations"}
SERVER_ONLY_TABLES = {"schema_version"}
# Stored types, SQLite's -> the server's; instants (``*_at``, ``*_utc``) are timestamptz.
TYPES = {
    "INTEGER": {"integer", "bigint"},
    "REAL": {"double precision"},
    "TEXT": {"text", "citext"},
}
CHOICES = re.compile(r"(\w+) IN \(([^)]*)\)")  # SQLite's CHECK (column IN ('a', 'b'))
ANY_OF = re.compile(r"\(?(\w+) = ANY \(ARRAY\[([^\]]*)\]\)")  # the server's form of it


def sqlite_columns() -> dict[str, dict[str, tuple[str, bool, Any]]]:
    """table -> column -> (type, not null, default), of a freshly migrated SQLite file."""
    db = open_database(":memory:", create=True)
    tables = [
        name
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if name not in SQLITE_ONLY_TABLES
    ]
    return {
        table: {
            name: (kind, bool(notnull), default)
            for _, name, kind, notnull, default, _ in db.execute(f"PRAGMA table_info({table})")
        }
        for table in tables
    }


def sqlite_choices() -> dict[tuple[str, str], set[str]]:
    db = open_database(":memory:", create=True)
    found: dict[tuple[str, str], set[str]] = {}
    for table, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
        for column, values in CHOICES.findall(sql):
            found[(table, column)] = {value.strip().strip("'") for value in values.split(",")}
    return found


@pytest.fixture
def server(clinic_db: str, connect: Connect) -> Any:
    return connect(clinic_db)


def test_the_same_tables_and_columns(server: Any) -> None:
    rows = server.execute(
        "SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = 'public'"
    ).fetchall()
    on_server: dict[str, dict[str, tuple[str, bool, Any]]] = {}
    for table, column, data_type, udt, nullable, default in rows:
        kind = udt if data_type == "USER-DEFINED" else data_type
        on_server.setdefault(table, {})[column] = (kind, nullable == "NO", default)

    sqlite = sqlite_columns()
    assert set(on_server) == set(sqlite) | SERVER_ONLY_TABLES
    for table, columns in sqlite.items():
        extra = {column for (name, column) in SERVER_ONLY if name == table}
        assert set(on_server[table]) == set(columns) | extra, table
        for column, (kind, notnull, default) in columns.items():
            server_kind, server_notnull, server_default = on_server[table][column]
            instant = column.endswith(("_at", "_utc"))
            wanted = {"timestamp with time zone"} if instant else TYPES[kind]
            assert server_kind in wanted, (table, column, kind, server_kind)
            # A primary key is NOT NULL on the server even where SQLite does not say so.
            assert server_notnull == notnull or column in {"id", "weekday", "day"}, (
                table, column,
            )  # fmt: skip
            if default is not None and column != "id":
                assert server_default is not None, (table, column)
                # 'warn'::text on the server, 'warn' in SQLite; numbers as they are.
                assert server_default.split("::")[0] == default, (table, column)


def test_the_same_allowed_values(server: Any) -> None:
    rows = server.execute(
        "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'c' AND connamespace = 'public'::regnamespace"
    ).fetchall()
    on_server: dict[tuple[str, str], set[str]] = {}
    for table, definition in rows:
        for column, values in ANY_OF.findall(definition):  # ARRAY['a'::text, ...], [0, 1]
            on_server[(table, column)] = {
                value.strip().split("::")[0].strip("'") for value in values.split(",")
            }
    sqlite = sqlite_choices()
    assert sqlite  # the statuses, kinds, settings, ...: there are a dozen
    for key, values in sqlite.items():
        assert on_server.get(key) == values, key
