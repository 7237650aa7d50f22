"""The session (gui/session.py): one announcement per change, made here by a person's
drag or undo, or by another connection; the pages built from its typed list."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.pages import PAGES, Features
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.gui.session import POLL_INTERVAL_MS, ReadAgain, Session
from tdm1_scheduler.services.blocked_time import book_blocked_time
from tdm1_scheduler.services.context import ChangeSet, Context, load_settings
from tdm1_scheduler.services.queries import chairs
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.store.backends import sqlite_of

from .conftest import DEMO_NOW, OFFSCREEN_NOISE
from .test_planner import FIRST_INFUSION_MRN, block_of, drag, local, shown_planner

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

BUSY_DAY = date(2026, 11, 18)


@pytest.fixture
def planner(window: MainWindow) -> Planner:
    return shown_planner(window)


def announcements(session: Session) -> list[ChangeSet]:
    seen: list[ChangeSet] = []
    session.sig_changed.connect(seen.append)
    return seen


def book_elsewhere(demo_path: Path, label: str) -> ChangeSet:
    """Another desk books 20 minutes of blocked time at 16:30 on the busy day, through
    its own connection to the same file."""
    other = open_database(demo_path)
    try:
        settings = load_settings(SqliteStore(other))
        start = settings.calendar.at(BUSY_DAY, time(16, 30))
        ctx = Context(SqliteStore(other), FixedClock(DEMO_NOW), "other desk")
        for chair in [row.name for row in chairs(SqliteStore(other))]:
            try:
                return book_blocked_time(ctx, chair=chair, start=start, minutes=20, label=label)
            except DomainError:  # that chair is taken at 16:30: the next one
                continue
        raise AssertionError("no chair free at 16:30")
    finally:
        other.conn.close()


def test_the_pages_are_built_from_the_typed_list_on_the_session(window: MainWindow) -> None:
    assert tuple(window.features) == tuple(key for key, _attach in PAGES)
    assert tuple(window.features) == tuple(Features.__annotations__)
    session = window.session
    assert isinstance(session, Session)
    assert window.features["planner"].session is session
    assert window.features["patients_panel"].session is session
    assert window.features["nurse_board"].session is session
    assert window.features["pharmacy_view"].session is session
    assert window.features["preferences"].session is session
    assert window.undo_stack is session.undo_stack
    assert window.settings is session.settings
    assert window.shown_day == session.shown_day == BUSY_DAY


def test_a_drag_is_announced_once_and_not_again_by_the_poll(planner: Planner) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    seen = announcements(window.session)
    block = block_of(planner, FIRST_INFUSION_MRN)
    drag(planner, block, lane=8, start=local(planner, BUSY_DAY, 10, 30))
    assert window.undo_stack.count() == 1
    assert len(seen) == 1
    assert not isinstance(seen[0], ReadAgain)
    assert block.appointment_id in seen[0].appointments
    assert not window.session.poll()  # our own commit is not another connection's
    QTest.qWait(POLL_INTERVAL_MS + 300)  # the timer's poll does not announce it either
    assert len(seen) == 1


def test_an_undo_by_keyboard_is_announced_once(qtbot: Any, planner: Planner) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    block = block_of(planner, FIRST_INFUSION_MRN)
    drag(planner, block, lane=8, start=local(planner, BUSY_DAY, 10, 30))
    seen = announcements(window.session)
    planner.view.setFocus()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.undo_stack.index() == 0, timeout=2000)
    assert len(seen) == 1
    assert block.appointment_id in seen[0].appointments
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window, Qt.Key.Key_Z, redo)
    qtbot.waitUntil(lambda: window.undo_stack.index() == 1, timeout=2000)
    assert len(seen) == 2
    assert not window.session.poll()


def test_another_connection_is_announced_once_by_the_timer(
    qtbot: Any, window: MainWindow, demo_path: Path
) -> None:
    session = window.session
    seen = announcements(session)
    rows_before = window.model.rowCount()
    booked = book_elsewhere(demo_path, "pump check")
    with qtbot.waitSignal(session.sig_changed, timeout=POLL_INTERVAL_MS * 3):
        pass  # the session's own timer, no call from the test
    assert len(seen) == 1
    change = seen[0]
    assert isinstance(change, ReadAgain) and change.settings
    assert change.appointments == booked.appointments  # what its audit row names
    assert [entry.user for entry in change.entries] == ["other desk"]
    assert window.model.rowCount() == rows_before + 1  # the Day list read it first
    planner = window.features["planner"]
    assert set(booked.appointments) <= set(planner.scene.blocks)
    QTest.qWait(POLL_INTERVAL_MS + 300)
    assert len(seen) == 1  # told once
    assert not session.poll()


def test_our_change_and_another_connection_in_one_interval_are_two_announcements(
    planner: Planner, demo_path: Path
) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    session = window.session
    session.stop()  # the test polls by hand
    seen = announcements(session)
    block = block_of(planner, FIRST_INFUSION_MRN)
    drag(planner, block, lane=8, start=local(planner, BUSY_DAY, 10, 30))
    booked = book_elsewhere(demo_path, "pump check")
    assert session.poll()
    assert not session.poll()
    assert len(seen) == 2
    assert not isinstance(seen[0], ReadAgain) and isinstance(seen[1], ReadAgain)
    assert booked.appointments <= seen[1].appointments
    assert set(booked.appointments) <= set(planner.scene.blocks)


def test_a_session_reads_the_settings_again_before_it_announces(ctx: Context) -> None:
    session = Session(ctx, poll=False)
    assert not session.poll_timer.isActive()
    told: list[int] = []
    session.sig_changed.connect(lambda _changes: told.append(session.settings.snap_min))
    sqlite_of(ctx.store).execute("UPDATE clinic SET snap_min = 10")
    sqlite_of(ctx.store).conn.commit()
    session.apply_changes(ChangeSet("change settings", settings=True))
    assert told == [10]
    session.reload()
    assert len(told) == 2


def test_the_day_shown_is_announced_when_it_changes(ctx: Context) -> None:
    session = Session(ctx, poll=False)
    days: list[object] = []
    session.sig_day_changed.connect(days.append)
    assert not session.show_day(session.shown_day)
    assert session.show_day(date(2026, 11, 19))
    assert days == [date(2026, 11, 19)]


def test_open_course_and_show_preparation_reach_the_other_pages(planner: Planner) -> None:
    window = planner.main_window
    row = block_of(planner, FIRST_INFUSION_MRN).row
    assert planner.menus.open_course(row)
    patients = window.features["patients_panel"]
    assert patients.panel.current_mrn == FIRST_INFUSION_MRN
    planner.menus.show_preparation(row)
    assert window.pages.currentWidget() is window.features["pharmacy_view"]
