"""The nurse board on the demo clinic, driven by real clicks and a fixed clock.

The demo has no preparations for today's later patients, so a bag is prepared through
the pharmacy service where a test needs an infusion to start.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.timers import AlertKind
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.nurse.board import (
    OVERRUN_COLOR,
    AlertBanner,
    NurseBoard,
    ReactionDialog,
    ReasonDialog,
    VisitTile,
)
from tdm1_scheduler.gui.nurse.look import minutes_text
from tdm1_scheduler.gui.nurse.page import NurseBoardFeature
from tdm1_scheduler.services import courses, pharmacy
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store import visits as visit_store
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tdm1_scheduler.text import plain
from tests.store.backends import sqlite_of

from .conftest import DEMO_NOW, OFFSCREEN_NOISE

# The offscreen platform also cannot raise a window (the detached board is raised).
pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")


def feature(win: MainWindow) -> NurseBoardFeature:
    found = win.features["nurse_board"]
    assert isinstance(found, NurseBoardFeature)
    return found


def board(win: MainWindow) -> NurseBoard:
    """The board page, brought to the front (its buttons are then visible)."""
    page = feature(win).board
    win.pages.setCurrentWidget(page)
    return page


def clock(ctx: Context) -> FixedClock:
    assert isinstance(ctx.clock, FixedClock)
    return ctx.clock


def expected_tile(b: NurseBoard) -> VisitTile:
    """The first tile whose patient has not arrived yet."""
    for tile in b.tiles.values():
        if tile.phase_label.text() == "Expected":
            return tile
    raise AssertionError("no expected tile on the demo board")


def click(button: QPushButton) -> None:
    assert button.isVisible(), button.objectName()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def dump(ctx: Context) -> str:
    return "\n".join(sqlite_of(ctx.store).conn.iterdump())


def prepared_and_arrived(win: MainWindow) -> VisitTile:
    """An expected patient's bag prepared, the clock at their booking, arrived."""
    b = board(win)
    tile = expected_tile(b)
    planned = tile.data.visit.planned_start
    mrn, cycle = tile.data.mrn, tile.data.cycle
    pharmacy.record_reconstitution(win.ctx, mrn=mrn, cycle=cycle, at=planned - timedelta(hours=2))
    pharmacy.record_dilution(win.ctx, mrn=mrn, cycle=cycle, at=planned - timedelta(hours=1))
    clock(win.ctx).current = planned
    win.reload()
    b.reload()
    tile = b.tile_for(tile.data.appointment_id)
    assert tile.bag_label.text().startswith("Bag: bag good until")
    click(tile.buttons["arrive"])
    tile = b.tile_for(tile.data.appointment_id)
    assert tile.phase_label.text() == "Arrived/prep"
    return tile


def started_tile(win: MainWindow) -> VisitTile:
    tile = prepared_and_arrived(win)
    clock(win.ctx).advance(minutes=tile.data.visit.prep_min)
    click(tile.buttons["start"])
    tile = board(win).tile_for(tile.data.appointment_id)
    assert tile.phase_label.text() == "Infusing"
    return tile


def test_the_board_is_a_page_and_opens_in_its_own_window(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    titles = [window.pages.tabText(i) for i in range(window.pages.count())]
    assert "Nurse board" in titles
    b = board(window)
    assert b.tiles, "the demo's busy day has occupied chairs"
    action = next(
        a for a in window.menu("view").actions() if a.text() == "Open nurse board in a &window"
    )
    action.trigger()
    detached = feature(window).detached
    assert detached is not None and detached.isWindow() and detached.isVisible()
    assert sorted(detached.board.tiles) == sorted(b.tiles)
    # A step taken in the detached window shows on the page too.
    tile = expected_tile(detached.board)
    click(tile.buttons["arrive"])
    assert b.tile_for(tile.data.appointment_id).phase_label.text() == "Arrived/prep"
    for widget in [b, *b.findChildren(QPushButton)]:
        assert widget.accessibleName(), widget.objectName()
    detached.close()


def test_never_prepared_bag_is_refused_on_the_tile_and_nothing_written(
    window: MainWindow,
) -> None:
    b = board(window)
    tile = expected_tile(b)
    assert "never prepared" in tile.bag_label.text()
    before = dump(window.ctx)
    click(tile.buttons["start"])
    tile = b.tile_for(tile.data.appointment_id)
    assert tile.message_label.text().startswith("Refused: never prepared")
    assert OVERRUN_COLOR in tile.message_label.styleSheet()
    assert tile.phase_label.text() == "Expected"
    assert dump(window.ctx) == before


def test_countdown_text_at_a_given_clock_time_and_a_red_overrun_counting_up(
    window: MainWindow, qtbot
) -> None:  # type: ignore[no-untyped-def]
    tile = started_tile(window)
    b = board(window)
    minutes = tile.data.visit.infusion_min
    clock(window.ctx).advance(minutes=minutes - 7, seconds=-30)
    b.tick()
    # Said in words (a bare "07:30" read like a time of day), rounded up, with the end
    # in clinic wall time beside it (issue 14).
    assert plain(tile.countdown_label.text()) == "Infusion ends in 8 min"
    end = window.settings.calendar.local(window.ctx.clock.now() + timedelta(minutes=7, seconds=30))
    assert tile.until_label.text() == f"at {end:%H:%M}"
    assert not tile.countdown_label.property("overrun")
    with qtbot.waitSignal(b.sig_alert, timeout=1000) as fired:
        clock(window.ctx).advance(minutes=7, seconds=30 + 65)
        b.tick()
    assert fired.args[1].kind is AlertKind.INFUSION_END
    assert plain(tile.countdown_label.text()) == "Infusion 1 min past its end"
    assert tile.until_label.text() == f"due {end:%H:%M}"
    assert tile.countdown_label.property("overrun") is True
    tile.countdown_label.ensurePolished()
    color = tile.countdown_label.palette().color(tile.countdown_label.foregroundRole())
    assert color == QColor(OVERRUN_COLOR)
    clock(window.ctx).advance(minutes=2)
    b.tick()
    assert plain(tile.countdown_label.text()) == "Infusion 3 min past its end"  # counts up
    # Still the one banner for this tile, not a new one (the demo's other visits stay
    # in their chairs until a nurse acts, so they may raise alerts of their own).
    assert [k for k in b.banners if k[0] == tile.data.appointment_id] == [
        (tile.data.appointment_id, AlertKind.INFUSION_END)
    ]


def test_an_alert_fires_once_and_acknowledged_does_not_return(
    window: MainWindow, demo_path: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    tile = started_tile(window)
    b = board(window)
    fired: list[object] = []
    mine = tile.data.appointment_id
    # Only this tile's alerts: the demo's other visits stay until a nurse acts (issue 12).
    b.sig_alert.connect(lambda appointment, alert: appointment == mine and fired.append(alert))

    def banners() -> list[AlertBanner]:
        return [banner for key, banner in b.banners.items() if key[0] == mine]

    clock(window.ctx).advance(minutes=tile.data.visit.infusion_min - 1)
    b.tick()
    assert not banners() and not fired
    clock(window.ctx).advance(minutes=1)
    b.tick()
    b.tick()
    assert len(fired) == 1
    (banner,) = banners()
    assert tile.data.patient_name in banner.label.text()
    click(banner.ack_button)
    assert not banners()
    b.tick()
    assert len(fired) == 1
    # A new board on the same database remembers the acknowledgement.
    again = NurseBoard(window.ctx)
    qtbot.addWidget(again)
    assert not [key for key in again.banners if key[0] == mine]
    again.stop()


def test_a_board_rebuilt_mid_observation_shows_the_same_remaining_time(
    window: MainWindow, demo_path: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    tile = started_tile(window)
    appointment = tile.data.appointment_id
    clock(window.ctx).advance(minutes=tile.data.visit.infusion_min)
    click(tile.buttons["end_infusion"])
    clock(window.ctx).advance(minutes=12, seconds=20)
    b = board(window)
    b.tick()
    shown = plain(b.tile_for(appointment).countdown_label.text())
    observation = b.tile_for(appointment).data.visit.observation_min
    left = timedelta(minutes=observation - 12)  # 12 min 20 s gone: rounded up
    assert shown == f"Observation ends in {minutes_text(left)}"
    now = window.ctx.clock.now()
    window.close()
    db = open_database(demo_path)
    try:
        ctx = Context(SqliteStore(db), FixedClock(now), "tester")
        reopened = MainWindow(ctx, demo=True)
        qtbot.addWidget(reopened)
        tile = board(reopened).tile_for(appointment)
        assert tile.phase_label.text() == "Observing"
        assert plain(tile.countdown_label.text()) == shown
        reopened.close()
    finally:
        db.conn.close()


def test_early_discharge_asks_for_a_reason_through_a_dialog(window: MainWindow) -> None:
    tile = started_tile(window)
    appointment = tile.data.appointment_id
    b = board(window)
    clock(window.ctx).advance(minutes=tile.data.visit.infusion_min)
    click(tile.buttons["end_infusion"])
    clock(window.ctx).advance(minutes=5)
    click(b.tile_for(appointment).buttons["discharge"])
    dialog = b.dialog
    assert isinstance(dialog, ReasonDialog) and dialog.isVisible()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    click(ok)  # no reason: refused on the tile
    assert "needs a reason" in b.tile_for(appointment).message_label.text()
    click(b.tile_for(appointment).buttons["discharge"])
    dialog = b.dialog
    assert isinstance(dialog, ReasonDialog)
    dialog.reason_edit.setFocus()
    QTest.keyClicks(dialog.reason_edit, "family emergency")
    click(dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert appointment not in b.tiles  # a discharged patient's chair is free again
    visit = visit_store.visit_for_appointment(sqlite_of(window.ctx.store), appointment)
    assert visit is not None and visit["early_discharge_reason"] == "family emergency"


def test_pause_and_resume_buttons_extend_the_countdown(window: MainWindow) -> None:
    tile = started_tile(window)
    b = board(window)
    appointment = tile.data.appointment_id
    clock(window.ctx).advance(minutes=10)
    click(tile.buttons["pause"])
    tile = b.tile_for(appointment)
    assert tile.phase_label.text() == "Paused"
    left = minutes_text(timedelta(minutes=tile.data.visit.infusion_min - 10))
    assert plain(tile.countdown_label.text()) == f"Paused: {left} of infusion left"
    assert tile.until_label.text() == "end moves by the pause"
    clock(window.ctx).advance(minutes=15)
    b.tick()
    assert plain(tile.countdown_label.text()) == f"Paused: {left} of infusion left"  # frozen
    click(tile.buttons["resume"])
    assert plain(b.tile_for(appointment).countdown_label.text()) == f"Infusion ends in {left}"


def test_a_grade_4_reaction_after_confirmation_stops_the_course(window: MainWindow) -> None:
    tile = started_tile(window)
    b = board(window)
    mrn = tile.data.mrn
    clock(window.ctx).advance(minutes=5)
    click(tile.buttons["reaction"])
    dialog = b.dialog
    assert isinstance(dialog, ReactionDialog)
    assert tile.data.patient_name in dialog.windowTitle()
    QTest.mouseClick(dialog.grade_buttons[4], Qt.MouseButton.LeftButton)
    assert dialog.grade == 4
    assert dialog.action == "stopped"  # a life-threatening reaction stops the infusion
    click(dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    box = b.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert courses.load_course(window.ctx.store, mrn).course.status == "active"
    yes = box.button(QMessageBox.StandardButton.Yes)
    click(yes)
    record = courses.load_course(window.ctx.store, mrn)
    assert record.course.status == "stopped"
    assert record.course.stop_reason == "life-threatening reaction"
    assert not record.booked


def test_a_reaction_dialog_cancelled_writes_nothing(window: MainWindow) -> None:
    tile = started_tile(window)
    b = board(window)
    before = dump(window.ctx)
    click(tile.buttons["reaction"])
    dialog = b.dialog
    assert isinstance(dialog, QDialog)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert dump(window.ctx) == before


def test_a_second_process_on_the_same_file_shows_on_the_board(
    window: MainWindow, demo_path: Path
) -> None:
    b = board(window)
    tile = expected_tile(b)
    appointment = tile.data.appointment_id
    now = tile.data.visit.planned_start
    script = (
        "import sys\n"
        "from datetime import datetime\n"
        "from tdm1_scheduler.clock import FixedClock\n"
        "from tdm1_scheduler.services import nurse\n"
        "from tdm1_scheduler.services.context import Context\n"
        "from tdm1_scheduler.store.database import open_database\n"
        "from tdm1_scheduler.store.sqlite_store import SqliteStore\n"
        "db = open_database(sys.argv[1])\n"
        "ctx = Context(SqliteStore(db), FixedClock(datetime.fromisoformat(sys.argv[2])), 'other')\n"
        "nurse.arrive(ctx, appointment_id=int(sys.argv[3]))\n"
        "db.conn.close()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run(
        [sys.executable, "-c", script, str(demo_path), now.isoformat(), str(appointment)],
        check=True,
        env=env,
        timeout=60,
    )
    assert b.tile_for(appointment).phase_label.text() == "Expected"  # not polled yet
    clock(window.ctx).current = now
    assert window.poll_data_version()
    assert b.tile_for(appointment).phase_label.text() == "Arrived/prep"


def test_a_standalone_board_polls_the_database_itself(ctx: Context, demo_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    standalone = NurseBoard(ctx, poll=True)
    qtbot.addWidget(standalone)
    tile = expected_tile(standalone)
    other_db = open_database(demo_path)
    try:
        from tdm1_scheduler.services import nurse

        other = Context(SqliteStore(other_db), FixedClock(DEMO_NOW), "other")
        nurse.arrive(other, appointment_id=tile.data.appointment_id)
    finally:
        other_db.conn.close()
    assert standalone.poll_data_version()
    assert standalone.tile_for(tile.data.appointment_id).phase_label.text() == "Arrived/prep"
    assert not standalone.poll_data_version()
    standalone.stop()


def test_the_day_rolls_over_at_midnight(window: MainWindow) -> None:
    b = board(window)
    assert b.tiles
    clock(window.ctx).current = datetime.fromisoformat("2026-11-19T03:00:00-05:00")
    b.tick()
    today = {t.data.visit.planned_start.date() for t in b.tiles.values()}
    assert today <= {datetime.fromisoformat("2026-11-19T12:00:00-05:00").date()}


def test_board_rereads_only_changes_that_reach_today(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-timing of bookings on other days leaves today's board alone; a change to a
    booking on today's board reloads it."""
    from tdm1_scheduler.gui.nurse import board as module
    from tdm1_scheduler.services.context import ChangeSet, CycleMove

    page = board(window)
    reads: list[datetime] = []
    real_board = module.nurse.chair_board
    monkeypatch.setattr(
        module.nurse, "chair_board", lambda db, now: reads.append(now) or real_board(db, now)
    )
    today = page.settings.calendar.local(DEMO_NOW)
    elsewhere = ChangeSet("move", appointments={-1})
    elsewhere.moves.append(
        CycleMove(3, today + timedelta(days=3), today + timedelta(days=4), "Chair 1", "Chair 1")
    )
    window.apply_changes(elsewhere)
    assert reads == []
    tile_id = next(iter(page.tiles))
    here = ChangeSet("move", appointments={tile_id})
    here.moves.append(
        CycleMove(2, today + timedelta(days=9), today + timedelta(days=10), "Chair 1", "Chair 1")
    )
    window.apply_changes(here)
    assert len(reads) == 1
    window.apply_changes(ChangeSet("weigh"))  # no moves named: read again to be safe
    assert len(reads) == 2


def test_a_step_reads_the_board_once(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """A click on a tile: one service call, one announcement through the window, one read
    of today's board (not one from the window and another from the board itself)."""
    from tdm1_scheduler.gui.nurse import board as module

    page = board(window)
    tile = expected_tile(page)
    reads: list[object] = []
    real_board = module.nurse.chair_board
    monkeypatch.setattr(
        module.nurse, "chair_board", lambda db, now: reads.append(now) or real_board(db, now)
    )
    appointment_id = tile.data.appointment_id
    click(tile.buttons["arrive"])
    assert len(reads) == 1
    assert page.tiles[appointment_id].phase_label.text() == "Arrived/prep"
