"""Preferences lists a year's public holidays to pick from; "Close selected" goes
through the one closed-date rule (refused as a whole when one has bookings) and "Close
selected and re-book" through the close-and-re-book path. Real Qt events; the database
is asserted."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListWidget

from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.preferences.close_date_rebook import booking_lines
from tdm1_scheduler.interop.holidays import public_holidays
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.store import repository as repo
from tests.store.backends import sqlite_of

from .conftest import OFFSCREEN_NOISE
from .test_preferences import dump, open_preferences, type_value

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def list_holidays(qtbot, window: MainWindow, region: str, year: int):  # type: ignore[no-untyped-def]
    dialog = open_preferences(qtbot, window)
    picker = dialog.holiday_picker
    QTest.mouseClick(picker.region_edit, Qt.MouseButton.LeftButton)
    QTest.keyClicks(picker.region_edit, region)
    type_value(picker.year_spin, str(year))
    QTest.mouseClick(picker.list_button, Qt.MouseButton.LeftButton)
    return dialog, picker


def tick(view: QListWidget, day: date) -> None:
    """Click the holiday's row, then Space toggles its check box."""
    (row,) = [i for i in range(view.count()) if f"{day:%Y-%m-%d}" in view.item(i).text()]
    view.scrollToItem(view.item(row))
    rect = view.visualItemRect(view.item(row))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.keyClick(view, Qt.Key.Key_Space)
    assert view.item(row).checkState() == Qt.CheckState.Checked


def closed(ctx: Context) -> list[tuple[str, str]]:
    return [(r["day"], r["reason"]) for r in repo.closed_dates(sqlite_of(ctx.store))]


def test_the_years_holidays_are_listed_and_the_ticked_ones_closed(
    qtbot, window: MainWindow, ctx: Context
) -> None:  # type: ignore[no-untyped-def]
    dialog, picker = list_holidays(qtbot, window, "US", 2028)
    expected = public_holidays("US", 2028)
    assert picker.list.count() == len(expected) > 5
    assert all(
        picker.list.item(i).checkState() == Qt.CheckState.Unchecked
        for i in range(picker.list.count())
    )
    tick(picker.list, date(2028, 7, 4))
    tick(picker.list, date(2028, 9, 4))
    QTest.mouseClick(picker.close_button, Qt.MouseButton.LeftButton)
    assert closed(ctx) == [("2028-07-04", "Independence Day"), ("2028-09-04", "Labor Day")]
    assert date(2028, 9, 4) in window.settings.calendar.closed_dates  # the window was told
    shown = [dialog.closed_list.item(i).text() for i in range(dialog.closed_list.count())]
    assert shown == ["Tue 2028-07-04 Independence Day", "Mon 2028-09-04 Labor Day"]
    relisted = [picker.list.item(i) for i in range(picker.list.count())]
    done = [item for item in relisted if "(closed)" in item.text()]
    assert len(done) == 2 and not any(item.flags() & Qt.ItemFlag.ItemIsEnabled for item in done)


def test_an_unknown_country_lists_nothing_and_closes_nothing(
    qtbot, window: MainWindow, ctx: Context
) -> None:  # type: ignore[no-untyped-def]
    _, picker = list_holidays(qtbot, window, "QQ", 2028)
    assert picker.list.count() == 0 and "QQ" in picker.error_label.text()
    assert not picker.close_button.isEnabled() and closed(ctx) == []


def test_a_booked_holiday_refuses_them_all_then_they_are_closed_and_rebooked(
    qtbot, window: MainWindow, ctx: Context
) -> None:  # type: ignore[no-untyped-def]
    today = load_settings(ctx.store).calendar.local_date(ctx.clock.now())
    coming = [(day, name) for day, name in public_holidays("US", 2026) if day > today]
    booked = [day for day, _ in coming if booking_lines(ctx, day)]
    free = [day for day, _ in coming if not booking_lines(ctx, day)]
    assert booked, "the demo has bookings on a coming holiday"
    picks = [booked[0], *free[:1]]
    _, picker = list_holidays(qtbot, window, "US", 2026)
    for day in picks:
        tick(picker.list, day)
    before = dump(ctx)
    QTest.mouseClick(picker.close_button, Qt.MouseButton.LeftButton)
    assert dump(ctx) == before  # refused as a whole: not even the free one was closed
    assert "Nothing closed" in picker.error_label.text()
    assert "--rebook" not in picker.error_label.text()  # the GUI names its button
    assert 'use "Close selected and re-book"' in picker.error_label.text()
    assert str(booked[0]) in picker.error_label.text()
    assert picker.rebook_button.isVisible()
    moved = len(booking_lines(ctx, booked[0]))
    QTest.mouseClick(picker.rebook_button, Qt.MouseButton.LeftButton)
    assert [day for day, _ in closed(ctx)] == sorted(str(day) for day in picks)
    assert booking_lines(ctx, booked[0]) == []  # re-booked off the holiday
    assert not picker.rebook_button.isVisible()
    window.undo_stack.undo()  # one step: every holiday reopened, every booking back
    assert closed(ctx) == []
    assert len(booking_lines(ctx, booked[0])) == moved
