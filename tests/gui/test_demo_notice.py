"""The demo clinic says, always in view, that it is practice data that is not kept, and
the GUI started on a missing database removes the demo's temporary folder when it quits
(a user-tester worked for an hour in a demo believing it was their clinic)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tdm1_scheduler.gui.main_window import DEMO_NOTICE, MainWindow
from tdm1_scheduler.services.context import Context

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_the_demo_window_says_nothing_is_kept(window: MainWindow) -> None:
    banner = window.demo_banner
    assert banner.isVisible() and banner.text() == DEMO_NOTICE
    assert "Nothing done here is kept" in banner.text() and "init --db" in banner.text()
    assert window.windowTitle().count("(demo)") == 1


def test_a_clinic_window_has_no_demo_notice(qtbot, ctx: Context) -> None:
    win = MainWindow(ctx, demo=False)
    qtbot.addWidget(win)
    assert not hasattr(win, "demo_banner")
    win.close()


@pytest.mark.slow
def test_the_demo_folder_goes_when_the_app_quits(tmp_path: Path) -> None:
    import subprocess

    script = (
        "import sys, tempfile, glob\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from tdm1_scheduler.cli.main import build_parser\n"
        "from tdm1_scheduler import app\n"
        "app_ = QApplication(sys.argv[:1])\n"
        "QTimer.singleShot(1500, app_.quit)\n"
        f"args = build_parser().parse_args(['--db', {str(tmp_path / 'none.db')!r}, "
        "'--now', '2026-12-01T09:40'])\n"
        "before = set(glob.glob(tempfile.gettempdir() + '/tdm1-demo-*'))\n"
        "code = app.run_gui(args)\n"
        "after = set(glob.glob(tempfile.gettempdir() + '/tdm1-demo-*'))\n"
        "print(code, len(after - before))\n"
    )
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
             "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.stdout.split() == ["0", "0"], done.stderr
    assert not (tmp_path / "none.db").exists()
