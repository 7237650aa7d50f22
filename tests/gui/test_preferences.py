"""Tools > Preferences... edits the clinic settings in the database; the window layout
is kept in QSettings (gui/window_state.py). Driven through real Qt events."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QLabel, QTimeEdit, QWidget

from tdm1_scheduler import settings as declared
from tdm1_scheduler.gui import window_state
from tdm1_scheduler.gui.main_window import MainWindow, first_size
from tdm1_scheduler.gui.preferences.dialog import PreferencesDialog
from tdm1_scheduler.services.clinic import WEEKDAY_NAMES, add_closed_date
from tdm1_scheduler.services.context import ChangeSet, Context, load_settings
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import from_utc_text
from tests.store.backends import sqlite_of

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

BUSY_DAY = date(2026, 11, 18)  # the demo's busy day: every chair has bookings
FREE_DAY = date(2028, 6, 1)  # far past every demo booking


def open_preferences(qtbot, window: MainWindow) -> PreferencesDialog:  # type: ignore[no-untyped-def]
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    feature = window.features["preferences"]
    qtbot.waitUntil(lambda: feature.dialog is not None and feature.dialog.isVisible())
    return feature.dialog


def type_value(editor: QAbstractSpinBox, text: str) -> None:
    QTest.mouseClick(editor, Qt.MouseButton.LeftButton)
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, text)


def type_time(edit: QTimeEdit, hhmm: str) -> None:
    """Click into a time editor, select its hour section by keyboard and type ``HHMM``."""
    QTest.mouseClick(edit, Qt.MouseButton.LeftButton)
    QTest.keyClick(edit, Qt.Key.Key_Home)
    for _ in range(2):
        QTest.keyClick(edit, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(edit, hhmm)


def audit_actions(ctx: Context) -> list[str]:
    return [row["action"] for row in repo.audit_rows(sqlite_of(ctx.store), 1000)]


def dump(ctx: Context) -> str:
    """Every table, row for row (the audit log included)."""
    return "\n".join(sqlite_of(ctx.store).conn.iterdump())


def test_preferences_action_is_in_the_tools_menu(window: MainWindow) -> None:
    actions = window.menu("tools").actions()
    names = [action.objectName() for action in actions]
    assert "preferencesAction" in names


def test_every_editable_setting_has_a_labelled_editor(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = open_preferences(qtbot, window)
    assert set(dialog.editors) == {s.key for s in declared.editable_settings()}
    for setting in declared.editable_settings():
        editor = dialog.editors[setting.key]
        assert editor.accessibleName() == setting.label
        assert setting.help in editor.toolTip()
        assert editor.maximum() == setting.high
    for widget in dialog.findChildren(QWidget):
        if widget.isVisible() and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
            if widget.objectName().startswith("qt_"):  # Qt's own spin box line edits
                continue
            assert widget.accessibleName(), widget.objectName() or type(widget).__name__
    # The dialog shows what the database holds.
    stored = load_settings(window.ctx.store)
    assert dialog.editors["prep_min"].value() == stored.rules.prep_min == 15
    assert dialog.editors["start_cap"].text() == "No cap"  # None shown as its meaning
    name = dialog.findChild(QLabel, "nameLabel")
    zone = dialog.findChild(QLabel, "timezoneLabel")
    assert name.text() == stored.name and zone.text() == "America/New_York"
    # The time zone is shown, never edited, and says why beside it.
    note = dialog.findChild(QLabel, "timezoneNote")
    assert note.isVisible() and "wall time of every booking" in note.text()
    assert note.accessibleName()


def test_the_hours_grid_shows_the_stored_week(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = open_preferences(qtbot, window)
    stored = load_settings(window.ctx.store).calendar.hours
    assert len(dialog.weekday_editors) == 7
    for weekday, (name, row) in enumerate(zip(WEEKDAY_NAMES, dialog.weekday_editors, strict=True)):
        assert row.open_box.accessibleName() == f"{name} open"
        assert row.opens.accessibleName() == f"{name} opens"
        assert row.closes.accessibleName() == f"{name} closes"
        assert row.open_box.isChecked() == (weekday in stored)
        assert row.opens.isEnabled() == row.closes.isEnabled() == (weekday in stored)
        if weekday in stored:
            assert row.opens.time().toString("HH:mm") == f"{stored[weekday].opens:%H:%M}"
            assert row.closes.time().toString("HH:mm") == f"{stored[weekday].closes:%H:%M}"
    assert dialog.changed_hours() is None  # nothing edited yet


def test_typed_values_are_saved_through_the_service(
    qtbot, window: MainWindow, ctx: Context
) -> None:  # type: ignore[no-untyped-def]
    seen: list[object] = []
    window.sig_data_changed.connect(seen.append)
    dialog = open_preferences(qtbot, window)
    type_value(dialog.editors["prep_min"], "20")
    type_value(dialog.editors["start_cap"], "3")
    type_value(dialog.editors["weight_recalc_percent"], "7.5")
    assert dialog.changed_values() == {
        "prep_min": 20,
        "start_cap": 3,
        "weight_recalc_percent": 7.5,
    }
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    stored = load_settings(ctx.store)
    assert stored.rules.prep_min == 20 and stored.start_cap == 3
    assert stored.weight_recalc_percent == 7.5
    assert window.settings.rules.prep_min == 20  # the window reloaded (apply_changes)
    assert len(seen) == 1 and isinstance(seen[0], ChangeSet) and seen[0].settings
    assert audit_actions(ctx).count("change settings") == 1


def test_a_cleared_cap_is_stored_as_no_cap(qtbot, window: MainWindow, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    from tdm1_scheduler.services.clinic import update_settings

    update_settings(ctx, {"start_cap": 4})
    dialog = open_preferences(qtbot, window)
    assert dialog.editors["start_cap"].value() == 4
    editor = dialog.editors["start_cap"]
    QTest.mouseClick(editor, Qt.MouseButton.LeftButton)
    for _ in range(4):  # step down to the "No cap" value below the range
        QTest.keyClick(editor, Qt.Key.Key_Down)
    assert editor.text() == "No cap"
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert load_settings(ctx.store).start_cap is None


def test_refused_values_write_nothing_and_keep_the_dialog_open(
    qtbot, window: MainWindow, ctx: Context
) -> None:  # type: ignore[no-untyped-def]
    before = sqlite_of(ctx.store).conn.execute("select * from clinic").fetchall()
    audits = len(audit_actions(ctx))
    dialog = open_preferences(qtbot, window)
    type_value(dialog.editors["weight_min_kg"], "200")
    type_value(dialog.editors["weight_max_kg"], "150")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert "Lowest weight" in dialog.error_label.text()
    assert sqlite_of(ctx.store).conn.execute("select * from clinic").fetchall() == before
    assert len(audit_actions(ctx)) == audits


def test_cancel_writes_nothing(qtbot, window: MainWindow, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    audits = len(audit_actions(ctx))
    dialog = open_preferences(qtbot, window)
    type_value(dialog.editors["prep_min"], "30")
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert load_settings(ctx.store).rules.prep_min == 15
    assert len(audit_actions(ctx)) == audits


def test_closing_a_free_date_uses_the_closed_date_service(
    qtbot, window: MainWindow, ctx: Context
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_preferences(qtbot, window)
    type_value(dialog.editors["prep_min"], "25")  # an unsaved edit survives the refresh
    dialog.closed_date_edit.setDate(QDate(FREE_DAY.year, FREE_DAY.month, FREE_DAY.day))
    QTest.mouseClick(dialog.closed_reason_edit, Qt.MouseButton.LeftButton)
    QTest.keyClicks(dialog.closed_reason_edit, "Staff training")
    QTest.mouseClick(dialog.close_date_button, Qt.MouseButton.LeftButton)
    assert FREE_DAY in load_settings(ctx.store).calendar.closed_dates
    assert FREE_DAY in window.settings.calendar.closed_dates
    rows = repo.closed_dates(sqlite_of(ctx.store))
    assert [(r["day"], r["reason"]) for r in rows] == [("2028-06-01", "Staff training")]
    items = [dialog.closed_list.item(i).text() for i in range(dialog.closed_list.count())]
    assert items == ["Thu 2028-06-01 Staff training"]
    assert dialog.editors["prep_min"].value() == 25
    assert load_settings(ctx.store).rules.prep_min == 15  # not saved until Save


def test_closing_a_booked_date_is_refused(qtbot, window: MainWindow, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    dialog = open_preferences(qtbot, window)
    dialog.closed_date_edit.setDate(QDate(BUSY_DAY.year, BUSY_DAY.month, BUSY_DAY.day))
    QTest.mouseClick(dialog.close_date_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.isVisible()
    assert "booked" in dialog.error_label.text()
    assert repo.closed_dates(sqlite_of(ctx.store)) == []
    assert dialog.closed_list.count() == 0


def test_fridays_new_closing_time_is_saved(qtbot, window: MainWindow, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    seen: list[object] = []
    window.sig_data_changed.connect(seen.append)
    dialog = open_preferences(qtbot, window)
    friday = dialog.weekday_editors[4]
    type_time(friday.closes, "1830")
    assert friday.closes.time().toString("HH:mm") == "18:30"
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    rows = {
        row["weekday"]: (row["opens"], row["closes"])
        for row in repo.opening_hours(sqlite_of(ctx.store))
    }
    assert rows[4] == ("08:00", "18:30")
    assert rows[3] == ("08:00", "17:00")  # the other weekdays as they were
    assert load_settings(ctx.store).calendar.hours[4].closes == time(18, 30)
    assert window.settings.calendar.hours[4].closes == time(18, 30)  # apply_changes
    assert len(seen) == 1 and isinstance(seen[0], ChangeSet) and seen[0].settings
    actions = audit_actions(ctx)
    assert actions.count("change opening hours") == 1
    assert "change settings" not in actions  # no site policy was edited


def test_closing_a_weekday_with_bookings_is_refused(
    qtbot, window: MainWindow, ctx: Context
) -> None:  # type: ignore[no-untyped-def]
    booked = repo.booked_from(sqlite_of(ctx.store), ctx.clock.now())
    assert booked, "the demo clinic should have bookings to come"
    calendar = load_settings(ctx.store).calendar
    weekday = calendar.local(from_utc_text(booked[0]["start_utc"])).weekday()
    before = dump(ctx)
    dialog = open_preferences(qtbot, window)
    row = dialog.weekday_editors[weekday]
    QTest.mouseClick(row.open_box, Qt.MouseButton.LeftButton)
    assert not row.open_box.isChecked()
    assert not row.opens.isEnabled() and not row.closes.isEnabled()
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    text = dialog.error_label.text()
    assert text.startswith("Opening hours: ")
    assert "booked appointment(s) fall outside the new hours" in text
    assert f"({booked[0]['chair_name']})" in text
    assert dump(ctx) == before
    assert weekday in window.settings.calendar.hours


def test_new_hours_wait_for_a_refused_setting(qtbot, window: MainWindow, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    before = dump(ctx)
    dialog = open_preferences(qtbot, window)
    type_time(dialog.weekday_editors[4].closes, "1900")
    type_value(dialog.editors["weight_min_kg"], "200")
    type_value(dialog.editors["weight_max_kg"], "150")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Lowest weight" in dialog.error_label.text()
    assert dump(ctx) == before  # the hours were not written either: one Save, all or nothing


def test_reopening_a_closed_date(qtbot, window: MainWindow, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    add_closed_date(ctx, FREE_DAY, "Staff training")
    add_closed_date(ctx, date(2028, 7, 4), "Independence Day")
    window.apply_changes(ChangeSet("close", settings=True))
    assert FREE_DAY in window.settings.calendar.closed_dates
    dialog = open_preferences(qtbot, window)
    type_value(dialog.editors["prep_min"], "25")  # an unsaved edit survives the refresh
    assert not dialog.reopen_button.isEnabled()  # nothing selected yet
    view = dialog.closed_list
    assert view.item(0).text() == "Thu 2028-06-01 Staff training"  # with its reason
    rect = view.visualItemRect(view.item(0))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.reopen_button.isEnabled()
    QTest.mouseClick(dialog.reopen_button, Qt.MouseButton.LeftButton)
    assert [row["day"] for row in repo.closed_dates(sqlite_of(ctx.store))] == ["2028-07-04"]
    assert FREE_DAY not in window.settings.calendar.closed_dates  # apply_changes
    assert [view.item(i).text() for i in range(view.count())] == ["Tue 2028-07-04 Independence Day"]
    assert not dialog.reopen_button.isEnabled()
    assert audit_actions(ctx).count("remove closed date") == 1
    assert dialog.editors["prep_min"].value() == 25
    assert load_settings(ctx.store).rules.prep_min == 15  # not saved until Save


# --- window state (QSettings) ---------------------------------------------------------
@pytest.fixture
def state_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "window.ini"
    monkeypatch.setenv(window_state.STATE_FILE_ENV, str(path))
    return path


def new_window(qtbot, ctx: Context) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(ctx, demo=True)
    qtbot.addWidget(win)
    return win


def test_window_layout_round_trips(
    qtbot, window: MainWindow, ctx: Context, state_file: Path
) -> None:  # type: ignore[no-untyped-def]
    # The offscreen screen is 800x800 and restoreGeometry fits a window into its screen,
    # while the window is wider than that: the height is what can round-trip here.
    lowest = max(window.minimumSizeHint().height(), window.minimumHeight())
    assert lowest < 780, "the main window is too tall to test on the offscreen screen"
    target = (lowest + 800) // 2
    window.resize(window.width(), target)
    qtbot.waitUntil(lambda: window.height() == target)
    window.toolbar.hide()
    extra = QWidget()
    window.add_page(extra, "Extra", "extraPage")
    window.pages.setCurrentWidget(extra)
    window_state.save_state(window)
    assert state_file.exists()
    stored = QSettings(str(state_file), QSettings.Format.IniFormat)
    assert stored.value("window/page") == "extraPage"

    again = new_window(qtbot, ctx)
    assert again.height() == target  # the main window restores its layout when built
    again.add_page(QWidget(), "Extra", "extraPage")
    assert window_state.restore_state(again)  # again, now that the extra page exists
    again.show()
    qtbot.waitExposed(again)
    assert again.height() == target
    assert again.toolbar.isHidden()
    assert again.pages.currentWidget().objectName() == "extraPage"
    again.close()


def test_missing_or_damaged_state_keeps_the_defaults(qtbot, ctx: Context, state_file: Path) -> None:  # type: ignore[no-untyped-def]
    win = new_window(qtbot, ctx)
    first_page = win.pages.currentWidget().objectName()
    assert not window_state.restore_state(win)  # nothing saved yet
    store = QSettings(str(state_file), QSettings.Format.IniFormat)
    store.setValue("window/geometry", b"not a geometry")
    store.setValue("window/page", "noSuchPage")
    store.sync()
    assert not window_state.restore_state(win)
    assert win.size() == first_size(win.screen().availableGeometry().size())  # the default
    assert win.pages.currentWidget().objectName() == first_page
    win.close()


def test_window_keys_are_the_declared_ones() -> None:
    keys = {window_state.GEOMETRY_KEY, window_state.STATE_KEY, window_state.PAGE_KEY}
    assert keys == {s.key for s in declared.window_settings()}


def test_every_setting_can_be_reached_without_being_cut_off(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Seen under Xvfb at 1920x1080: Reopen and List holidays were cut off at the right,
    with no scroll bar to reach them. The settings fit the dialog, or it scrolls."""
    dialog = open_preferences(qtbot, window)
    qtbot.waitExposed(dialog)
    viewport = dialog.scroll_area.viewport()
    needed = dialog.content.minimumSizeHint().width()
    fits = viewport.width() >= needed
    scrolls = dialog.scroll_area.horizontalScrollBar().isVisible()
    assert fits or scrolls, (viewport.width(), needed)
    for name in ("Reopen", "List holidays", "Close this date"):
        buttons = [b for b in dialog.findChildren(QWidget) if getattr(b, "text", None)
                   and callable(b.text) and b.text().replace("&", "") == name]  # fmt: skip
        assert buttons, name
        if fits:
            right = buttons[0].mapTo(viewport, buttons[0].rect().topRight()).x()
            assert right <= viewport.width(), (name, right, viewport.width())
