"""The planner page and the patients panel are built where they are shown (issue 19): in
the tabs' stack and in the dock, so adding them does not move them. Under the
application's stylesheet, moving a built widget styles it and every widget in it again
(a StyleChange event each, and a polish when polished): 13 M instructions of the demo
clinic's start for the panel, 4 M for the planner's views, against one StyleChange a
widget when it is built in place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QStackedWidget, QWidget

from tdm1_scheduler.gui.main_window import MainWindow, apply_application_style
from tdm1_scheduler.services.context import Context

from .conftest import OFFSCREEN_NOISE
from .test_lazy_start import STYLED_WINDOW, start_report

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[QApplication]:
    """The application's stylesheet (as ``app.run_gui`` sets it), for one test."""
    apply_application_style(qapp)
    yield qapp
    qapp.setStyleSheet("")


class StyleChanges(QObject):
    """Counts the StyleChange events each object gets (by its C++ address)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter[int] = Counter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.StyleChange:
            self.seen[shiboken6.getCppPointer(watched)[0]] += 1
        return False

    def of(self, root: QWidget) -> Counter[int]:
        """How many widgets of ``root`` (itself included) got how many events."""
        widgets = [root, *root.findChildren(QWidget)]
        return Counter(self.seen[shiboken6.getCppPointer(w)[0]] for w in widgets)


def test_the_planner_and_the_patients_panel_are_styled_once(
    qtbot, styled: QApplication, ctx: Context
) -> None:  # type: ignore[no-untyped-def]
    counter = StyleChanges()
    styled.installEventFilter(counter)
    try:
        window = MainWindow(ctx)
        planner = window.features["planner"]
        assert planner.week.view.parentWidget() is planner.stack  # built when asked, in place
    finally:
        styled.removeEventFilter(counter)
    qtbot.addWidget(window)
    panel = window.features["patients_panel"].panel
    for root in (planner, panel):
        counts = counter.of(root)
        assert set(counts) == {1}, (root.objectName(), counts)  # one StyleChange each
        assert counts[1] > 15  # the page's own widgets were counted


def test_pages_are_built_in_the_tabs_stack(window: MainWindow) -> None:
    stack = window.page_parent()
    assert isinstance(stack, QStackedWidget)
    assert stack.parentWidget() is window.pages
    for index in range(window.pages.count()):
        assert window.pages.widget(index).parentWidget() is stack
    planner = window.features["planner"]
    assert planner.view.parentWidget() is planner.stack
    assert planner.week.view.parentWidget() is planner.stack
    patients = window.features["patients_panel"]
    assert patients.panel.parentWidget() is patients.dock
    assert patients.dock.widget() is patients.panel


def test_the_planner_is_the_first_tab_and_shown(window: MainWindow) -> None:
    assert window.pages.widget(0) is window.features["planner"]
    assert window.pages.currentIndex() == 0
    assert [window.pages.tabText(i) for i in range(window.pages.count())] == [
        "Planner",
        "Day list",
        "Nurse board",
        "Pharmacy",
    ]


FIRST_PAINT = (
    """
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
import PySide6.QtWidgets
seen = {}

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if not seen and event.type() == QEvent.Type.Paint:
            seen["tab_bar_class"] = "QTabBar" in PySide6.QtWidgets.__dict__
        return False

"""
    + STYLED_WINDOW
    + """
watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
QTimer.singleShot(0, lambda: QTimer.singleShot(0, app.quit))
QTimer.singleShot(60_000, app.quit)  # never hang
app.exec()
print(json.dumps(seen))
window.close()
"""
)


def test_the_start_builds_no_tab_bar_class(demo_path: Path, tmp_path: Path) -> None:
    """The planner's tab is inserted first, not moved there through ``tabBar()``: the
    tab bar's Python class and its three enums are not built before the first paint."""
    assert start_report(FIRST_PAINT, demo_path, tmp_path) == {"tab_bar_class": False}
