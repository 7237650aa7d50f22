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
- before a transaction (or a savepoint) writes anything, ``store.access.check_write``
  asks whether the session (its login role and group roles, read once) may run the
  service that opens it (``services.permissions``): ``PermissionRefused`` if not;
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
from typing import TYPE_CHECKING, cast

from .. import mapping
from ..access import Session, check_write
from ..database import StoreError
from ..protocol import ChangeFeed, ChangeToken
from ..sqlite_store import SqliteStore
from .migrations import GROUP_ROLES
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

__all__ = ["WRITE_LOCK", "PgStore", "open_pg_store"]


class PgStore(SqliteStore):
    """The protocol ``store.protocol.Store`` on one server connection (module doc)."""

    def __init__(self, pg: PgDatabase) -> None:
        # The SQL modules take a ``Database``; PgDatabase offers what they call of it.
        super().__init__(cast("Database", pg))
        self.pg = pg
        self._session: Session | None = None

    def __repr__(self) -> str:
        return f"PgStore({self.pg.where})"

    # --- units of work ----------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[PgStore]:
        """BEGIN, the write lock, ... COMMIT (a savepoint when nested); rolled back on error."""
        pg = self.pg
        check_write(self.session())  # before anything is written (store.access)
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

    def session(self) -> Session:
        """Who this connection is (``store.access.Session``), asked of the server once."""
        if self._session is None:
            self._session = session_of(self.pg)
        return self._session

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


_MEMBER = ", ".join(f"pg_has_role(current_user, '{group}', 'MEMBER')" for group in GROUP_ROLES)
# The owner owns the tables (it ran the migrations); a superuser may do anything.
_SESSION = f"""
SELECT current_user::text,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       OR pg_has_role(current_user, (SELECT tableowner FROM pg_tables
                                     WHERE schemaname = 'public' AND tablename = 'audit_log'),
                      'USAGE'),
       {_MEMBER}
"""


def session_of(pg: PgDatabase) -> Session:
    """The login role, whether it is the owner, and the group roles it is a member of."""
    try:
        row = pg.pg.execute(_SESSION.encode()).fetchone()
    except Exception as error:  # e.g. a database without the group roles (not migrated)
        raise StoreError(f"{pg.where}: cannot tell who this session is: {error}") from error
    assert row is not None
    login, owner, *member = row
    groups = frozenset(group for group, yes in zip(GROUP_ROLES, member, strict=True) if yes)
    return Session(str(login), groups, bool(owner))


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
