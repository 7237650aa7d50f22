"""The planner's lean day read (``Store.day_blocks``, issue 19) on the server store: the
same ``DayBlock``s as the whole read made lean, and as SQLite's, on every day of the seam
scenario (two courses, a move, a missed dose, blocked time moved, undo and redo)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.day_blocks import block_of
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.postgres.pg_store import PgStore
from tdm1_scheduler.store.protocol import Store
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.services.conftest import USER, local
from tests.services.test_store_seam import scenario
from tests.store import backends


@pytest.fixture
def stores() -> Iterator[tuple[Store, Store]]:
    pair = (backends.open_store("sqlite"), backends.open_store("postgres"))
    yield pair
    for store in pair:
        backends.close_store(store)


def test_the_server_reads_the_same_lean_days(stores: tuple[Store, Store]) -> None:
    lite, server = stores
    assert isinstance(lite, SqliteStore) and isinstance(server, PgStore)
    start = local("2026-03-01T08:00")
    for store in (lite, server):
        scenario(Context.over(store, FixedClock(start), USER))
    first = local("2026-03-01T00:00")
    shown = 0
    for offset in range(400):
        day, after = first + timedelta(days=offset), first + timedelta(days=offset + 1)
        lean = server.day_blocks(day, after)
        assert lean == [block_of(view) for view in server.appointments_between(day, after)]
        assert lean == lite.day_blocks(day, after)
        shown += len(lean)
    assert shown > 20
