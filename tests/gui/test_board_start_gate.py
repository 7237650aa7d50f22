"""Start infusion under ``readiness_gate enforce`` for a bag never prepared: refused
before any override is asked for, so nothing is written. Real QTest clicks on the demo
clinic (Rosa Ueda's cycle 9, Chair 6, expected at 12:30 New York)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.nurse.board import NurseBoard
from tdm1_scheduler.services import readiness as readiness_service
from tests.store.backends import sqlite_of

from .conftest import DEMO_NOW, OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")

BOARD_MRN, BOARD_CYCLE = "MRN100340", 9


def click(widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def dump(window: MainWindow) -> str:
    return "\n".join(sqlite_of(window.ctx.store).conn.iterdump())


def test_a_never_prepared_bag_is_refused_before_an_override_is_asked(
    window: MainWindow,
) -> None:
    ctx = window.ctx
    for changes in (
        readiness_service.set_readiness_settings(ctx, {"readiness_gate": "enforce"}),
        readiness_service.add_lab(
            ctx, mrn=BOARD_MRN, test="platelets", value=40_000, uln=None,
            at=DEMO_NOW - timedelta(hours=4),
        ),
    ):  # fmt: skip
        window.apply_changes(changes)
    board = window.features["nurse_board"].board
    assert isinstance(board, NurseBoard)
    window.pages.setCurrentWidget(board)
    tile = next(t for t in board.tiles.values() if t.data and t.data.mrn == BOARD_MRN)
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.current = tile.data.visit.planned_start
    board.reload()
    tile = board.tile_for(tile.data.appointment_id)
    assert tile.bag_label.text() == "Bag: never prepared (no reconstitution recorded)"
    before = dump(window)

    click(tile.buttons["start"])

    tile = board.tile_for(tile.data.appointment_id)
    assert tile.message_label.text() == "Refused: never prepared (no reconstitution recorded)"
    assert board.dialog is None  # no override asked for
    assert list(sqlite_of(ctx.store).query("SELECT * FROM readiness_overrides")) == []
    assert dump(window) == before  # no override row, no audit row, nothing started
