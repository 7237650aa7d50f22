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
- Each committed write sends a notification naming its audit rows' entities (``notify``;
  ``listen()`` is the receiving end, ``listener``); ``outside_mark`` and ``data_mark``
  follow the audit log's head (one indexed query each).
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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ...domain.span_search import ChairSpans
from .. import mapping
from ..access import Session, check_write
from ..database import StoreError
from ..protocol import ChangeFeed, ChangeToken
from ..sqlite_store import SqliteStore
from . import notify, pg_booking
from .listener import ChangeListener
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

__all__ = ["BACKUP_REFUSAL", "WRITE_LOCK", "PgStore", "open_pg_store"]

DIAL_TIMEOUT_S = 3  # libpq's connect_timeout for a reconnect (as the listener's)
# The listener's TCP keepalives (libpq's parameters): a dead peer is noticed in ~10 s.
KEEPALIVES: dict[str, Any] = {
    "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2,
}  # fmt: skip
BACKUP_REFUSAL = "backup of a server database: use pg_dump (see docs/server.md)"


class PgStore(SqliteStore):
    """The protocol ``store.protocol.Store`` on one server connection (module doc)."""

    def __init__(self, pg: PgDatabase) -> None:
        # The SQL modules take a ``Database``; PgDatabase offers what they call of it.
        super().__init__(cast("Database", pg))
        self.pg = pg
        self.own_rows = 0  # audit rows this connection committed (``outside_mark``)
        self._last_head = 0  # the audit log's head when last read (``_audit_head``)
        self._conninfo = _conninfo_of(pg)  # to open the listener's and to reconnect
        self._session: Session | None = None
        # The extensions there were before this store's opening made the schema in an
        # empty database (``opening.take_back_schema``); None when it found the schema.
        self.made_schema: frozenset[str] | None = None

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
            since = notify.mark(pg)
            yield self
            written = notify.announce(pg, since)  # delivered only on COMMIT
        except BaseException:
            _end(pg, "ROLLBACK")
            raise
        try:
            pg.pg.execute(b"COMMIT")
            self.own_rows += written
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

    # --- live updates (``notify``, ``listener``) ----------------------------------------
    def outside_mark(self) -> int:
        # The audit ids are dense (MAX + 1 under the write lock): the head less this
        # connection's own rows moves only when another connection commits.
        return self._audit_head() - self.own_rows

    def data_mark(self) -> tuple[int, int]:
        return self._audit_head(), self.own_rows

    def _audit_head(self) -> int:
        # The server away: the last head seen (a view's key stays; it reads nothing).
        try:
            row = self.pg.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()
        except StoreError:
            if self.pg.conn.in_transaction:
                raise
            return self._last_head
        self._last_head = int(row[0])
        return self._last_head

    def busy_seconds(
        self, start: datetime, end: datetime, origin: datetime, exclude: Iterable[int] = ()
    ) -> ChairSpans:
        """The day's bookings as seconds in the server's SQL (``pg_booking``)."""
        return pg_booking.busy_seconds(self.db, start, end, origin, exclude)

    def server_now(self) -> datetime:
        """The server's clock (``clock.ServerClock`` asks this)."""
        # epoch seconds: a timestamptz would come back as SQLite's text, whole seconds
        row = self.pg.pg.execute(b"SELECT extract(epoch FROM clock_timestamp())").fetchone()
        if row is None:
            raise StoreError(f"{self.pg.where}: no answer to now()")
        return datetime.fromtimestamp(float(row[0]), UTC)

    def listen(self) -> ChangeListener:
        """A listener on a connection of its own to the same database, as the same user,
        that drops this connection's own notices."""
        return ChangeListener(self._listen_connection, own_pid=self._own_pid)

    def _own_pid(self) -> int:
        return 0 if self.pg.pg.closed else self.pg.pg.info.backend_pid

    def _listen_connection(self) -> Any:
        import psycopg

        # It only waits to be told: TCP keepalives notice a server that vanished without
        # closing the connection (a cable, a host down) in about 10 s, for the banner.
        return psycopg.connect(
            self._conninfo, autocommit=True, connect_timeout=DIAL_TIMEOUT_S, **KEEPALIVES
        )

    def revive(self) -> bool:
        """Reopen this store's connection if the server dropped it (outside a
        transaction: one cut off was rolled back by the server); True when usable."""
        if not self.pg.pg.closed:
            return True
        try:
            self.adopt(self.dial())
        except StoreError:
            return False
        return True

    def dial(self) -> PgDatabase:
        """A new connection for this store, as the same user (``StoreError`` if the
        server does not answer within ``DIAL_TIMEOUT_S``). It changes nothing here: any
        thread may call it (the GUI's reconnects do, off its own thread); ``adopt`` it."""
        return connect(self._conninfo, timeout=DIAL_TIMEOUT_S)

    def adopt(self, fresh: PgDatabase) -> None:
        """Use ``fresh`` (from ``dial``) from now on, the old connection closed. Never
        inside a transaction (its work would be lost): refused with ``StoreError``."""
        pg = self.pg
        if not pg.pg.closed and pg.conn.in_transaction:
            fresh.close()
            raise StoreError(f"{pg.where}: a transaction is open; not reconnected")
        old = pg.pg
        pg.pg, pg.conn = fresh.pg, fresh.conn
        if old is not fresh.pg and not old.closed:
            with suppress(Exception):  # a connection the server dropped
                old.close()

    def close(self) -> None:
        self.pg.close()

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


def _conninfo_of(pg: PgDatabase) -> str:
    """The connection's parameters (its password included) as a libpq conninfo."""
    from psycopg.conninfo import make_conninfo

    info = pg.pg.info
    params = {k: v for k, v in info.get_parameters().items() if k != "options"}
    return make_conninfo(**params, password=info.password or None)


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


def open_pg_store(
    url: str, *, migrate: bool = True, user: str | None = None, password: str | None = None
) -> PgStore:
    """The store on the server database at ``url``; with ``migrate`` its pending
    migrations are applied first (as the owner role: only it may change the schema).
    ``user`` and ``password`` (a login dialog's) are handed to libpq (``connect``); the
    store keeps them in memory only, for its reconnects and its listener's."""
    pg = connect(url, user=user, password=password)
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
