"""Which clinic the app opens, and the one opener the CLI and the GUI use (issue 16).

``--db`` (else ``TDM1_SCHEDULER_DB``) is either a SQLite file's path, as always, or a
server's URL, ``postgresql://user@host:port/dbname`` (also ``postgres://``), which
selects the PostgreSQL store. ``clinic_target`` tells the two apart: a URL stays text,
a path becomes a ``Path`` (its checks and messages are SQLite's, unchanged).

A server that asks for a password and finds none in libpq's usual places (``.pgpass``,
the service file, ``PGPASSWORD``), or is given a wrong one, is ``LoginNeeded``: the GUI
then asks for it (``gui/login_dialog.py``) and opens again with a ``Login``, which goes
to libpq for that connection (and the store's reconnects) only, in memory, never kept.
The CLI never asks: it reports the one line it always did.

psycopg is loaded only when a URL is opened (``store/postgres``).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from ..domain.lean import dataclass, field
from ..paths import DB_ENV, default_db_path
from .errors import StoreError
from .storage import Store, open_store

SERVER_SCHEMES = ("postgresql://", "postgres://")

__all__ = [
    "SERVER_SCHEMES",
    "Login",
    "LoginNeeded",
    "clinic_target",
    "is_server_url",
    "mask_password",
    "open_clinic_store",
    "take_back_new_schema",
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


@dataclass(frozen=True)
class Login:
    """A user name and the password typed for it (never shown: not in ``repr``)."""

    user: str
    password: str = field(repr=False)


class LoginNeeded(StoreError):
    """The server wants a password it was not given, or refused the one given.
    ``str()`` is the one line the CLI prints; ``reason`` is what a login dialog says;
    ``where`` the URL without a password; ``host``, ``port``, ``dbname``, ``user``."""

    def __init__(self, text: str, *, reason: str, where: str, details: dict[str, str]) -> None:
        super().__init__(text)
        self.reason = reason
        self.where = where
        self.host = details.get("host", "")
        self.port = details.get("port", "")
        self.dbname = details.get("dbname", "")
        self.user = details.get("user", "")


def open_clinic_store(
    target: Path | str,
    *,
    create: bool = False,
    read_only: bool = False,
    login: Login | None = None,
) -> Store:
    """The store on ``target`` (``clinic_target``): the server's for a URL (its schema
    made with ``create``, brought up to date unless ``read_only``; see
    ``store/postgres/opening.py``; ``login``: a login dialog's user and password, else
    libpq's usual places), else the SQLite file's (``open_store``, as before)."""
    if isinstance(target, str) and is_server_url(target):
        from ..store.postgres.opening import open_clinic_server
        from ..store.postgres.pg_connection import PasswordRefused, redacted

        user, password = (login.user, login.password) if login else (None, None)
        try:
            return open_clinic_server(
                target, create=create, migrate=not read_only, user=user, password=password
            )
        except PasswordRefused as refused:
            text = mask_password(str(refused), target)
            details = {"host": refused.host, "port": refused.port,
                       "dbname": refused.dbname, "user": refused.user}  # fmt: skip
            raise LoginNeeded(
                text, reason=refused.reason, where=redacted(target), details=details
            ) from None
        except StoreError as error:  # never a password in a message
            raise StoreError(mask_password(str(error), target)) from None
    return open_store(target, create=create, read_only=read_only)


def take_back_new_schema(store: Store) -> bool:
    """After a refused ``init`` on a server: drop the schema its opening made in an empty
    database, so the database is as it was (``store/postgres/opening.py``); False for
    a file (the CLI removes a new file itself) or a schema that was there before."""
    made = getattr(store, "made_schema", None)
    if made is None:
        return False
    from ..store.postgres.opening import take_back_schema
    from ..store.postgres.pg_store import PgStore

    return isinstance(store, PgStore) and take_back_schema(store)
