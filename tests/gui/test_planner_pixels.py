"""The planner draws the same pixels however its work was saved (issue 19): blocks reused
from another day, what a block draws kept from its first paint and shared between blocks
(``block_item``'s tables), the strip repainting one cell after a commit, the count of the
day shown carried over a commit. Each test compares against the same picture or number
made without the saving."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner import block_item
from tdm1_scheduler.gui.planner.load_strip import LoadDelegate
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.services.blocked_time import book_blocked_time
from tdm1_scheduler.services.planner_reads import day_load_of
from tdm1_scheduler.services.queries import day_bookings

from .conftest import OFFSCREEN_NOISE
from .test_day_patch import move_somewhere
from .test_planner import BUSY_DAY, shown_planner

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")


@pytest.fixture
def planner(window: MainWindow) -> Planner:
    found = shown_planner(window, count_strip=True)
    QApplication.processEvents()
    return found


def grid_picture(planner: Planner) -> QImage:
    QApplication.processEvents()
    return planner.view.viewport().grab().toImage()


def forget_looks(planner: Planner) -> None:
    """Every block draws as at its first paint, with the shared tables empty."""
    block_item._parts.clear()
    block_item._lines.clear()
    for block in planner.scene.blocks.values():
        block._look = None
    planner.scene.update()


def a_day_with_everything(planner: Planner) -> date:
    """BUSY_DAY with blocked time booked on it too (a first infusion is on it already)."""
    calendar = planner.session.settings.calendar
    for chair in (f"Chair {n}" for n in range(1, 13)):
        try:
            changes = book_blocked_time(
                planner.ctx,
                chair=chair,
                start=calendar.at(BUSY_DAY, time(16, 30)),
                minutes=20,
                label="pump check",
            )
        except DomainError:  # that chair is taken at 16:30: the next one
            continue
        planner.session.apply_changes(changes)
        return BUSY_DAY
    raise AssertionError("no chair free for blocked time")


def test_reused_blocks_and_kept_looks_draw_the_same_pixels(planner: Planner) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    day = a_day_with_everything(planner)
    window.show_day(day)
    rows = planner.scene.blocks.values()
    assert any(block_item.is_blocked(b.row) for b in rows)
    assert any(block_item.is_first_infusion(b.row) for b in rows)
    forget_looks(planner)
    first = grid_picture(planner)  # every look made afresh
    planner.scene.update()
    assert grid_picture(planner) == first  # the looks kept from the first paint
    # Other days shown in between: this day's blocks are others' reused (which one is
    # drawn on top where two touch depends on that, as before), the tables warm.
    calendar = window.settings.calendar
    other = calendar.next_open_day(day + timedelta(days=1))
    for shown in (other, calendar.next_open_day(other + timedelta(days=1)), day):
        window.show_day(shown)
        QApplication.processEvents()
    warm = grid_picture(planner)
    forget_looks(planner)
    assert grid_picture(planner) == warm
    # A block selected, then not: its border, from the same look.
    block = next(b for b in planner.scene.blocks.values() if block_item.is_first_infusion(b.row))
    planner.select(block.appointment_id)
    planner.view.verticalScrollBar().setValue(0)
    planner.view.horizontalScrollBar().setValue(0)
    selected = grid_picture(planner)
    assert selected != warm
    forget_looks(planner)
    assert grid_picture(planner) == selected
    planner.scene.clearSelection()
    assert grid_picture(planner) == warm


def test_block_boxes_are_block_box(planner: Planner) -> None:
    geometry = planner.scene.geometry
    assert geometry is not None
    rows = planner.session.day_blocks(planner.session.shown_day)  # what the grid draws
    assert rows
    expected = [(row, geometry.block_box(row)) for row in rows]
    assert geometry.block_boxes(rows) == [(row, box) for row, box in expected if box is not None]


class CountingDelegate(LoadDelegate):
    def __init__(self, parent: object) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.painted: list[int] = []

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex
    ) -> None:  # type: ignore[override]
        self.painted.append(index.row())
        super().paint(painter, option, index)


def test_a_commit_repaints_the_changed_strip_cell_only(planner: Planner) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    strip = planner.strip
    counting = CountingDelegate(strip)
    strip.setItemDelegate(counting)
    day = BUSY_DAY
    window.show_day(day)
    QApplication.processEvents()
    row = strip.load_model.row_of(day)
    assert row is not None
    strip.scrollTo(strip.load_model.index(row, 0))
    QApplication.processEvents()
    counting.painted.clear()
    changes = move_somewhere(planner, day, 9)
    assert changes is not None
    window.apply_changes(changes)
    QApplication.processEvents()
    assert counting.painted and set(counting.painted) == {row}  # the day moved on, alone
    after = strip.viewport().grab().toImage()
    strip.reload([strip.load_model.summary(r) for r in range(strip.load_model.rowCount())], day)
    strip.viewport().update()
    QApplication.processEvents()
    assert strip.viewport().grab().toImage() == after  # as every cell drawn afresh


def test_the_day_shown_count_carried_over_commits_is_a_fresh_count(planner: Planner) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    day = BUSY_DAY
    window.show_day(day)
    in_service = {chair.id for chair in planner.chairs}
    settings = window.settings
    for hour in (8, 10, 14, 15):
        changes = move_somewhere(planner, day, hour)
        if changes is None:
            continue
        window.apply_changes(changes)
        rows = day_bookings(window.ctx.store, settings, day)
        fresh = day_load_of(settings, day, rows, in_service)
        assert planner._day_load(day, True) == fresh
        assert planner._shown_load._kept is not None  # carried, not counted again
        assert planner._shown_load._kept[0] is planner._rows


def test_a_blocks_bounds_are_its_rectangle_kept_by_qt(planner: Planner) -> None:
    """Qt answers a block's bounds (no Python ``boundingRect``): the block and 2 px
    around it, its shape the same rectangle, no pen or brush of the rectangle item."""
    from PySide6.QtCore import QRectF, Qt

    assert "boundingRect" not in vars(block_item.BlockItem)
    for block in list(planner.scene.blocks.values())[:20]:
        size = block.size
        bounds = QRectF(-2, -2, size.width() + 4, size.height() + 4)
        assert block.boundingRect() == bounds == block.shape().boundingRect()
        assert block.pen().style() is Qt.PenStyle.NoPen
        assert block.brush().style() is Qt.BrushStyle.NoBrush
    block = next(iter(planner.scene.blocks.values()))
    block.place(QRectF(10, 40, 50, 40))  # a new width: the bounds follow
    assert block.boundingRect() == QRectF(-2, -2, 54, 44)


def test_the_status_lines_first_infusions_are_the_rows_with_cycle_one(planner: Planner) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    model = window.model
    day = BUSY_DAY - timedelta(days=3)
    seen = 0
    for _ in range(10):
        window.show_day(day)
        rows = [model.row_data(r) for r in range(model.rowCount())]
        first = sum(1 for row in rows if row.cycle == 1)
        seen += first
        assert model.first_infusions() == first
        assert f"{len(rows)} appointment(s), {first} first infusion(s)" in (
            window.statusBar().currentMessage()
        )
        day += timedelta(days=1)
    assert seen  # some days have first infusions
