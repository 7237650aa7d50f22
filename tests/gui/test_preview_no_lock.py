"""The planner's drag preview takes no write lock (issue 15, item 3), unedited: its
``preview(ctx, courses.move_appointment, ...)`` call is answered by the read-only
``preview_move``. While another program holds the write lock on the clinic file, the
hover answer still comes, and nothing is committed."""

from __future__ import annotations

import sqlite3
import time as clock
from datetime import timedelta
from pathlib import Path

import pytest

from tdm1_scheduler.gui.planner.day_scene import Chair, MoveTarget
from tdm1_scheduler.gui.planner.page import Planner

from .conftest import OFFSCREEN_NOISE
from .test_planner import LATER_CYCLE_MRN, block_of, planner as planner_fixture

planner = planner_fixture
pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_a_drag_preview_answers_while_another_program_holds_the_lock(
    planner: Planner, demo_path: Path
) -> None:
    window = planner.main_window
    block = block_of(planner, LATER_CYCLE_MRN)  # MBC cycle 12, Chair 8 13:00-14:15
    row = block.row
    start = window.settings.calendar.local(window.ctx.clock.now()).replace(hour=13, minute=0)
    chair = Chair(row.appointment.chair_id, row.chair_name)
    here = MoveTarget(row, chair, start)
    later = MoveTarget(row, chair, start + timedelta(minutes=5))
    watcher = sqlite3.connect(demo_path, isolation_level=None)
    holder = sqlite3.connect(demo_path, isolation_level=None, timeout=0.1)
    try:
        audit_rows = watcher.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        version = watcher.execute("PRAGMA data_version").fetchone()[0]
        holder.execute("BEGIN IMMEDIATE")
        began = clock.monotonic()
        answers = [planner.moves.preview_move(target) for target in (here, later)]
        waited = clock.monotonic() - began
        holder.execute("ROLLBACK")
        assert watcher.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_rows
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == version
    finally:
        holder.close()
        watcher.close()
    for answer in answers:
        assert "locked" not in (answer.reason or ""), answer.reason
    assert answers[0].allowed, answers[0].reason  # its own place
    assert waited < 2.0  # no busy wait on the lock (the timeout is seconds)
