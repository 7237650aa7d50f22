"""The main window on a laptop screen (1366x768): it opens within the screen's free area
and its pages fit there without being clipped by their minimum sizes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize

from tdm1_scheduler.gui.main_window import MainWindow, first_size

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

LAPTOP_FREE_AREA = QSize(1366, 768 - 28)  # less a taskbar


def test_first_size_never_exceeds_the_screen() -> None:
    assert first_size(QSize(1920, 1080)) == QSize(1280, 800)
    assert first_size(LAPTOP_FREE_AREA) == QSize(1280, 740 - 48)  # room for the title bar
    assert first_size(QSize(1366, 768)) == QSize(1280, 720)


@pytest.mark.parametrize("page", ["Planner", "Day list", "Nurse board", "Pharmacy"])
def test_every_page_fits_a_laptop_screen(window: MainWindow, qtbot, page: str) -> None:
    tabs = window.pages
    tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index(page))
    window.resize(LAPTOP_FREE_AREA)
    qtbot.wait(10)
    hint = window.minimumSizeHint()
    assert hint.width() <= LAPTOP_FREE_AREA.width(), page
    assert hint.height() <= LAPTOP_FREE_AREA.height(), page
    assert window.width() <= LAPTOP_FREE_AREA.width()
    assert window.height() <= LAPTOP_FREE_AREA.height()
