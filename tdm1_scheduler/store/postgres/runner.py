"""Apply the server's pending migrations, in order, one transaction each.

``schema_version`` holds one row per applied migration (its name and when). Each
migration runs in its own transaction with its row, under a transaction-level advisory
lock, so two apps starting at once apply each migration exactly once; a failed one
leaves nothing behind. A database that lists a migration this app does not know was
written by a newer app, and is refused before anything runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..database import StoreError
from .migrations import MIGRATIONS, Migration

if TYPE_CHECKING:
    import psycopg

# pg_advisory_xact_lock's key while migrating ("TDM1" as in SQLite's application_id).
MIGRATION_LOCK = 0x54444D31
SCHEMA_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


def applied_names(conn: psycopg.Connection[Any]) -> list[str]:
    """The migrations recorded in this database, in the order applied ([] if none)."""
    exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return []
    rows = conn.execute("SELECT name FROM schema_version ORDER BY applied_at, name")
    return [str(row[0]) for row in rows]


def schema_version(conn: psycopg.Connection[Any]) -> str | None:
    """The last migration applied (what ``check`` reports), or None for an empty database."""
    names = applied_names(conn)
    return names[-1] if names else None


def pending(conn: psycopg.Connection[Any]) -> list[Migration]:
    """The migrations still to apply, in order; refuses a database from a newer app."""
    applied = set(applied_names(conn))
    unknown = sorted(applied - {migration.name for migration in MIGRATIONS})
    if unknown:
        raise StoreError(
            f"the server database was written by a newer version of the app "
            f"(schema {unknown[-1]}); update the app to open it"
        )
    return [migration for migration in MIGRATIONS if migration.name not in applied]


def apply_pending(conn: psycopg.Connection[Any]) -> list[str]:
    """Apply each pending migration in its own transaction; the names applied, in order.

    ``conn`` must not be inside a transaction. Running this again applies nothing.
    """
    done: list[str] = []
    for migration in pending(conn):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            conn.execute(SCHEMA_VERSION_TABLE)
            already = conn.execute(
                "SELECT 1 FROM schema_version WHERE name = %s", [migration.name]
            ).fetchone()
            if already:
                continue  # applied meanwhile by another process
            conn.execute(migration.sql.encode())  # several statements, no parameters
            conn.execute("INSERT INTO schema_version (name) VALUES (%s)", [migration.name])
        done.append(migration.name)
    return done


# What the migrations make in a database besides its tables (their triggers, indexes and
# grants go with the tables): taken back by ``drop_schema``.
MADE_FUNCTIONS = (
    "appointment_patient",
    "audit_log_append_only",
    "audit_log_writer",
    "refuse_reparenting",
)
MADE_EXTENSIONS = ("btree_gist", "citext")


def installed_extensions(conn: psycopg.Connection[Any]) -> frozenset[str]:
    return frozenset(str(row[0]) for row in conn.execute("SELECT extname FROM pg_extension"))


def drop_schema(conn: psycopg.Connection[Any], extensions_before: frozenset[str]) -> None:
    """Take back the schema ``apply_pending`` made in a database that had no tables
    (``init`` refused there): its tables, functions and the extensions it added. The
    group roles are the server's, shared by its databases, and stay."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        tables = [
            str(row[0])
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        for table in tables:
            conn.execute(f'DROP TABLE IF EXISTS public."{table}" CASCADE'.encode())
        for function in MADE_FUNCTIONS:
            conn.execute(f"DROP FUNCTION IF EXISTS public.{function}() CASCADE".encode())
        for extension in MADE_EXTENSIONS:
            if extension not in extensions_before:
                conn.execute(f"DROP EXTENSION IF EXISTS {extension} CASCADE".encode())
