"""The main window on a demo clinic, driven through real Qt events."""

from __future__ import annotations

import gc
import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLabel, QToolButton

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.regimen import DRUG_NAME, DRUG_NAME_REMINDER
from tdm1_scheduler.gui import forms
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner.day_model import Column, DayAppointmentsModel
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.services.courses import book_blocked_time
from tdm1_scheduler.services.queries import chairs as chairs_of
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .conftest import DEMO_NOW, OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

BUSY_DAY = date(2026, 11, 18)


def shown_mrns(win: MainWindow) -> list[str]:
    model = win.model
    return [model.index(r, Column.MRN).data() for r in range(model.rowCount())]


def test_opens_on_demo_with_busy_day(window: MainWindow) -> None:
    assert "(demo)" in window.windowTitle()
    assert window.shown_day == BUSY_DAY
    assert window.model.rowCount() >= 20
    cycles = {window.model.index(r, Column.CYCLE).data() for r in range(window.model.rowCount())}
    assert "1/14" in cycles  # an EBC first infusion
    assert any("/" not in c for c in cycles)  # an MBC cycle has no total
    firsts = [
        r
        for r in range(window.model.rowCount())
        if window.model.index(r, Column.FIRST).data() == "first"
    ]
    assert firsts
    assert window.model.index(firsts[0], Column.INFUSION).data() == "90"


def test_every_navigation_control_has_an_accessible_name(window: MainWindow) -> None:
    for button in window.toolbar.findChildren(QToolButton):
        if button.isVisible():
            assert button.accessibleName(), button.objectName()
    assert window.date_edit.accessibleName()
    assert window.table.accessibleName()


def test_day_model_passes_modeltester(qtmodeltester, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    model = DayAppointmentsModel(load_settings(ctx.store))
    model.reload(ctx.store, BUSY_DAY)
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)
    model.reload(ctx.store, BUSY_DAY + timedelta(days=1))
    qtmodeltester.check(model, force_py=True)


def test_next_and_previous_buttons_change_day_and_rows(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    today_rows = shown_mrns(window)
    QTest.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.shown_day == BUSY_DAY + timedelta(days=1)
    assert window.date_edit.date().day() == 19
    next_rows = shown_mrns(window)
    assert next_rows and next_rows != today_rows
    QTest.mouseClick(window.previous_button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(window.previous_button, Qt.MouseButton.LeftButton)
    assert window.shown_day == BUSY_DAY - timedelta(days=1)
    assert shown_mrns(window) not in (today_rows, next_rows)
    QTest.mouseClick(window.today_button, Qt.MouseButton.LeftButton)
    assert window.shown_day == BUSY_DAY
    assert shown_mrns(window) == today_rows


def test_date_picker_changes_the_day(window: MainWindow) -> None:
    window.date_edit.setFocus()
    window.date_edit.setDate(window.date_edit.date().addDays(2))
    assert window.shown_day == BUSY_DAY + timedelta(days=2)


def test_change_from_another_connection_shows_after_poll(
    qtbot,
    window: MainWindow,
    demo_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    before = window.model.rowCount()
    other = open_database(demo_path)
    try:
        settings = load_settings(SqliteStore(other))
        start = settings.calendar.at(BUSY_DAY, time(16, 30))
        chairs = [chair.name for chair in chairs_of(SqliteStore(other))]
        ctx = Context(SqliteStore(other), FixedClock(DEMO_NOW), "other desk")
        for chair in chairs:
            try:
                book_blocked_time(ctx, chair=chair, start=start, minutes=20, label="pump check")
                break
            except DomainError:
                continue
        else:
            raise AssertionError("no chair free at 16:30")
    finally:
        other.conn.close()
    qtbot.waitUntil(lambda: window.model.rowCount() == before + 1, timeout=3000)
    labels = [window.model.index(r, Column.PATIENT).data() for r in range(before + 1)]
    assert "pump check" in labels


def test_about_dialog_names_the_drug_and_disclaims(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.about_action.trigger()
    dialog = window.about_dialog
    assert isinstance(dialog, QDialog)
    qtbot.waitExposed(dialog)
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "ado-trastuzumab emtansine (KADCYLA)" in text
    assert DRUG_NAME in text and DRUG_NAME_REMINDER in text
    assert "fam-trastuzumab deruxtecan" in text
    assert forms.DISCLAIMER in text
    assert "does not replace the prescribing information or clinical judgement" in text
    dialog.close()


def test_undo_redo_actions_and_shortcuts(window: MainWindow) -> None:
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert window.redo_action.shortcut().toString() == "Ctrl+Shift+Z"
    assert not window.undo_action.isEnabled()


def test_self_check_loads_everything(window: MainWindow) -> None:
    assert window.self_check() is True


def test_file_menu_prints_and_saves_the_shown_day(
    qtbot, window: MainWindow, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """File > Print day sheet opens a preview painted by the same render path as the PDF;
    Save as PDF writes the day shown."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget
    from PySide6.QtWidgets import QMenu

    file_menu = window.menuBar().findChild(QMenu, "fileMenu")
    names = [action.objectName() for action in file_menu.actions()]
    assert "printDaySheetAction" in names and "saveDaySheetPdfAction" in names
    painted: list[int] = []
    window.print_action.trigger()
    gc.collect()  # a printer nobody keeps would be freed here and crash the preview
    preview = window.findChild(QPrintPreviewDialog, "daySheetPreview")
    assert preview is not None
    preview.paintRequested.connect(lambda _device: painted.append(1))
    qtbot.waitUntil(lambda: preview.isVisible(), timeout=3000)
    # The preview painted on show; ask again so our counter sees paintRequested fire.
    preview.findChild(QPrintPreviewWidget).updatePreview()
    qtbot.waitUntil(lambda: bool(painted), timeout=3000)
    preview.close()
    target = tmp_path / "sheet.pdf"
    assert window.save_day_sheet_pdf(str(target)) == str(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", data)) >= 1
    assert str(target) in window.statusBar().currentMessage()
