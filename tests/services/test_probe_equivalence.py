"""The chair probe (one EXISTS per chair) answers what the day's load answers, and the
services book exactly what they booked when every question was a day load.

On the demo clinic: random intervals inside opening hours, many at the very edge of a
booking (equal, a second or a microsecond either side), with random appointments left
out; then random moves, new courses, missed and given doses, run twice on two copies:
once as shipped, once with every probe replaced by the day load it stands for. Both
copies must end with the same rows, and the same refusals on the way.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlite_utils import Database

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain import booking
from tdm1_scheduler.domain.booking import ChairProbe, Interval
from tdm1_scheduler.domain.calendar import ClinicCalendar
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import courses, patients
from tdm1_scheduler.services.context import (
    Context,
    chair_ids_in_order,
    load_settings,
)
from tdm1_scheduler.services.day_loads import chair_free_probe, day_load_lookup
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import ConflictError, from_utc_text, open_database
from tdm1_scheduler.store.protocol import BusyRow, Store
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy

DEMO_NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # as in tests/gui/conftest.py
REAL_STORE_PROBE = courses.store_probe


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("probe-demo") / "demo.db"
    demo_copy(path, DEMO_NOW, tmp_path_factory)
    return path


@pytest.fixture(scope="module")
def demo(demo_file: Path) -> Iterator[Database]:
    db = open_database(demo_file)
    yield db
    db.conn.close()


def draw_open_day(
    demo: Database, data: st.DataObject
) -> tuple[ClinicCalendar, date, datetime, datetime]:
    """The demo clinic's calendar, an open day from 40 days before its "now" to 80 after,
    and that day's opening and closing instants."""
    calendar = load_settings(SqliteStore(demo)).calendar
    day = calendar.next_open_day(
        calendar.local_date(DEMO_NOW) + timedelta(days=data.draw(st.integers(-40, 80)))
    )
    window = calendar.opening_window(day)
    assert window is not None
    opens, closes = window
    return calendar, day, opens, closes


def draw_wanted(
    data: st.DataObject, rows: list[Any], opens: datetime, closes: datetime
) -> tuple[Interval, set[int]] | None:
    """A wanted interval inside opening hours, often at a booking's very edge (equal, a
    second or a microsecond either side), and some of ``rows`` left out; None when the
    drawn interval is empty after clipping to the opening hours."""
    edges = [from_utc_text(r[key]) for r in rows for key in ("start_utc", "end_utc")]
    if edges and data.draw(st.booleans()):
        nudge = data.draw(st.sampled_from([0, 1, -1, 1_000_000, -1_000_000]))
        start = data.draw(st.sampled_from(edges)) + timedelta(microseconds=nudge)
    else:
        start = opens + timedelta(seconds=data.draw(st.integers(0, 10 * 3600)))
    length = timedelta(seconds=data.draw(st.integers(1, 4 * 3600)))
    if data.draw(st.booleans()):
        length += timedelta(microseconds=data.draw(st.integers(1, 999_999)))
    start = max(start, opens)
    end = min(start + length, closes)
    if end <= start:
        return None
    left_out = set(data.draw(st.lists(st.sampled_from([r["id"] for r in rows] or [0]))))
    return Interval(start, end), left_out


# --- the probe against the day load -------------------------------------------------------


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_probe_answers_what_the_day_load_answers(demo: Database, data: st.DataObject) -> None:
    calendar, day, opens, closes = draw_open_day(demo, data)
    whole = calendar.at(day + timedelta(days=1), time(0))
    rows = repo.busy_between(demo, calendar.at(day, time(0)), whole)
    chairs = chair_ids_in_order(SqliteStore(demo))
    drawn = draw_wanted(data, rows, opens, closes)
    if drawn is None:
        return
    wanted, left_out = drawn
    chair = data.draw(st.sampled_from(chairs))

    load = day_load_lookup(demo, calendar, left_out)(day)
    expected = booking.conflict(load.busy.get(chair, ()), wanted) is None
    assert chair_free_probe(demo, left_out)(chair, wanted) is expected


def test_probe_sees_a_booking_and_leaves_out_the_moving_ones(demo: Database) -> None:
    row = next(r for r in repo.booked_from(demo, DEMO_NOW) if r["kind"] == "dose")
    held = Interval(from_utc_text(row["start_utc"]), from_utc_text(row["end_utc"]))
    assert chair_free_probe(demo)(row["chair_id"], held) is False
    assert chair_free_probe(demo, {row["id"]})(row["chair_id"], held) is True
    second = timedelta(seconds=1)
    after = Interval(held.end, held.end + second)  # touching is not overlapping
    assert chair_free_probe(demo)(row["chair_id"], after) is True
    last = Interval(held.end - timedelta(microseconds=1), held.end + second)
    assert chair_free_probe(demo)(row["chair_id"], last) is False


# --- whole services, with and without probes ------------------------------------------------


def day_load_probe(store: Store, exclude: set[int] | None = None) -> ChairProbe:
    """The probe answered the old way: load the interval's day, look for a conflict."""
    calendar = load_settings(store).calendar
    lookup = day_load_lookup(store, calendar, exclude)

    def probe(chair: int, wanted: Interval) -> bool:
        load = lookup(calendar.local_date(wanted.start))
        return booking.conflict(load.busy.get(chair, ()), wanted) is None

    return probe


def without_spans(store: Store, exclude: set[int] | None = None) -> booking.BatchProbe:
    """``store_probe`` with no day's bookings as seconds (issue 19): a search loads its day."""
    probe = REAL_STORE_PROBE(store, exclude)
    return booking.BatchProbe(probe.one, probe.first_free)


def run_actions(path: Path, seed: int) -> tuple[list[str], str]:
    """Random actions on the clinic at ``path``: what each did, and every row at the end
    (audit log included)."""
    db = open_database(path)
    ctx = Context(SqliteStore(db), FixedClock(DEMO_NOW), "tester")
    calendar = load_settings(SqliteStore(db)).calendar
    chair_names = [r["name"] for r in repo.chairs(db)]
    rng = random.Random(seed)
    outcomes: list[str] = []
    for number in range(40):
        booked = [r for r in repo.booked_from(db, DEMO_NOW) if r["kind"] == "dose"]
        kind = rng.choice(["move", "move", "move", "book", "miss", "give"])
        row = rng.choice(booked)
        if kind in ("miss", "give"):  # the next dose of a course
            row = min((r for r in booked if r["mrn"] == row["mrn"]), key=lambda r: r["cycle"])
        action: Callable[[], Any]
        if kind == "move":
            day = calendar.local_date(from_utc_text(row["start_utc"]))
            day = calendar.next_open_day(day + timedelta(days=rng.randint(0, 4)))
            to = calendar.at(day, time(rng.randint(7, 16), rng.choice([0, 5, 30, 45, 7])))
            chair = rng.choice([None, *chair_names])

            def action(row: dict[str, Any] = row, to: datetime = to, chair: Any = chair) -> Any:
                return courses.move_appointment(
                    ctx, mrn=row["mrn"], cycle=row["cycle"], to=to, chair=chair
                )
        elif kind == "book":
            mrn = f"PROBE-{seed}-{number}"
            patients.add_patient(ctx, mrn=mrn, name=f"Probe {number}", weight_kg=70)
            day = calendar.local_date(DEMO_NOW) + timedelta(days=rng.randint(1, 20))
            day = calendar.next_open_day(day)
            first = calendar.at(day, time(rng.randint(7, 15), rng.choice([0, 10, 30, 33])))
            options = {
                "setting": rng.choice(["EBC", "MBC"]),
                "chair": rng.choice([None, *chair_names]),
                "exact": rng.random() < 0.5,
                "preferred_time": rng.choice([None, time(9, 0), time(13, 2)]),
            }

            def action(mrn: str = mrn, first: datetime = first, options: Any = options) -> Any:
                return courses.book_course(ctx, mrn=mrn, first_dose=first, **options)
        elif kind == "miss":

            def action(row: dict[str, Any] = row) -> Any:
                return courses.mark_dose_missed(ctx, mrn=row["mrn"], cycle=row["cycle"])
        else:
            at = from_utc_text(row["start_utc"]) + timedelta(minutes=15)

            def action(row: dict[str, Any] = row, at: datetime = at) -> Any:
                return courses.record_dose_given(
                    ctx, mrn=row["mrn"], cycle=row["cycle"], given_at=at
                )

        try:
            changes = action()
        except (DomainError, ConflictError) as error:
            outcomes.append(f"{kind}: refused: {error}")
        else:
            moves = [(m.cycle, str(m.new_start), m.new_chair) for m in changes.moves]
            outcomes.append(f"{kind}: {moves}")
    dump = "\n".join(db.conn.iterdump())
    db.conn.close()
    return outcomes, dump


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_services_book_exactly_as_with_day_loads(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    loads: list[date] = []
    real_busy_rows, real_busy_between = SqliteStore.busy_rows, repo.busy_between

    # A day load is read through the store (or, before, straight from the repository).
    def counted(store: SqliteStore, start: datetime, end: datetime) -> list[BusyRow]:
        loads.append(start.date())
        return real_busy_rows(store, start, end)

    def counted_rows(db: Database, start: datetime, end: datetime) -> list[dict[str, Any]]:
        loads.append(start.date())
        return real_busy_between(db, start, end)

    monkeypatch.setattr(SqliteStore, "busy_rows", counted)
    real_busy_spans = SqliteStore.busy_spans

    def counted_spans(store: SqliteStore, start: datetime, end: datetime) -> list[Any]:
        loads.append(start.date())  # the same day load, read without ids (nothing left out)
        return real_busy_spans(store, start, end)

    monkeypatch.setattr(SqliteStore, "busy_spans", counted_spans)
    monkeypatch.setattr(repo, "busy_between", counted_rows)

    shipped = tmp_path / "shipped.db"
    shutil.copyfile(demo_file, shipped)
    outcomes, rows = run_actions(shipped, seed)
    shipped_loads = len(loads)

    # The same actions the old way: no probe in reanchor, the first-dose and move checks
    # read whole days, the first cycle is searched on its loaded day, and every day
    # search tries each start on each chair.
    loads.clear()
    plain = tmp_path / "plain.db"
    shutil.copyfile(demo_file, plain)
    real_reanchor = booking.reanchor
    with monkeypatch.context() as patch:
        patch.setattr(courses, "chair_free_probe", day_load_probe)
        patch.setattr(courses, "store_probe", without_spans)  # the first cycle's day loaded
        patch.setattr(booking, "first_choice", lambda *args, **kwargs: None)
        patch.setattr(booking.BusyIndex, "all_sorted", property(lambda self: False))
        patch.setattr(
            booking,
            "reanchor",
            lambda calendar, day, later, prefs, lookup, probe=None: real_reanchor(
                calendar, day, later, prefs, lookup
            ),
        )
        plain_outcomes, plain_rows = run_actions(plain, seed)

    assert outcomes == plain_outcomes
    assert rows == plain_rows
    done = [o for o in outcomes if "refused" not in o]
    assert len(done) >= 8, outcomes  # enough really happened to compare
    assert shipped_loads < len(loads)  # and the probes spared day loads
