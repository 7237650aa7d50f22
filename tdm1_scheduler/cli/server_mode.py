"""Every command on a server database (issue 16): ``--db postgresql://...`` (or
``TDM1_SCHEDULER_DB``) runs the same command functions on the PostgreSQL store.

- ``init`` makes the schema in an empty database, then the clinic as on SQLite; a
  clinic already there is refused with SQLite's words (exit 2).
- ``check`` prints the schema version and the health of the constraints and triggers
  (``store/postgres/health.py``), exit 0 healthy, 1 not, as on SQLite.
- ``backup`` and ``restore`` are refused in one line (use ``pg_dump`` /
  ``pg_restore``), exit 2, before anything is opened; so is ``migrate`` (its ``--db``
  is the SQLite file to copy).
- A server that cannot be reached: one line naming it (``host:port``), exit 1, as
  SQLite's "cannot open". A password in the URL is never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable

from ..domain.errors import DomainError
from ..safe_files import OutputFailed
from ..services.clinic_store import mask_password, open_clinic_store, take_back_new_schema
from ..services.errors import ConflictError, DatabaseError, StoreError
from ..services.storage import Store
from .common import EXIT_ERROR, EXIT_REFUSED, make_clock, one_line

# The commands a server does not run, and what to use instead.
REFUSED_ON_SERVER = {
    "backup": "backup of a server database: use pg_dump (see docs/server.md)",
    "restore": "restore of a server database: use pg_restore (see docs/server.md)",
    "migrate": "migrate copies a SQLite clinic: --db must name its file, not a server",
}


def run_on_server(args: argparse.Namespace, url: str) -> int:
    """``run_command`` for a server URL: the same command function, its store the server's."""
    run: Callable[..., int] = args.run
    if args.command in REFUSED_ON_SERVER:
        return _refused(REFUSED_ON_SERVER[args.command], url)
    store: Store | None = None
    code = EXIT_ERROR
    try:
        # check reports a pending migration rather than applying it (as on a file)
        read_only = run.__name__ == "run_check"
        store = open_clinic_store(url, create=args.command == "init", read_only=read_only)
        if getattr(args, "now", None) and args.command != "init":  # init: its own zone
            make_clock(args, store)
        code = run(args, store)
        return code
    except (DomainError, ConflictError) as error:
        return _refused(str(error), url)
    except BrokenPipeError:
        raise
    except (StoreError, OutputFailed) as error:
        return _failed(str(error), url)
    except DatabaseError as error:
        return _failed(f"the server database: {error}", url)
    except Exception as error:  # anything else: one line, exit 1, no traceback wall
        return _failed(f"{type(error).__name__}: {error}", url)
    finally:
        if store is not None:
            if code != 0:  # a refused init takes back the schema it made (as SQLite's file)
                with contextlib.suppress(Exception):  # its own refusal is what is said
                    take_back_new_schema(store)
            store.close()


def _refused(message: str, url: str) -> int:
    print(f"refused: {one_line(mask_password(message, url))}", file=sys.stderr)
    return EXIT_REFUSED


def _failed(message: str, url: str) -> int:
    print(f"error: {one_line(mask_password(message, url))}", file=sys.stderr)
    return EXIT_ERROR
