"""The window's start builds only what its first paint shows (issue 19): the Pharmacy
page is a tab and a menu until it is first shown or asked for, and is then the whole
page; the start does not import the pages, dialogs and services it defers (a fresh
process's ``sys.modules`` after the first paint), and the collector pauses only until
that paint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton

from tdm1_scheduler import settings as declared
from tdm1_scheduler.domain.regimen import DRUG_NAME
from tdm1_scheduler.gui import start_gc, window_state
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.pages import PageMap
from tdm1_scheduler.gui.pharmacy.page import PharmacyPage, PharmacyQueueModel
from tdm1_scheduler.gui.pharmacy.tab import PharmacyFeature
from tdm1_scheduler.services.context import ChangeSet

from .conftest import DEMO_NOW, OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

ROOT = Path(__file__).resolve().parents[2]

# What the start must not import: each is loaded when its page, dialog or action is used.
DEFERRED = (
    "PySide6.QtSvg",
    "PySide6.QtUiTools",
    "importlib.resources",
    "tdm1_scheduler.gui.forms",
    "tdm1_scheduler.gui.nurse.board",
    "tdm1_scheduler.gui.patients.dialogs",
    "tdm1_scheduler.gui.pharmacy.dialogs",
    "tdm1_scheduler.gui.pharmacy.page",
    "tdm1_scheduler.gui.pharmacy.queue_model",
    "tdm1_scheduler.gui.planner.block_dialog",
    "tdm1_scheduler.gui.planner.slot_dialog",
    "tdm1_scheduler.gui.preferences.dialog",
    "tdm1_scheduler.gui.readiness.dialogs",
    "tdm1_scheduler.domain.dosing",
    "tdm1_scheduler.reports.day_sheet",
    "tdm1_scheduler.services.courses",
    "tdm1_scheduler.services.moves",
    "tdm1_scheduler.services.pharmacy",
    "tdm1_scheduler.services.restore",
    "tdm1_scheduler.services.slots",
    "tdm1_scheduler.settings",
    "sqlite_utils",
)

TAB_TITLES = ["Planner", "Day list", "Nurse board", "Pharmacy"]
PHARMACY_ACTIONS = [
    ("&Reconstitute...", "reconstituteAction"),
    ("&Dilute...", "diluteAction"),
    ("D&iscard...", "discardAction"),
    ("Discard all &expired", "discardExpiredAction"),
]


def pharmacy_feature(window: MainWindow) -> PharmacyFeature:
    features = window.features
    assert isinstance(features, PageMap)
    feature = features.attached["pharmacy_view"]
    assert isinstance(feature, PharmacyFeature)
    return feature


def pharmacy_menu(window: MainWindow) -> QMenu:
    menus = [a.menu() for a in window.menu("tools").actions() if a.menu() is not None]
    found = [m for m in menus if isinstance(m, QMenu) and m.objectName() == "pharmacyMenu"]
    assert len(found) == 1
    return found[0]


def menu_entry(action: QAction) -> str:
    menu = action.menu()
    return menu.objectName() if isinstance(menu, QMenu) else action.objectName()


def tab_of(window: MainWindow, name: str) -> int:
    pages = window.pages
    found = [i for i in range(pages.count()) if pages.widget(i).objectName() == name]
    assert len(found) == 1
    return found[0]


# --- the Pharmacy tab before and after its first show -----------------------------------
def test_at_start_the_pharmacy_page_is_a_tab_and_its_menu(window: MainWindow) -> None:
    feature = pharmacy_feature(window)
    assert not feature.built
    index = tab_of(window, "pharmacyPage")
    assert window.pages.tabText(index) == "Pharmacy"
    assert window.pages.widget(index).accessibleName() == f"Pharmacy: {DRUG_NAME}"
    titles = [window.pages.tabText(i) for i in range(window.pages.count())]
    assert titles == TAB_TITLES
    menu = pharmacy_menu(window)
    assert menu.title() == "P&harmacy"
    actions = [(a.text(), a.objectName()) for a in menu.actions()]
    assert actions == PHARMACY_ACTIONS
    assert all(a.isEnabled() for a in menu.actions())  # as the page left them unread
    # The Tools menu's order: the patients' actions, Pharmacy, then Preferences.
    names = [menu_entry(a) for a in window.menu("tools").actions()]
    assert names.index("pharmacyMenu") < names.index("preferencesAction")
    assert names.index("markMissedAction") < names.index("pharmacyMenu")


def test_showing_the_tab_builds_the_whole_page_in_it(
    qtbot, qtmodeltester, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    feature = pharmacy_feature(window)
    index = tab_of(window, "pharmacyPage")
    count = window.pages.count()
    window.pages.setCurrentIndex(index)
    assert feature.built
    page = window.pages.widget(index)
    assert isinstance(page, PharmacyPage)
    assert window.pages.currentIndex() == index and window.pages.count() == count
    assert window.pages.tabText(index) == "Pharmacy"
    assert page.objectName() == "pharmacyPage"
    assert page.accessibleName() == f"Pharmacy: {DRUG_NAME}"
    assert window.features["pharmacy_view"] is page
    qtbot.waitUntil(page.isVisible, timeout=3000)
    assert isinstance(page.model, PharmacyQueueModel)
    assert page.model.rowCount() > 0  # read when shown, as before
    qtmodeltester.check(page.model)
    # The menu's actions are the page's: its buttons hold them, its selection sets them.
    menu_actions = pharmacy_menu(window).actions()
    assert page.menu is pharmacy_menu(window)
    assert menu_actions == [
        page.reconstitute_action,
        page.dilute_action,
        page.discard_action,
        page.discard_expired_action,
    ]
    buttons = {b.objectName(): b.defaultAction() for b in page.findChildren(QToolButton)}
    assert buttons["reconstituteButton"] is page.reconstitute_action
    assert buttons["discardExpiredButton"] is page.discard_expired_action
    assert not page.dilute_action.isEnabled()  # nothing selected: the page's own rule


def test_a_pharmacy_action_before_the_page_builds_it_and_runs(window: MainWindow) -> None:
    feature = pharmacy_feature(window)
    current = window.pages.currentIndex()
    pharmacy_menu(window).actions()[0].trigger()  # Reconstitute... with nothing selected
    assert feature.built
    assert window.pages.currentIndex() == current  # built in its tab, not shown
    assert window.statusBar().currentMessage() == "Select a dose in the pharmacy queue"


def test_a_pharmacy_note_before_the_page_is_kept_for_it(window: MainWindow) -> None:
    feature = pharmacy_feature(window)
    window.session.sig_changed.emit(
        ChangeSet("discard 1 expired vial", preparations={1}, notes=["waste recorded"])
    )
    page = window.features["pharmacy_view"]
    assert feature.built
    assert page.notes_label.text() == "discard 1 expired vial\nwaste recorded"


def test_window_state_keys_are_the_declared_ones() -> None:
    assert declared.by_key("window/geometry").key == window_state.GEOMETRY_KEY
    assert declared.by_key("window/state").key == window_state.STATE_KEY
    assert declared.by_key("window/page").key == window_state.PAGE_KEY


def test_resources_are_where_importlib_resources_finds_them() -> None:
    from importlib.resources import as_file, files

    from tdm1_scheduler.gui import resources

    assert resources.resource_root() == files("tdm1_scheduler") / "resources"
    with as_file(files("tdm1_scheduler") / "resources" / "icons" / "go-next.svg") as path:
        assert resources.icon_path("go-next") == Path(path)
    assert resources.icon_is_valid("go-next")
    assert resources.load_stylesheet() == (
        files("tdm1_scheduler") / "resources" / "style.qss"
    ).read_text(encoding="utf-8")


# --- a fresh process: what the start imports, and the collector ------------------------
START = """
import gc, json, sys
defaults = gc.get_threshold()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from datetime import datetime
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.gui import start_gc
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
paused_at_import = start_gc.paused()
db = open_database(sys.argv[1])
window = MainWindow(Context(SqliteStore(db), FixedClock(datetime.fromisoformat(sys.argv[2])), "t"))
window.show()
poll = QTimer()  # until the collector is back: after the first paint and the work it queued
poll.timeout.connect(lambda: None if start_gc.paused() else app.quit())
poll.start(20)
QTimer.singleShot(60_000, app.quit)  # never hang
app.exec()
print(json.dumps({
    "modules": sorted(sys.modules),
    "paused_at_import": paused_at_import,
    "paused_after": start_gc.paused(),
    "thresholds": [list(defaults), list(gc.get_threshold())],
    "frozen": gc.get_freeze_count(),
}))
window.close()
"""


# For a start script: the app's styled window over the demo clinic (argv: the clinic and
# DEMO_NOW), built as ``app.run_gui`` builds it, once ``sys`` and ``app`` exist.
STYLED_WINDOW = """
from datetime import datetime
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.gui.main_window import MainWindow, apply_application_style
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore
apply_application_style(app)
db = open_database(sys.argv[1])
window = MainWindow(Context(SqliteStore(db), FixedClock(datetime.fromisoformat(sys.argv[2])), "t"))
"""

# After STYLED_WINDOW and a FirstPaint filter class that fills ``report``: show the window,
# run to the end of its first paint pass, print ``report``.
SHOWN_TO_FIRST_PAINT = """
watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
QTimer.singleShot(60_000, app.quit)  # never hang
app.exec()
print(json.dumps(report))
window.close()
"""


def start_report(script: str, demo_path: Path, tmp_path: Path) -> dict[str, Any]:
    """Run ``script`` (given the demo clinic and DEMO_NOW) in a fresh process, offscreen,
    and return the JSON object its last line prints."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TDM1_SCHEDULER_WINDOW_STATE": str(tmp_path / "window.ini"),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", script, str(demo_path), DEMO_NOW.isoformat()],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=True,
    )
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_the_start_imports_nothing_it_defers(demo_path: Path, tmp_path: Path) -> None:
    report = start_report(START, demo_path, tmp_path)
    loaded = set(report["modules"])
    assert "tdm1_scheduler.gui.main_window" in loaded
    assert "tdm1_scheduler.gui.pharmacy.tab" in loaded
    assert sorted(loaded.intersection(DEFERRED)) == []
    # The collector waited from the GUI's import to the first paint, then came back.
    assert report["paused_at_import"] is True
    assert report["paused_after"] is False
    defaults, after = report["thresholds"]
    assert after == defaults
    assert report["frozen"] > 0


def test_start_gc_pause_and_resume_restore_the_thresholds() -> None:
    script = (
        "import gc; t = gc.get_threshold()\n"
        "from tdm1_scheduler.gui import start_gc\n"
        "assert start_gc.paused() and gc.get_threshold()[0] == start_gc.PAUSED_THRESHOLD\n"
        "start_gc.pause()  # once per process\n"
        "start_gc.resume(); assert not start_gc.paused() and gc.get_threshold() == t\n"
        "assert gc.get_freeze_count() > 0\n"
        "start_gc.resume(); assert gc.get_threshold() == t\n"
        "print('ok')\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "ok"
    assert start_gc.PAUSED_THRESHOLD >= 10_000
