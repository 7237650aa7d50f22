"""Opening the clinic on a server for the app (issue 16, "choosing the server"): what
``open_pg_store`` does, plus what ``open_database`` does for a SQLite file.

- Without ``create`` a database with no schema is refused as a missing file is ("no
  clinic database at URL; create one with ``tdm1-scheduler init``").
- With ``create`` (``init``) an empty database gets the schema (the server migrations);
  one that holds tables of something else is refused; one with the schema is opened
  (``init`` itself then refuses a clinic already there, as on SQLite). When ``init``
  is refused after making the schema, ``take_back_schema`` drops it again, as a
  refused ``init`` on SQLite removes the file it made.
- Pending migrations are applied (as the owner role), except for ``check``, which
  reports them instead.

Errors are ``StoreError`` (one line, the URL without its password) or, for a database
``init`` may not use, ``DomainError("init", ...)`` (exit 2, as SQLite's init refusal).
"""

from __future__ import annotations

from ...domain.errors import DomainError
from ..database import StoreError
from .pg_store import PgStore


def open_clinic_server(
    url: str,
    *,
    create: bool = False,
    migrate: bool = True,
    user: str | None = None,
    password: str | None = None,
) -> PgStore:
    """The store on ``url``, its schema made (``create``) and brought up to date
    (``migrate``; without it, as ``check`` opens, a pending migration stays pending and
    only a database from a newer app is refused). ``user`` and ``password``: a login
    dialog's, for libpq only (a refused or missing password: ``PasswordRefused``)."""
    from .health import public_tables
    from .pg_store import open_pg_store
    from .runner import apply_pending, installed_extensions, pending, schema_version

    store = open_pg_store(url, migrate=False, user=user, password=password)
    try:
        conn = store.pg.pg
        if schema_version(conn) is None:
            if not create:
                raise StoreError(
                    f"no clinic database at {store.pg.where}; create one with `tdm1-scheduler init`"
                )
            others = public_tables(conn)
            if others:
                raise DomainError(
                    "init",
                    f"this database is not empty (it holds {len(others)} other "
                    f"table{'s' if len(others) != 1 else ''}, e.g. {others[0]})",
                )
            store.made_schema = installed_extensions(conn)
        if migrate or create:
            apply_pending(conn)
        else:
            pending(conn)  # refuses a database written by a newer app
    except (StoreError, DomainError):
        store.close()
        raise
    except Exception as error:
        store.close()
        raise StoreError(f"{store.pg.where}: {error}") from error
    return store


def take_back_schema(store: PgStore) -> bool:
    """After a refused ``init``: drop the schema that opening made in an empty database
    (``runner.drop_schema``), so the database is as it was; False when opening found
    the schema there already (nothing of this run's to take back)."""
    from .runner import drop_schema

    if store.made_schema is None:
        return False
    if store.pg.conn.in_transaction:
        store.pg.pg.rollback()
    drop_schema(store.pg.pg, store.made_schema)
    store.made_schema = None
    return True
