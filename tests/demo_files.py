"""The demo clinic (``tdm1_scheduler.demo.build_demo_clinic``) built once per run for each
``now`` and bag choice, and copied for every test or module that starts from it.

A build takes seconds; a copy, a millisecond. A copy holds what a build there would:
the demo is deterministic (tests/test_demo.py builds it twice and compares), and only
the migrations' log keeps the wall time each migration ran at, which differs between
any two builds anyway. The tests of the builder's own acts (tests/test_demo.py: a second
build beside a first, determinism) build afresh.

Under xdist the workers share the run's folder (the parent of each worker's basetemp):
the first to need a clinic builds it there under a name of its own and renames it into
place (atomic), the others copy it; two building at once both succeed. Without xdist
the clinics stay in this session's basetemp (the parent holds other runs' folders).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tdm1_scheduler.demo import build_demo_clinic
from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.database import open_database


def demo_copy(
    target: Path,
    now: datetime,
    factory: pytest.TempPathFactory,
    *,
    prepare_bags: bool = True,
) -> Path:
    """A new file ``target`` holding the demo clinic ``build_demo_clinic(target, now,
    prepare_bags=...)`` would make (FileExistsError if ``target`` exists, as there)."""
    if target.exists():
        raise FileExistsError(f"{target} exists; the demo only ever writes a new file")
    shutil.copy2(_built(now, prepare_bags, factory), target)  # its mode (0600) with it
    return target


def _built(now: datetime, prepare_bags: bool, factory: pytest.TempPathFactory) -> Path:
    basetemp = factory.getbasetemp()
    shared = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    folder = shared / "demo-clinics"
    folder.mkdir(exist_ok=True)
    stamp = now.isoformat().replace(":", "")
    path = folder / f"demo-{stamp}-{'bags' if prepare_bags else 'nobags'}.db"
    if not path.exists():
        own = folder / f"{path.stem}.{os.getpid()}.building"
        shutil.rmtree(own, ignore_errors=True)
        own.mkdir()
        build_demo_clinic(own / "demo.db", now, prepare_bags=prepare_bags)
        side_files = [side.name for side in own.iterdir() if side.name != "demo.db"]
        assert not side_files, side_files  # all of it is in the one file, to copy
        os.replace(own / "demo.db", path)
        own.rmdir()
    return path


def demo_database(
    factory: pytest.TempPathFactory, folder: str, now: datetime
) -> Iterator[Database]:
    """A module fixture's body: a private copy of the demo clinic (no bags), open."""
    path = factory.mktemp(folder) / "demo.db"
    demo_copy(path, now, factory, prepare_bags=False)
    database = open_database(path)
    yield database
    database.conn.close()
