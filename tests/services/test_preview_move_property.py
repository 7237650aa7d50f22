"""The hover preview of a move is what the commit then does (issue 15, item 3).

Random moves of random cycles, to random chairs and times, in a real database file:
courses of both settings (one with a dose given, one stopped, one with a prepared bag),
blocked chair time, a closed day, a start cap or none, an MBC horizon made longer since
booking. For each move, ``preview_move`` answers first (from one read), then
``courses.move_appointment`` commits: allowed or refused alike, with the same rule; the
same moves (old and new start and chair of every cycle, in order) and the same notes
(the bag); a refused commit leaves the database exactly as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import clinic, courses, patients, pharmacy, queries
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.preview import preview, preview_blocked_move, preview_move
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import ConflictError, StoreError, open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.store.backends import sqlite_of

NY = ZoneInfo("America/New_York")
MONDAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=NY)
MRNS = ("P1", "P2", "P3", "P4", "P5")


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=NY)


@pytest.fixture(scope="module")
def base_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A clinic file with five courses in different states, closed when built."""
    path = tmp_path_factory.mktemp("preview") / "base.db"
    db = open_database(path, create=True)
    ctx = Context(SqliteStore(db), FixedClock(NOW), "test")
    clinic.init_clinic(ctx, timezone="America/New_York", chairs=3)
    clinic.add_closed_date(ctx, MONDAY + timedelta(21), "closed for training")
    courses.book_blocked_time(
        ctx, chair="Chair 3", start=at(MONDAY + timedelta(22), 9), minutes=240, label="service"
    )
    for mrn in MRNS:
        patients.add_patient(ctx, mrn=mrn, name=f"Pat {mrn}", weight_kg=70)
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=at(MONDAY, 9))
    courses.book_course(ctx, mrn="P2", setting="EBC", first_dose=at(MONDAY, 9), chair="Chair 2")
    courses.book_course(
        ctx, mrn="P3", setting="MBC", first_dose=at(MONDAY + timedelta(1), 10), chair="Chair 1"
    )
    courses.book_course(ctx, mrn="P4", setting="EBC", first_dose=at(MONDAY, 11), chair="Chair 3")
    courses.record_dose_given(ctx, mrn="P4", cycle=1, given_at=at(MONDAY, 11, 15))
    courses.book_course(ctx, mrn="P5", setting="EBC", first_dose=at(MONDAY, 13), chair="Chair 1")
    courses.stop_course(ctx, mrn="P5", reason="patient choice")
    # P1's and P2's first bags: good until Tuesday 08:40 and 08:10.
    pharmacy.record_reconstitution(ctx, mrn="P1", cycle=1, at=at(MONDAY, 7, 30))
    pharmacy.record_dilution(ctx, mrn="P1", cycle=1, at=at(MONDAY, 8, 40), diluent="NS")
    pharmacy.record_reconstitution(ctx, mrn="P2", cycle=1, at=at(MONDAY, 7, 45))
    pharmacy.record_dilution(ctx, mrn="P2", cycle=1, at=at(MONDAY, 8, 10), diluent="NS")
    pharmacy.record_reconstitution(ctx, mrn="P3", cycle=1, at=at(MONDAY, 8))  # a vial only
    db.close()
    yield path


def cycles_of(ctx: Context, mrn: str) -> list[dict[str, Any]]:
    try:
        return list(course_json(queries.course_view(ctx.store, mrn))["cycles"])
    except DomainError:
        return []


def dump(ctx: Context) -> bytes:
    """The whole database as this connection sees it, byte for byte (every table, the
    audit log included): equal images are equal dumps, and much cheaper to take."""
    return sqlite_of(ctx.store).conn.serialize()


MOVE = st.fixed_dictionaries(
    {
        "mrn": st.sampled_from([*MRNS, "P1", "P1", "P3", "P3", "P4", "P4", "PX"]),
        "cycle": st.one_of(st.just(1), st.integers(1, 4), st.integers(1, 4), st.integers(0, 16)),
        # Most moves go a few days from where the cycle is booked now, some anywhere.
        "relative": st.booleans() | st.just(True),
        "day": st.integers(-3, 50),
        "shift": st.integers(-2, 8),
        "hour": st.integers(7, 17) | st.integers(8, 12),
        "minute": st.sampled_from([0, 5, 15, 30, 45]),
        "chair": st.sampled_from([None, None, None, "Chair 1", "Chair 2", "Chair 3", "Chair 9"]),
    }
)
SITE = st.fixed_dictionaries(
    {
        "start_cap": st.sampled_from([None, None, 1, 2]),
        "mbc_horizon_cycles": st.sampled_from([None, None, 9]),
    }
)


def kwargs_of(ctx: Context, move: dict[str, Any]) -> dict[str, Any]:
    day = MONDAY + timedelta(move["day"])
    if move["relative"]:
        booked = [
            datetime.fromisoformat(c["start"]).date()
            for c in cycles_of(ctx, move["mrn"])
            if c["cycle"] == move["cycle"] and c["start"]
        ]
        day = (booked[0] if booked else day) + timedelta(move["shift"])
    start = at(day, move["hour"], move["minute"])
    return {"mrn": move["mrn"], "cycle": move["cycle"], "to": start, "chair": move["chair"]}


def check_one(ctx: Context, kwargs: dict[str, Any]) -> str:
    """Preview, then commit: the same answer. What happened, in a few words."""
    before = dump(ctx)
    seen = preview_move(ctx, **kwargs)
    assert dump(ctx) == before  # the preview wrote nothing
    try:
        done = courses.move_appointment(ctx, **kwargs)
    except (DomainError, ConflictError) as error:
        assert not seen.allowed, f"preview allowed what the commit refused: {error}"
        assert seen.reason == error.rule
        assert dump(ctx) == before
        return f"refused: {error.field}"
    except StoreError as error:  # pragma: no cover - not expected on a private file
        assert not seen.allowed and seen.reason == str(error)
        return "refused by the store"
    assert seen.allowed, f"preview refused what the commit did: {seen.reason}"
    assert seen.changes is not None
    assert seen.changes.action == done.action
    assert seen.changes.moves == done.moves  # every cycle, old and new place, in order
    assert seen.changes.notes == done.notes  # the bag
    assert seen.changes.courses == done.courses
    assert seen.changes.appointments <= done.appointments
    return ", ".join(
        [
            "allowed",
            *(["later cycles moved"] if done.later_moves else []),
            *(["bag note"] if done.notes else []),
        ]
    )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(site=SITE, moves=st.lists(MOVE, min_size=1, max_size=2))
def test_the_preview_of_a_move_is_what_the_commit_does(
    base_file: Path, site: dict[str, Any], moves: list[dict[str, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clinic.db"
        shutil.copyfile(base_file, path)
        db = open_database(path)
        try:
            ctx = Context(SqliteStore(db), FixedClock(NOW), "test")
            changed = {k: v for k, v in site.items() if v is not None}
            if changed:
                clinic.update_settings(ctx, changed)
            for move in moves:
                event(check_one(ctx, kwargs_of(ctx, move)))
        finally:
            db.close()


def test_the_examples_reach_both_answers_and_the_bag(base_file: Path, tmp_path: Path) -> None:
    """The states above do give the property allowed moves with later shifts, new
    doses, bag notes, and refusals of each kind (a guard against a vacuous property)."""
    path = tmp_path / "clinic.db"
    shutil.copyfile(base_file, path)
    db = open_database(path)
    ctx = Context(SqliteStore(db), FixedClock(NOW), "test")
    try:
        clinic.update_settings(ctx, {"mbc_horizon_cycles": 9})
        refusals = [
            {"mrn": "P5", "cycle": 2, "to": at(MONDAY, 9)},  # stopped course
            {"mrn": "P4", "cycle": 2, "to": at(MONDAY + timedelta(10), 9)},  # spacing
            {"mrn": "P2", "cycle": 1, "to": at(MONDAY + timedelta(1), 10), "chair": "Chair 1"},
            {"mrn": "P2", "cycle": 1, "to": at(MONDAY, 9), "chair": "Chair 9"},  # no chair
            {"mrn": "P2", "cycle": 1, "to": at(MONDAY, 18)},  # hours
            {"mrn": "P4", "cycle": 1, "to": at(MONDAY, 9)},  # given
        ]
        fields = [check_one(ctx, kwargs) for kwargs in refusals]
        assert fields == [
            "refused: course",
            "refused: to",
            "refused: to",
            "refused: chair",
            "refused: to",
            "refused: cycle",
        ]
        bag = {"mrn": "P1", "cycle": 1, "to": at(MONDAY + timedelta(2), 13, 30)}
        seen = preview_move(ctx, **bag)
        assert seen.allowed and seen.changes is not None
        assert any("needs a new bag" in note for note in seen.changes.notes)
        assert check_one(ctx, bag) == "allowed, later cycles moved, bag note"
        mbc = {"mrn": "P3", "cycle": 1, "to": at(MONDAY + timedelta(3), 10)}
        seen = preview_move(ctx, **mbc)
        assert seen.changes is not None
        assert any(m.old_start is None for m in seen.changes.moves)  # horizon rolls on
        assert check_one(ctx, mbc).startswith("allowed, later cycles moved")
        # preview() dispatches the move service to the read-only path.
        same = preview(ctx, courses.move_appointment, **refusals[1])
        assert same == preview_move(ctx, **refusals[1])
    finally:
        db.close()


BLOCKED_MOVE = st.fixed_dictionaries(
    {
        "day": st.integers(18, 26),
        "hour": st.integers(7, 16),
        "minute": st.sampled_from([0, 15, 30, 45]),
        "chair": st.sampled_from([None, "Chair 1", "Chair 2", "Chair 3", "Chair 9"]),
        "stale": st.booleans() | st.just(False),
    }
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=st.lists(BLOCKED_MOVE, min_size=1, max_size=2))
def test_the_preview_of_a_blocked_time_move_is_what_the_commit_does(
    base_file: Path, moves: list[dict[str, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clinic.db"
        shutil.copyfile(base_file, path)
        db = open_database(path)
        try:
            ctx = Context(SqliteStore(db), FixedClock(NOW), "test")
            (blocked,) = db.query("SELECT id FROM appointments WHERE kind = 'blocked'")
            for move in moves:
                row = repo.appointment_by_id(db, blocked["id"])
                assert row is not None
                kwargs = {
                    "appointment_id": blocked["id"],
                    "to": at(MONDAY + timedelta(move["day"]), move["hour"], move["minute"]),
                    "chair": move["chair"],
                    "expected_version": row["version"] - (1 if move["stale"] else 0),
                }
                before = dump(ctx)
                seen = preview_blocked_move(ctx, **kwargs)
                assert dump(ctx) == before
                try:
                    done = courses.move_blocked_time(ctx, **kwargs)
                except (DomainError, ConflictError) as error:
                    assert not seen.allowed and seen.reason == error.rule
                    assert dump(ctx) == before
                    event(f"refused: {error.field}")
                    continue
                assert seen.allowed and seen.changes is not None, seen.reason
                assert (seen.changes.action, seen.changes.moves, seen.changes.notes) == (
                    done.action,
                    done.moves,
                    done.notes,
                )
                assert (seen.changes.appointments, seen.changes.chairs) == (
                    done.appointments,
                    done.chairs,
                )
                event("allowed")
        finally:
            db.close()
