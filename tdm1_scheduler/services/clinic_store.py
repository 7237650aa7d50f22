"""Which clinic the app opens, and the one opener the CLI and the GUI use (issue 16).

``--db`` (else ``TDM1_SCHEDULER_DB``) is either a SQLite file's path, as always, or a
server's URL, ``postgresql://user@host:port/dbname`` (also ``postgres://``), which
selects the PostgreSQL store. ``clinic_target`` tells the two apart: a URL stays text,
a path becomes a ``Path`` (its checks and messages are SQLite's, unchanged).

psycopg is loaded only when a URL is opened (``store/postgres``).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from ..paths import DB_ENV, default_db_path
from .storage import Store, open_store

SERVER_SCHEMES = ("postgresql://", "postgres://")

__all__ = [
    "SERVER_SCHEMES",
    "clinic_target",
    "is_server_url",
    "mask_password",
    "open_clinic_store",
]


def is_server_url(value: object) -> bool:
    """A ``postgresql://`` (or ``postgres://``) URL, whatever its case."""
    return isinstance(value, str) and value.strip().lower().startswith(SERVER_SCHEMES)


def clinic_target(db: str | None) -> Path | str:
    """The clinic ``--db`` names (else ``$TDM1_SCHEDULER_DB``, else the default file): a
    server URL as text, a file as a ``Path``."""
    value = db or os.environ.get(DB_ENV)
    if is_server_url(value):
        return str(value).strip()
    return Path(db) if db else default_db_path()


def mask_password(text: str, url: str) -> str:
    """``text`` with the URL's password (if any) replaced by ``***``."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    return text.replace(password, "***") if password else text


def open_clinic_store(
    target: Path | str, *, create: bool = False, read_only: bool = False
) -> Store:
    """The store on ``target`` (``clinic_target``): the server's for a URL (its schema
    made with ``create``, brought up to date unless ``read_only``; see
    ``store/postgres/opening.py``), else the SQLite file's (``open_store``, as before)."""
    if isinstance(target, str) and is_server_url(target):
        from ..store.postgres.opening import open_clinic_server
        from .errors import StoreError

        try:
            return open_clinic_server(target, create=create, migrate=not read_only)
        except StoreError as error:  # never a password in a message
            raise StoreError(mask_password(str(error), target)) from None
    return open_store(target, create=create, read_only=read_only)
