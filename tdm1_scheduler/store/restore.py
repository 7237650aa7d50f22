"""Putting a backup in place of the clinic database (``tdm1-scheduler restore BACKUP``).

1. BACKUP is copied into a private temporary file beside the database, and the copy is
   checked: a clinic database (``_check_schema``) that passes ``integrity_check``.
2. The current database gets ``journal_mode=DELETE`` under exclusive locking, which
   checkpoints its -wal into it and deletes the -wal. SQLite allows that only when no
   other connection (another process, or this one) has the file open, so an open app
   refuses the restore and nothing changes.
3. The current file is kept beside it (``clinic.db.replaced-YYYYMMDD-HHMMSS``), any
   leftover -wal/-shm/-journal is moved aside with it, and the copy is renamed into place.

A -wal left beside a database belongs to the file it was written for: if a backup were
copied into place by hand next to it, SQLite would replay it into the backup.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from ..safe_files import database_files, describe_os_error, fsync_folder, private_temp_file
from .connection import Database
from .database import StoreError, _check_schema, describe_sqlite_error, integrity_problems

BUSY = ("locked", "busy")


def restore_backup(db_file: Path, backup: Path) -> Path | None:
    """Swap ``backup`` in for ``db_file``; returns where the replaced file is kept (None
    when there was none). ``StoreError`` (one line) when refused; then nothing changed."""
    if not backup.exists():
        raise StoreError(f"no backup at {backup}")
    if not backup.is_file():
        raise StoreError(f"{backup} is not a file, so not a clinic database backup")
    folder = db_file.parent
    if not folder.is_dir():
        raise StoreError(f"folder {folder} does not exist")
    if db_file.exists() and os.path.samefile(db_file, backup):
        raise StoreError(f"{backup} is the database itself; give a backup file")
    try:
        fd, temp = private_temp_file(folder, db_file.name)
    except OSError as error:
        raise StoreError(describe_os_error(db_file, error)) from error
    try:
        _copy_into(fd, backup, db_file)
        _check_backup(temp, backup)
        _take_over(db_file)
        kept = _keep_aside(db_file)
        os.replace(temp, db_file)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise StoreError(describe_os_error(db_file, error)) from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(folder)
    return kept


def _copy_into(fd: int, backup: Path, db_file: Path) -> None:
    with os.fdopen(fd, "wb") as out, backup.open("rb") as source:
        shutil.copyfileobj(source, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())


def _check_backup(copy: Path, backup: Path) -> None:
    """A clinic database that passes integrity_check, read without any write (immutable:
    no lock, no -shm, no -wal)."""
    uri = f"{copy.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise StoreError(describe_sqlite_error(backup, error)) from error
    try:
        db = Database(conn)
        _check_schema(db, backup)
        if "clinic" not in db.table_names():
            raise StoreError(f"{backup} is a SQLite file, but not a clinic database")
        problems = integrity_problems(db)
        if problems:
            first = " ".join(problems[0].split())
            raise StoreError(f"{backup} is damaged ({first}); it cannot be restored")
    except sqlite3.Error as error:
        raise StoreError(describe_sqlite_error(backup, error)) from error
    finally:
        conn.close()


def _take_over(db_file: Path) -> None:
    """Checkpoint the current database's -wal into it and delete the -wal, which SQLite
    does only while no other connection has the file open: refused (exit 1) otherwise.
    The connection is closed before the swap, so no journal of the old file remains
    beside the new one. A file SQLite cannot read (damaged, not a database) is only
    moved aside."""
    if not db_file.exists():
        return
    uri = f"{db_file.resolve().as_uri()}?mode=rw"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=0)
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("PRAGMA journal_mode = DELETE").fetchone()
    except sqlite3.Error as error:
        if any(word in str(error) for word in BUSY):
            raise StoreError(
                f"{db_file} is open in another program (the app or a command); "
                "close it, then restore"
            ) from error
    finally:
        conn.close()


def _keep_aside(db_file: Path) -> Path | None:
    """Keep the current file (and any side file SQLite left) under a dated name."""
    if not db_file.exists():
        for side in database_files(db_file)[1:]:
            side.unlink(missing_ok=True)
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = db_file.with_name(f"{db_file.name}.replaced-{stamp}")
    number = 1
    while os.path.lexists(kept):
        number += 1
        kept = db_file.with_name(f"{db_file.name}.replaced-{stamp}-{number}")
    try:
        os.link(db_file, kept)  # the database name stays taken until the swap
    except OSError:
        os.rename(db_file, kept)
    for side, suffix in zip(database_files(db_file)[1:], ("-wal", "-shm", "-journal"), strict=True):
        if not side.exists():
            continue
        if suffix == "-shm" or side.stat().st_size == 0:
            side.unlink()
        else:  # a -wal or journal the checkpoint could not take: it stays with its file
            os.replace(side, Path(f"{kept}{suffix}"))
    return kept
