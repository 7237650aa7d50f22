"""Fresh server databases for the ``postgres`` store backend (tests/store/backends.py).

One throwaway server per test process (under xdist: per worker), started at the first
``postgres`` store and stopped at exit. On it one database is migrated once
(``tdm1_template``); each store is ``CREATE DATABASE ... TEMPLATE tdm1_template``, a
file copy of a few milliseconds, and is dropped when the store is closed.
"""

from __future__ import annotations

import atexit
import itertools
import os
import sqlite3
from functools import cache
from typing import Any

from tdm1_scheduler.store.postgres.pg_store import PgStore, open_pg_store

from .server import PgServer

TEMPLATE = "tdm1_template"
_server: PgServer | None = None
_numbers = itertools.count(1)


def server() -> PgServer:
    """This process's server (started, with its migrated template, at first use)."""
    global _server
    if _server is None:
        started = PgServer().start()
        atexit.register(started.stop)
        _admin(started, f"CREATE DATABASE {TEMPLATE}")
        open_pg_store(started.url(TEMPLATE)).close()  # migrated once
        _server = started
    return _server


def stop_server() -> None:
    """Stop this process's server now (a later store starts another)."""
    global _server
    if _server is not None:
        _server.stop()
        _server = None


def _admin(on: PgServer, sql: str) -> None:
    import psycopg

    with psycopg.connect(on.url(), autocommit=True) as conn:
        conn.execute(sql.encode())


def new_store() -> PgStore:
    """A fresh, migrated, empty clinic database and the store on it."""
    on = server()
    name = f"tdm1_{os.getpid()}_{next(_numbers)}"
    _admin(on, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    store = open_pg_store(on.url(name), migrate=False)
    store.test_database = name  # type: ignore[attr-defined]  # dropped by drop_store
    return store


def drop_store(store: PgStore) -> None:
    """Close ``store`` and drop its database."""
    name = getattr(store, "test_database", None)
    store.close()
    if name is not None and _server is not None:
        _admin(_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@cache
def sqlite_columns() -> dict[str, tuple[str, ...]]:
    """Each SQLite table's columns, in order (the server's tables add a few the mapping
    never reads: ``appointments.patient_id``, ``audit_log.db_user``)."""
    from tdm1_scheduler.store.database import open_database

    db = open_database(":memory:")
    conn: sqlite3.Connection = db.conn
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations' ORDER BY name"
        )
    ]
    found = {t: tuple(row[1] for row in conn.execute(f"PRAGMA table_info([{t}])")) for t in tables}
    db.close()
    return found


def table_rows(store: PgStore) -> list[tuple[Any, ...]]:
    """Every table SQLite has, by name, row for row by key, SQLite's columns only."""
    found: list[tuple[Any, ...]] = []
    for table, columns in sqlite_columns().items():
        names = ", ".join(f'"{name}"' for name in columns)
        key = columns[0]
        cursor = store.pg.pg.execute(f'SELECT {names} FROM "{table}" ORDER BY "{key}"'.encode())
        found.extend((table, *row) for row in cursor.fetchall())
    return found
