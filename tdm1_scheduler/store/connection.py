"""The store's own thin layer over ``sqlite3``: what the app uses of sqlite-utils at run time.

Importing sqlite-utils costs about 100 ms (click, pluggy, dateutil), which the app needs
only to apply migrations (``store/migrations.py``) or for the rare table helper. At run
time every repository call goes through ``execute``, ``executescript``, ``query``,
``table_names`` and ``atomic``, which are here with sqlite-utils' semantics. Anything
else (``db.table(...)``, ``db["name"]``, ...) is answered by a ``sqlite_utils.Database``
over the same connection, imported and built on first use.

For type checking ``Database`` *is* ``sqlite_utils.Database``: every module can keep
annotating with it, and any sqlite-utils method stays callable (through the fallback).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

__all__ = ["Database", "LiteDatabase", "full_database"]

# Statements that control transactions: execute() never commits around them.
_TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}


def _first_keyword(sql: str) -> str:
    for line in sql.lstrip().splitlines():
        text = line.strip()
        if text and not text.startswith("--"):
            return text.split(None, 1)[0].rstrip(";").upper()
    return ""


def _statements(sql: str) -> Iterator[str]:
    """The complete statements of a script (for running one inside a transaction)."""
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                yield pending
            pending = ""
    if pending.strip():
        yield pending


class LiteDatabase:
    """A sqlite3 connection with the part of ``sqlite_utils.Database`` the app uses."""

    def __init__(
        self,
        filename_or_conn: str | Path | sqlite3.Connection | None = None,
        memory: bool = False,
    ) -> None:
        if memory or filename_or_conn in (None, ":memory:"):
            self.conn = sqlite3.connect(":memory:")
        elif isinstance(filename_or_conn, (str, Path)):
            self.conn = sqlite3.connect(str(filename_or_conn))
        else:
            self.conn = filename_or_conn
        self._full: Any = None
        self.conn.execute("PRAGMA recursive_triggers=on;")  # as sqlite-utils does

    def __repr__(self) -> str:
        return f"<Database {self.conn}>"

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        """Run one statement; a write outside a transaction is committed at once."""
        conn = self.conn
        was_in_transaction = conn.in_transaction
        try:
            cursor = conn.execute(sql) if parameters is None else conn.execute(sql, parameters)
        except Exception:
            if not was_in_transaction and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if (
            not was_in_transaction
            and conn.in_transaction
            and cursor.description is None
            and _first_keyword(sql) not in _TRANSACTION_CONTROL
        ):
            conn.execute("COMMIT")
        return cursor

    def executescript(self, sql: str) -> Any:
        if self.conn.in_transaction:  # sqlite3's executescript would commit first
            cursor = self.conn.cursor()
            for statement in _statements(sql):
                cursor.execute(statement)
            return cursor
        return self.conn.executescript(sql)

    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> Generator[dict[str, Any], None, None]:
        """Rows as dicts (only for statements that return rows)."""
        cursor = self.conn.execute(sql) if params is None else self.conn.execute(sql, params)
        if cursor.description is None:
            raise ValueError("query() can only be used with SQL that returns rows")
        keys = [column[0] for column in cursor.description]
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    def table_names(self) -> list[str]:
        sql = "select name from sqlite_master where type = 'table'"
        return [row[0] for row in self.conn.execute(sql).fetchall()]

    def view_names(self) -> list[str]:
        sql = "select name from sqlite_master where type = 'view'"
        return [row[0] for row in self.conn.execute(sql).fetchall()]

    @contextmanager
    def atomic(self) -> Iterator[LiteDatabase]:
        """A transaction; nested, a savepoint (as ``sqlite_utils.Database.atomic``)."""
        conn = self.conn
        if conn.in_transaction:
            savepoint = f"tdm1_{id(self):x}_{_next_savepoint()}"
            conn.execute(f"SAVEPOINT {savepoint};")
            try:
                yield self
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint};")
                    conn.execute(f"RELEASE SAVEPOINT {savepoint};")
                raise
            else:
                conn.execute(f"RELEASE SAVEPOINT {savepoint};")
            return
        conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> LiteDatabase:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- everything else: sqlite-utils itself, over the same connection ------------------
    def full(self) -> Any:
        """A ``sqlite_utils.Database`` on this connection (sqlite-utils imported now)."""
        if self._full is None:
            from sqlite_utils import Database as Full

            self._full = Full(self.conn)
        return self._full

    def table(self, table_name: str, **kwargs: Any) -> Any:
        return self.full().table(table_name, **kwargs)

    def __getitem__(self, table_name: str) -> Any:
        return self.full()[table_name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("conn", "_full"):
            raise AttributeError(name)
        return getattr(self.full(), name)


_savepoints = iter(range(1, 1 << 62))


def _next_savepoint() -> int:
    return next(_savepoints)


def full_database(db: Any) -> Any:
    """``db`` as a ``sqlite_utils.Database`` (for migrations), sharing its connection."""
    return db.full() if isinstance(db, LiteDatabase) else db


if TYPE_CHECKING:
    from sqlite_utils import Database as Database
else:
    Database = LiteDatabase
