"""The store backends the tests can run on (``pytest --backend NAME``, repeatable).

Each name opens a fresh, migrated, empty store; ``open_store`` is used by the ``store``
fixture (tests/conftest.py) and by helpers that build their own clinic. A second
backend adds its name here and a branch in ``open_store``.

- ``sqlite``: the app's store, in memory or on a file.
- ``protocol``: the same store behind ``ProtocolOnly``, which offers the services the
  protocol's methods and nothing else (no ``ctx.db``).

Tests that look under the store (a row-for-row dump, a row changed behind the services'
back) reach the SQLite database through ``sqlite_of``, never through ``ctx.db``.
"""

from __future__ import annotations

from pathlib import Path

from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.protocol import Store
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .protocol_only import ProtocolOnly

BACKENDS = ("sqlite", "protocol")
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
    raise ValueError(f"unknown store backend {backend!r}; known: {', '.join(BACKENDS)}")


def sqlite_of(store: Store) -> Database:
    """The SQLite database under ``store``, for a test's look under the services."""
    inner = store.inner if isinstance(store, ProtocolOnly) else store
    if not isinstance(inner, SqliteStore):
        raise TypeError(f"{store!r} has no SQLite database under it")
    return inner.db


def dump(store: Store) -> str:
    """Every table, row for row (the audit log included)."""
    return "\n".join(sqlite_of(store).conn.iterdump())


def close_store(store: Store) -> None:
    sqlite_of(store).close()
