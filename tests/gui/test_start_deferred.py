"""What the start no longer builds before the first paint (issue 19, wave 6) is built,
whole, when it is used: the Block chair time dialog (its own module now), the message
boxes of the planner's questions, the load strip's style classes (at its first cell's
paint), and the Pharmacy menu's diluent text without importing ``domain.dosing``."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QFormLayout, QMessageBox

from tdm1_scheduler.domain import dosing
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.pharmacy import actions as pharmacy_actions
from tdm1_scheduler.gui.planner.block_dialog import BlockTimeDialog

from .conftest import OFFSCREEN_NOISE
from .test_lazy_start import STYLED_WINDOW, start_report

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_the_pharmacy_menu_s_diluent_is_dosing_s(window: MainWindow) -> None:
    assert pharmacy_actions.DILUENT == dosing.DILUENT
    menu = [a for a in window.menu("tools").actions() if a.menu() is not None]
    tips = {
        action.objectName(): action.toolTip()
        for entry in menu
        for action in entry.menu().actions()  # type: ignore[union-attr]
    }
    assert tips["diluteAction"] == f"Record the dose diluted in {dosing.DILUENT}"


def test_the_block_dialog_is_built_whole_and_books_the_time(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner: Any = window.features["planner"]
    booked: list[tuple[Any, ...]] = []
    monkeypatch.setattr(planner, "book_blocked", lambda *args: booked.append(args) or True)
    dialog = planner.open_block_dialog()
    assert isinstance(dialog, BlockTimeDialog)
    assert dialog.objectName() == "blockTimeDialog"
    assert dialog.windowTitle() == "Block chair time"
    assert isinstance(dialog.layout(), QFormLayout)
    assert [dialog.chair.itemText(i) for i in range(dialog.chair.count())] == [
        chair.name for chair in planner.chairs
    ]
    assert isinstance(dialog.chair, QComboBox)
    assert dialog.start.time() == QTime(12, 0) and dialog.start.displayFormat() == "HH:mm"
    assert (dialog.minutes.minimum(), dialog.minutes.maximum()) == (5, 600)
    assert (dialog.minutes.value(), dialog.minutes.suffix()) == (60, " min")
    assert dialog.label.text() == "maintenance"
    assert dialog.wall_time() == time(12, 0)
    boxes = dialog.findChildren(QDialogButtonBox)
    assert len(boxes) == 1
    ok = boxes[0].button(QDialogButtonBox.StandardButton.Ok)
    assert boxes[0].button(QDialogButtonBox.StandardButton.Cancel) is not None
    dialog.chair.setCurrentIndex(1)
    dialog.start.setTime(QTime(16, 30))
    dialog.minutes.setValue(15)
    dialog.label.setText("pump check")
    ok.click()
    calendar = window.settings.calendar
    start = calendar.at(window.shown_day, time(16, 30))
    assert booked == [(planner.chairs[1].name, start, 15, "pump check")]


def test_the_planner_s_question_is_a_yes_no_box(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[Any, ...]] = []

    def question(*args: Any) -> QMessageBox.StandardButton:
        asked.append(args)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    planner: Any = window.features["planner"]
    assert planner.moves._ask_confirmation("Title", "Move?") is True
    yes_no = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    assert asked == [(planner, "Title", "Move?", yes_no, QMessageBox.StandardButton.No)]


# --- a fresh process: the classes the first paint does not build ---------------------
START = """
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
import PySide6.QtWidgets
LATER = ("QComboBox", "QDialog", "QDialogButtonBox", "QFormLayout", "QMessageBox",
         "QSpinBox", "QTimeEdit", "QStyle", "QStyleOptionViewItem")
report = {}

def built():
    return {name: name in PySide6.QtWidgets.__dict__ for name in LATER}

class FirstPaint(QObject):  # on the window only, as the app's own filters are
    def eventFilter(self, watched, event):
        if "first_paint" not in report and event.type() == QEvent.Type.Paint:
            report["first_paint"] = built()
        return False

""" + STYLED_WINDOW + """
watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
planner = window.features["planner"]

def strip_painted():
    if planner._strip_key is not None and "strip" not in report:
        strip = planner._strip
        strip.viewport().repaint()  # its cells, painted now
        report["strip"] = {"rows": strip.model().rowCount(), "style": built()["QStyle"]}
        app.quit()

poll = QTimer()
poll.timeout.connect(strip_painted)
poll.start(20)
QTimer.singleShot(60_000, app.quit)  # never hang
app.exec()
print(json.dumps(report))
window.close()
"""


def test_the_first_paint_builds_none_of_the_later_classes(demo_path: Path, tmp_path: Path) -> None:
    report = start_report(START, demo_path, tmp_path)
    assert report["first_paint"] == dict.fromkeys(report["first_paint"], False)
    assert len(report["first_paint"]) == 9
    # The strip is counted just after the first paint; its cells' paint builds QStyle.
    assert report["strip"]["rows"] > 0
    assert report["strip"]["style"] is True


def test_a_brush_of_one_colour_is_qbrush_s() -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QBrush, QColor

    from tdm1_scheduler.gui.brushes import brush
    from tdm1_scheduler.gui.planner import block_item, day_scene

    colour = QColor("#8995a1")
    assert brush(colour) == QBrush(colour)
    hatch = Qt.BrushStyle.BDiagPattern
    assert brush(colour, hatch) == QBrush(colour, hatch)
    assert (
        QBrush(block_item.BLOCKED_COLOUR),
        QBrush(block_item.BLOCKED_HATCH, hatch),
    ) == block_item.BLOCKED_BRUSHES
    assert QBrush(day_scene.CLOSED_FILL) == day_scene.CLOSED_BRUSH


def test_a_loaded_icon_is_qicon_s_of_its_file(qapp: Any) -> None:
    from PySide6.QtGui import QIcon

    from tdm1_scheduler.gui.resources import ICON_NAMES, icon_path, load_icon

    for name in ICON_NAMES:
        loaded, plain = load_icon(name), QIcon(str(icon_path(name)))
        assert loaded.isNull() == plain.isNull() is False, name
        assert loaded.availableSizes() == plain.availableSizes(), name
        for size in (16, 22, 32):
            assert loaded.pixmap(size).toImage() == plain.pixmap(size).toImage(), name


def old_fit_columns(view: Any, *, order: Any, stretch: int, hidden: Any = ()) -> None:
    """``widgets.fit_columns`` as it was: every move made while the sections fit."""
    from PySide6.QtWidgets import QHeaderView

    header = view.horizontalHeader()
    for visual, logical in enumerate([*order, stretch]):
        header.moveSection(header.visualIndex(logical), visual)
    header.setStretchLastSection(False)
    for logical in range(header.count()):
        header.setSectionResizeMode(logical, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    for logical in hidden:
        view.setColumnHidden(logical, True)
    view.setWordWrap(True)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)


def header_facts(view: Any) -> list[Any]:
    header = view.horizontalHeader()
    return [
        (
            header.visualIndex(logical),
            header.sectionSize(logical),
            header.sectionResizeMode(logical),
            header.isSectionHidden(logical),
        )
        for logical in range(header.count())
    ] + [header.stretchLastSection(), view.wordWrap(), view.verticalHeader().sectionSize(0)]


def test_fit_columns_places_and_sizes_the_columns_as_before(qtbot: Any, ctx: Any) -> None:
    from PySide6.QtWidgets import QWidget

    from tdm1_scheduler.gui.patients.models import CourseCyclesModel
    from tdm1_scheduler.gui.patients.panel import PatientsPanel
    from tdm1_scheduler.gui.widgets import fit_columns, read_only_table

    panel = PatientsPanel(ctx)
    qtbot.addWidget(panel)
    panel.patient_model.rowCount()  # the first search, now
    mrn = panel.patient_model.mrn_at(0)
    assert panel.select_mrn(mrn) and panel.cycles_model.rowCount() > 0
    facts = []
    for fit in (fit_columns, old_fit_columns):
        host = QWidget()
        qtbot.addWidget(host)
        view = read_only_table(host, "t", "t")
        model = CourseCyclesModel()
        model.load(panel.cycles_model.view, panel.cycles_model.readiness)
        view.setModel(model)
        fit(view, **model.dock_columns())
        view.resize(460, 300)
        host.show()
        qtbot.waitExposed(host)
        facts.append(header_facts(view))
    assert facts[0] == facts[1]
