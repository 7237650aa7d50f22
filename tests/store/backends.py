"""The store backends the tests can run on (``pytest --backend NAME``, repeatable).

Each name opens a fresh, migrated, empty store; ``open_store`` is used by the ``store``
fixture (tests/conftest.py) and by helpers that build their own clinic. A second
backend adds its name here and a branch in ``open_store``.
"""

from __future__ import annotations

from pathlib import Path

from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.protocol import Store
from tdm1_scheduler.store.sqlite_store import SqliteStore

BACKENDS = ("sqlite",)
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
    raise ValueError(f"unknown store backend {backend!r}; known: {', '.join(BACKENDS)}")


def close_store(store: Store) -> None:
    if isinstance(store, SqliteStore):
        store.db.close()
