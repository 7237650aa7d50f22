"""Each hot query's plan is an index range bounded by the day, never a scan of the
history (issue 19): the SQL the store really runs is traced and EXPLAINed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from tdm1_scheduler.domain.booking import Interval
from tdm1_scheduler.services.context import load_settings
from tdm1_scheduler.services.planner_reads import day_loads
from tdm1_scheduler.services.queries import day_bookings
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy, demo_database

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from demo_database(tmp_path_factory, "plans", NOW)


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
    settings = load_settings(SqliteStore(db))
    day = settings.calendar.local_date(NOW)
    assert_day_bounded(plans(db, lambda: day_bookings(SqliteStore(db), settings, day)))


def test_slot_search_reads_are_start_ranges(db: Database) -> None:
    start = NOW.replace(hour=5)
    end = start + timedelta(hours=16)
    assert_day_bounded(plans(db, lambda: repo.busy_between(db, start, end)))
    assert_day_bounded(plans(db, lambda: repo.appointments_between(db, start, end)))
    assert_day_bounded(plans(db, lambda: repo.chair_free_between(db, 1, start, end)))


def test_load_strip_reads_start_ranges(db: Database) -> None:
    settings = load_settings(SqliteStore(db))
    first = settings.calendar.local_date(NOW)
    assert_day_bounded(plans(db, lambda: day_loads(SqliteStore(db), settings, first, 28)))


def test_plans_hold_for_any_file(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The same on a file opened fresh: the index comes from the migration."""
    path = tmp_path / "fresh.db"
    demo_copy(path, NOW, tmp_path_factory, prepare_bags=False)
    fresh = open_database(path)
    try:
        names = {row[0] for row in fresh.execute("SELECT name FROM sqlite_master")}
        assert {"appointments_by_chair_start", "appointments_by_start"} <= names
    finally:
        fresh.conn.close()


# --- every statement of the hot actions (issue 19) --------------------------------------
HOT_TABLES = {"appointments", "doses", "courses"}  # the tables that grow with history
NAMED = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", re.IGNORECASE)
NOT_ALIASES = {"WHERE", "ON", "LEFT", "JOIN", "INNER", "ORDER", "GROUP", "LIMIT", "USING"}
DAY_RANGE = ("(start_utc>? AND start_utc<?)", "(chair_id=? AND start_utc>? AND start_utc<?)")


def tables_by_name(sql: str) -> dict[str, str]:
    """Each table (and alias) the statement reads, by the name its plan calls it."""
    names: dict[str, str] = {}
    for table, alias in NAMED.findall(sql):
        names[table] = table
        if alias and alias.upper() not in NOT_ALIASES:
            names[alias] = table
    return names


def statement_plans(db: Database, action: Callable[[], Any]) -> list[tuple[str, list[str]]]:
    """Every SELECT ``action`` ran, with the steps of its plan."""
    with traced(db) as statements:
        action()
    found = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            rows = db.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            found.append((sql, [str(row[3]) for row in rows]))
    assert found, "the action read nothing"
    return found


def assert_bounded_by_the_day(db: Database, action: Callable[[], Any]) -> None:
    """No statement scans appointments, doses or courses; every read of appointments is
    an index search, and the day's rows are read by a start range bounded both ways."""
    ranged = 0
    for sql, steps in statement_plans(db, action):
        names = tables_by_name(sql)
        for step in steps:
            verb, _, rest = step.partition(" ")
            if verb not in ("SCAN", "SEARCH"):
                continue
            table = names.get(rest.split(" ")[0], rest.split(" ")[0])
            assert not (verb == "SCAN" and table in HOT_TABLES), (step, sql)
            if verb == "SEARCH" and table == "appointments" and step.endswith(DAY_RANGE):
                ranged += 1
    assert ranged, "no statement read the day's appointments by a start range"


def test_day_sheet_reads_are_bounded_by_the_day(db: Database) -> None:
    from tdm1_scheduler.clock import FixedClock
    from tdm1_scheduler.reports.day_sheet import build_day_sheet

    day = load_settings(SqliteStore(db)).calendar.local_date(NOW)
    assert_bounded_by_the_day(db, lambda: build_day_sheet(SqliteStore(db), day, FixedClock(NOW)))


def test_nurse_board_reads_are_bounded_by_the_day(db: Database) -> None:
    from tdm1_scheduler.services import nurse_reads

    assert_bounded_by_the_day(db, lambda: nurse_reads.board(SqliteStore(db), NOW))
    assert_bounded_by_the_day(db, lambda: nurse_reads.chair_board(SqliteStore(db), NOW))


def test_the_nurse_board_reads_in_a_fixed_number_of_statements(db: Database) -> None:
    """80 chairs refreshed every few seconds: the day's bookings, their booked doses,
    bags and reactions in one statement each, however many tiles there are."""
    from tdm1_scheduler.services import nurse_reads

    store = SqliteStore(db)
    for days in (0, 1, 2, 7):
        with traced(db) as statements:
            views = nurse_reads.chair_board(store, NOW + timedelta(days=days))
        selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
        assert len(selects) <= 8, selects  # settings (3), bookings, doses, bags, reactions, chairs
        if days == 0:
            assert sum(view.tile is not None for view in views) >= 5


def test_pharmacy_queue_reads_are_bounded_by_the_day(db: Database) -> None:
    from tdm1_scheduler.services import pharmacy_reads

    assert_bounded_by_the_day(db, lambda: pharmacy_reads.pharmacy_queue(SqliteStore(db), NOW))


def test_pharmacy_queue_scans_no_table_of_history(db: Database) -> None:
    """The shelf is an index range over the live preparations (m009), read in id order."""
    from tdm1_scheduler.services import pharmacy_reads

    shelf = []
    store = SqliteStore(db)
    for sql, steps in statement_plans(db, lambda: pharmacy_reads.pharmacy_queue(store, NOW)):
        assert not any(step.startswith("SCAN preparations") for step in steps), sql
        if "used_at IS NULL" in sql and "FROM preparations" in sql:
            shelf.append(steps)
    assert shelf, "the queue no longer reads the shelf: this test checks nothing"
    wanted = "INDEX preparations_live (discarded_at=? AND used_at=?)"
    for steps in shelf:
        assert any(wanted in step for step in steps), steps
        assert not any("TEMP B-TREE" in step for step in steps), steps


def test_the_slot_search_reads_are_bounded_by_the_day(db: Database) -> None:
    from tdm1_scheduler.services.day_loads import chair_free_probe, day_load_lookup
    from tdm1_scheduler.store import load_queries

    calendar = load_settings(SqliteStore(db)).calendar
    day = calendar.local_date(NOW)
    start, end = calendar.day_bounds(day)
    assert_bounded_by_the_day(db, lambda: load_queries.busy_rows(db, start, end))
    assert_bounded_by_the_day(db, lambda: day_load_lookup(db, calendar)(day))
    wanted = Interval(NOW, NOW + timedelta(hours=1))
    assert_bounded_by_the_day(db, lambda: chair_free_probe(db, {1, 2})(1, wanted))


def test_booking_a_course_reads_by_the_day(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every read of a whole booking (14 cycles, the patient's earlier courses, the
    chairs and the days' loads): no scan of appointments, doses or courses."""
    from tdm1_scheduler.clock import FixedClock
    from tdm1_scheduler.services.context import Context
    from tdm1_scheduler.services.courses import book_course
    from tdm1_scheduler.services.patients import add_patient

    path = tmp_path / "booking.db"
    demo_copy(path, NOW, tmp_path_factory, prepare_bags=False)
    booking_db = open_database(path)
    try:
        ctx = Context(SqliteStore(booking_db), FixedClock(NOW))
        add_patient(ctx, mrn="PLAN-1", name="Plan Patient", weight_kg=70)
        calendar = load_settings(SqliteStore(booking_db)).calendar
        day = calendar.next_open_day(calendar.local_date(NOW) + timedelta(days=7))
        first = calendar.at(day, time(9, 0))
        assert_bounded_by_the_day(
            booking_db,
            lambda: book_course(ctx, mrn="PLAN-1", setting="EBC", first_dose=first, exact=False),
        )
    finally:
        booking_db.conn.close()


def test_the_booking_search_reads_its_day_by_a_start_range(db: Database) -> None:
    """``busy_seconds`` (a busy day's bookings as one row of seconds, issue 19)."""
    store = SqliteStore(db)
    start = NOW.replace(hour=5)
    end = start + timedelta(days=1)
    assert_day_bounded(plans(db, lambda: store.busy_seconds(start, end, start)))
    assert_day_bounded(plans(db, lambda: store.busy_seconds(start, end, start, [1, 2, 3])))
    assert_bounded_by_the_day(db, lambda: store.busy_seconds(start, end, start))
