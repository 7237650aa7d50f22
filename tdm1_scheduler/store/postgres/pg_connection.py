"""One psycopg 3 connection that speaks the store's SQL as SQLite does (issue 16).

``PgDatabase`` offers what ``repository`` and the other SQL modules call on a
``Database`` (``execute(sql, params)`` returning a cursor with ``fetchone``,
``fetchall``, ``description``, ``rowcount``, ``lastrowid``), so the one set of
statements serves both backends. The few differences are translated once per
statement text (cached):

- ``?`` placeholders become ``%s`` (a literal ``%`` doubles), ``[name]`` quoting
  becomes ``"name"``, and ``LIKE`` becomes ``ILIKE`` (SQLite's LIKE ignores ASCII case);
- an ``INSERT`` that names no ``id`` takes SQLite's rowid rule, ``MAX(id) + 1``, and
  returns it (``lastrowid``): the ids are then the ones SQLite would give, and, as every
  write holds the store's write lock (``pg_store``), no two writers pick the same one;
- ``timestamptz`` values come back as the UTC text SQLite stores
  (``YYYY-MM-DDTHH:MM:SSZ``), so ``mapping`` reads both backends' rows alike; the text
  sent for an instant is cast by the server (psycopg sends ``str`` untyped).

Each writing statement inside a transaction runs in a savepoint: a refused one (a
taken chair, a row still pointed at) leaves the transaction usable, as on SQLite. The
server's refusals are raised as the ``sqlite3`` exceptions the store's callers catch,
with SQLite's wording (``chair_overlap``, ``FOREIGN KEY constraint failed``, ...).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..database import StoreError, busy_timeout_ms

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "WRITE_LOCK", "PasswordRefused", "PgDatabase", "begin_write", "connect", "translate",
]  # fmt: skip

# pg_advisory_xact_lock's key for a write ("TDMw"): one writer at a time, as SQLite.
WRITE_LOCK = 0x54444D77

# The tables whose key is another column (an INSERT into them keeps its own columns).
NO_ID_TABLES = frozenset({"opening_hours", "closed_dates", "schema_version"})
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*\(", re.IGNORECASE)
_BRACKETED = re.compile(r"\[(\w+)\]")
_LIKE = re.compile(r"\bLIKE\b")
_WRITES = ("INSERT", "UPDATE", "DELETE")


@lru_cache(maxsize=1024)
def translate(sql: str) -> tuple[str, bool]:
    """SQLite's statement as the server's, and whether it returns the new row's id."""
    text = _LIKE.sub("ILIKE", _BRACKETED.sub(r'"\1"', sql)).replace("%", "%%")
    text = text.replace("?", "%s")
    found = _INSERT.match(text)
    if found is None or found.group(1).lower() in NO_ID_TABLES:
        return text, False
    table, names = found.group(1), found.group(2)
    if "id" not in [name.strip().strip('"') for name in names.split(",")]:
        head = f"INSERT INTO {table} (id, {names}) VALUES ("
        next_id = f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), "
        text = head + next_id + text[found.end() :]
    return text + " RETURNING id", True


class _Result:
    """A finished statement as sqlite3's cursor shows it."""

    def __init__(
        self, cursor: psycopg.Cursor[Any] | None, returns_id: bool, inserted: bool = False
    ) -> None:
        self.description = None if cursor is None else cursor.description
        self.rowcount = -1 if cursor is None else cursor.rowcount
        self.lastrowid: int | None = None
        self._rows: list[Any] = (
            [] if cursor is None or cursor.description is None else cursor.fetchall()
        )
        if returns_id:
            self.lastrowid = int(self._rows[0][0])
            self._rows = []
        elif inserted:
            self.lastrowid = 0  # a table keyed by another column (no rowid to give)

    def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class _ConnState:
    """``db.conn`` as the store's callers ask it: ``in_transaction``."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        status = self._conn.info.transaction_status
        return status in (TransactionStatus.INTRANS, TransactionStatus.INERROR)


class PgDatabase:
    """The server connection behind a ``PgStore`` (module doc)."""

    def __init__(self, conn: psycopg.Connection[Any], where: str) -> None:
        self.pg = conn
        self.where = where  # the URL without its password, for messages
        self.conn = _ConnState(conn)
        self._savepoints = 0

    def __repr__(self) -> str:
        return f"<PgDatabase {self.where}>"

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> _Result:
        if sql == "BEGIN IMMEDIATE":  # ``write_transaction`` of a caller still on ctx.db
            begin_write(self)
            return _Result(None, False)
        text, returns_id = translate(sql)
        params = list(parameters or ())
        verb = sql.lstrip()[:6].upper()
        if self.conn.in_transaction and verb in _WRITES:
            with self.savepoint():
                return self._run(text, params, returns_id, verb == "INSERT")
        return self._run(text, params, returns_id, verb == "INSERT")

    def _run(self, text: str, params: list[Any], returns_id: bool, inserted: bool) -> _Result:
        try:
            cursor = self.pg.execute(text.encode(), params)
            return _Result(cursor, returns_id, inserted)
        except Exception as error:
            raise as_sqlite_error(error, self.where) from error

    def atomic(self) -> AbstractContextManager[None]:
        """A savepoint, as ``Database.atomic`` inside a transaction."""
        return self.savepoint()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A savepoint of the open transaction: released, or rolled back to on error."""
        self._savepoints += 1
        name = f"tdm1_sp{self._savepoints}"
        self.pg.execute(f"SAVEPOINT {name}".encode())
        try:
            yield
        except BaseException:
            self._rollback_to(name)
            raise
        else:
            self.pg.execute(f"RELEASE SAVEPOINT {name}".encode())
        finally:
            self._savepoints -= 1

    def _rollback_to(self, name: str) -> None:
        from psycopg.pq import TransactionStatus

        if self.pg.info.transaction_status in (
            TransactionStatus.INTRANS,
            TransactionStatus.INERROR,
        ):
            self.pg.execute(f"ROLLBACK TO SAVEPOINT {name}".encode())
            self.pg.execute(f"RELEASE SAVEPOINT {name}".encode())

    def close(self) -> None:
        self.pg.close()

    def __getattr__(self, name: str) -> Any:
        # What only a SQLite ``Database`` has (``table_names``, ``full``, ``db[...]``).
        raise SqliteOnly(f"{self!r} is a PostgreSQL store: it has no SQLite {name!r}")


class SqliteOnly(TypeError, AttributeError):
    """Asked a server connection for what only SQLite's ``Database`` has (``hasattr``
    still answers False)."""


def begin_write(pg: PgDatabase) -> None:
    """BEGIN and wait for the write lock (module doc)."""
    begin(pg, b"BEGIN ISOLATION LEVEL READ COMMITTED")
    try:
        pg.pg.execute(b"SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
    except Exception as error:
        end(pg, "ROLLBACK")
        raise as_sqlite_error(error, pg.where) from error


def begin(pg: PgDatabase, sql: bytes) -> None:
    try:
        pg.pg.execute(sql)
    except Exception as error:
        raise as_sqlite_error(error, pg.where) from error


def end(pg: PgDatabase, verb: str) -> None:
    """End the open transaction, if the connection still has one to end."""
    import psycopg

    if pg.conn.in_transaction and not pg.pg.closed:
        # A connection gone meanwhile: the server has ended the transaction itself.
        with suppress(psycopg.OperationalError):
            pg.pg.execute(verb.encode())


def as_sqlite_error(error: Exception, where: str) -> Exception:
    """The server's refusal as the ``sqlite3`` exception SQLite raises for it, worded
    as SQLite words it; a lost or refused connection as ``StoreError``."""
    import psycopg
    from psycopg import errors

    if isinstance(error, errors.ExclusionViolation):
        return sqlite3.IntegrityError(error.diag.constraint_name or "overlap")
    if isinstance(error, errors.ForeignKeyViolation):
        return sqlite3.IntegrityError("FOREIGN KEY constraint failed")
    if isinstance(error, errors.UniqueViolation):
        return sqlite3.IntegrityError(f"UNIQUE constraint failed: {_key_of(error)}")
    if isinstance(error, errors.NotNullViolation):
        column = f"{error.diag.table_name}.{error.diag.column_name}"
        return sqlite3.IntegrityError(f"NOT NULL constraint failed: {column}")
    if isinstance(error, errors.CheckViolation):
        return sqlite3.IntegrityError(f"CHECK constraint failed: {error.diag.constraint_name}")
    if isinstance(error, errors.LockNotAvailable):  # the write lock, past lock_timeout
        waited = busy_timeout_ms() / 1000
        return StoreError(f"{where} is locked by another program (waited {waited:g} s)")
    if isinstance(error, errors.ReadOnlySqlTransaction):
        return sqlite3.OperationalError("attempt to write a readonly database")
    if isinstance(error, (errors.IntegrityError, errors.InsufficientPrivilege)):
        return sqlite3.IntegrityError(error.diag.message_primary or str(error))
    if isinstance(error, psycopg.OperationalError):
        return StoreError(f"{where}: {_first_line(error)}")
    return error


def _key_of(error: Any) -> str:
    """``table.column`` of a unique violation (the server's detail names the key)."""
    detail = error.diag.message_detail or ""
    found = re.match(r"Key \(([^)]*)\)", detail)
    columns = found.group(1) if found else (error.diag.constraint_name or "")
    table = error.diag.table_name or ""
    return ", ".join(f"{table}.{name.strip()}" for name in columns.split(","))


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def redacted(url: str) -> str:
    """The URL without a password, for messages."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1@", url)


class PasswordRefused(StoreError):
    """The server asked for a password and got none (``supplied`` False), or a wrong one.
    ``str()`` is the usual one line (the CLI prints it as before); ``reason`` is what a
    login dialog says; ``host``, ``port``, ``dbname`` and ``user`` are where it tried."""

    def __init__(self, text: str, *, supplied: bool, params: dict[str, str]) -> None:
        super().__init__(text)
        self.supplied = supplied
        self.host = params.get("host", "")
        self.port = params.get("port", "")
        self.dbname = params.get("dbname", "")
        self.user = params.get("user", "")

    @property
    def reason(self) -> str:
        if self.supplied:
            return f"password authentication failed for user {self.user}"
        return f"the server asks for a password for user {self.user}"


_NO_PASSWORD = "no password supplied"
_BAD_PASSWORD = "password authentication failed"


def connect(
    url: str, *, user: str | None = None, password: str | None = None, timeout: int | None = None
) -> PgDatabase:
    """A connection to ``url`` in autocommit (the store opens its own transactions),
    its session in UTC, instants read back as SQLite's UTC text, waiting for a lock at
    most the busy timeout (``TDM1_SCHEDULER_BUSY_TIMEOUT_MS``). ``user`` and
    ``password`` (a login dialog's) go to libpq for this connection only, over the
    URL's; without them libpq looks in its usual places. A password refused or missing
    is ``PasswordRefused``. ``timeout``: libpq's ``connect_timeout``, seconds."""
    import psycopg
    from psycopg.adapt import Loader

    class UtcText(Loader):
        def load(self, data: Any) -> str:
            text = bytes(data).decode()  # "2026-03-02 14:00:00+00", DateStyle ISO, UTC
            return f"{text[:10]}T{text[11:19]}Z"

    where = redacted(url)
    login: dict[str, Any] = {
        k: v
        for k, v in (("user", user), ("password", password), ("connect_timeout", timeout))
        if v is not None
    }
    try:
        # A writer waits for the write lock as SQLite waits for its busy timeout.
        options = f"-c TimeZone=UTC -c DateStyle=ISO -c lock_timeout={busy_timeout_ms()}"
        conn = psycopg.connect(url, autocommit=True, options=options, **login)
    except psycopg.Error as error:
        text = f"cannot reach the server {where}: {_first_line(error)}"
        if _NO_PASSWORD in str(error) or _BAD_PASSWORD in str(error):
            params = _where_params(url, user)
            refused = PasswordRefused(text, supplied=_BAD_PASSWORD in str(error), params=params)
            raise refused from None  # the chain holds nothing a person needs
        raise StoreError(text) from error
    conn.adapters.register_loader("timestamptz", UtcText)
    return PgDatabase(conn, where)


def _where_params(url: str, user: str | None) -> dict[str, str]:
    """Host, port, database and user of ``url`` as libpq fills them in (no password)."""
    import getpass
    import os

    from psycopg.conninfo import conninfo_to_dict

    try:
        given = {k: str(v) for k, v in conninfo_to_dict(url).items() if k != "password"}
    except Exception:  # a URL libpq just took cannot fail here, but never for this
        given = {}
    name = user or given.get("user") or os.environ.get("PGUSER") or getpass.getuser()
    return {
        "host": given.get("host") or os.environ.get("PGHOST") or "localhost",
        "port": given.get("port") or os.environ.get("PGPORT") or "5432",
        "dbname": given.get("dbname") or os.environ.get("PGDATABASE") or name,
        "user": name,
    }
