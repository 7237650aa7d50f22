"""``Context.store``: every ``Context(db, clock, user)`` has the typed store over its
``db``; ``Context.over(store, ...)`` carries a given one; ``as_store`` takes either."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.protocol import Store
from tdm1_scheduler.store.sqlite_store import SqliteStore, as_store

CLOCK = FixedClock(datetime(2026, 3, 1, 13, tzinfo=UTC))


def test_a_context_built_from_db_has_its_store() -> None:
    db = open_database(":memory:")
    ctx = Context(db, CLOCK, "u")
    assert isinstance(ctx.store, SqliteStore) and ctx.store.db is db
    assert ctx.store is ctx.store  # built once
    other = open_database(":memory:")
    ctx.db = other  # a context moved to another connection: its store follows
    assert isinstance(ctx.store, SqliteStore) and ctx.store.db is other


def test_a_context_over_a_store_keeps_it(store: Store) -> None:
    ctx = Context.over(store, CLOCK, "u")
    assert ctx.store is store
    assert isinstance(store, SqliteStore) and ctx.db is store.db


def test_a_store_without_a_connection_cannot_carry_ctx_db() -> None:
    class Elsewhere:
        pass

    ctx = Context.over(Elsewhere(), CLOCK)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="no database connection"):
        ctx.db.conn  # noqa: B018  # a service still on ctx.db is told why


def test_as_store_takes_a_database_or_a_store(store: Store) -> None:
    assert as_store(store) is store
    db = open_database(":memory:")
    wrapped = as_store(db)
    assert isinstance(wrapped, SqliteStore) and wrapped.db is db
