"""``Context(store, clock, user)``: a context is its store's (``ctx.store``), with no
``db`` of its own; ``Context.over(store, ...)`` is the same; ``as_store`` takes either a
database or a store."""

from __future__ import annotations

from datetime import UTC, datetime

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.protocol import Store
from tdm1_scheduler.store.sqlite_store import SqliteStore, as_store

CLOCK = FixedClock(datetime(2026, 3, 1, 13, tzinfo=UTC))


def test_a_context_built_over_a_store_has_it() -> None:
    db = open_database(":memory:")
    store = SqliteStore(db)
    ctx = Context(store, CLOCK, "u")
    assert ctx.store is store and store.db is db
    assert ctx.store is ctx.store  # the same store each time
    other = SqliteStore(open_database(":memory:"))
    ctx.store = other  # a context moved to another store: it reads that one
    assert ctx.store is other and other.db is not db


def test_a_context_over_a_store_keeps_it(store: Store) -> None:
    ctx = Context.over(store, CLOCK, "u")
    assert ctx.store is store
    assert ctx == Context(store, CLOCK, "u")
    assert not hasattr(ctx, "db")  # no connection beside the store


def test_a_store_without_a_connection_carries_a_context() -> None:
    class Elsewhere:
        pass

    elsewhere = Elsewhere()
    ctx = Context.over(elsewhere, CLOCK)  # type: ignore[arg-type]
    assert ctx.store is elsewhere and ctx.user == "scheduler"  # nothing asks for a db
    assert not hasattr(ctx, "db")


def test_as_store_takes_a_database_or_a_store(store: Store) -> None:
    assert as_store(store) is store
    db = open_database(":memory:")
    wrapped = as_store(db)
    assert isinstance(wrapped, SqliteStore) and wrapped.db is db
