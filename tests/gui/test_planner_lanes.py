"""The day grid makes a lane's blocks only when the view comes near it (issue 19,
``gui/planner/lanes.py``): journeys through the real window on the demo clinic with
30 empty chairs put between its chairs 4 and 5, so the busy day's bookings sit in
the first four lanes and in the last eight (of 42), far below the view."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlite_utils import Database

from tdm1_scheduler.domain.day_blocks import DayBlock, block_of
from tdm1_scheduler.domain.records import AppointmentView, CycleStatus
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner.day_scene import (
    LANE_HEIGHT,
    BlockItem,
    Chair,
    PlannerGeometry,
    PlannerScene,
)
from tdm1_scheduler.gui.planner.day_view import PlannerView
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.services import queries
from tdm1_scheduler.services.clinic import add_chair
from tdm1_scheduler.services.context import ClinicSettings, Context, load_settings
from tdm1_scheduler.services.queries import day_bookings

from .conftest import OFFSCREEN_NOISE
from .test_planner import BUSY_DAY

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

SPARE_CHAIRS = 30
TOP_CHAIRS = 4  # the demo's chairs 1-4 stay the first lanes; 5-12 are the last ones


@pytest.fixture
def spread(demo_db: Database, ctx: Context) -> Context:
    for number in range(1, SPARE_CHAIRS + 1):
        add_chair(ctx, f"Spare {number}")
    ids = [row[0] for row in demo_db.execute("SELECT id FROM chairs ORDER BY position, id")]
    demo, spare = ids[: len(ids) - SPARE_CHAIRS], ids[len(ids) - SPARE_CHAIRS :]
    order = demo[:TOP_CHAIRS] + spare + demo[TOP_CHAIRS:]
    for position, chair_id in enumerate(order, start=1):
        demo_db.execute("UPDATE chairs SET position = ? WHERE id = ?", [position, chair_id])
    demo_db.conn.commit()
    return ctx


@pytest.fixture
def window(qtbot: QtBot, spread: Context) -> Iterator[MainWindow]:
    win = MainWindow(spread, demo=True)
    qtbot.addWidget(win)
    win.resize(1400, 700)
    win.show()
    qtbot.waitExposed(win)
    planner = win.features["planner"]
    qtbot.waitUntil(lambda: planner.scene.geometry is not None)
    yield win
    win.close()


@pytest.fixture
def planner(window: MainWindow) -> Planner:
    found = window.features["planner"]
    assert isinstance(found, Planner)
    found.confirm = lambda _title, _text: True
    window.pages.setCurrentWidget(found)
    return found


def made(planner: Planner) -> dict[int, BlockItem]:
    """The blocks that have an item in the scene."""
    return {i.appointment_id: i for i in planner.scene.items() if isinstance(i, BlockItem)}


def visible(planner: Planner) -> QRectF:
    view = planner.view
    return view.mapToScene(view.viewport().rect()).boundingRect()


def lane(planner: Planner, row: DayBlock) -> int:
    geometry = planner.scene.geometry
    assert geometry is not None
    index = geometry.chair_index(row.chair_id)
    assert index is not None
    return index


def rows(planner: Planner) -> list[DayBlock]:
    """The day's blocks as read (no item asked for)."""
    session = planner.session
    drawn = {chair.id for chair in planner.chairs}
    return [row for row in session.day_blocks(session.shown_day) if row.chair_id in drawn]


def in_view_all_made(planner: Planner) -> None:
    """Every block that meets the view has its item, where it belongs."""
    geometry = planner.scene.geometry
    assert geometry is not None
    shown, items = visible(planner), made(planner)
    for row in rows(planner):
        rect = geometry.block_rect(row)
        if rect.intersects(shown):
            assert row.id in items
            assert items[row.id].home == rect.topLeft()


def booking_in_db(window: MainWindow, appointment_id: int) -> tuple[int, object]:
    found = [
        row.appointment
        for row in day_bookings(window.ctx.store, window.settings, window.shown_day)
        if row.appointment.id == appointment_id
    ]
    assert len(found) == 1
    return found[0].chair_id, found[0].start


def drag_to(planner: Planner, item: BlockItem, lanes: int) -> None:
    """Drag ``item`` by mouse ``lanes`` lanes down, at the same time."""
    viewport = planner.view.viewport()
    press = planner.view.viewport_point_of(item)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    QTest.mouseMove(viewport, press + QPoint(0, 12))
    target = press + QPoint(0, int(lanes * LANE_HEIGHT))
    QTest.mouseMove(viewport, target)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)


def test_the_first_paint_makes_only_the_blocks_near_the_view(planner: Planner) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    day = window.session.shown_day
    assert day == BUSY_DAY
    everything = {
        row.appointment.id for row in day_bookings(window.ctx.store, window.settings, day)
    }
    items = made(planner)
    assert 0 < len(items) < len(everything)  # every block was made here before
    assert set(planner.scene.blocks) == everything  # still a mapping over the whole day
    assert len(planner.scene.blocks) == len(everything)
    in_view_all_made(planner)
    assert all(lane(planner, item.block) < TOP_CHAIRS for item in items.values())
    # Asked for, every block is made, each where it belongs
    assert {b.appointment_id for b in planner.scene.blocks.values()} == everything
    assert set(made(planner)) == everything
    in_view_all_made(planner)


def test_a_bottom_lane_block_dragged_to_another_chair_then_undone(
    planner: Planner, qtbot: QtBot
) -> None:
    window = planner.main_window
    assert isinstance(window, MainWindow)
    view, bar = planner.view, planner.view.verticalScrollBar()
    below = {row.id for row in rows(planner) if lane(planner, row) >= TOP_CHAIRS}
    assert not below & set(made(planner))  # nothing made down there yet
    view.setFocus()
    for _ in range(20):  # Page Down to the bottom lanes (no block selected)
        QTest.keyClick(view, Qt.Key.Key_PageDown)
    assert bar.value() == bar.maximum() > 0
    in_view_all_made(planner)
    chairs = planner.chairs
    empty = {chair.id for chair in chairs} - {row.chair_id for row in rows(planner)}
    last_empty = max(i for i, chair in enumerate(chairs) if chair.id in empty)
    row = max(
        (r for r in rows(planner) if r.status is CycleStatus.BOOKED and r.id in below),
        key=lambda r: lane(planner, r),
    )
    item = made(planner)[row.id]
    drag_to(planner, item, last_empty - lane(planner, row))
    assert booking_in_db(window, row.id) == (chairs[last_empty].id, row.start)
    moved = planner.scene.selected_block()
    assert moved is not None and moved.appointment_id == row.id
    assert (
        moved is planner.scene.block_for(row.id) and moved.row.chair_name == chairs[last_empty].name
    )
    in_view_all_made(planner)

    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Edit > Undo
    assert booking_in_db(window, row.id) == (row.chair_id, row.start)
    back = planner.scene.block_for(row.id)
    assert back is not None and back is planner.scene.selected_block()
    assert back.row.chair_name == row.chair_name
    geometry = planner.scene.geometry
    assert geometry is not None and back.home == geometry.block_rect(row).topLeft()
    in_view_all_made(planner)


def test_tab_reaches_every_block_in_time_order_made_when_reached(planner: Planner) -> None:
    view = planner.view
    first_made = set(made(planner))
    order = sorted(rows(planner), key=lambda r: (r.start, lane(planner, r)))
    view.setFocus()
    # Tab walks the blocks in time order: some are far below, made when reached.
    for row in order:
        QTest.keyClick(view, Qt.Key.Key_Tab)
        selected = planner.scene.selected_block()
        assert selected is not None and selected.appointment_id == row.id
        assert visible(planner).contains(selected.sceneBoundingRect().adjusted(2, 2, -2, -2))
    assert not set(order_ids := [r.id for r in order]) <= first_made
    assert set(order_ids) <= set(made(planner))


def test_a_block_clicked_and_moved_by_keyboard_past_the_lanes_made(planner: Planner) -> None:
    """A top-lane booking moved down by Down presses, lane by lane into empty chairs,
    past the lanes made at first (each a commit, the block redrawn in an unmade lane,
    then selected and scrolled to)."""
    window = planner.main_window
    assert isinstance(window, MainWindow)
    view = planner.view
    geometry = planner.scene.geometry
    assert geometry is not None
    made_ys = [geometry.lane_top(index) for index in range(len(planner.chairs))]
    booked = [r for r in rows(planner) if r.status is CycleStatus.BOOKED]
    row = max((r for r in booked if lane(planner, r) < TOP_CHAIRS), key=lambda r: lane(planner, r))
    item = made(planner)[row.id]
    viewport = view.viewport()
    point = view.viewport_point_of(item)
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert planner.scene.selected_block() is item
    start_lane = lane(planner, row)
    steps = 20
    reached = start_lane + steps
    assert reached < TOP_CHAIRS + SPARE_CHAIRS  # into empty chairs only
    shown = visible(planner)
    far = [
        i
        for i in range(start_lane + 1, reached + 1)
        if made_ys[i] > shown.bottom() + shown.height()
    ]
    assert far  # lanes more than a screen below the view: none of them made at first
    for step in range(1, steps + 1):
        QTest.keyClick(view, Qt.Key.Key_Down)
        chair = planner.chairs[start_lane + step]
        assert booking_in_db(window, row.id) == (chair.id, row.start)
        selected = planner.scene.selected_block()
        assert selected is not None and selected.appointment_id == row.id
        assert selected.row.chair_name == chair.name
        assert visible(planner).contains(selected.sceneBoundingRect().adjusted(2, 2, -2, -2))
        in_view_all_made(planner)


def test_a_booking_moved_from_the_day_list_is_selected_in_view_on_the_grid(
    planner: Planner,
) -> None:
    """The Day list's Ctrl+Right moves a booking of a lane far below; the grid selects
    that block, made for it, and scrolls it into view."""
    window = planner.main_window
    assert isinstance(window, MainWindow)
    booked = [r for r in rows(planner) if r.status is CycleStatus.BOOKED and lane(planner, r) > 30]
    row = booked[0]
    assert row.id not in made(planner)
    window.pages.setCurrentWidget(window.table.parentWidget() or window.table)
    table = window.table
    number = next(
        n
        for n in range(window.model.rowCount())
        if window.model.row_data(n).appointment.id == row.id
    )
    table.setFocus()
    table.setCurrentIndex(table.model().index(number, 0))
    QTest.keyClick(table, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert booking_in_db(window, row.id) == (row.chair_id, row.start + timedelta(minutes=15))
    window.pages.setCurrentWidget(planner)
    selected = planner.scene.selected_block()
    assert selected is not None and selected.appointment_id == row.id
    assert selected is planner.scene.block_for(row.id)
    assert visible(planner).contains(selected.sceneBoundingRect().adjusted(2, 2, -2, -2))
    in_view_all_made(planner)


def test_a_day_switch_makes_only_the_blocks_near_the_view(planner: Planner) -> None:
    """Scrolled to the bottom, another day, then back: the day starts at the first
    chair, with only the blocks near the view made (the old day's items reused)."""
    window = planner.main_window
    assert isinstance(window, MainWindow)
    bar = planner.view.verticalScrollBar()
    bar.setValue(bar.maximum())
    in_view_all_made(planner)
    other: date = window.settings.calendar.next_open_day(BUSY_DAY + timedelta(days=1))
    for day in (other, BUSY_DAY):
        window.show_day(day)
        assert bar.value() == 0
        items = made(planner)
        assert set(items) <= set(planner.scene.blocks)
        in_view_all_made(planner)
    assert 0 < len(made(planner)) < len(planner.scene.blocks)
    assert all(lane(planner, item.block) < TOP_CHAIRS for item in made(planner).values())


class EveryBlockScene(PlannerScene):
    """The grid as it was before ``lanes.py``, to compare with: an item for every
    block at each rebuild; on a day switch the old day's items reused where they are,
    last first, then those kept aside, then new ones."""

    def __init__(self, settings: ClinicSettings) -> None:
        super().__init__(settings)
        self.every: dict[int, BlockItem] = {}
        self.aside: list[BlockItem] = []

    def rebuild(  # type: ignore[override]
        self,
        settings: ClinicSettings,
        day: date,
        chairs: list[Chair],
        rows: list[AppointmentView],
        now: datetime | None,
        available_width: float = 0.0,
    ) -> None:
        old = self.geometry
        shown: list[BlockItem] = []
        if old is not None and old.day != day:
            shown = list(self.every.values())
            self.clearSelection()
        else:
            for item in self.every.values():
                self.removeItem(item)
        self.every = {}
        geometry = PlannerGeometry(settings, day, chairs, settings.snap_min, available_width)
        self.geometry = geometry
        self.setSceneRect(QRectF(0, 0, geometry.width, geometry.height))
        describe = self.describer(settings.calendar)
        views = {view.appointment.id: view for view in rows}
        for block, box in geometry.block_boxes([block_of(view) for view in rows]):
            if shown:
                item = shown.pop()
                item.show_row(views[block.id], box, describe)
            elif self.aside:
                item = self.aside.pop()
                item.show_row(views[block.id], box, describe)
                self.addItem(item)
            else:
                item = BlockItem(views[block.id], QRectF(*box), describe, None)
                self.addItem(item)
            self.every[block.id] = item
        for item in shown:
            self.removeItem(item)
        self.aside.extend(shown)

    def block_for(self, appointment_id: int) -> BlockItem | None:
        return self.every.get(appointment_id)


def test_blocks_made_lane_by_lane_stack_as_when_every_block_was_made(
    qtbot: QtBot, spread: Context
) -> None:
    """Back-to-back visits share a pixel column, the selected border overlaps the next
    block: a lane's items must be stacked as a day switch's reuse of every item left
    them. Grabs of the grid after switches, each visit of such a pair selected, equal
    those of a scene that makes every block."""
    ctx = spread
    settings = load_settings(ctx.store)
    chairs = [Chair(c.id, c.name) for c in queries.chairs(ctx.store)]
    lazy, every = PlannerScene(settings), EveryBlockScene(settings)
    views = [PlannerView(scene) for scene in (lazy, every)]
    for view in views:
        qtbot.addWidget(view)
        view.resize(900, 420)
        view.show()
        qtbot.waitExposed(view)
    # A day of few visits first: the busy day's first rows then reuse its items, last
    # first, so their stacking is not the rows' order.
    after, before = BUSY_DAY + timedelta(days=1), BUSY_DAY - timedelta(days=1)
    compared = 0
    for day in (after, BUSY_DAY, before, BUSY_DAY, after, BUSY_DAY):
        rows = day_bookings(ctx.store, settings, day)
        for scene in (lazy, every):
            scene.rebuild(settings, day, chairs, rows, None, 900.0)
        pairs = [
            (a.appointment.id, b.appointment.id)
            for a, b in itertools.pairwise(
                sorted(rows, key=lambda r: (r.appointment.chair_id, r.appointment.start))
            )
            if a.appointment.chair_id == b.appointment.chair_id
            and a.appointment.end >= b.appointment.start
        ]
        for appointment_id in [key for pair in pairs for key in pair]:
            grabs = []
            for scene, view in zip((lazy, every), views, strict=True):
                scene.clearSelection()
                item = scene.block_for(appointment_id)
                assert item is not None
                item.setSelected(True)
                view.ensureVisible(item)
                QApplication.processEvents()
                grabs.append(view.grab().toImage())
            assert grabs[0] == grabs[1], (day, appointment_id)
            compared += 1
    assert compared >= 20
