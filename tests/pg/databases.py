"""Fresh server databases for the ``postgres`` store backend (tests/store/backends.py).

One throwaway server per test process (under xdist: per worker), started at the first
``postgres`` store and stopped at exit. On it one database is migrated once
(``tdm1_template``); each store is ``CREATE DATABASE ... TEMPLATE tdm1_template``, a
file copy of a few milliseconds (``STRATEGY FILE_COPY``: three times faster here than
the default WAL_LOG, the same database), and is dropped after the store is closed (when
the next is made). The process keeps one superuser connection for these (20 ms each).
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
_conn: Any = None  # this process's superuser connection to ``_server`` (autocommit)


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
    _close_admin()
    if _server is not None:
        _server.stop()
        _server = None


def _admin(on: PgServer, sql: str) -> None:
    """Run ``sql`` as the superuser on ``on``, through the process's one connection."""
    _admin_conn(on).execute(sql.encode())


def _admin_conn(on: PgServer) -> Any:
    global _conn
    import psycopg

    if _conn is None or _conn.closed or _conn.broken or _conn.info.port != on.port:
        _close_admin()
        _conn = psycopg.connect(on.url(), autocommit=True)
    return _conn


def _close_admin() -> None:
    global _conn
    if _conn is not None:
        _conn.close()
        _conn = None


def new_store() -> PgStore:
    """A fresh, migrated, empty clinic database and the store on it."""
    on = server()
    _drop_closed(on)
    name = f"tdm1_{os.getpid()}_{next(_numbers)}"
    admin = _admin_conn(on)
    # Copy the files (PostgreSQL 15 and later), not through the WAL: the same database.
    copy = " STRATEGY FILE_COPY" if admin.info.server_version >= 150000 else ""
    admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}{copy}".encode())
    store = open_pg_store(on.url(name), migrate=False)
    store.test_database = name  # type: ignore[attr-defined]  # dropped by drop_store
    return store


# Databases whose stores were closed, dropped when the next store is made: by then the
# backends of their connections have exited (a DROP right after the close waits for
# them, 80-100 ms a time).
_to_drop: list[tuple[int, str]] = []


def drop_store(store: PgStore) -> None:
    """Close ``store``; its database is dropped before the next store is made."""
    name = getattr(store, "test_database", None)
    store.close()
    if name is not None and _server is not None:
        _to_drop.append((_server.port, name))


def _drop_closed(on: PgServer) -> None:
    while _to_drop:
        port, name = _to_drop.pop()
        if port == on.port:  # a server stopped since took its databases with it
            _admin(on, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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
