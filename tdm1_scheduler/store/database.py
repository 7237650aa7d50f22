"""Opening the clinic's SQLite file safely, and the few helpers every repository uses.

Every connection: WAL, ``synchronous=FULL``, foreign keys on, a busy timeout. A file
that is not ours (not SQLite, damaged, from a newer app, read-only, locked) gets one
clear ``StoreError`` and is left exactly as it was.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..paths import make_private_dirs
from .connection import Database
from .schema_names import MIGRATION_NAMES, MIGRATION_SET, MIGRATIONS_TABLE

DEFAULT_BUSY_TIMEOUT_MS = 5000
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# PRAGMA application_id of a clinic database ("TDM1"), set when its schema is written.
# A file with another program's id is never ours; one without (made before the id) is
# ours only when its migrations table lists our first migration.
APPLICATION_ID = 0x54444D31
# The driver's errors, named here so that no layer above store/ imports sqlite3.
DatabaseError = sqlite3.Error
IntegrityError = sqlite3.IntegrityError
OperationalError = sqlite3.OperationalError


class StoreError(RuntimeError):
    """The database file cannot be used as asked; the message says why, in one line."""


class ConflictError(ValueError):
    """A write lost a race: the chair was taken or the row changed since it was read."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


def to_utc_text(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("naive datetime cannot be stored")
    return instant.astimezone(UTC).strftime(UTC_FORMAT)


def from_utc_text(text: str) -> datetime:
    # fromisoformat reads the stored "...Z" text about ten times faster than strptime.
    return datetime.fromisoformat(text)


def busy_timeout_ms() -> int:
    text = os.environ.get("TDM1_SCHEDULER_BUSY_TIMEOUT_MS", "")
    return int(text) if text.isdigit() else DEFAULT_BUSY_TIMEOUT_MS


def is_read_only_file(path: Path) -> bool:
    """An existing file nobody may write. Checked by mode bits as well as access():
    root may write a 0444 file, but its owner meant no."""
    if not path.is_file():
        return False
    mode = path.stat().st_mode
    return not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK)


def _disk_full(path: Path | str, text: str) -> bool:
    """SQLite says only "disk I/O error" when a full disk stops it creating the -shm."""
    if "disk i/o error" not in text.lower():
        return False
    import shutil  # with bz2, lzma, zlib: 8.6 M instructions, only on an I/O error (issue 19)

    try:
        return shutil.disk_usage(Path(path).resolve().parent).free < 64 * 1024
    except OSError:
        return False


def describe_sqlite_error(path: Path | str, error: sqlite3.Error) -> str:
    text = str(error)
    if "file is not a database" in text:
        return f"{path} is not a clinic database (not a SQLite file)"
    if "malformed" in text or "corrupt" in text:
        return f"{path} is damaged ({text}); restore it from a backup"
    if "locked" in text or "busy" in text:
        return f"{path} is locked by another program (waited {busy_timeout_ms() / 1000:g} s)"
    if "disk is full" in text or "disk full" in text or _disk_full(path, text):
        return f"{path}: disk full (no space left on device); nothing was written"
    if "readonly" in text or "read-only" in text:
        return f"{path} is read-only; nothing was written"
    if "unable to open" in text:
        return f"{path} cannot be opened ({text})"
    return f"{path}: {text}"


def _connect(path: Path, *, create: bool, read_only: bool) -> sqlite3.Connection:
    mode = "ro" if read_only else ("rwc" if create else "rw")
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms() / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA schema_version").fetchone()  # fails now if not SQLite
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    # Only once the file is known to be ours: switching writes the file header.
    mode_now = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode_now != "wal":
        conn.execute("PRAGMA journal_mode = WAL")


# A whole-file check reads every page: under this size it costs a few milliseconds, so
# every open does it; a larger file checks its small tables at open (the big ones are
# checked by `check` and by every backup), keeping a 5-year clinic's start instant.
FULL_CHECK_MAX_BYTES = 32 * 1024 * 1024
SMALL_TABLES = ("clinic", "opening_hours", "closed_dates", "chairs", "_sqlite_migrations")


def _check_intact(db: Database, path: Path) -> None:
    """A damaged file is refused at open, before anything could be written to it."""
    if path.stat().st_size <= FULL_CHECK_MAX_BYTES:
        checks = ["PRAGMA quick_check"]
    else:
        present = set(db.table_names())
        checks = [f"PRAGMA quick_check({name})" for name in SMALL_TABLES if name in present]
    for sql in checks:
        rows = [row[0] for row in db.execute(sql).fetchall()]
        if rows != ["ok"]:
            first = " ".join(str(rows[0]).split())  # quick_check rows may hold newlines
            raise StoreError(f"{path} is damaged ({first}); restore it from a backup")


def open_database(path: Path | str, *, create: bool = False, read_only: bool = False) -> Database:
    """Open (or with ``create`` make) the clinic database and bring its schema up to date."""
    path = Path(path)
    if str(path) == ":memory:":
        db = Database(memory=True)
        _configure_memory(db)
        _apply_migrations(db)
        return db
    if not path.exists():
        if not create:
            raise StoreError(f"no database at {path}; create one with `tdm1-scheduler init`")
        _create_private_file(path)
    elif path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file")
    elif not read_only and is_read_only_file(path):
        raise StoreError(f"{path} is read-only; nothing was written")
    try:
        conn = _connect(path, create=create, read_only=read_only)
        db = Database(conn)
        _check_schema(db, path, create=create)
        _check_intact(db, path)
        if not read_only:
            _use_wal(conn)
        if not read_only and _pending(db):
            _apply_migrations(db)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    except sqlite3.Error as error:
        raise StoreError(describe_sqlite_error(path, error)) from error
    return db


def _create_private_file(path: Path) -> None:
    """An empty 0600 file (and 0700 folders), so SQLite's -wal and -shm are 0600 too:
    SQLite gives them the database file's mode."""
    from ..safe_files import PRIVATE_FILE_MODE  # a new file only: not at every open (issue 19)

    make_private_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)  # whatever the umask
    finally:
        os.close(fd)


def _configure_memory(db: Database) -> None:
    db.conn.isolation_level = None
    db.execute("PRAGMA foreign_keys = ON")


def _check_schema(db: Database, path: Path | str, *, create: bool = False) -> None:
    """Refuse any file that is not our clinic database, before anything is written."""
    not_ours = f"{path} is a SQLite file, but not a clinic database"
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    if application_id not in (0, APPLICATION_ID):
        raise StoreError(f"{not_ours} (it belongs to another program)")
    tables = set(db.table_names())
    if "_sqlite_migrations" not in tables:
        if tables:
            raise StoreError(not_ours)
        if not create:
            raise StoreError(
                f"{path} is empty, not a clinic database; create one with `tdm1-scheduler init`"
            )
        return
    known_names = MIGRATION_NAMES
    known = set(known_names)
    applied = [
        row[0]
        for row in db.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
        ).fetchall()
    ]
    if application_id == 0 and (known_names[0] not in applied or "clinic" not in tables):
        raise StoreError(not_ours)  # e.g. another program's own sqlite-utils migrations
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise StoreError(
            f"{path} was written by a newer version of the app (schema {unknown[-1]}); "
            "upgrade the app to open it"
        )


def _pending(db: Database) -> bool:
    """Whether a migration is not applied yet: ``migrations.pending(db)``, read the same
    way (the table's rows of our set), without importing the migrations (issue 19)."""
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
    ).fetchone()
    if found is None:
        return True
    rows = db.execute(
        f"SELECT name FROM [{MIGRATIONS_TABLE}] WHERE migration_set = ?", [MIGRATION_SET]
    ).fetchall()
    done = {str(name) for (name,) in rows}
    return any(name not in done for name in MIGRATION_NAMES)


def _apply_migrations(db: Database) -> None:
    from .migrations import migrations  # only when one is pending (issue 19)

    migrations.apply(db)


def schema_version(db: Database) -> str:
    from .migrations import migrations  # the schema reported, not read (issue 19)

    applied = migrations.applied(db)
    return applied[-1].name if applied else "none"


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """One write transaction that takes the write lock at once (BEGIN IMMEDIATE).

    Reading and writing under one lock means two processes cannot both read "free"
    and then both book; the loser waits for the busy timeout, then sees the winner.
    """
    if db.conn.in_transaction:  # inside a preview (or another service): a savepoint
        with db.atomic():
            yield db
        return
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise StoreError(describe_sqlite_error(db_path(db), error)) from error
    try:
        with db.atomic():
            yield db
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    else:
        try:
            db.execute("COMMIT")
        except sqlite3.Error as error:
            if db.conn.in_transaction:
                db.execute("ROLLBACK")
            raise StoreError(describe_sqlite_error(db_path(db), error)) from error


@contextmanager
def read_transaction(db: Database) -> Iterator[Database]:
    """One read: a deferred transaction, so every statement sees one snapshot and no
    lock is taken that a writer waits on (WAL); ``query_only`` refuses any write."""
    conn = db.conn
    if conn.in_transaction:
        raise RuntimeError("a read transaction cannot run inside another transaction")
    conn.execute("BEGIN")
    conn.execute("PRAGMA query_only = 1")
    try:
        yield db
    finally:
        conn.execute("PRAGMA query_only = 0")
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # it wrote nothing: ending the snapshot is enough


def db_path(db: Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] or ":memory:"


def integrity_problems(db: Database) -> list[str]:
    """Every problem PRAGMA integrity_check finds; a file too damaged to check is one."""
    try:
        rows = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    return [] if rows == ["ok"] else rows


def backup_to(db: Database, target: Path | str) -> None:
    """Copy the live database with SQLite's online backup API, verify the copy, then write
    it all or nothing (``safe_files``: 0600, fsynced, renamed into place).

    The caller decides whether ``target`` may be written (``check_output_path``).
    """
    from ..safe_files import OutputFailed, write_bytes_atomically  # not at start (issue 19)

    target = Path(target)
    copy = sqlite3.connect(":memory:")
    try:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        copy.execute(f"PRAGMA page_size = {int(page_size)}")  # a memory copy cannot resize
        db.conn.backup(copy)
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            first = " ".join(str(problems[0]).split())
            raise StoreError(f"backup {target} failed its integrity check: {first}")
        data = copy.serialize()
    except sqlite3.Error as error:
        raise StoreError(describe_sqlite_error(db_path(db), error)) from error
    finally:
        copy.close()
    try:
        write_bytes_atomically(target, data)
    except OutputFailed as error:
        raise StoreError(str(error)) from error


def data_version(db: Database) -> int:
    """Changes when another connection commits (for polling from the GUI)."""
    return int(db.execute("PRAGMA data_version").fetchone()[0])
