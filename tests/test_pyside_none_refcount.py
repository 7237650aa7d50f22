"""Regression: PySide6-Essentials 6.12.0 on Python 3.11 corrupts the refcount of None on
every call of a method that returns nothing, and aborts with
``Fatal Python error: none_dealloc`` after ~5,000 calls. pyproject.toml pins it out."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    label = QLabel()
    for i in range(20_000):
        label.setText(str(i))
    print("ok")
    """
)


@pytest.mark.slow
def test_many_void_calls_do_not_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ok" in result.stdout


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the 6.12.0 bug is on Python 3.11")
def test_broken_release_is_not_installed() -> None:
    import PySide6

    if sys.version_info < (3, 12):
        assert PySide6.__version__ != "6.12.0", "PySide6 6.12.0 aborts on Python 3.11"
