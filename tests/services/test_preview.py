"""A preview answers exactly as the commit would, and writes nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, courses, patients
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.preview import preview
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.store import backends
from tests.store.backends import open_store

NY = ZoneInfo("America/New_York")


def setup() -> Context:
    """A clinic on a new store of the run's backend (``--backend``)."""
    ctx = Context.over(open_store(), FixedClock(datetime(2026, 6, 1, 7, tzinfo=NY)), "test")
    clinic.init_clinic(ctx, timezone="America/New_York", chairs=2)
    patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
    patients.add_patient(ctx, mrn="P2", name="Pat Two", weight_kg=70)
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=datetime(2026, 6, 1, 9, tzinfo=NY))
    courses.book_course(
        ctx, mrn="P2", setting="EBC", first_dose=datetime(2026, 6, 1, 9, tzinfo=NY), chair="Chair 2"
    )
    return ctx


def dump(ctx: Context) -> str:
    return backends.dump(ctx.store)


def test_allowed_move_previews_later_shifts_and_writes_nothing() -> None:
    ctx = setup()
    before = dump(ctx)
    answer = preview(
        ctx, courses.move_appointment, mrn="P1", cycle=2, to=datetime(2026, 6, 24, 9, tzinfo=NY)
    )
    assert answer.allowed and answer.changes is not None
    assert len(answer.changes.later_moves) == 12  # cycles 3-14 move with it
    assert dump(ctx) == before
    committed = courses.move_appointment(
        ctx, mrn="P1", cycle=2, to=datetime(2026, 6, 24, 9, tzinfo=NY)
    )
    assert [m.new_start for m in committed.moves] == [m.new_start for m in answer.changes.moves]


def test_refused_move_names_the_rule() -> None:
    ctx = setup()
    before = dump(ctx)
    taken = preview(
        ctx,
        courses.move_appointment,
        mrn="P1",
        cycle=1,
        to=datetime(2026, 6, 1, 10, tzinfo=NY),
        chair="Chair 2",
    )
    assert not taken.allowed and taken.reason is not None and "chair taken" in taken.reason
    early = preview(
        ctx, courses.move_appointment, mrn="P1", cycle=2, to=datetime(2026, 6, 19, 9, tzinfo=NY)
    )
    assert not early.allowed and "only 18 days after cycle 1" in (early.reason or "")
    assert dump(ctx) == before


@pytest.mark.sqlite_only("another program holding SQLite's file lock")
def test_a_locked_database_is_a_refusal_not_a_crash(
    tmp_path, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    """Another program holding the write lock: the preview says so in one line."""
    import sqlite3

    from tdm1_scheduler.store import database

    monkeypatch.setenv("TDM1_SCHEDULER_BUSY_TIMEOUT_MS", "100")
    path = tmp_path / "c.db"
    db = open_database(path, create=True)
    ctx = Context(SqliteStore(db), FixedClock(datetime(2026, 6, 1, 7, tzinfo=NY)), "test")
    clinic.init_clinic(ctx, timezone="America/New_York", chairs=1)
    db.execute(f"PRAGMA busy_timeout = {database.busy_timeout_ms()}")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        answer = preview(ctx, clinic.add_chair, name="Chair 2")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not answer.allowed and answer.reason is not None and "locked" in answer.reason
