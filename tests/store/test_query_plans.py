"""Each hot query's plan is an index range bounded by the day, never a scan of the
history (issue 19): the SQL the store really runs is traced and EXPLAINed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tdm1_scheduler.demo import build_demo_clinic
from tdm1_scheduler.services.context import load_settings
from tdm1_scheduler.services.queries import day_appointments
from tdm1_scheduler.store import planner_queries, repository as repo
from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.database import open_database

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("plans") / "demo.db"
    build_demo_clinic(path, NOW, prepare_bags=False)
    database = open_database(path)
    yield database
    database.conn.close()


@contextmanager
def traced(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        db.conn.set_trace_callback(None)


def plans(db: Database, action: Callable[[], Any], table: str = "appointments") -> list[str]:
    """The plan lines of every statement ``action`` ran that reads ``table``."""
    with traced(db) as statements:
        action()
    found = []
    for sql in statements:
        if f"FROM {table}" not in sql or not sql.lstrip().upper().startswith("SELECT"):
            continue
        rows = db.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        found.append(" / ".join(str(row[3]) for row in rows))
    assert found, "the action read nothing from " + table
    return found


BOUNDED = (
    "USING INDEX appointments_by_start (start_utc>? AND start_utc<?)",
    "USING INDEX appointments_by_chair_start (chair_id=? AND start_utc>? AND start_utc<?)",
)


def assert_day_bounded(lines: list[str]) -> None:
    """Appointments are read by a start range (both ends bound), never scanned."""
    for line in lines:
        steps = [step for step in line.split(" / ") if step.startswith(("SEARCH", "SCAN"))]
        reads = [step for step in steps if step.split()[1] in ("a", "appointments")]
        assert reads, line
        for step in reads:
            assert step.startswith("SEARCH") and step.endswith(BOUNDED), line


def test_day_query_is_a_start_range(db: Database) -> None:
    settings = load_settings(db)
    day = settings.calendar.local_date(NOW)
    assert_day_bounded(plans(db, lambda: day_appointments(db, settings, day)))


def test_slot_search_reads_are_start_ranges(db: Database) -> None:
    start = NOW.replace(hour=5)
    end = start + timedelta(hours=16)
    assert_day_bounded(plans(db, lambda: repo.busy_between(db, start, end)))
    assert_day_bounded(plans(db, lambda: repo.appointments_between(db, start, end)))
    assert_day_bounded(plans(db, lambda: repo.chair_free_between(db, 1, start, end)))


def test_load_strip_reads_start_ranges(db: Database) -> None:
    start = NOW.replace(hour=5)
    assert_day_bounded(
        plans(db, lambda: planner_queries.occupied_between(db, start, start + timedelta(days=28)))
    )


def test_plans_hold_for_any_file(tmp_path: Path) -> None:
    """The same on a file opened fresh: the index comes from the migration."""
    path = tmp_path / "fresh.db"
    build_demo_clinic(path, NOW, prepare_bags=False)
    fresh = open_database(path)
    try:
        names = {row[0] for row in fresh.execute("SELECT name FROM sqlite_master")}
        assert {"appointments_by_chair_start", "appointments_by_start"} <= names
    finally:
        fresh.conn.close()
