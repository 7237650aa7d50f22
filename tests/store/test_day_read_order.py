"""The day read (``view_queries.views_between``) asks SQLite for (chair id, start) order,
which needs no temporary B-tree, and sorts by the chairs' position in Python (issue 19).
Its rows must be the rows, in the order, of ``ORDER BY c.position, c.id, a.start_utc``:
here with positions that disagree with the ids (reversed, and some shared)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tdm1_scheduler.store import mapping
from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.database import to_utc_text
from tdm1_scheduler.store.migrations import OCCUPYING
from tdm1_scheduler.store.view_queries import VIEW_SELECT, views_between
from tests.demo_files import demo_database

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from demo_database(tmp_path_factory, "order", NOW)


def expected(db: Database, start: datetime, end: datetime) -> list[tuple[object, ...]]:
    """The read as it was: the same statement, sorted by SQLite."""
    sql = (
        VIEW_SELECT + f"WHERE a.status IN {OCCUPYING} AND a.start_utc < ? AND a.end_utc > ? "
        "AND a.start_utc >= ? ORDER BY c.position, c.id, a.start_utc"
    )
    params = [to_utc_text(end), to_utc_text(start), to_utc_text(start - timedelta(days=1))]
    return [tuple(row) for row in db.execute(sql, params).fetchall()]


@pytest.mark.parametrize(
    "positions",
    [
        None,  # the demo's own positions
        "UPDATE chairs SET position = 1000 - id",  # reversed
        "UPDATE chairs SET position = id % 3",  # shared positions: the id decides
        "UPDATE chairs SET position = 0",
    ],
)
def test_the_day_read_is_in_chair_position_then_start_order(
    db: Database, positions: str | None
) -> None:
    db.execute("BEGIN")
    if positions is not None:
        db.execute(positions)
    try:
        for days in range(-3, 10):
            start = NOW.replace(hour=0, minute=0) + timedelta(days=days)
            for length in (timedelta(days=1), timedelta(days=3)):
                rows = expected(db, start, start + length)
                want = mapping.tuples_to_appointment_views(rows)
                assert views_between(db, start, start + length) == want
        busy = NOW.replace(hour=0, minute=0)
        assert len({row[1] for row in expected(db, busy, busy + timedelta(days=1))}) > 3
    finally:
        db.execute("ROLLBACK")
