"""The demo clinic records nothing after its ``now`` (issue 12, defects 13 and 14).

The clinics are the run's shared builds, copied (tests/demo_files.py)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tdm1_scheduler.domain.timers import Phase, phase_of
from tdm1_scheduler.services import nurse
from tdm1_scheduler.store.database import open_database, to_utc_text
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.demo_files import demo_copy

# Mid-morning, early morning (bags for the afternoon not made yet) and afternoon.
NOWS = (
    datetime(2026, 11, 18, 15, 0, tzinfo=UTC),  # Wed 10:00 New York
    datetime(2026, 12, 1, 12, 40, tzinfo=UTC),  # Tue 07:40
    datetime(2026, 12, 1, 19, 30, tzinfo=UTC),  # Tue 14:30
)
STEPS = {
    "preparations": ("reconstituted_at", "diluted_at", "used_at", "discarded_at"),
    "visits": (
        "arrived_at",
        "infusion_started_at",
        "infusion_ended_at",
        "observation_ended_at",
        "discharged_at",
    ),
    "doses": ("given_at",),
    "audit_log": ("at_utc",),
}


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.isoformat())
def test_no_preparation_visit_step_or_audit_row_after_now(
    tmp_path: Path, now: datetime, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path / "demo.db"
    demo_copy(path, now, tmp_path_factory)
    cutoff = to_utc_text(now)
    with sqlite3.connect(path) as conn:
        made = conn.execute("SELECT COUNT(*) FROM preparations").fetchone()[0]
        for table, columns in STEPS.items():
            for column in columns:
                late = conn.execute(
                    f"SELECT {column} FROM {table} WHERE {column} > ?", [cutoff]
                ).fetchall()
                assert late == [], f"{table}.{column} after now {cutoff}: {late[:3]}"
    conn.close()
    assert made >= 1


def test_the_demo_board_is_in_real_phases_that_stay_as_time_passes(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Today's in-chair visits were walked through the nurse's steps; an hour later no
    tile has moved on by itself (it used to go infusing -> observing -> done)."""
    now = NOWS[0]
    path = tmp_path / "demo.db"
    demo_copy(path, now, tmp_path_factory)
    db = open_database(path)
    try:
        tiles = nurse.board(SqliteStore(db), now)
        phases = {t.appointment_id: phase_of(t.visit) for t in tiles}
        assert Phase.INFUSING in phases.values() or Phase.OBSERVING in phases.values()
        later = {
            t.appointment_id: phase_of(t.visit)
            for t in nurse.board(SqliteStore(db), now + timedelta(hours=3))
        }
        for appointment_id, phase in phases.items():
            assert later.get(appointment_id, phase) is phase
            if phase is not Phase.EXPECTED:
                assert appointment_id in later  # an in-chair visit never leaves by itself
    finally:
        db.conn.close()
