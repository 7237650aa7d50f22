"""Booking searches a busy day over its bookings as seconds (``Store.busy_seconds`` and
``span_search``) and books exactly what the loaded day's search booked (issue 19).

On a copy of the demo clinic made busy: many courses at the same first-choice time,
chair time blocked on the days the cycles fall on, a closed date among them, first
doses early and late in the day, courses across the daylight-saving change. Run twice,
once as shipped and once with the probe's ``spans`` taken away (every search on a
loaded day, as before): the same rows at the end, the same refusals on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.booking import BatchProbe
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import blocked_time, clinic, courses, day_loads, patients
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.protocol import Store
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy

DEMO_NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
REAL_PROBE = day_loads.store_probe
WALLS = [time(9), time(9), time(9, 30), time(6, 0), time(15, 40), time(9), time(12, 5)]


def no_spans(store: Store, exclude: set[int] | None = None) -> BatchProbe:
    """``store_probe`` without the day's bookings as seconds: every search loads its day."""
    probe = REAL_PROBE(store, exclude)
    return BatchProbe(probe.one, probe.first_free)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    calls: list[str] = []
    real_seconds, real_spans = SqliteStore.busy_seconds, SqliteStore.busy_spans

    def seconds(self: SqliteStore, *args: Any, **kwargs: Any) -> Any:
        calls.append("seconds")
        return real_seconds(self, *args, **kwargs)

    def spans(self: SqliteStore, *args: Any, **kwargs: Any) -> Any:
        calls.append("day")
        return real_spans(self, *args, **kwargs)

    monkeypatch.setattr(SqliteStore, "busy_seconds", seconds)
    monkeypatch.setattr(SqliteStore, "busy_spans", spans)
    yield calls


def book_many(path: Path, asked: list[str] | None = None) -> list[Any]:
    """Courses booked on the busy clinic at ``path``: what each booked or why it was
    refused, then every booked appointment (``asked``: cleared once the clinic is set up,
    before the bookings)."""
    db = open_database(path)
    ctx = Context(SqliteStore(db), FixedClock(DEMO_NOW), "tester")
    calendar = load_settings(ctx.store).calendar
    first = calendar.next_open_day(calendar.local_date(DEMO_NOW) + timedelta(days=7))
    names = [row["name"] for row in repo.chairs(db)]
    # chair time blocked around the first choices of the cycles to come, and a closed date
    for week in (3, 6, 9):
        day = calendar.next_open_day(first + timedelta(days=7 * week))
        for number, name in enumerate(names[:10]):
            start = calendar.at(day, time(7 + number % 4, 5 * number % 60))
            with suppress(DomainError):  # the chair is taken then: no block
                blocked_time.book_blocked_time(
                    ctx, chair=name, start=start, minutes=150 + 20 * number, label="held"
                )
    clinic.add_closed_date(ctx, calendar.next_open_day(first + timedelta(days=43)), "shut")
    calendar = load_settings(ctx.store).calendar
    if asked is not None:
        asked.clear()
    made: list[Any] = []
    for number in range(36):
        mrn = f"SPAN-{number}"
        patients.add_patient(ctx, mrn=mrn, name=f"Span {number}", weight_kg=70)
        day = calendar.next_open_day(first + timedelta(days=number % 2))
        wall = WALLS[number % len(WALLS)]
        try:
            changes = courses.book_course(
                ctx,
                mrn=mrn,
                setting="EBC" if number % 3 else "MBC",
                first_dose=calendar.at(day, wall),
                exact=False,
                preferred_time=time(13, 2) if number % 11 == 5 else None,
            )
        except DomainError as error:
            made.append(f"refused: {error}")
        else:
            made.append(sorted(changes.appointments))
    made.append(
        [(r["chair_id"], r["start_utc"], r["end_utc"]) for r in repo.booked_from(db, DEMO_NOW)]
    )
    db.conn.close()
    return made


def test_a_busy_clinic_books_the_same_slots(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    asked: list[str],
) -> None:
    shipped = tmp_path / "shipped.db"
    demo_copy(shipped, DEMO_NOW, tmp_path_factory, prepare_bags=False)
    plain = tmp_path / "plain.db"
    plain.write_bytes(shipped.read_bytes())

    made = book_many(shipped)
    assert asked.count("seconds") >= 20  # the busy days were searched as seconds
    searched = asked.count("seconds")
    asked.clear()
    with monkeypatch.context() as patch:
        patch.setattr(courses, "store_probe", no_spans)
        patch.setattr(day_loads, "store_probe", no_spans)
        plain_made = book_many(plain)
    assert "seconds" not in asked
    assert asked.count("day") >= searched  # each of those days loaded instead
    assert made == plain_made
    assert sum(isinstance(item, list) for item in made[:-1]) >= 30  # most were booked


def test_a_busy_day_is_not_loaded(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, asked: list[str]
) -> None:
    """The first choice taken: the day's bookings come as one row of seconds, no load."""
    path = tmp_path / "demo.db"
    demo_copy(path, DEMO_NOW, tmp_path_factory, prepare_bags=False)
    book_many(path, asked)
    assert "seconds" in asked
    assert "day" not in asked
