"""The planner's lean day read (``Store.day_blocks``, issue 19) misses nothing: on every
day of the demo clinic it gives, row for row and in the same order, the ``DayBlock`` that
``block_of`` makes of the whole day read's records (``appointments_between``), blocked
time and the DST days included; and its plan is a range bounded by the day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest

from tdm1_scheduler.domain.day_blocks import DayBlock, block_of, stand_in
from tdm1_scheduler.domain.records import AppointmentKind
from tdm1_scheduler.services.context import load_settings
from tdm1_scheduler.services.courses import book_blocked_time
from tdm1_scheduler.services.queries import day_blocks, day_bookings
from tdm1_scheduler.store.connection import Database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_database
from tests.store.test_query_plans import assert_day_bounded, plans

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from demo_database(tmp_path_factory, "blocks", NOW)


def booked_days() -> list[date]:
    first, last = date(2026, 3, 1), date(2027, 4, 30)  # the demo's history and plans
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_the_lean_read_is_the_whole_read_made_lean_on_every_day(db: Database) -> None:
    store = SqliteStore(db)
    settings = load_settings(store)
    # blocked time too (the demo books none of its own)
    from tdm1_scheduler.clock import FixedClock
    from tdm1_scheduler.domain.errors import DomainError
    from tdm1_scheduler.services.context import Context

    ctx = Context(store, FixedClock(NOW), "tester")
    day = settings.calendar.next_open_day(date(2026, 11, 19))
    booked = 0
    for hour, label in ((8, ""), (16, "pump service")):
        for chair in (f"Chair {n}" for n in range(1, 13)):
            try:
                book_blocked_time(
                    ctx,
                    chair=chair,
                    start=settings.calendar.at(day, time(hour, 0)),
                    minutes=30,
                    label=label,
                )
                booked += 1
                break
            except DomainError:
                continue
    assert booked == 2
    compared = kinds = 0
    seen: set[AppointmentKind] = set()
    for day in booked_days():
        whole = day_bookings(store, settings, day)
        lean = day_blocks(store, settings, day)
        assert lean == [block_of(view) for view in whole], day
        assert all(type(block) is DayBlock for block in lean)
        compared += len(lean)
        seen.update(block.kind for block in lean)
        kinds += sum(1 for block in lean if block.setting is None)
    assert compared > 400 and seen == set(AppointmentKind) and kinds >= 2


def test_a_stand_in_shows_what_its_block_shows(db: Database) -> None:
    store = SqliteStore(db)
    settings = load_settings(store)
    view = day_bookings(store, settings, date(2026, 11, 18))[0]
    block = block_of(view)
    assert block_of(stand_in(block)) == block
    assert stand_in(block).appointment.version == 0  # no stored row has it


def test_the_lean_read_is_a_start_range(db: Database) -> None:
    store = SqliteStore(db)
    settings = load_settings(store)
    day = settings.calendar.local_date(NOW)
    assert_day_bounded(plans(db, lambda: day_blocks(store, settings, day)))


@pytest.mark.parametrize(
    "positions",
    [
        None,  # the demo's own positions
        "UPDATE chairs SET position = 1000 - id",  # reversed
        "UPDATE chairs SET position = id % 3",  # shared positions: the id decides
        "UPDATE chairs SET position = 0",
    ],
)
def test_the_lean_read_is_in_chair_position_then_start_order(
    db: Database, positions: str | None
) -> None:
    """The order of ``ORDER BY c.position, c.id, a.start_utc`` (SQLite's own sort), with
    positions that disagree with the ids."""
    from tdm1_scheduler.store import mapping
    from tdm1_scheduler.store.sqlite_planner import blocks_between
    from tests.store.test_day_read_order import expected

    db.execute("BEGIN")
    if positions is not None:
        db.execute(positions)
    try:
        for days in range(-3, 10):
            start = NOW.replace(hour=0, minute=0) + timedelta(days=days)
            for length in (timedelta(days=1), timedelta(days=3)):
                want = mapping.tuples_to_appointment_views(expected(db, start, start + length))
                assert blocks_between(db, start, start + length) == [block_of(v) for v in want]
    finally:
        db.execute("ROLLBACK")
