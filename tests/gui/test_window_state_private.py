"""The window layout's file is private (0600) whatever the umask, as every file the app
makes, and stays so when it is written again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QMainWindow

from tdm1_scheduler.gui import window_state

ROOT = Path(__file__).resolve().parents[2]


def test_the_layout_file_is_made_0600_and_stays_so(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "layouts" / "window.ini"
    monkeypatch.setenv(window_state.STATE_FILE_ENV, str(path))
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(640, 480)
    old = os.umask(0)
    try:
        window_state.save_state(window)
        first = os.stat(path).st_mode & 0o777
        window.resize(700, 500)
        window_state.save_state(window)
        second = os.stat(path).st_mode & 0o777
    finally:
        os.umask(old)
    assert (first, second) == (0o600, 0o600)
    assert os.stat(path.parent).st_mode & 0o777 == 0o700
    restored = QMainWindow()
    qtbot.addWidget(restored)
    store = window_state.open_store()
    assert restored.restoreGeometry(store.value(window_state.GEOMETRY_KEY))
    assert (restored.width(), restored.height()) == (700, 500)


# The per-user store (no env file), in a child with umask 000 and its own HOME.
CHILD = """
import json, os, sys
os.umask(0)
from PySide6.QtWidgets import QApplication, QMainWindow
from tdm1_scheduler.gui import window_state
app = QApplication([])
window = QMainWindow()
window.resize(640, 480)
window_state.save_state(window)
path = window_state.open_store().fileName()
print(json.dumps([path, oct(os.stat(path).st_mode & 0o777)]))
"""


def test_the_per_user_layout_file_is_0600(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")  # fmt: skip
    env.pop(window_state.STATE_FILE_ENV, None)
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          env=env, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    path, mode = json.loads(done.stdout.splitlines()[-1])
    assert path.startswith(str(tmp_path / "config")), path
    assert mode == "0o600"
