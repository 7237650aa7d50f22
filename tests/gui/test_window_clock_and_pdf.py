"""The real window: File > Save day sheet as PDF through its dialog, and ``--now`` as the
GUI's fixed clock (issue 12, defects 10 and 11)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from tdm1_scheduler import app as app_module
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.gui import main_window as main_window_module
from tdm1_scheduler.gui.main_window import MainWindow
from tests.store.backends import sqlite_of

from .conftest import OFFSCREEN_NOISE

# Opening a menu offscreen: the platform cannot raise it nor grab the keyboard.
pytestmark = pytest.mark.qt_log_ignore(
    OFFSCREEN_NOISE, "This plugin does not support raise", "does not support grabbing"
)


def test_save_as_pdf_asks_where_with_a_suggested_name_and_writes_there(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    asked: list[str] = []
    target = tmp_path / "chosen.pdf"

    def fake_dialog(parent: object, title: str, suggested: str, filters: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_dialog))
    monkeypatch.chdir(tmp_path)
    window.activateWindow()
    file_menu = window.menu("file")
    # Through the menu, with the keyboard, as a person would: Alt+F, then the accelerator.
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(file_menu.isVisible, timeout=2000)
    QTest.keyClick(file_menu, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: target.exists(), timeout=10000)
    assert asked == [f"day-sheet-{window.shown_day:%Y-%m-%d}.pdf"]
    assert target.read_bytes().startswith(b"%PDF-")
    assert not (tmp_path / "False").exists()
    assert not (Path.cwd() / "False").exists()


def test_save_as_pdf_cancelled_writes_nothing(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    window.pdf_action.trigger()
    assert sorted(os.listdir(tmp_path)) == before


def test_save_as_pdf_never_replaces_a_file_that_is_not_a_pdf(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(notes), "PDF (*.pdf)"))
    )
    window.pdf_action.trigger()
    assert notes.read_text() == "keep me"
    assert "not saved" in window.statusBar().currentMessage()
    window.pdf_refusal.close()


@pytest.fixture(autouse=True)
def application_style_restored(qapp: Any) -> Iterator[None]:
    """``run_gui`` styles the whole application (the stylesheet, the icon): put it back,
    so the tests after these see the application as they would alone."""
    sheet, icon = qapp.styleSheet(), qapp.windowIcon()
    yield
    qapp.setStyleSheet(sheet)
    qapp.setWindowIcon(icon)


def run_gui_capturing(monkeypatch: pytest.MonkeyPatch, **options: Any) -> MainWindow:
    """``run_gui`` up to its window (self-check mode: no event loop), the window kept."""
    made: list[MainWindow] = []

    class Captured(MainWindow):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(main_window_module, "MainWindow", Captured)
    args = argparse.Namespace(
        **{"db": None, "demo": False, "now": None, "user": None, "self_check": True, **options}
    )
    assert app_module.run_gui(args) == 0
    assert len(made) == 1
    return made[0]


def test_the_gui_honours_now_as_a_fixed_clock(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    win = run_gui_capturing(monkeypatch, db=str(demo_path), now="2026-11-18T10:00")
    qtbot.addWidget(win)
    try:
        assert isinstance(win.ctx.clock, FixedClock)
        assert win.ctx.clock.now() == datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # NY wall time
        assert win.shown_day.isoformat() == "2026-11-18"
        assert "(today)" in win.day_title.text()
    finally:
        win.close()
        sqlite_of(win.ctx.store).conn.close()


def test_a_new_demo_clinic_is_built_around_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    missing = tmp_path / "none.db"
    win = run_gui_capturing(monkeypatch, db=str(missing), now="2026-12-01T09:40")
    qtbot.addWidget(win)
    try:
        assert win.demo
        assert win.ctx.clock.now() == datetime(2026, 12, 1, 14, 40, tzinfo=UTC)
        assert win.shown_day.isoformat() == "2026-12-01"
        assert win.model.rowCount() >= 20  # the demo's busy day is that day
    finally:
        win.close()
        sqlite_of(win.ctx.store).conn.close()


def test_a_bad_now_is_refused_in_one_line(
    demo_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = argparse.Namespace(
        db=str(demo_path), demo=False, now="yesterday", user=None, self_check=True
    )
    assert app_module.run_gui(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "now" in err
