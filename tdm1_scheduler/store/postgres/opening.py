"""Opening the clinic on a server for the app (issue 16, "choosing the server"): what
``open_pg_store`` does, plus what ``open_database`` does for a SQLite file.

- Without ``create`` a database with no schema is refused as a missing file is ("no
  clinic database at URL; create one with ``tdm1-scheduler init``").
- With ``create`` (``init``) an empty database gets the schema (the server migrations);
  one that holds tables of something else is refused; one with the schema is opened
  (``init`` itself then refuses a clinic already there, as on SQLite).
- Either way pending migrations are applied (as the owner role).

Errors are ``StoreError`` (one line, the URL without its password) or, for a database
``init`` may not use, ``DomainError("init", ...)`` (exit 2, as SQLite's init refusal).
"""

from __future__ import annotations

from ...domain.errors import DomainError
from ..database import StoreError
from .pg_store import PgStore


def open_clinic_server(url: str, *, create: bool = False) -> PgStore:
    from .health import public_tables
    from .pg_store import open_pg_store
    from .runner import apply_pending, schema_version

    store = open_pg_store(url, migrate=False)
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
        apply_pending(conn)
    except (StoreError, DomainError):
        store.close()
        raise
    except Exception as error:
        store.close()
        raise StoreError(f"{store.pg.where}: {error}") from error
    return store
