"""A block keeps where it belongs (``home``: a refused or cancelled drag puts it back
there) and its size as plain floats (issue 19: a day switch made a tuple and a QRectF
per block, ~870 objects the cyclic collector tracked, a young collection every other
switch). Reused for another row, moved to a new scale, painted: the same place, size and
pixels as a block made new for that row."""

from __future__ import annotations

import gc
from datetime import timedelta

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from tdm1_scheduler.domain.records import AppointmentView
from tdm1_scheduler.gui.planner.block_item import BlockItem, describe_block
from tdm1_scheduler.services import queries
from tdm1_scheduler.services.context import Context, load_settings


def _rows(ctx: Context) -> list[AppointmentView]:
    settings = load_settings(ctx.store)
    day = settings.calendar.local_date(ctx.clock.now())
    for offset in range(14):
        rows = queries.day_bookings(ctx.store, settings, day + timedelta(days=offset))
        if len(rows) >= 2:
            return rows
    raise AssertionError("the demo clinic has a booked day in the coming two weeks")


def _painted(item: BlockItem) -> QImage:
    rect = item.boundingRect()
    image = QImage(int(rect.width()) + 8, int(rect.height()) + 8, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.translate(2.25, 2.5)
    item.paint(painter, QStyleOptionGraphicsItem(), None)
    painter.end()
    return image


def test_home_and_size_follow_show_row_and_place(qapp, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    first, second = _rows(ctx)[:2]
    settings = load_settings(ctx.store)
    describe = lambda row: describe_block(row, settings.calendar)  # noqa: E731
    item = BlockItem(first, QRectF(10.5, 20.0, 80.25, 40.0), describe, None)
    assert item.home == QPointF(10.5, 20.0) == item.pos()
    assert item.boundingRect() == QRectF(-2, -2, 84.25, 44.0)
    # Reused for another row, elsewhere and wider: as a new block for that row.
    item.show_row(second, (33.75, 64.0, 120.5, 40.0), describe)
    fresh = BlockItem(second, QRectF(33.75, 64.0, 120.5, 40.0), describe, None)
    assert item.home == QPointF(33.75, 64.0) == item.pos() == fresh.home
    assert item.boundingRect() == fresh.boundingRect() == QRectF(-2, -2, 124.5, 44.0)
    assert _painted(item) == _painted(fresh)
    # A drag moves it; home stays where it belongs.
    item.setPos(200.0, 300.0)
    assert item.home == QPointF(33.75, 64.0)
    # A new time scale: moved and resized.
    item.place(QRectF(5.0, 64.0, 60.0, 40.0))
    fresh = BlockItem(second, QRectF(5.0, 64.0, 60.0, 40.0), describe, None)
    assert item.home == QPointF(5.0, 64.0) == item.pos()
    assert _painted(item) == _painted(fresh)


def test_show_row_keeps_no_tracked_object_per_block(qapp, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    first, second = _rows(ctx)[:2]
    settings = load_settings(ctx.store)
    describe = lambda row: describe_block(row, settings.calendar)  # noqa: E731
    item = BlockItem(first, QRectF(10.0, 20.0, 80.0, 40.0), describe, None)
    item.show_row(second, (30.0, 60.0, 90.0, 40.0), describe)
    # The row itself: its lean form (``block``) and, given whole, its record (``_row``).
    row = ("row", "block", "_row")
    kept = {name: value for name, value in vars(item).items() if name not in row}
    tracked = [name for name, value in kept.items() if gc.is_tracked(value)]
    # The sentence's maker (a function) is the only container a block keeps per row.
    assert tracked == ["_said"], tracked
