"""The charge nurse's journey: the same Tuesday as the nurses' (Ada Lovelace in Chair 1,
Grace Hopper in Chair 2, both at 09:00), mid-morning with Ada's infusion running.
File > Print day sheet opens a print preview; File > Save day sheet as PDF asks where
to save it, suggesting ``day-sheet-2026-11-17.pdf``, and writes that PDF. Both are
opened from the menu bar with the keyboard and the mouse, as a person does.
"""

from __future__ import annotations

import gc
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from .conftest import (
    ADA,
    GRACE,
    NAMES,
    OFFSCREEN_NOISE,
    TUESDAY,
    Clinic,
    appointment_id,
    dump,
    set_up_day,
    visit_state,
)
from .gui_steps import board_of, step

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

SUGGESTED = "day-sheet-2026-11-17.pdf"


def mid_morning(clinic: Clinic) -> Any:
    """The nurses' Tuesday at 09:30: Ada arrived at 08:55 and started at 09:15."""
    set_up_day(clinic)
    window = clinic.open_window()
    board = board_of(window)
    ada = appointment_id(clinic.db, ADA, 1)
    step(clinic, board, ada, "arrive", 8, 55)
    step(clinic, board, ada, "start", 9, 15)
    assert visit_state(clinic.db, ada)[0] == "infusing"
    window.show_today()
    assert window.shown_day == TUESDAY
    return window


def choose_from_file_menu(qtbot: Any, window: Any, action_name: str) -> None:
    """A click on File in the menu bar opens the menu; a click on the item runs it."""
    bar = window.menuBar()
    file_menu = bar.findChild(QMenu, "fileMenu")
    title = bar.actionGeometry(file_menu.menuAction()).center()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=title)
    qtbot.waitUntil(file_menu.isVisible, timeout=2000)
    action = next(a for a in file_menu.actions() if a.objectName() == action_name)
    QTest.mouseClick(
        file_menu, Qt.MouseButton.LeftButton, pos=file_menu.actionGeometry(action).center()
    )
    qtbot.waitUntil(lambda: not file_menu.isVisible(), timeout=2000)


def test_charge_nurse_print_preview_of_the_day(clinic: Clinic, qtbot: Any) -> None:
    from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget

    window = mid_morning(clinic)
    before = dump(clinic.db)
    choose_from_file_menu(qtbot, window, "printDaySheetAction")
    gc.collect()  # the preview's printer must outlive a collection
    previews = [
        w
        for w in QApplication.topLevelWidgets() + window.findChildren(QPrintPreviewDialog)
        if isinstance(w, QPrintPreviewDialog)
    ]
    assert len({id(p) for p in previews}) == 1
    preview = previews[0]
    qtbot.waitUntil(preview.isVisible, timeout=3000)
    assert preview.windowTitle() == "Day sheet Tue 2026-11-17"
    widget = preview.findChild(QPrintPreviewWidget)
    painted: list[int] = []
    preview.paintRequested.connect(lambda _printer: painted.append(1))
    widget.updatePreview()
    qtbot.waitUntil(lambda: bool(painted), timeout=3000)
    assert widget.pageCount() == 1  # two chairs: one landscape page
    assert dump(clinic.db) == before  # a preview writes nothing
    preview.close()


class SaveDialogs:
    """Stands in for File > Save's question, whichever way it is asked: the static
    ``QFileDialog.getSaveFileName`` (faked) or a ``QFileDialog`` the app opens (filled
    in and accepted). Records the suggested file name."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: Path) -> None:
        self.answer = answer
        self.suggested: list[str] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._static)
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def _static(self, *args: Any, **kwargs: Any) -> tuple[str, str]:
        suggested = kwargs.get("dir", args[2] if len(args) > 2 else "")
        self.suggested.append(os.path.basename(str(suggested)))
        return str(self.answer), "PDF (*.pdf)"

    def _poll(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QFileDialog) and widget.isVisible():
                chosen = widget.selectedFiles()
                self.suggested.append(os.path.basename(chosen[0]) if chosen else "")
                widget.selectFile(str(self.answer))
                widget.accept()

    def stop(self) -> None:
        self.timer.stop()


def test_charge_nurse_saves_the_day_sheet_as_pdf(
    clinic: Clinic, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader

    window = mid_morning(clinic)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    target = tmp_path / "sheets" / SUGGESTED
    target.parent.mkdir()
    before = dump(clinic.db)
    dialogs = SaveDialogs(monkeypatch, target)
    try:
        choose_from_file_menu(qtbot, window, "saveDaySheetPdfAction")
        qtbot.waitUntil(lambda: target.exists() or any(cwd.iterdir()), timeout=3000)
    finally:
        dialogs.stop()
    assert not (cwd / "False").exists()
    assert list(cwd.iterdir()) == []
    assert dialogs.suggested == [SUGGESTED]
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = PdfReader(str(target)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert len(pages) == 1
    assert "day sheet Tue 17 Nov 2026" in text, text[:300]
    assert "Printed 2026-11-17 09:15" in text  # the clock the window was given
    for mrn in (ADA, GRACE):
        assert f"{NAMES[mrn]} {mrn} 1/14" in text, (mrn, text)  # the table row (issue 14)
    assert str(target) in window.statusBar().currentMessage()
    assert dump(clinic.db) == before  # saving a sheet writes nothing to the clinic


def test_the_saved_day_sheet_is_private(
    clinic: Clinic, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12, defect 8: the PDF holds names, so it is mode 0600 whatever the umask."""
    window = mid_morning(clinic)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    target = tmp_path / SUGGESTED
    old = os.umask(0o022)
    dialogs = SaveDialogs(monkeypatch, target)
    try:
        choose_from_file_menu(qtbot, window, "saveDaySheetPdfAction")
        qtbot.waitUntil(lambda: target.exists() or any(cwd.iterdir()), timeout=3000)
    finally:
        dialogs.stop()
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
