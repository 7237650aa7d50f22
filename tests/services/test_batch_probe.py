"""The batched chair probe (``first_free_chair``: one statement for several chairs)
answers what the chair-by-chair probe answers, and the services book exactly what they
booked when each chair was asked on its own, in fewer statements (issue 19).

On the demo clinic (random intervals at and near bookings' edges, random chairs and
appointments left out) and on a store of each backend (the ``store`` fixture: SQLite
and the PostgreSQL server).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlite_utils import Database

from tdm1_scheduler.domain import booking
from tdm1_scheduler.domain.booking import BatchProbe, Interval, SlotPreferences
from tdm1_scheduler.domain.calendar import ClinicCalendar
from tdm1_scheduler.domain.regimen import ChairTime
from tdm1_scheduler.services import courses, day_loads
from tdm1_scheduler.services.context import chair_ids_in_order, load_settings
from tdm1_scheduler.services.day_loads import chair_free_probe, first_free_probe
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import open_database, to_utc_text
from tdm1_scheduler.store.protocol import Store
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy
from tests.services.test_probe_equivalence import (
    DEMO_NOW,
    demo,
    demo_file,
    draw_open_day,
    draw_wanted,
    run_actions,
)

__all__ = ["demo", "demo_file"]  # the fixtures, shared with test_probe_equivalence


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_batch_answers_what_each_chair_answers(demo: Database, data: st.DataObject) -> None:
    calendar, day, opens, closes = draw_open_day(demo, data)
    rows = repo.busy_between(demo, calendar.at(day, time(0)), calendar.at(day, time(23)))
    drawn = draw_wanted(data, rows, opens, closes)
    if drawn is None:
        return
    wanted, left_out = drawn
    all_chairs = chair_ids_in_order(SqliteStore(demo))
    chairs = data.draw(st.lists(st.sampled_from([*all_chairs, 999]), max_size=12))

    one = chair_free_probe(demo, left_out)
    expected = next((chair for chair in chairs if one(chair, wanted)), None)
    assert first_free_probe(demo, left_out)(chairs, wanted) == expected


def test_the_store_answers_for_several_chairs(store: Store) -> None:
    """On each backend: a booking makes its chair busy, touching is not overlapping, a
    left-out booking is not there, and no chairs asked is no statement's answer."""
    from tdm1_scheduler.domain.records import AppointmentKind

    nine = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    with store.transaction() as tx:
        first, second = tx.insert_chair(name="A").id, tx.insert_chair(name="B").id
        held = tx.insert_appointment(
            chair_id=first,
            start=nine,
            end=nine + timedelta(hours=2),
            kind=AppointmentKind.BLOCKED,
            label="held",
        )
    hour = timedelta(hours=1)
    both = [first, second]
    assert store.first_free_chair(both, nine + hour, nine + 3 * hour) == second
    assert store.first_free_chair([first], nine + hour, nine + 3 * hour) is None
    assert store.first_free_chair(both, nine - hour, nine) == first  # touching
    assert store.first_free_chair(both, nine + 2 * hour, nine + 3 * hour) == first
    micro = timedelta(microseconds=1)
    assert store.first_free_chair(both, nine + 2 * hour - micro, nine + 3 * hour) == second
    assert store.first_free_chair([first, first], nine + 2 * hour - micro, nine + 3 * hour) is None
    assert store.first_free_chair(both, nine, nine + hour, [held.id]) == first
    assert store.first_free_chair([first, second], nine, nine + hour, [held.id, 9]) == first
    assert store.first_free_chair([], nine, nine + hour) is None
    assert store.first_free_chair([second, first], nine, nine + hour) == second
    assert store.first_free_chair([first, first, second], nine, nine + hour) == second
    rows = store.busy_rows(nine - hour, nine + 3 * hour)
    assert [row[0] for row in rows] == [held.id]
    assert store.busy_spans(nine - hour, nine + 3 * hour) == project(rows)
    assert project(rows) == [(first, to_utc_text(nine), to_utc_text(nine + 2 * hour), None)]


def test_first_choice_is_the_same_with_one_question(demo: Database) -> None:
    """``first_choice`` with ``first_free`` finds what it finds chair by chair."""
    store = SqliteStore(demo)
    calendar: ClinicCalendar = load_settings(store).calendar
    chairs = chair_ids_in_order(store)
    one, many = chair_free_probe(store), first_free_probe(store)
    day = calendar.next_open_day(calendar.local_date(DEMO_NOW))
    found = 0
    for offset in range(40):
        day = calendar.next_open_day(day + timedelta(days=1 if offset else 0))
        for wall in (time(8, 0), time(9, 0), time(11, 30), time(14, 0)):
            for minutes in (60, 150, 330):
                prefs = SlotPreferences(chairs, wall)
                chair_time = ChairTime(30, minutes, 0)
                plain = booking.first_choice(calendar, day, chair_time, prefs, one)
                batched = booking.first_choice(
                    calendar, day, chair_time, prefs, one, first_free=many
                )
                assert batched == plain
                found += plain is not None
    assert found  # some first choices were free


def no_batch(store: Store, exclude: set[int] | None = None) -> BatchProbe:
    """``store_probe`` asking each chair on its own (what every service did before)."""
    one = chair_free_probe(store, exclude)

    def each(chairs: list[int], wanted: Interval) -> int | None:
        return next((chair for chair in chairs if one(chair, wanted)), None)

    return BatchProbe(one, each)  # type: ignore[arg-type]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    calls: list[str] = []
    real = SqliteStore.first_free_chair

    def counting(self: SqliteStore, *args: object, **kwargs: object) -> int | None:
        calls.append("batch")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SqliteStore, "first_free_chair", counting)
    yield calls


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_services_book_exactly_as_chair_by_chair(
    demo_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    counted: list[str],
    seed: int,
) -> None:
    shipped = tmp_path / "shipped.db"
    shutil.copyfile(demo_file, shipped)
    outcomes, rows = run_actions(shipped, seed)
    assert counted  # the batch was asked
    counted.clear()

    plain = tmp_path / "plain.db"
    shutil.copyfile(demo_file, plain)
    with monkeypatch.context() as patch:
        patch.setattr(courses, "store_probe", no_batch)
        patch.setattr(day_loads, "store_probe", no_batch)
        plain_outcomes, plain_rows = run_actions(plain, seed)
    assert not counted
    assert outcomes == plain_outcomes
    assert rows == plain_rows
    assert len([o for o in outcomes if "refused" not in o]) >= 8, outcomes


def test_a_busy_day_books_the_same_slots(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Fill the first choices' chairs, then book: the batch and chair by chair agree on
    a day where every quick chair is taken (the day is then searched in full)."""
    from tdm1_scheduler.clock import FixedClock
    from tdm1_scheduler.services.context import Context
    from tdm1_scheduler.services.patients import add_patient

    results = []
    for batched in (True, False):
        path = tmp_path / f"busy-{batched}.db"
        demo_copy(path, DEMO_NOW, tmp_path_factory, prepare_bags=False)  # the run's build
        db = open_database(path)
        ctx = Context(SqliteStore(db), FixedClock(DEMO_NOW), "tester")
        calendar = load_settings(ctx.store).calendar
        made = []
        with pytest.MonkeyPatch.context() as patch:
            if not batched:
                patch.setattr(courses, "store_probe", no_batch)
            for number in range(12):
                mrn = f"BUSY-{number}"
                add_patient(ctx, mrn=mrn, name=f"Busy {number}", weight_kg=70)
                day = calendar.next_open_day(calendar.local_date(DEMO_NOW) + timedelta(days=7))
                changes = courses.book_course(
                    ctx, mrn=mrn, setting="EBC", first_dose=calendar.at(day, time(9)), exact=False
                )
                made.append(sorted(changes.appointments))
        made.append(
            [(r["chair_id"], r["start_utc"], r["end_utc"]) for r in repo.booked_from(db, DEMO_NOW)]
        )
        results.append(made)
        db.conn.close()
    assert results[0] == results[1]


def project(rows: list[Any]) -> list[Any]:
    """``busy_rows`` as ``busy_spans`` says it: no id, a dose's prep_min, None if blocked."""
    return [(c, a, b, p if kind == "dose" else None) for _, c, kind, a, b, p in rows]


def test_busy_spans_are_busy_rows_without_ids(demo: Database) -> None:
    store = SqliteStore(demo)
    calendar = load_settings(store).calendar
    day = calendar.local_date(DEMO_NOW) - timedelta(days=30)
    seen = 0
    for _ in range(60):
        day = calendar.next_open_day(day + timedelta(days=1))
        start, end = calendar.day_bounds(day)
        rows = store.busy_rows(start, end)
        assert store.busy_spans(start, end) == project(rows)
        seen += len(rows)
    assert seen  # some days had bookings


def test_busy_spans_read_by_the_day(demo: Database) -> None:
    from tests.store.test_query_plans import assert_bounded_by_the_day

    calendar = load_settings(SqliteStore(demo)).calendar
    start, end = calendar.day_bounds(calendar.local_date(DEMO_NOW))
    assert_bounded_by_the_day(demo, lambda: SqliteStore(demo).busy_spans(start, end))
    wanted = (start + timedelta(hours=9), start + timedelta(hours=10))
    chairs = chair_ids_in_order(SqliteStore(demo))[:8]
    assert_bounded_by_the_day(demo, lambda: SqliteStore(demo).first_free_chair(chairs, *wanted))
