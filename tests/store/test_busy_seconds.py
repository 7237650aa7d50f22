"""``Store.busy_seconds``: a day's chair-holding bookings as whole seconds, one row from
SQLite for the whole day (issue 19, booking). The same rows, bounds and order as
``busy_spans``, on both backends; the row-by-row fallback; a day-bounded plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlite_utils import Database

from tdm1_scheduler.domain.records import AppointmentKind
from tdm1_scheduler.domain.span_search import ChairSpans
from tdm1_scheduler.services.context import load_settings
from tdm1_scheduler.store import sqlite_booking
from tdm1_scheduler.store.database import from_utc_text, open_database
from tdm1_scheduler.store.protocol import Store
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_database

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from demo_database(tmp_path_factory, "seconds", NOW)


def expected(
    store: Store, start: datetime, end: datetime, origin: datetime, skip: set[int]
) -> ChairSpans:
    """``busy_rows`` as seconds from ``origin``, parsed by Python, sorted."""
    return ChairSpans.of_rows(
        (chair, (from_utc_text(a) - origin) // SECOND, (from_utc_text(b) - origin) // SECOND)
        for ident, chair, _kind, a, b, _prep in store.busy_rows(start, end)
        if ident not in skip
    )


def test_the_days_rows_as_seconds(demo: Database) -> None:
    store = SqliteStore(demo)
    calendar = load_settings(store).calendar
    day = calendar.local_date(NOW) - timedelta(days=20)
    seen = 0
    for number in range(40):
        day = calendar.next_open_day(day + timedelta(days=1))
        start, end = calendar.day_bounds(day)
        window = calendar.opening_window(day)
        assert window is not None
        origin = window[0]
        rows = store.busy_rows(start, end)
        skip = {row[0] for row in rows[number % 3 :: 4]}  # some left out, some days
        assert store.busy_seconds(start, end, origin) == expected(store, start, end, origin, set())
        got = store.busy_seconds(start, end, origin, sorted(skip))
        assert got == expected(store, start, end, origin, skip)
        seen += len(rows)
    assert seen > 50


def test_on_each_backend(store: Store) -> None:
    """A block over midnight, one that touches the day, one left out, several chairs."""
    day = datetime(2030, 1, 7, 5, 0, tzinfo=UTC)  # the day's bounds: 05:00 to 05:00
    with store.transaction() as tx:
        a, b, c = (tx.insert_chair(name=name).id for name in "ABC")

        def block(chair: int, start: datetime, minutes: int) -> int:
            return tx.insert_appointment(
                chair_id=chair,
                start=start,
                end=start + timedelta(minutes=minutes),
                kind=AppointmentKind.BLOCKED,
                label="held",
            ).id

        block(b, day - timedelta(hours=3), 240)  # from the day before, into the day
        block(b, day - timedelta(hours=3) - timedelta(hours=20), 60)  # the day before only
        block(a, day + timedelta(hours=10), 75)
        block(a, day + timedelta(hours=4), 30)
        left = block(c, day + timedelta(hours=4), 30)
        block(c, day + timedelta(hours=23, minutes=30), 120)  # into the next day
        block(c, day + timedelta(hours=26), 30)  # the next day only
    origin = day + timedelta(hours=4)
    spans = store.busy_seconds(day, day + timedelta(days=1), origin)
    assert spans.rows() == [
        (a, 0, 1800),
        (a, 6 * 3600, 6 * 3600 + 75 * 60),
        (b, -7 * 3600, -3 * 3600),
        (c, 0, 1800),
        (c, 19 * 3600 + 1800, 21 * 3600 + 1800),
    ]
    fewer = store.busy_seconds(day, day + timedelta(days=1), origin, [left, 999])
    assert fewer.rows() == [row for row in spans.rows() if row != (c, 0, 1800)]
    assert store.busy_seconds(day + timedelta(days=3), day + timedelta(days=4), origin).rows() == []


@pytest.mark.parametrize("ident", [2**21, 2**40])
def test_a_chair_id_past_the_packing_reads_row_by_row(ident: int) -> None:
    db = open_database(":memory:", create=True)
    store = SqliteStore(db)
    start = datetime(2030, 1, 7, 14, 0, tzinfo=UTC)
    db.execute("INSERT INTO chairs (id, name, position) VALUES (?, 'far', 1)", [ident])
    db.execute("INSERT INTO chairs (id, name, position) VALUES (3, 'near', 2)")
    for chair, hour in ((ident, 9), (3, 10)):
        db.execute(
            "INSERT INTO appointments (chair_id, kind, label, status, start_utc, end_utc) "
            "VALUES (?, 'blocked', 'held', 'booked', ?, ?)",
            [chair, f"2030-01-07T{hour:02}:00:00Z", f"2030-01-07T{hour + 1:02}:00:00Z"],
        )
    origin = start - timedelta(hours=5)
    spans = store.busy_seconds(start - timedelta(hours=9), start + timedelta(hours=15), origin)
    assert spans.rows() == [(3, 3600, 7200), (ident, 0, 3600)]  # from 09:00


def test_strftime_gives_unixepochs_seconds(demo: Database) -> None:
    """SQLite before 3.38 has no unixepoch(): the other spelling, the same seconds."""
    if "unixepoch" not in sqlite_booking.EPOCH_OF:
        pytest.skip("this SQLite has no unixepoch() to compare with")
    rows = demo.execute(
        "SELECT count(*), sum(unixepoch(start_utc) = CAST(strftime('%s', start_utc) AS INTEGER)),"
        " sum(unixepoch(end_utc) = CAST(strftime('%s', end_utc) AS INTEGER)) FROM appointments"
    ).fetchone()
    assert rows[0] > 100 and rows[0] == rows[1] == rows[2]


def test_the_read_is_bounded_by_the_day(demo: Database) -> None:
    from tests.store.test_query_plans import assert_bounded_by_the_day, assert_day_bounded, plans

    store = SqliteStore(demo)
    calendar = load_settings(store).calendar
    start, end = calendar.day_bounds(calendar.local_date(NOW))
    assert_bounded_by_the_day(demo, lambda: store.busy_seconds(start, end, start))
    assert_day_bounded(plans(demo, lambda: store.busy_seconds(start, end, start, [1, 2])))
