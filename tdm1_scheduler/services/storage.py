"""The clinic's database file as the rooms (GUI, CLI, reports) handle it: open it, say
where it is, back it up, check it, restore it.

``Store`` is what every service takes (``ctx.store``); the rooms annotate with it from
here, never from ``store/``.
"""

from __future__ import annotations

from pathlib import Path

from ..store.database import (
    backup_to,
    db_path,
    integrity_problems,
    is_read_only_file,
    open_database,
    schema_version,
)
from ..store.protocol import Store
from ..store.sqlite_store import SqliteStore

__all__ = [
    "Store",
    "backup_to",
    "db_path",
    "integrity_problems",
    "is_read_only_file",
    "open_database",
    "open_store",
    "restore_backup",
    "schema_version",
    "store_files",
]


def restore_backup(db_file: Path, backup: Path) -> Path | None:
    """Replace ``db_file`` by a checked copy of ``backup``; the replaced file's new name
    (kept aside), or None when there was none."""
    from ..store.restore import restore_backup as restore  # only the restore command

    return restore(db_file, backup)


def store_path(store: Store) -> str:
    """The clinic file ``store`` holds (``:memory:`` for one with no file of its own),
    as ``db_path`` names it."""
    location = store.location
    return ":memory:" if location is None else str(location)


def store_files(store: Store) -> list[Path]:
    """The files an output must never be written over: the store's file and the ones
    SQLite keeps beside it (none for a store without a file of its own)."""
    from ..safe_files import database_files

    location = store.location
    return [] if location is None else database_files(location)


def open_store(path: Path | str, *, create: bool = False, read_only: bool = False) -> Store:
    """Open (or with ``create`` make) the clinic at ``path`` as a store, its schema
    brought up to date (``open_database``)."""
    return SqliteStore(open_database(path, create=create, read_only=read_only))
