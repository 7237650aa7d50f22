"""A change made here that names its appointments patches the day read instead of reading
the whole day again (issue 19: the drag commit): the patched read, the Day list, the
planner's grid and the strip must be exactly what reading everything again gives."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

import tdm1_scheduler.gui.session as session_module
from tdm1_scheduler.domain.day_blocks import block_of
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.gui.session import names_its_rows
from tdm1_scheduler.services import courses
from tdm1_scheduler.services.blocked_time import book_blocked_time, cancel_blocked_time
from tdm1_scheduler.services.context import ChangeSet
from tdm1_scheduler.services.live import refresh
from tdm1_scheduler.services.planner_reads import day_load_of, day_loads
from tdm1_scheduler.services.queries import day_bookings

from .conftest import OFFSCREEN_NOISE
from .test_planner import BUSY_DAY, FIRST_INFUSION_MRN, shown_planner
from .test_session import book_elsewhere

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")


@pytest.fixture
def planner(window: MainWindow) -> Planner:
    return shown_planner(window, count_strip=True)


def fresh_and_shown(planner: Planner) -> None:
    """The session's read, the Day list and the grid equal a fresh read of the day."""
    window = planner.main_window
    assert isinstance(window, MainWindow)
    session = window.session
    day = session.shown_day
    fresh = day_bookings(window.ctx.store, session.settings, day)
    assert session.day_blocks(day) == [block_of(row) for row in fresh]  # the same, lean
    assert [window.model.row_data(r) for r in range(window.model.rowCount())] == fresh
    shown = {
        row.appointment.id for row in fresh if row.appointment.chair_id in planner_ids(planner)
    }
    assert set(planner.scene.blocks) == shown
    for block in planner.scene.blocks.values():
        assert block.row == next(r for r in fresh if r.appointment.id == block.appointment_id)
    strip = planner.strip.load_model
    for row in range(strip.rowCount()):
        summary = strip.summary(row)
        assert summary == day_loads(window.ctx.store, session.settings, summary.day, 1)[0]


def planner_ids(planner: Planner) -> set[int]:
    return {chair.id for chair in planner.chairs}


def move_somewhere(planner: Planner, day: date, hour: int) -> ChangeSet | None:
    """The first-infusion cycle moved to ``hour`` on ``day`` on the first chair free then."""
    ctx = planner.ctx
    target = planner.session.settings.calendar.at(day, time(hour, 0))
    for chair in (f"Chair {n}" for n in range(1, 13)):
        try:
            return courses.move_appointment(
                ctx, mrn=FIRST_INFUSION_MRN, cycle=1, to=target, chair=chair
            )
        except DomainError:
            continue
    return None


def test_moves_and_blocked_time_patch_the_day_read_exactly(
    planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    ctx = window.ctx
    session = window.session
    settings = session.settings
    rows = day_bookings(ctx.store, settings, BUSY_DAY)
    reads: list[object] = []
    day_query = session_module.queries.day_blocks  # the day read the pages draw from
    monkeypatch.setattr(
        session_module.queries, "day_blocks", lambda *a: reads.append(a) or day_query(*a)
    )
    first = next(r for r in rows if r.mrn == FIRST_INFUSION_MRN)
    moved = 0
    for hour in (8, 9, 10, 14, 15):  # the same day: chairs and times
        changes = move_somewhere(planner, BUSY_DAY, hour)
        if changes is not None:
            assert names_its_rows(changes)
            kept = session.settings
            window.apply_changes(changes)
            assert session.settings is kept  # only appointments written: nothing to read
            fresh_and_shown(planner)
            moved += 1
    assert moved >= 3
    # to another day: the block leaves the day shown (its later cycles move too)
    other = settings.calendar.next_open_day(BUSY_DAY + timedelta(days=1))
    away = move_somewhere(planner, other, 13)
    assert away is not None
    window.apply_changes(away)
    fresh_and_shown(planner)
    shown = {r.id for r in session.day_blocks(BUSY_DAY)}
    assert first.appointment.id not in shown
    blocked = None
    for chair in (f"Chair {n}" for n in range(1, 13)):
        try:
            blocked = book_blocked_time(
                ctx,
                chair=chair,
                start=settings.calendar.at(BUSY_DAY, time(16, 30)),
                minutes=20,
                label="pump check",
            )
            break
        except DomainError:  # that chair is taken at 16:30: the next one
            continue
    assert blocked is not None
    window.apply_changes(blocked)
    fresh_and_shown(planner)
    removed = cancel_blocked_time(ctx, appointment_id=min(blocked.appointments))
    window.apply_changes(removed)
    fresh_and_shown(planner)
    assert reads == []  # none of these read the whole day again
    kept = session.settings
    window.apply_changes(refresh())  # nothing committed since: the day is not read
    assert session.settings is not kept and session.settings == kept  # they are
    fresh_and_shown(planner)


def test_what_names_its_rows() -> None:
    move = ChangeSet("move", appointments={1}, courses={7})
    assert not names_its_rows(move)  # a course named without moves: maybe its status
    blocked = ChangeSet("block", appointments={2})
    assert names_its_rows(blocked)
    assert not names_its_rows(ChangeSet("patient", appointments={2}, patients={3}))
    assert not names_its_rows(ChangeSet("settings", appointments={2}, settings=True))
    assert not names_its_rows(ChangeSet("nothing named"))
    assert not names_its_rows(refresh())
    dose = ChangeSet("given", appointments={2})
    dose.rows[("doses", 5)] = dose.rows.get(("doses", 5)) or _row_change()
    assert not names_its_rows(dose)  # a dose row written: the day is read again


def _row_change() -> object:
    from tdm1_scheduler.services.context import RowChange

    return RowChange("doses", None, None)


def test_the_day_shown_load_from_its_rows_is_the_stores(planner: Planner) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    settings = window.settings
    in_service = planner_ids(planner)
    day = BUSY_DAY - timedelta(days=3)
    for _ in range(10):
        rows = day_bookings(window.ctx.store, settings, day)
        expected = day_loads(window.ctx.store, settings, day, 1)[0]
        assert day_load_of(settings, day, rows, in_service) == expected
        day += timedelta(days=1)


def test_a_block_tooltip_is_its_description(planner: Planner) -> None:
    """The sentence is made when first asked; hovering a block shows it."""
    block = next(iter(planner.scene.blocks.values()))
    planner.view.ensureVisible(block)
    point = planner.view.viewport_point_of(block)
    viewport = planner.view.viewport()
    event = QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)
    assert QToolTip.text() == block.toolTip() == block.description
    assert block.row.chair_name in block.description


def test_a_day_switch_reuses_the_blocks_and_a_same_day_rebuild_does_not(
    planner: Planner,
) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    before = set(map(id, planner.scene.blocks.values()))
    other = window.settings.calendar.next_open_day(BUSY_DAY + timedelta(days=1))
    window.show_day(other)
    after = {id(b) for b in planner.scene.blocks.values()}
    assert after and len(after & before) == min(len(before), len(after))
    fresh_and_shown(planner)
    block = next(iter(planner.scene.blocks.values()))
    planner._built_key = None
    planner.reload(force=True)
    assert planner.scene.block_for(block.appointment_id) is not block


def test_after_another_connections_commit_a_move_reads_everything_again(
    planner: Planner, demo_path: Path
) -> None:
    """Another desk committed since the last look (not yet polled): our move then reads
    the settings and the whole day again, as before, so the other desk's booking shows."""
    window = planner.main_window
    assert isinstance(window, MainWindow)
    session = window.session
    kept = session.settings
    booked = book_elsewhere(demo_path, "pump check")
    changes = move_somewhere(planner, BUSY_DAY, 8)
    assert changes is not None and names_its_rows(changes)
    window.apply_changes(changes)
    assert session.settings is not kept
    fresh = day_bookings(window.ctx.store, session.settings, BUSY_DAY)
    assert session.day_blocks(BUSY_DAY) == [block_of(row) for row in fresh]
    assert [window.model.row_data(r) for r in range(window.model.rowCount())] == fresh
    assert set(booked.appointments) <= {row.appointment.id for row in fresh}
