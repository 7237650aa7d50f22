"""Before the first paint, Python meets no object of a class Shiboken has not built
(issue 19): the views' viewports are made by Python (``gui/viewports.py``), with the
same screen as with Qt's own viewports."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QGraphicsScene,
    QGraphicsView,
    QListView,
    QTableView,
    QWidget,
)

from tdm1_scheduler.gui.main_window import MainWindow, apply_application_style
from tdm1_scheduler.gui.planner import day_view, load_strip, view_actions
from tdm1_scheduler.gui.viewports import own_viewport
from tdm1_scheduler.services.context import Context

from .conftest import OFFSCREEN_NOISE
from .test_lazy_start import STYLED_WINDOW, start_report

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

ROOT = Path(__file__).resolve().parents[2]


# --- the viewports ----------------------------------------------------------------------
def viewport_facts(view: QAbstractScrollArea) -> dict[str, Any]:
    port = view.viewport()
    policy = port.sizePolicy()
    return {
        "name": port.objectName(),
        "roles": (port.backgroundRole(), port.foregroundRole()),
        "fill": port.autoFillBackground(),
        "focus": (port.focusPolicy(), port.focusProxy() is view),
        "tracking": port.hasMouseTracking(),
        "drops": port.acceptDrops(),
        "menu": port.contextMenuPolicy(),
        "cursor": port.cursor().shape(),
        "class": port.metaObject().className(),
        "policy": (policy.horizontalPolicy(), policy.verticalPolicy()),
        "palette": port.palette() == view.palette(),
        "font": port.font().toString(),
        "attributes": [a for a in Qt.WidgetAttribute if port.testAttribute(a)],
        "place": [child is port for child in view.children() if isinstance(child, QWidget)],
        "geometry": port.geometry().getRect(),
    }


def graphics_view_of_a_scene() -> QGraphicsView:
    scene = QGraphicsScene()
    scene.addRect(0, 0, 50, 50)
    view = QGraphicsView(scene)
    scene.setParent(view)
    return view


@pytest.mark.parametrize("kind", [QTableView, QListView, QGraphicsView, graphics_view_of_a_scene])
def test_an_own_viewport_is_the_one_qt_makes(
    qtbot, kind: Callable[[], QAbstractScrollArea]
) -> None:  # type: ignore[no-untyped-def]
    views = []
    for own in (False, True):
        view = kind()
        qtbot.addWidget(view)
        if own:
            made = own_viewport(view)
            assert view.viewport() is made and shiboken6.createdByPython(made)
        view.resize(300, 200)
        view.show()
        views.append(view)
    qtbot.waitExposed(views[1])
    assert viewport_facts(views[1]) == viewport_facts(views[0])


def test_the_window_s_views_have_own_viewports(window: MainWindow) -> None:
    planner: Any = window.features["planner"]
    patients: Any = window.features["patients_panel"]
    views = [window.table, planner.view, planner._strip, patients.panel.patient_view]
    for view in views:
        assert shiboken6.createdByPython(view.viewport()), view.objectName()


# --- the same screen ---------------------------------------------------------------------
@pytest.fixture
def styled(qapp: QApplication) -> Iterator[QApplication]:
    """The application's stylesheet (as ``app.run_gui`` sets it), for one test."""
    apply_application_style(qapp)
    yield qapp
    qapp.setStyleSheet("")


def parts_of(window: MainWindow) -> list[tuple[str, str, bool, tuple[int, ...]]]:
    """Every widget's class, name, visibility and (shown) geometry, in the window's
    order. A hidden widget's geometry is whatever its layout last gave it: the toolbar's
    extension button, hidden, was placed once while the animation resized the toolbar."""
    return [
        (
            w.metaObject().className(),
            w.objectName(),
            w.isVisible(),
            w.geometry().getRect() if w.isVisible() else (),
        )
        for w in window.findChildren(QWidget)
    ]


def shown(qtbot, ctx: Context) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx, demo=True)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_screen_is_the_same_as_with_qt_s_viewports(
    qtbot, styled: QApplication, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    new = shown(qtbot, ctx)
    qtbot.wait(300)  # the deferred work
    new_image = new.grab().toImage()
    new_parts = parts_of(new)
    new.close()

    def qt_s(view: QAbstractScrollArea) -> QWidget:
        return view.viewport()

    for module in (day_view, load_strip, sys.modules["tdm1_scheduler.gui.widgets"]):
        monkeypatch.setattr(module, "own_viewport", qt_s)
    old = shown(qtbot, ctx)
    assert not shiboken6.createdByPython(old.table.viewport())
    qtbot.wait(300)  # the deferred work
    old_image = old.grab().toImage()
    old_parts = parts_of(old)
    old.close()
    assert new_parts == old_parts
    assert new_image == old_image


# --- a fresh process: no class built by a lookup before the first paint ----------------
START = """
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets
# Never used by the app: built only when Shiboken builds every class to look one up.
UNUSED = {"QtWidgets": "QWizard", "QtCore": "QProcess", "QtGui": "QMovie"}
seen = {}

class FirstPaint(QObject):  # on the window: the first paint pass starts with its paint event
    def eventFilter(self, watched, event):
        if not seen and event.type() == QEvent.Type.Paint:
            seen.update({m: c in getattr(PySide6, m).__dict__ for m, c in UNUSED.items()})
            QTimer.singleShot(0, app.quit)
        return False

""" + STYLED_WINDOW + """
watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
QTimer.singleShot(60_000, app.quit)  # never hang
app.exec()
print(json.dumps({"built_at_first_paint": seen}))
window.close()
"""


def test_the_first_paint_builds_no_class_by_a_lookup(demo_path: Path, tmp_path: Path) -> None:
    report = start_report(START, demo_path, tmp_path)
    assert report["built_at_first_paint"] == {"QtWidgets": False, "QtCore": False, "QtGui": False}


# --- what the start no longer builds still works when asked ----------------------------
def test_the_user_guide_opens_the_guide_page(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QAction, QDesktopServices

    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(opened.append))
    action = window.findChild(QAction, "userGuideAction")
    assert isinstance(action, QAction)
    action.trigger()
    assert [url.toLocalFile() for url in opened] == [str(view_actions.GUIDE)]
