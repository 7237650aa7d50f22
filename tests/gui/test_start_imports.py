"""What the window's start imports and builds before its first paint (issue 19, the
imports of a cold start): not ``dataclasses`` (``services.live.ReadAgain`` is a lean
class now), not the readiness rules and their service (``gui/readiness/view.py`` imports
them in the functions that read or show a readiness, each run after the first paint),
not the migrations of an up-to-date file (``tests/store/test_schema_names.py``),
and not the live link's ``QSocketNotifier`` on SQLite, which polls, nor its
``services.live_server``; not the planner's week view and visit menu modules, built
when first used (``test_deferred_first_actions.py``). Each still works
when used: the readiness in ``test_readiness_gui.py``, ``test_patients_seam.py`` and
``test_board_start_answer.py``, the notifier on a server store in ``test_live_link.py``.

(Qt's event classes are no such saving: an event that reaches a Python filter is
wrapped in its own class, and Shiboken then builds that class's relatives too, in the
bare window as here.)

Nor dateutil's ``tz`` and ``six``: the clinic's zone is the standard library's
``zoneinfo`` (``tests/domain/test_zone_oracle.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import OFFSCREEN_NOISE
from .test_lazy_start import SHOWN_TO_FIRST_PAINT, STYLED_WINDOW, start_report

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

NOT_IMPORTED = (
    "dataclasses",
    "copy",
    "dateutil.tz",  # the clinic's zone is zoneinfo's (issue 19); dateutil.tz imports six
    "six",
    "tdm1_scheduler.domain.readiness",
    "tdm1_scheduler.domain.readiness_gate",
    "tdm1_scheduler.services.readiness",
    "tdm1_scheduler.store.migrations",
    "tdm1_scheduler.store.migration_set",
    # The Week, the visit menu and the server's live link: built when first used (the
    # Week shown, a menu opened; a server store) in test_deferred_first_actions.py.
    "tdm1_scheduler.gui.planner.week_view",
    "tdm1_scheduler.gui.planner.context_menu",
    "tdm1_scheduler.services.live_server",
    # A move's undo steps, past-time question and preview type: at the first move.
    "tdm1_scheduler.gui.planner.commands",
    "tdm1_scheduler.gui.planner.past_booking",
    "tdm1_scheduler.services.preview",
    # The safe writes of a new file or a backup, and the day sheet's reads: when used
    # (tests/test_privacy.py, tests/store/test_sheet_results_read.py).
    "tdm1_scheduler.safe_files",
    "tdm1_scheduler.store.sheet_queries",
)
NOT_BUILT = {"QtCore": ("QSocketNotifier",)}

START = f"NOT_IMPORTED = {NOT_IMPORTED!r}\nNOT_BUILT = {NOT_BUILT!r}\n"
START += """
import json, sys
import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
report = {}

def seen():
    modules = {"QtCore": PySide6.QtCore, "QtGui": PySide6.QtGui, "QtWidgets": PySide6.QtWidgets}
    built = sorted(name for key, names in NOT_BUILT.items() for name in names
                   if name in modules[key].__dict__)
    return {"imported": sorted(set(NOT_IMPORTED) & set(sys.modules)), "built": built}

class FirstPaint(QObject):  # on the window only, as the app's own filters are
    def eventFilter(self, watched, event):
        if "first_paint" not in report and event.type() == QEvent.Type.Paint:
            report["first_paint"] = seen()
            QTimer.singleShot(0, app.quit)
        return False

"""
START += STYLED_WINDOW + SHOWN_TO_FIRST_PAINT


def test_the_first_paint_imports_and_builds_none_of_them(demo_path: Path, tmp_path: Path) -> None:
    report = start_report(START, demo_path, tmp_path)
    assert report["first_paint"] == {"imported": [], "built": []}


def test_the_check_sees_a_built_class_and_an_imported_module(
    demo_path: Path, tmp_path: Path
) -> None:
    """The same script, told to build one of them first, reports it (the check works)."""
    script = START.replace(
        "window.show()", "import dataclasses; PySide6.QtCore.QSocketNotifier\nwindow.show()"
    )
    report = start_report(script, demo_path, tmp_path)
    assert report["first_paint"] == {
        "imported": ["copy", "dataclasses"],
        "built": ["QSocketNotifier"],
    }
