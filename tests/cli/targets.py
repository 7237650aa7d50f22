"""The clinic a CLI test runs on, on either backend (issue 16): a SQLite file's path, or
the URL of a database of its own on this process's test server (tests/pg/databases.py).

- ``ServerDatabases.new()`` makes an empty database owned by ``OWNER`` (``init`` makes
  the schema in it, as at a clinic); ``new(template=...)`` a copy of a database built
  once per process (``CREATE DATABASE ... TEMPLATE``, a file copy of a few
  milliseconds), for a test that starts from a clinic rather than testing ``init``.
  ``drop_all()`` drops what it made (at the next test's end: see ``_to_drop``).
- ``state(target)``: what "nothing was written" compares: the file's bytes, or every
  row of every table on the server.
- ``rows(target, sql)``: a test's look under the CLI, in SQLite's dialect (``?``,
  ``[name]``) on either backend; on the server through the store's own translating
  connection, so instants come back as the same UTC text.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.pg import databases
from tests.store.postgres.conftest import OWNER

Target = Path | str  # a SQLite file, or a server database's URL
_numbers = itertools.count(1)
_templates: dict[tuple[int, str], str] = {}  # (server's port, what was built) -> database
_admin: Any = None  # this process's superuser connection (autocommit)


def is_server(target: Target) -> bool:
    return isinstance(target, str) and target.startswith("postgresql://")


def admin() -> Any:
    """This process's superuser connection to its test server (made at first use)."""
    global _admin
    server = databases.server()
    if _admin is None or _admin.closed or _admin.info.port != server.port:
        import psycopg

        _admin = psycopg.connect(server.url(), autocommit=True)
        if not _admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [OWNER]).fetchone():
            _admin.execute(f'CREATE ROLE "{OWNER}" LOGIN CREATEROLE NOSUPERUSER'.encode())
    return _admin


def url_of(name: str) -> str:
    return databases.server().url(name, OWNER)


def name_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _create(name: str, template: str | None = None) -> str:
    conn = admin()
    like = f' TEMPLATE "{template}"' if template else ""
    if template and conn.info.server_version >= 150000:
        like += " STRATEGY FILE_COPY"  # a copy of the files, not WAL: twice as fast here
    conn.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER}"{like}'.encode())
    return url_of(name)


# Databases a test is done with, dropped when the next one is: by then the backends of
# its last connections have exited (a DROP waits for them, 100 ms a time).
_to_drop: list[tuple[int, str]] = []


def _running_port() -> int | None:
    """The port of this process's server if it runs (never starts one)."""
    running = databases._server  # the module's one server, or None
    return running.port if running is not None else None


def _drop_done() -> None:
    port = _running_port()
    while _to_drop:
        at, name = _to_drop.pop()
        if at == port:  # a server stopped since took its databases with it
            admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def template(key: str, build: Callable[[str], None]) -> str:
    """The name of the database ``build(url)`` made from an empty one, once per process."""
    at = (databases.server().port, key)
    if at not in _templates:
        name = f"cli_tmpl_{key}_{os.getpid()}"
        admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
        build(_create(name))
        _templates[at] = name
    return _templates[at]


class ServerDatabases:
    """The server databases one test (or one module) made; ``drop_all`` at its end."""

    def __init__(self) -> None:
        self.made: list[str] = []

    def new(self, template: str | None = None) -> str:
        """The URL of a new database: empty, or a copy of ``template`` (a name)."""
        name = f"cli_{os.getpid()}_{next(_numbers)}"
        self.made.append(name)
        return _create(name, template)

    def copy(self, url: str) -> str:
        """A copy of the database at ``url`` (nobody may be connected to it: the CLI
        closes its store after each command)."""
        return self.new(template=name_of(url))

    def drop_all(self) -> None:
        """Drop the databases an earlier test left (``_to_drop``), and leave these to
        the next one (or to the server's end)."""
        _drop_done()
        port = _running_port() or 0
        _to_drop.extend((port, name) for name in self.made)
        self.made.clear()


def _server_rows(url: str, sql: str, params: Any = ()) -> list[Any]:
    from tdm1_scheduler.store.postgres.pg_store import open_pg_store
    from tests.store.backends import execute

    store = open_pg_store(url, migrate=False)
    try:
        return list(execute(store, sql, params).fetchall())
    finally:
        store.close()


def rows(target: Target, sql: str, params: Any = ()) -> list[Any]:
    """``sql`` (SQLite's dialect; quote ``[user]``) run on the clinic at ``target``."""
    if is_server(target):
        return _server_rows(str(target), sql, params)
    import sqlite3

    conn = sqlite3.connect(target)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _superuser(url: str) -> Any:
    import psycopg

    return psycopg.connect(databases.server().url(name_of(url)), autocommit=True)


def _tables(conn: Any) -> list[str]:
    found = conn.execute(
        b"SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        b"AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [str(name) for (name,) in found]


def server_tables(url: str) -> list[str]:
    """The tables in the server database's public schema, by name."""
    with _superuser(url) as conn:
        return _tables(conn)


def server_dump(url: str) -> str:
    """Every row of every table in the server database, each table's rows in order."""
    lines: list[str] = []
    with _superuser(url) as conn:
        for table in _tables(conn):
            lines.append(f"-- {table}")
            cursor = conn.execute(f'SELECT t::text FROM "{table}" t ORDER BY 1'.encode())
            lines.extend(str(text) for (text,) in cursor.fetchall())
    return "\n".join(lines)


def state(target: Target) -> str:
    """What "nothing was written" compares: a hash of the file's bytes, or of every row
    of every table (the audit log and the migrations' log included) on the server."""
    if is_server(target):
        return hashlib.sha256(server_dump(str(target)).encode()).hexdigest()
    return hashlib.sha256(Path(target).read_bytes()).hexdigest()


def made(target: Target) -> bool:
    """Whether anything is there: the file, or any table in the server database."""
    if is_server(target):
        return bool(server_tables(str(target)))
    return os.path.lexists(target)


def on_backend(path: Path, backend: str, databases_: ServerDatabases) -> Target:
    """The clinic a test built in the SQLite file ``path`` on ``backend``: the file, or a
    new server database it was copied into by ``migrate --to`` (``migrate_to``: every
    table, its history and audit log, counts checked), as a clinic moves to a server."""
    if backend != "postgres":
        return path
    from tdm1_scheduler.store.postgres.copy_clinic import migrate_to

    url = databases_.new()
    migrate_to(path, url)
    return url


def dump(target: Target) -> str:
    """Every table, row for row (the audit log included): SQLite's ``iterdump``, or the
    server's rows (``server_dump``)."""
    if is_server(target):
        return server_dump(str(target))
    import sqlite3

    conn = sqlite3.connect(target)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()
