"""``Store`` on a PostgreSQL server (issue 16): ``open_pg_store("postgresql://...")``.

``PgStore`` is ``SqliteStore``'s reads and writes, the same statements, run on the
server through ``PgDatabase`` (``pg_connection``: placeholders, ids and instants made
to behave as on SQLite). A protocol method added to ``SqliteStore`` (or to one of its
mixins) over ``repository``-style SQL therefore works here at once; one that needs the
server's own SQL overrides it here, one small method each. What differs is the unit of
work:

- ``transaction()`` is one server transaction at READ COMMITTED that first takes a
  transaction-level advisory lock (``WRITE_LOCK``): writers queue as on SQLite's
  ``BEGIN IMMEDIATE``, so a read-then-write cannot race and two writers never pick the
  same new id. Nested, it is a savepoint. Its audit row is written inside it.
- ``read()`` is ``REPEATABLE READ READ ONLY``: one snapshot, no lock, writes refused.
- ``changes(since)`` reads the audit log after the token's id (no cheap "nothing
  changed" mark on a server: it is one indexed query).

The server's refusals come back as on SQLite: a taken chair is ``ConflictError``
("chair: chair already taken at that time"), a stale version ``ConflictError``, a row
still pointed at ``IntegrityError``; the server unreachable is ``StoreError``.

psycopg is imported only here and in ``pg_connection``, and only when a server store is
opened: nothing the app imports at start imports this module.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .. import mapping
from ..database import StoreError
from ..protocol import ChangeFeed, ChangeToken
from ..sqlite_store import SqliteStore
from .pg_connection import (
    WRITE_LOCK,
    PgDatabase,
    as_sqlite_error,
    begin as _begin,
    begin_write,
    connect,
    end as _end,
)

if TYPE_CHECKING:
    from ..connection import Database

__all__ = ["BACKUP_REFUSAL", "WRITE_LOCK", "PgStore", "open_pg_store"]

BACKUP_REFUSAL = "backup of a server database: use pg_dump (see docs/server.md)"


class PgStore(SqliteStore):
    """The protocol ``store.protocol.Store`` on one server connection (module doc)."""

    def __init__(self, pg: PgDatabase) -> None:
        # The SQL modules take a ``Database``; PgDatabase offers what they call of it.
        super().__init__(cast("Database", pg))
        self.pg = pg

    def __repr__(self) -> str:
        return f"PgStore({self.pg.where})"

    # --- units of work ----------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[PgStore]:
        """BEGIN, the write lock, ... COMMIT (a savepoint when nested); rolled back on error."""
        pg = self.pg
        if pg.conn.in_transaction:
            with pg.savepoint():
                yield self
            return
        begin_write(pg)
        try:
            yield self
        except BaseException:
            _end(pg, "ROLLBACK")
            raise
        try:
            pg.pg.execute(b"COMMIT")
        except Exception as error:
            _end(pg, "ROLLBACK")
            found = as_sqlite_error(error, pg.where)
            if isinstance(found, (sqlite3.IntegrityError, StoreError)):
                raise found from error  # a deferred constraint, checked at commit
            raise StoreError(f"{pg.where}: {error}") from error

    @contextmanager
    def read(self) -> Iterator[PgStore]:
        """One snapshot (REPEATABLE READ READ ONLY); inside another transaction, that
        one's view. A write tried inside it is refused as SQLite refuses it (readonly)."""
        pg = self.pg
        if pg.conn.in_transaction:
            yield self
            return
        _begin(pg, b"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield self
        finally:
            _end(pg, "ROLLBACK")  # it wrote nothing: ending the snapshot is enough

    def in_transaction(self) -> bool:
        return self.pg.conn.in_transaction

    def changes(self, since: ChangeToken | None = None) -> ChangeFeed:
        if since is None:
            row = self.pg.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()
            return ChangeFeed(ChangeToken(int(row[0])))
        rows = mapping_rows(
            self.pg, "SELECT * FROM audit_log WHERE id > ? ORDER BY id", since.audit_id
        )
        entries = tuple(mapping.row_to_audit_entry(row) for row in rows)
        head = entries[-1].id if entries else since.audit_id
        return ChangeFeed(ChangeToken(head), entries)

    def close(self) -> None:
        self.pg.close()

    # --- live marks (the GUI's ChangeWatch; LISTEN/NOTIFY is to replace them) ---------
    def outside_mark(self) -> int:
        # The audit log's head: every commit writes a row. It moves for this
        # connection's own writes too, which costs the GUI one extra re-read.
        row = self.pg.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()
        return int(row[0])

    def data_mark(self) -> tuple[int, int]:
        return self.outside_mark(), 0

    # --- check, backup (``check``, ``backup`` on a server: cli/server_mode.py) ---------
    @property
    def location(self) -> Path | None:
        return None  # no file: an output may go anywhere

    def schema_version(self) -> str:
        from .runner import schema_version

        return schema_version(self.pg.pg) or "none"

    def integrity_problems(self) -> list[str]:
        from .health import health_problems

        return health_problems(self.pg.pg)

    def backup_to(self, target: Path) -> None:
        raise StoreError(BACKUP_REFUSAL)


def mapping_rows(pg: PgDatabase, sql: str, *params: object) -> list[dict[str, object]]:
    cursor = pg.execute(sql, list(params))
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def open_pg_store(url: str, *, migrate: bool = True) -> PgStore:
    """The store on the server database at ``url``; with ``migrate`` its pending
    migrations are applied first (as the owner role: only it may change the schema)."""
    pg = connect(url)
    if migrate:
        from .runner import apply_pending

        try:
            apply_pending(pg.pg)
        except Exception as error:
            pg.close()
            if isinstance(error, StoreError):
                raise
            raise StoreError(f"{pg.where}: {error}") from error
    return PgStore(pg)
