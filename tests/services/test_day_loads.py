"""The day load read from lean rows is the one read row by row (``repo.busy_between``),
interval for interval and start for start, with any bookings left out (issue 19)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from tdm1_scheduler.domain.booking import DayLoad, Interval
from tdm1_scheduler.domain.calendar import ClinicCalendar
from tdm1_scheduler.services.context import load_settings
from tdm1_scheduler.services.day_loads import day_load_lookup
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.database import from_utc_text, open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("day-loads") / "demo.db"
    demo_copy(path, NOW, tmp_path_factory)
    db = open_database(path)
    yield db
    db.conn.close()


def row_by_row(db: Database, calendar: ClinicCalendar, day: date, skip: set[int]) -> DayLoad:
    """The day load as it was first written: one dict per row, each instant parsed."""
    start, end = calendar.day_bounds(day)
    busy: dict[int, list[Interval]] = {}
    starts: list[datetime] = []
    for row in repo.busy_between(db, start, end):
        if row["id"] in skip:
            continue
        begin = from_utc_text(row["start_utc"])
        busy.setdefault(row["chair_id"], []).append(Interval(begin, from_utc_text(row["end_utc"])))
        if row["kind"] == "dose":
            starts.append(begin + timedelta(minutes=row["prep_min"]))
    return DayLoad(busy, starts)


def test_each_day_loads_as_row_by_row(demo: Database) -> None:
    calendar = load_settings(SqliteStore(demo)).calendar
    chance = random.Random(19)
    first = calendar.local_date(NOW) - timedelta(days=30)
    days = [first + timedelta(days=n) for n in range(75)]  # closed days and weekends too
    ids = [int(r["id"]) for r in repo.busy_between(demo, *calendar.day_bounds(first, 75))]
    assert len(ids) > 100
    for left_out in (set(), set(chance.sample(ids, 40))):
        lookup = day_load_lookup(demo, calendar, left_out)
        for day in days:
            expected = row_by_row(demo, calendar, day, left_out)
            load = lookup(day)
            assert {c: list(v) for c, v in load.busy.items()} == expected.busy, day
            assert list(load.infusion_starts) == list(expected.infusion_starts), day
            assert all(i.start.tzinfo is UTC for v in load.busy.values() for i in v)
            assert lookup(day) is load  # read once per lookup
