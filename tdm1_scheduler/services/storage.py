"""The clinic's database file as the rooms (GUI, CLI, reports) handle it: open it, say
where it is, back it up, check it, restore it.

``Database`` is the connection type the services not moved yet take, ``Store`` the one
the others take (``ctx.store``); the rooms annotate with them from here, never from
``store/``.
"""

from __future__ import annotations

from pathlib import Path

from ..store.connection import Database
from ..store.database import (
    backup_to,
    db_path,
    integrity_problems,
    is_read_only_file,
    open_database,
    schema_version,
)
from ..store.protocol import Store

__all__ = [
    "Database",
    "Store",
    "backup_to",
    "db_path",
    "integrity_problems",
    "is_read_only_file",
    "open_database",
    "restore_backup",
    "schema_version",
]


def restore_backup(db_file: Path, backup: Path) -> Path | None:
    """Replace ``db_file`` by a checked copy of ``backup``; the replaced file's new name
    (kept aside), or None when there was none."""
    from ..store.restore import restore_backup as restore  # only the restore command

    return restore(db_file, backup)


def store_path(store: Store) -> str:
    """The clinic file ``store`` holds (``:memory:`` for one in memory or not in a
    SQLite file), as ``db_path`` names it."""
    from ..store.sqlite_store import SqliteStore

    return db_path(store.db) if isinstance(store, SqliteStore) else ":memory:"
