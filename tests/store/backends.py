"""The store backends the tests can run on (``pytest --backend NAME``, repeatable).

Each name opens a fresh, migrated, empty store; ``open_store`` is used by the ``store``
fixture (tests/conftest.py) and by helpers that build their own clinic. A second
backend adds its name here and a branch in ``open_store``.

- ``sqlite``: the app's store, in memory or on a file.
- ``protocol``: the same store behind ``ProtocolOnly``, which offers the services the
  protocol's methods and nothing else (no ``ctx.db``).
- ``postgres``: ``PgStore`` on a fresh database of this process's throwaway server
  (tests/pg/databases.py); ``close_store`` drops it.

Tests that look under the store (a row-for-row dump, a row changed behind the services'
back) use ``dump``, ``rows`` and ``execute`` (SQLite's ``?`` placeholders, on either
backend), never ``ctx.db``; what only SQLite has (``iterdump``, PRAGMA) through
``sqlite_of``, in tests marked ``sqlite_only``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.protocol import Store
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .protocol_only import ProtocolOnly

BACKENDS = ("sqlite", "protocol", "postgres")
DEFAULT_BACKEND = "sqlite"
# The first backend of this run (``--backend``): what a helper that opens its own store
# without naming one gets (tests/conftest.py sets it at start).
run_backend = DEFAULT_BACKEND


def open_store(backend: str | None = None, path: Path | str = ":memory:") -> Store:
    """A new store on ``backend`` (default: the run's first): in memory unless ``path``
    names a file."""
    backend = backend or run_backend
    if backend == "sqlite":
        return SqliteStore(open_database(path, create=True))
    if backend == "protocol":
        return ProtocolOnly(SqliteStore(open_database(path, create=True)))  # type: ignore[return-value]
    if backend == "postgres":
        from tests.pg.databases import new_store

        return new_store()
    raise ValueError(f"unknown store backend {backend!r}; known: {', '.join(BACKENDS)}")


def _inner(store: Store) -> Store:
    return store.inner if isinstance(store, ProtocolOnly) else store


def is_postgres(store: Store) -> bool:
    return type(_inner(store)).__name__ == "PgStore"


def sqlite_of(store: Store) -> Database:
    """The SQLite database under ``store``, for a test's look under the services."""
    inner = _inner(store)
    if not isinstance(inner, SqliteStore) or is_postgres(inner):
        raise TypeError(f"{store!r} has no SQLite database under it")
    return inner.db


def dump(store: Store) -> str:
    """Every table, row for row (the audit log included)."""
    if is_postgres(store):
        return "\n".join(repr(row) for row in rows(store))
    return "\n".join(sqlite_of(store).conn.iterdump())


def rows(store: Store) -> list[tuple[Any, ...]]:
    """Every table but the migrations' log (by name), row for row by key, SQLite's
    columns only: equal across backends for the same clinic."""
    inner = _inner(store)
    if is_postgres(inner):
        from tests.pg.databases import table_rows

        return table_rows(inner)  # type: ignore[arg-type]
    from tests.pg.databases import sqlite_columns

    db = sqlite_of(store)
    return [
        (table, *row)
        for table, columns in sqlite_columns().items()
        for row in db.execute(f"SELECT * FROM [{table}] ORDER BY [{columns[0]}]").fetchall()
    ]


def under(store: Store) -> Database:
    """The connection ``store``'s SQL modules run on (SQLite's ``Database``, or the
    server's ``PgDatabase``, which takes the same calls), for a test that reads rows
    under the store with ``repository`` functions."""
    inner = _inner(store)
    if is_postgres(inner):
        return inner.db  # type: ignore[attr-defined,no-any-return]
    return sqlite_of(store)


def execute(store: Store, sql: str, params: Any = ()) -> Any:
    """Run ``sql`` (SQLite's dialect, ``?`` placeholders) under the store, on either
    backend; the cursor (``fetchall``, ``fetchone``, ``rowcount``)."""
    inner = _inner(store)
    if is_postgres(inner):
        return inner.pg.execute(sql, list(params))  # type: ignore[attr-defined]
    return sqlite_of(store).execute(sql, params)


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """The statements run under ``store`` inside the block, in order (SQLite's trace
    callback; on the server, each one the store sends)."""
    seen: list[str] = []
    inner = _inner(store)
    if is_postgres(inner):
        pg = inner.pg  # type: ignore[attr-defined]
        run = pg.execute

        def counted(sql: str, parameters: Any = None) -> Any:
            seen.append(sql)
            return run(sql, parameters)

        pg.execute = counted
        try:
            yield seen
        finally:
            del pg.execute
        return
    conn = sqlite_of(store).conn
    conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


def close_store(store: Store) -> None:
    inner = _inner(store)
    if is_postgres(inner):
        from tests.pg.databases import drop_store

        drop_store(inner)  # type: ignore[arg-type]
        return
    sqlite_of(store).close()
