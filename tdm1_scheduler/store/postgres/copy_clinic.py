"""Moving a single-PC clinic to the server (issue 16, item 5): ``migrate --to URL``.

``copy_clinic(sqlite_db, conn)`` copies a SQLite clinic, its history and its whole
audit log, into an empty server database:

1. the server's migrations are applied to the target (``runner.apply_pending``);
2. a database that already holds a row in any clinic table is refused, one line naming
   the table and its row count, before anything is written (and checked again inside
   the copy's transaction, under lock);
3. every table is copied in dependency order (parents first) with ``COPY``, in ONE
   transaction that holds the tables locked. Ids and versions are kept as they are;
   instants go over as SQLite's UTC text, which the server reads into ``timestamptz``.
   While the tables fill, their foreign keys, exclusion constraints and secondary
   indexes are set aside and then made again from their own definitions, each checked
   over every row in one pass (``bulk_load``); what is deferrable is deferred besides,
   so the order of the appointments does not matter. ``appointments.patient_id`` is
   written by the copy (SQLite's join of dose and course, as the trigger would), with
   that trigger off for the copy only;
4. every identity sequence is moved past its table's highest id, so the next row the
   app writes gets a fresh id;
5. the row counts per table, SQLite's and the server's, must be equal before the
   commit; a mismatch (or any error) rolls everything back, leaving the target empty;
6. the copied tables are ``ANALYZE``d in the same transaction: without statistics the
   planner misjudges the 5-year clinic (a course's appointments read the whole table
   through the overlap constraint's index, ~0.3 s a move) until autovacuum gets to it.

The audit log's ``db_user`` (on the server, who wrote the row: ``current_user``) of the
copied history is ``'migrated from SQLite'`` (``MIGRATED_DB_USER``): the column is
NOT NULL, and the person behind a SQLite row is known only by its ``user`` (the app's
``--user``), which is kept as it was. To write it, the copy disables the trigger that
sets ``db_user`` (``audit_log_writer``) inside its own transaction and enables it again
before the commit; only the owner may (so ``migrate`` runs as the owner, as migrations
do), and no other session ever sees the trigger off.

The SQLite clinic is opened as every command opens it (``open_database``: checked, its
own migrations applied), and read in one read transaction, so the copy is one snapshot.
psycopg is imported only when connecting (``connect_server``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..connection import Database
from ..database import StoreError, open_database
from . import bulk_load
from .runner import apply_pending

if TYPE_CHECKING:
    import sqlite3

    import psycopg

MIGRATED_DB_USER = "migrated from SQLite"
# Every clinic table, parents before children (the copy's order).
TABLES = (
    "clinic", "opening_hours", "closed_dates", "chairs", "patients", "courses", "doses",
    "appointments", "preparations", "visits", "visit_reactions", "lab_results",
    "lvef_results", "readiness_overrides", "audit_log",
)  # fmt: skip
# The tables whose ``id`` is an identity on the server.
NO_IDENTITY = ("clinic", "opening_hours", "closed_dates")
# SQLite's own tables and sqlite-utils' migration record: not the clinic's.
SQLITE_ONLY = ("_sqlite_migrations",)
# Server-only columns the copy writes itself (SQLite's expression for each), with the
# trigger that would otherwise set them row by row, off during the copy only:
# who wrote the copied history, and each dose appointment's patient (as the trigger
# would find it, in one query).
COMPUTED = {
    "audit_log": ("db_user", f"'{MIGRATED_DB_USER}'"),
    "appointments": (
        "patient_id",
        "(SELECT c.patient_id FROM doses d JOIN courses c ON c.id = d.course_id"
        " WHERE d.id = appointments.dose_id)",
    ),
}
FILLED_BY_TRIGGER = {"audit_log": "audit_log_writer", "appointments": "appointments_patient_insert"}
SCHEMES = ("postgresql", "postgres")
DEFAULT_PORT = 5432
CONNECT_TIMEOUT_S = 10

Counts = dict[str, tuple[int, int]]


# --- the server's URL ------------------------------------------------------------------
def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def server_address(url: str) -> str:
    """``host:port`` of a postgresql:// URL (libpq's defaults where it names none)."""
    parts = urlsplit(url)
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        port = DEFAULT_PORT
    return f"{parts.hostname or 'localhost'}:{port}"


def check_url(url: str) -> None:
    """Refuse (StoreError) anything but a ``postgresql://`` URL."""
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise StoreError(
            f"--to must be a postgresql:// URL (postgresql://user@host:port/dbname), "
            f"not {mask_url(url)!r}"
        )


def _without_password(text: str, url: str) -> str:
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text


def connect_server(url: str) -> psycopg.Connection[Any]:
    """An autocommit connection to the server; one line naming ``host:port`` if it
    cannot be reached (never the password)."""
    check_url(url)
    try:
        import psycopg  # the server extra: loaded only here
    except ImportError:
        raise StoreError(
            "the server mode needs psycopg: pip install 'tdm1-scheduler[server]'"
        ) from None

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as error:
        reason = " ".join(_without_password(str(error), url).split())
        raise StoreError(
            f"cannot reach the PostgreSQL server at {server_address(url)}: {reason}"
        ) from None


# --- the copy --------------------------------------------------------------------------
def migrate_to(sqlite_path: Path | str, url: str) -> Counts:
    """Copy the SQLite clinic at ``sqlite_path`` into the empty server database ``url``."""
    check_url(url)
    path = Path(sqlite_path)
    if not path.is_file():
        raise StoreError(f"no SQLite clinic at {path}")
    conn = connect_server(url)
    try:
        return copy_clinic(path, conn)
    finally:
        conn.close()


def copy_clinic(sqlite_db: Database | Path | str, conn: psycopg.Connection[Any]) -> Counts:
    """Copy every table of the SQLite clinic into the server database behind ``conn``
    (autocommit, not in a transaction); ``{table: (rows in SQLite, rows on the server)}``.
    """
    import psycopg

    db = sqlite_db if isinstance(sqlite_db, Database) else open_database(sqlite_db)
    try:
        refuse_not_empty(conn)  # before the migrations too: a refused target is untouched
        try:
            apply_pending(conn)
            with _read_snapshot(db.conn) as source:
                tables = _tables(source)
                with conn.transaction():
                    counts = _copy_all(source, conn, tables)
                    _analyze(conn, tables)
                return counts
        except psycopg.errors.InsufficientPrivilege as error:
            raise StoreError(
                f"the copy was refused and rolled back ({_one_line(error)}); run migrate as "
                f"the database's owner role"
            ) from None
        except psycopg.Error as error:
            raise StoreError(f"the copy failed and was rolled back: {_one_line(error)}") from None
    finally:
        if db is not sqlite_db:
            db.close()


def refuse_not_empty(conn: psycopg.Connection[Any]) -> None:
    """One line naming the first clinic table that holds rows, and how many."""
    for table in TABLES:
        found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()
        if not found or not found[0]:
            continue
        count = _server_count(conn, table)
        if count:
            raise StoreError(
                f"the server database is not empty ({table} has {count} "
                f"row{'s' if count != 1 else ''}); migrate copies into an empty database only"
            )


def _copy_all(
    source: sqlite3.Connection, conn: psycopg.Connection[Any], tables: dict[str, list[str]]
) -> Counts:
    from psycopg import sql

    # No one writes the target while it fills; then check it is still empty.
    conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
        sql.SQL(", ").join(sql.Identifier(table) for table in TABLES)
    ))  # fmt: skip
    refuse_not_empty(conn)
    conn.execute("SET CONSTRAINTS ALL DEFERRED")
    set_aside = bulk_load.set_aside(conn, TABLES)
    _triggers(conn, "DISABLE")
    counts: Counts = {}
    for table in TABLES:
        columns = tables[table]
        copied = copy_table(source, conn, table, columns)
        counts[table] = (_sqlite_count(source, table), copied)
    _triggers(conn, "ENABLE")
    bulk_load.restore(conn, set_aside)  # every row checked against each constraint
    _reset_sequences(conn)
    conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # anything deferred, checked now
    for table in TABLES:
        expected = counts[table][0]
        on_server = _server_count(conn, table)
        counts[table] = (expected, on_server)
        if on_server != expected:
            raise StoreError(
                f"the copy of {table} does not match ({expected} rows in SQLite, "
                f"{on_server} on the server); nothing was written"
            )
    return counts


def copy_table(
    source: sqlite3.Connection, conn: psycopg.Connection[Any], table: str, columns: list[str]
) -> int:
    """COPY one table's rows (the ``columns`` SQLite has) to the server; rows sent."""
    from psycopg import sql

    computed = COMPUTED.get(table)
    targets = [*columns, computed[0]] if computed else columns
    selected = ", ".join(
        [f'"{column}"' for column in columns] + ([computed[1]] if computed else [])
    )
    order = "" if table in NO_IDENTITY else " ORDER BY id"
    rows = source.execute(f'SELECT {selected} FROM "{table}"{order}')
    names = sql.SQL(", ").join(sql.Identifier(column) for column in targets)
    sent = 0
    with (
        conn.cursor() as cur,
        cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), names)) as copy,
    ):
        for row in rows:
            copy.write_row(row)
            sent += 1
    return sent


def _triggers(conn: psycopg.Connection[Any], state: str) -> None:
    """DISABLE or ENABLE the triggers whose columns the copy writes itself."""
    from psycopg import sql

    for table, trigger in FILLED_BY_TRIGGER.items():
        conn.execute(
            sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(
                sql.Identifier(table), sql.SQL(state), sql.Identifier(trigger)
            )
        )


def _analyze(conn: psycopg.Connection[Any], tables: dict[str, list[str]]) -> None:
    """The planner's statistics of the copied tables (step 6 of the module doc)."""
    from psycopg import sql

    names = sql.SQL(", ").join(sql.Identifier(name) for name in tables)
    conn.execute(sql.SQL("ANALYZE {}").format(names))


def _reset_sequences(conn: psycopg.Connection[Any]) -> None:
    """Each identity's next value: one past its table's highest id (1 when empty)."""
    from psycopg import sql

    for table in TABLES:
        if table in NO_IDENTITY:
            continue
        conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({name}, 'id'), "
                "COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            ).format(name=sql.Literal(table), table=sql.Identifier(table))
        )


def _tables(source: sqlite3.Connection) -> dict[str, list[str]]:
    """Each clinic table's SQLite columns; refuses a file with a table the copy does not
    know (written by a newer app) or without one it does."""
    names = {
        str(row[0])
        for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not str(row[0]).startswith("sqlite_") and row[0] not in SQLITE_ONLY
    }
    unknown = sorted(names - set(TABLES))
    missing = sorted(set(TABLES) - names)
    if unknown or missing:
        which = f"unknown table {unknown[0]}" if unknown else f"no table {missing[0]}"
        raise StoreError(f"the SQLite clinic cannot be copied ({which}); nothing was written")
    return {
        table: [str(row[1]) for row in source.execute(f'PRAGMA table_info("{table}")')]
        for table in TABLES
    }


@contextmanager
def _read_snapshot(source: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction over the SQLite file: every table from the same moment."""
    began = not source.in_transaction
    if began:
        source.execute("BEGIN")
    try:
        yield source
    finally:
        if began:
            source.execute("ROLLBACK")  # it only read


def _sqlite_count(source: sqlite3.Connection, table: str) -> int:
    row = source.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    return int(row[0])


def _server_count(conn: psycopg.Connection[Any], table: str) -> int:
    from psycopg import sql

    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
    row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())
