"""services.live: another connection's commits, once, from the store's change feed; this
connection's own commits are never reported (their service returned them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, patients
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.live import ChangeWatch, ReadAgain, data_mark, read_all, refresh
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .conftest import ZONE_NAME, local


@pytest.fixture
def path(tmp_path: Path) -> Path:
    target = tmp_path / "clinic.db"
    db = open_database(target, create=True)
    ctx = Context(SqliteStore(db), FixedClock(local("2026-03-02T08:00")), "setup")
    clinic.init_clinic(ctx, timezone=ZONE_NAME, chairs=2)
    db.conn.close()
    return target


@pytest.fixture
def here(path: Path) -> Iterator[Context]:
    db = open_database(path)
    yield Context(SqliteStore(db), FixedClock(local("2026-03-02T09:00")), "here")
    db.conn.close()


@pytest.fixture
def there(path: Path) -> Iterator[Context]:
    db = open_database(path)
    yield Context(SqliteStore(db), FixedClock(local("2026-03-02T09:00")), "there")
    db.conn.close()


def test_nothing_changed_is_nothing_to_report(here: Context) -> None:
    watch = ChangeWatch(here)
    assert watch.poll() is None
    assert watch.poll() is None


def test_our_own_commit_is_not_reported(here: Context) -> None:
    watch = ChangeWatch(here)
    mark = data_mark(here)
    patients.add_patient(here, mrn="P1", name="Ada Here", weight_kg=60)
    assert data_mark(here) != mark  # a view's key does move
    assert watch.poll() is None


def test_another_connections_commit_is_reported_once_with_what_it_names(
    here: Context, there: Context
) -> None:
    watch = ChangeWatch(here)
    mark = data_mark(here)
    added = patients.add_patient(there, mrn="P2", name="Bo There", weight_kg=70)
    assert data_mark(here) != mark
    change = watch.poll()
    assert isinstance(change, ReadAgain)
    assert change.patients == added.patients
    assert change.settings  # read everything again
    assert [(e.action, e.user) for e in change.entries] == [("add patient", "there")]
    assert read_all(change)
    assert watch.poll() is None


def test_ours_and_theirs_between_two_polls_report_theirs(here: Context, there: Context) -> None:
    watch = ChangeWatch(here)
    patients.add_patient(here, mrn="P1", name="Ada Here", weight_kg=60)
    theirs = patients.add_patient(there, mrn="P2", name="Bo There", weight_kg=70)
    change = watch.poll()
    assert change is not None
    assert theirs.patients <= change.patients
    assert watch.poll() is None


def test_a_change_made_here_is_shown_piece_by_piece_a_refresh_is_not() -> None:
    from tdm1_scheduler.services.context import ChangeSet

    assert not read_all(ChangeSet("move", appointments={1}))
    assert read_all(refresh()) and refresh().settings
    assert read_all(None)
