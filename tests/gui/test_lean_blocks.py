"""The planner's grid and the Day list draw from the lean day read (``DayBlock``, issue
19) and read a booking's whole record only when it is acted on. These fail if the lean
read or the record read later misses something: after day switches and revisits, every
block's record, sentence and tooltip, the selected block's description, the Day list's
rows and records, and a drag's move in the database are those of the whole read."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.day_blocks import block_of
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner.block_item import describe_block
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.services import courses
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.services.queries import day_bookings
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.store.backends import sqlite_of

from .conftest import DEMO_NOW, OFFSCREEN_NOISE
from .test_planner import BUSY_DAY, FIRST_INFUSION_MRN, drag, local, shown_planner

OTHER_ROWS = "SELECT * FROM appointments WHERE id != ?"
pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")


@pytest.fixture
def planner(window: MainWindow) -> Planner:
    return shown_planner(window)


def days_around(planner: Planner) -> list[date]:
    calendar = planner.session.settings.calendar
    days: list[date] = []
    day = BUSY_DAY - timedelta(days=3)
    while len(days) < 4:
        if calendar.is_open_day(day):
            days.append(day)
        day += timedelta(days=1)
    return [*days, *reversed(days), BUSY_DAY]  # each shown again after others


def test_blocks_and_day_list_rows_are_the_whole_reads_after_switches(planner: Planner) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    store, settings = window.ctx.store, window.settings
    calendar = settings.calendar
    checked = 0
    for day in days_around(planner):
        window.show_day(day)
        whole = {view.appointment.id: view for view in day_bookings(store, settings, day)}
        assert set(planner.scene.blocks) == set(whole)
        for appointment_id, block in planner.scene.blocks.items():
            view = whole[appointment_id]
            assert block.block == block_of(view)
            assert block.description == describe_block(view, calendar)
            assert block.toolTip() == block.description
            assert block.row == view  # read when asked: the whole record
            checked += 1
        model = window.model
        assert [model.block_at(r) for r in range(model.rowCount())] == [
            block_of(view) for view in whole.values()
        ]
        assert [model.row_data(r) for r in range(model.rowCount())] == list(whole.values())
        first = sum(1 for view in whole.values() if view.cycle == 1)
        assert f"{len(whole)} appointment(s), {first} first infusion(s)" in (
            window.statusBar().currentMessage()
        )
    assert checked > 50


def test_the_selected_block_is_described_from_its_whole_record(planner: Planner) -> None:
    window = planner.main_window
    days = days_around(planner)
    window.show_day(days[1])
    window.show_day(BUSY_DAY)
    store, settings = window.ctx.store, window.settings
    view = next(v for v in day_bookings(store, settings, BUSY_DAY) if v.mrn == FIRST_INFUSION_MRN)
    assert planner.select(view.appointment.id)
    described = planner.view.accessibleDescription()
    assert described == describe_block(view, settings.calendar)
    assert "first infusion" in described and FIRST_INFUSION_MRN in described


def test_a_drag_after_switches_moves_the_right_row(planner: Planner) -> None:
    window = planner.main_window
    for day in days_around(planner)[:5]:
        window.show_day(day)
    window.show_day(BUSY_DAY)
    store = window.ctx.store
    block = next(b for b in planner.scene.blocks.values() if b.block.mrn == FIRST_INFUSION_MRN)
    appointment_id = block.appointment_id
    before = store.appointment_view(appointment_id)
    assert before is not None and block.row == before
    others = {
        row["id"]: dict(row)
        for row in sqlite_of(store).query(
            "SELECT * FROM appointments WHERE id != ?", [appointment_id]
        )
    }
    target = local(planner, BUSY_DAY, 10, 30)
    drag(planner, block, lane=8, start=target)  # Chair 9: free from 10:15 on
    after = store.appointment_view(appointment_id)
    assert after is not None
    assert after.chair_name == "Chair 9" and after.appointment.start == target
    assert after.mrn == FIRST_INFUSION_MRN and after.cycle == 1
    moved = {
        row["id"]: dict(row)
        for row in sqlite_of(store).query(
            "SELECT * FROM appointments WHERE id != ?", [appointment_id]
        )
    }
    changed = {key for key in others if others[key] != moved.get(key)}
    same_course = {
        row["id"]
        for row in sqlite_of(store).query(
            "SELECT a.id FROM appointments a JOIN doses d ON d.id = a.dose_id "
            "WHERE d.course_id = ?",
            [before.course_id],
        )
    }
    assert changed <= same_course  # only the same course's later cycles moved with it
    shown = planner.scene.block_for(appointment_id)
    assert shown is not None and shown.block == block_of(after) and shown.row == after
    window.undo_stack.undo()
    undone = store.appointment_view(appointment_id)
    assert undone is not None and block_of(undone) == block_of(before)
    back = planner.scene.block_for(appointment_id)
    assert back is not None and back.block == block_of(undone) and back.row == undone


def test_a_booking_changed_elsewhere_acts_as_shown_until_the_poll(
    planner: Planner, demo_path: Path
) -> None:
    """Another desk moved a booking and the poll has not shown it yet: its block and its
    Day list row act on what they show (``as_shown``), as when the whole record was read
    with the day; the poll then shows the move, and the record is the one read then."""
    window = planner.main_window
    assert isinstance(window, MainWindow)
    window.show_day(BUSY_DAY)
    block = next(b for b in planner.scene.blocks.values() if b.block.mrn == FIRST_INFUSION_MRN)
    shown = block.block
    other = open_database(demo_path)
    try:
        ctx = Context(SqliteStore(other), FixedClock(DEMO_NOW), "other desk")
        target = load_settings(ctx.store).calendar.at(BUSY_DAY, time(10, 30))
        courses.move_appointment(ctx, mrn=FIRST_INFUSION_MRN, cycle=1, to=target, chair="Chair 9")
    finally:
        other.conn.close()
    assert block_of(block.row) == shown and block.row.appointment.version == 0
    row = next(r for r in range(window.model.rowCount()) if window.model.block_at(r) == shown)
    assert block_of(window.model.row_data(row)) == shown
    assert window.session.poll()  # the other desk's commit: read again
    moved = planner.scene.block_for(block.appointment_id)
    fresh = window.ctx.store.appointment_view(block.appointment_id)
    assert moved is not None and fresh is not None and fresh.chair_name == "Chair 9"
    assert moved.block == block_of(fresh) and moved.row == fresh


def test_a_block_whose_booking_is_gone_acts_as_it_was_read(planner: Planner) -> None:
    """Another connection removed the booking and the poll has not shown it yet: the block
    still shows and describes what was read, and its record is that (``stand_in``)."""
    window = planner.main_window
    window.show_day(BUSY_DAY)
    block = next(b for b in planner.scene.blocks.values() if b.block.mrn == FIRST_INFUSION_MRN)
    box = (block.x(), block.y(), block.size.width(), block.size.height())
    block.show_row(block.block, box, block._said, lambda _id: None)  # read after the removal
    row = block.row
    assert block_of(row) == block.block and row.appointment.version == 0
    assert block.description == describe_block(row, window.settings.calendar)
