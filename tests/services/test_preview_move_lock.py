"""A move's hover preview takes no write lock and writes nothing (issue 15, item 3).

While another program holds the write lock on the file (``BEGIN IMMEDIATE``, with a
write of its own not yet committed), ``preview_move`` still answers, from the last
committed state; and a third connection sees neither a new audit row nor a new
``PRAGMA data_version`` (nothing was committed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, courses, patients
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.services.preview import preview, preview_blocked_move, preview_move
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.store.backends import sqlite_of

pytestmark = pytest.mark.sqlite_only("SQLite's file write lock, PRAGMA data_version, total_changes")

NY = ZoneInfo("America/New_York")
MOVE = {"mrn": "P1", "cycle": 2, "to": datetime(2026, 6, 24, 9, tzinfo=NY)}
CYCLE_2 = datetime(2026, 6, 22, 9, 30, tzinfo=NY)  # where cycle 2 is booked (Chair 1)


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    monkeypatch.setenv("TDM1_SCHEDULER_BUSY_TIMEOUT_MS", "100")  # a wait would be short
    db = open_database(tmp_path / "clinic.db", create=True)
    context = Context(SqliteStore(db), FixedClock(datetime(2026, 6, 1, 7, tzinfo=NY)), "test")
    clinic.init_clinic(context, timezone="America/New_York", chairs=2)
    patients.add_patient(context, mrn="P1", name="Pat One", weight_kg=70)
    courses.book_course(
        context, mrn="P1", setting="EBC", first_dose=datetime(2026, 6, 1, 9, tzinfo=NY)
    )
    yield context
    db.close()


def path_of(ctx: Context) -> str:
    return str(sqlite_of(ctx.store).execute("PRAGMA database_list").fetchone()[2])


def marks(watcher: sqlite3.Connection) -> tuple[int, int]:
    audit_rows = watcher.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    return int(audit_rows), int(watcher.execute("PRAGMA data_version").fetchone()[0])


def test_preview_answers_while_another_program_holds_the_write_lock(ctx: Context) -> None:
    path = path_of(ctx)
    watcher = sqlite3.connect(path, isolation_level=None)
    holder = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    try:
        before = marks(watcher)
        writes_before = sqlite_of(ctx.store).conn.total_changes
        holder.execute("BEGIN IMMEDIATE")
        # Its own write, not committed: the preview must not see it.
        holder.execute("UPDATE appointments SET chair_id = chair_id WHERE id = 1")
        try:
            answer = preview_move(ctx, **MOVE)
            dispatched = preview(ctx, courses.move_appointment, **MOVE)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                sqlite_of(ctx.store).conn.execute("BEGIN IMMEDIATE")  # the lock is really held
        finally:
            holder.execute("ROLLBACK")
        assert answer.allowed, answer.reason
        assert answer.reason is None
        assert answer.changes is not None and len(answer.changes.later_moves) == 12
        assert dispatched == answer
        assert marks(watcher) == before  # no audit row, no commit
        assert (
            sqlite_of(ctx.store).conn.total_changes == writes_before
        )  # this connection wrote nothing
        assert not sqlite_of(ctx.store).conn.in_transaction
        # The commit then does what was previewed.
        done = courses.move_appointment(ctx, **MOVE)
        assert done.moves == answer.changes.moves
        audit_rows, version = marks(watcher)
        assert audit_rows == before[0] + 1 and version != before[1]
    finally:
        holder.close()
        watcher.close()


def test_a_refused_preview_under_the_lock_is_the_rule_not_locked(ctx: Context) -> None:
    holder = sqlite3.connect(path_of(ctx), isolation_level=None, timeout=0.1)
    try:
        holder.execute("BEGIN IMMEDIATE")
        early = {**MOVE, "to": datetime(2026, 6, 19, 9, tzinfo=NY)}
        answer = preview_move(ctx, **early)
        stale = preview_move(ctx, **MOVE, expected_version=99)
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert not answer.allowed and "only 18 days after cycle 1" in (answer.reason or "")
    assert not stale.allowed and stale.reason == "it was changed by someone else since it was read"


def test_the_preview_refuses_inside_a_transaction(ctx: Context) -> None:
    sqlite_of(ctx.store).conn.execute("BEGIN")
    try:
        with pytest.raises(RuntimeError):
            preview(ctx, courses.move_appointment, **MOVE)
    finally:
        sqlite_of(ctx.store).conn.execute("ROLLBACK")


def test_a_blocked_time_preview_takes_no_lock_either(ctx: Context) -> None:
    booked = courses.book_blocked_time(
        ctx, chair="Chair 2", start=datetime(2026, 6, 2, 9, tzinfo=NY), minutes=60, label="x"
    )
    (blocked_id,) = booked.appointments
    watcher = sqlite3.connect(path_of(ctx), isolation_level=None)
    holder = sqlite3.connect(path_of(ctx), isolation_level=None, timeout=0.1)
    try:
        before = marks(watcher)
        holder.execute("BEGIN IMMEDIATE")
        where = {"appointment_id": blocked_id, "to": datetime(2026, 6, 2, 14, tzinfo=NY)}
        answer = preview(ctx, courses.move_blocked_time, **where)
        taken = preview_blocked_move(ctx, **{**where, "chair": "Chair 1", "to": CYCLE_2})
        holder.execute("ROLLBACK")
        assert marks(watcher) == before
    finally:
        holder.close()
        watcher.close()
    assert answer.allowed and answer.changes is not None
    assert answer.changes.appointments == {blocked_id}
    assert answer == preview_blocked_move(ctx, **where)
    assert not taken.allowed and (taken.reason or "").startswith("chair taken")
