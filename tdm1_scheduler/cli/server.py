"""CLI commands of the server mode (issue 16): ``migrate --to URL`` copies the SQLite
clinic (``--db PATH`` or ``TDM1_SCHEDULER_DB``) into an empty PostgreSQL database.

It prints one line per table with its row count, then the total, exit 0. It refuses,
with one line and exit 2, a URL that is not postgresql://, a SQLite file that does not
exist, a server it cannot reach (named by host:port) and a database that is not empty;
nothing is written then. A password in the URL is never printed. psycopg is loaded
only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_REFUSED = 0, 2


def register(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    migrate = command("migrate", "copy this SQLite clinic into an empty PostgreSQL database")
    migrate.add_argument(
        "--to", required=True, metavar="URL", help="postgresql://user@host:port/db"
    )
    migrate.set_defaults(run=run_migrate, without_db=True)


def run_migrate(args: argparse.Namespace, path: Path) -> int:
    from ..services.errors import StoreError
    from ..services.server_migration import mask_url, migrate_clinic

    try:
        counts = migrate_clinic(path, args.to)
    except StoreError as error:
        print(f"refused: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_REFUSED
    width = max(len(table) for table in counts)
    for table, (_in_sqlite, on_server) in counts.items():
        print(f"{table:<{width}}  {on_server:>9}")
    total = sum(on_server for _in_sqlite, on_server in counts.values())
    print(f"{'total':<{width}}  {total:>9}  rows copied to {mask_url(args.to)}")
    return EXIT_OK
