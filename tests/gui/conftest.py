"""GUI fixtures: a demo clinic built once per session, copied into each test's tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy

# The offscreen platform plugin warns on every top-level window that has size hints.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"

# Wednesday 18 November 2026, 10:00 in New York: mid-morning of a busy clinic day.
DEMO_NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    demo_copy(path, DEMO_NOW, tmp_path_factory, prepare_bags=False)  # tests prepare bags
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo.db"
    shutil.copyfile(demo_template, target)
    return target


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[Database]:
    db = open_database(demo_path)
    yield db
    db.conn.close()


@pytest.fixture
def ctx(demo_db: Database) -> Context:
    return Context(SqliteStore(demo_db), FixedClock(DEMO_NOW), "tester")


@pytest.fixture
def window(qtbot, ctx: Context):  # type: ignore[no-untyped-def]
    from tdm1_scheduler.gui.main_window import MainWindow

    win = MainWindow(ctx, demo=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()  # stops the poll before the fixture closes the database
