"""The demo clinic on the throwaway server (``migrate --to``), for the GUI's server-mode
tests (tests/gui/test_login_*.py)."""

from __future__ import annotations

from pathlib import Path

from tdm1_scheduler.services.server_migration import migrate_clinic
from tests.pg.server import PgServer
from tests.store.postgres.conftest import OWNER


def demo_on_server(server: PgServer, demo: Path) -> str:
    """A new database on ``server`` holding the demo clinic ``demo``: its name."""
    name = server.new_database(OWNER)
    migrate_clinic(demo, server.url(name, OWNER))
    return name
