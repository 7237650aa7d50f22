"""Windows kept on the screen. Preferences on a laptop screen: the settings scroll
inside the dialog, the dialog is capped to the screen's free area and Save/Cancel stay
in view, even after "Close this date" lists six bookings (all of them reachable in the
list). A remembered main-window geometry bigger than the screen is clamped into it.
Real Qt events."""

from __future__ import annotations

from datetime import date, time

import pytest
from PySide6.QtCore import QDate, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from tdm1_scheduler.gui import screen_fit, window_state
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.preferences.close_date_rebook import booking_lines
from tdm1_scheduler.services import courses, patients
from tdm1_scheduler.services.context import load_settings

from .conftest import OFFSCREEN_NOISE
from .test_preferences import open_preferences

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

LAPTOP = QRect(0, 0, 1366, 740)  # 1366x768 less a taskbar
SIX_DAY = date(2028, 6, 1)  # far past every demo booking


def _book_six(window: MainWindow) -> None:
    ctx = window.ctx
    calendar = load_settings(ctx.store).calendar
    for n in range(6):
        mrn = f"FIT{n}"
        patients.add_patient(ctx, mrn=mrn, name=f"Fit Patient {n}", weight_kg=60)
        start = calendar.at(SIX_DAY, time(8 + n, 0))
        courses.book_course(ctx, mrn=mrn, setting="EBC", first_dose=start, exact=False)
    assert len(booking_lines(ctx, SIX_DAY)) == 6


def _inside(outer: QWidget, inner: QWidget) -> bool:
    top_left = inner.mapTo(outer, inner.rect().topLeft())
    return outer.rect().contains(QRect(top_left, inner.size()))


def test_six_bookings_listed_keep_save_on_a_laptop_screen(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(screen_fit, "available_geometry", lambda _widget: QRect(LAPTOP))
    _book_six(window)
    dialog = open_preferences(qtbot, window)
    dialog.closed_date_edit.setDate(QDate(SIX_DAY.year, SIX_DAY.month, SIX_DAY.day))
    QTest.mouseClick(dialog.close_date_button, Qt.MouseButton.LeftButton)
    panel = dialog.rebook_panel
    qtbot.waitUntil(panel.isVisible)
    qtbot.wait(20)
    assert panel.list.count() == 6
    assert dialog.frameGeometry().height() <= LAPTOP.height()
    assert dialog.height() <= 740
    assert dialog.save_button.isVisible()
    assert _inside(dialog, dialog.save_button)
    assert _inside(dialog, dialog.buttons)
    view = panel.list
    for row in range(view.count()):  # every booking can be scrolled to and seen
        item = view.item(row)
        view.scrollToItem(item)
        assert view.viewport().rect().intersects(view.visualItemRect(item)), row
    assert view.height() > 4 * view.fontMetrics().lineSpacing() + 12  # more than 4 lines
    dialog.reject()


def test_clamp_rect_fits_a_window_into_the_free_area() -> None:
    free = QRect(0, 0, 1366, 740)
    assert screen_fit.clamp_rect(free, QRect(0, 40, 1280, 768)) == QRect(0, 0, 1280, 740)
    assert screen_fit.clamp_rect(free, QRect(200, 100, 800, 600)) == QRect(200, 100, 800, 600)
    assert screen_fit.clamp_rect(free, QRect(900, 300, 800, 600)) == QRect(566, 140, 800, 600)
    assert screen_fit.clamp_rect(free, QRect(-50, -20, 2000, 900)) == free
    assert screen_fit.clamp_rect(QRect(), QRect(5, 5, 10, 10)) == QRect(5, 5, 10, 10)




def test_a_remembered_geometry_bigger_than_the_screen_is_clamped_into_it(
    qtbot, ctx, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(window_state.STATE_FILE_ENV, str(tmp_path / "window.ini"))
    first = MainWindow(ctx, demo=True)
    qtbot.addWidget(first)
    first.setGeometry(0, 40, 790, 760)  # saved on a taller screen: reaches y=800
    first.show()
    qtbot.waitExposed(first)
    window_state.save_state(first)
    first.close()
    lowest = max(first.minimumSizeHint().height(), first.minimumHeight())
    free = QRect(0, 0, 1366, max(lowest + 20, 640))  # a shorter free area than saved
    monkeypatch.setattr(screen_fit, "available_geometry", lambda _widget: QRect(free))
    again = MainWindow(ctx, demo=True)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert window_state.restore_state(again)
    qtbot.wait(10)
    assert free.contains(again.frameGeometry()), (again.frameGeometry(), free)
    status = again.statusBar()
    bottom = status.mapToGlobal(status.rect().bottomLeft()).y()
    assert bottom <= free.bottom()
    again.close()
