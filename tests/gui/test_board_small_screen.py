"""The nurse board on a small screen: the standalone board opens within the screen's
available geometry (the offscreen screen is 800x800; a 1366x768 laptop the same way)."""

from __future__ import annotations

import pytest

from tdm1_scheduler.gui.nurse.board import NurseBoardWindow
from tdm1_scheduler.services.context import Context

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")


def test_the_standalone_board_opens_within_the_screen(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    window = NurseBoardWindow(ctx)
    qtbot.addWidget(window)
    available = window.screen().availableGeometry()
    assert window.width() <= available.width() and window.height() <= available.height()
    window.close()
