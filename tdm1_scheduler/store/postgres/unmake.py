"""Undo the schema a refused ``init`` made in an empty server database (issue 16).

On SQLite a refused ``init`` (a bad time zone, say) leaves no file behind; on a server
it leaves the database as it found it: ``open_clinic_server`` notes what the database
held before it made the schema (``before``), and ``unmake`` drops what is new: every
table of ``public`` (there were none), then the extensions and the functions the
migrations added. The group roles stay (they are the cluster's, shared by every clinic
database), and so do the schema's grants, which a second ``init`` makes again anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .health import public_tables

if TYPE_CHECKING:
    import psycopg

Catalog = tuple[frozenset[str], frozenset[str]]  # (extensions, functions of public)


def before(conn: psycopg.Connection[Any]) -> Catalog:
    """What the database holds that a migration could add to (tables: none)."""
    return _extensions(conn), _functions(conn)


def unmake(conn: psycopg.Connection[Any], found: Catalog) -> None:
    """Drop what the migrations made since ``found`` (``before``), in one transaction."""
    with conn.transaction():
        tables = ", ".join(f'"{name}"' for name in public_tables(conn))
        if tables:
            conn.execute(f"DROP TABLE IF EXISTS {tables} CASCADE".encode())
        for name in sorted(_extensions(conn) - found[0]):
            conn.execute(f'DROP EXTENSION IF EXISTS "{name}" CASCADE'.encode())
        for signature in sorted(_functions(conn) - found[1]):
            conn.execute(f"DROP FUNCTION IF EXISTS {signature} CASCADE".encode())


def _extensions(conn: psycopg.Connection[Any]) -> frozenset[str]:
    return frozenset(str(row[0]) for row in conn.execute("SELECT extname FROM pg_extension"))


def _functions(conn: psycopg.Connection[Any]) -> frozenset[str]:
    rows = conn.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p "
        "WHERE p.pronamespace = 'public'::regnamespace"
    )
    return frozenset(str(row[0]) for row in rows)
