"""Shared test set-up. Qt runs headless: the platform is chosen before any Qt import."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def own_window_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test keeps its window layout in its own file, never the user's."""
    monkeypatch.setenv("TDM1_SCHEDULER_WINDOW_STATE", str(tmp_path / "window.ini"))
