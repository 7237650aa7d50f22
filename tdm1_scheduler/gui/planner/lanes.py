"""The day grid's blocks, made lane by lane as the view comes near them (issue 19).

A busy day draws 600-1,500 appointments over 80-200 chairs, and the view shows 10-15
lanes. ``LaneBlocks`` is the scene's ``blocks``: a mapping over every appointment the
day draws, which makes a lane's items when the view comes near the lane
(``PlannerScene.reveal``: the lanes in view and a screen above and below) or when one
of its blocks is asked for (``blocks[id]``, ``block_for``). ``made()`` are the items
made so far.

Stacking: the blocks of one lane may share a pixel column (back-to-back visits, the
selected border), so the order in which they were added to the scene shows. A day
switch reuses the old day's items where they are, last first, and adds the rest (as
when every row had an item); ``_rank`` replays that order for every row without
making items, and a lane's items are added (or reused) in it. Lanes never overlap, so
their order does not show.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol, cast

from PySide6.QtCore import QRectF
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QGraphicsScene

from ...domain.day_blocks import DayBlock, block_of
from ...domain.records import AppointmentView
from .block_item import BlockItem, Box, Describe
from .day_model import Fetch


class LaneGeometry(Protocol):
    """What of ``day_scene.PlannerGeometry`` the lanes use (it imports this module)."""

    def chair_index(self, chair_id: int) -> int | None: ...

    def lanes_of(self, rows: Sequence[DayBlock]) -> tuple[dict[int, DayBlock], list[list[int]]]: ...

    def block_boxes(self, rows: list[DayBlock]) -> list[tuple[DayBlock, Box]]: ...

    def block_rect(self, row: AppointmentView | DayBlock) -> QRectF: ...


class LaneBlocks(Mapping[int, BlockItem]):
    """Every block of the day shown, by appointment id; an item is made with its lane."""

    def __init__(self, scene: QGraphicsScene, spare: list[BlockItem]) -> None:
        self._scene = scene
        self._spare = spare  # the scene's blocks of a day shown before, out of the scene
        self.geometry: LaneGeometry | None = None
        self.first_icon: QIcon | None = None
        self._describe: Describe | None = None
        self._fetch: Fetch | None = None
        self._lean: dict[int, DayBlock] = {}  # every row drawn, in the order of ``blocks``
        self._views: dict[int, AppointmentView] = {}  # rows given as whole records
        self._rank: dict[int, int] = {}  # stacking, higher on top (same order as _lean)
        self._lanes: list[list[int]] = []  # the ids in each lane
        self._lane_made: bytearray = bytearray()
        self._made: dict[int, BlockItem] = {}
        self._stack: dict[int, int] = {}  # each made item's place in the scene's order
        self._pool: list[BlockItem] = []  # the old day's items, in the scene, lowest first
        self._pool_stack: list[int] = []
        self._next_rank = self._next_stack = 0

    # --- the mapping ----------------------------------------------------------------
    def __getitem__(self, appointment_id: int) -> BlockItem:
        item = self._made.get(appointment_id)
        if item is None:
            block = self._lean[appointment_id]  # KeyError: not drawn on this day
            geometry = self.geometry
            assert geometry is not None
            index = geometry.chair_index(block.chair_id)
            assert index is not None
            self._make_lane(index)
            item = self._made[appointment_id]
        return item

    def __iter__(self) -> Iterator[int]:
        return iter(self._lean)

    def __len__(self) -> int:
        return len(self._lean)

    def __contains__(self, appointment_id: object) -> bool:
        return appointment_id in self._lean

    def made(self) -> list[BlockItem]:
        """The items made so far (the others are made when asked or near the view)."""
        return list(self._made.values())

    def rows(self) -> list[DayBlock]:
        """Every block's lean row, in the mapping's order; no item made."""
        return list(self._lean.values())

    # --- a day's rows ------------------------------------------------------------------
    def load(
        self,
        geometry: LaneGeometry,
        rows: Sequence[DayBlock] | Sequence[AppointmentView],
        describe: Describe,
        fetch: Fetch | None,
        switch: bool,
    ) -> None:
        """Take ``rows`` (no item made yet). ``switch``: another day than the one shown,
        whose items are reused (``settle`` puts those left over aside); else they go."""
        old_ranks: list[int] = []
        made, stack = self._made, self._stack
        if switch:
            old_ranks = list(self._rank.values())
            order = sorted(made, key=stack.__getitem__)
            self._pool = [made[key] for key in order]
            self._pool_stack = [stack[key] for key in order]
        else:
            for item in made.values():
                self._scene.removeItem(item)
        self._made, self._stack = {}, {}
        self.geometry, self._describe, self._fetch = geometry, describe, fetch
        views: dict[int, AppointmentView] = {}
        lean: Sequence[DayBlock]
        if rows and isinstance(rows[0], AppointmentView):  # whole records: kept as given
            views = {view.appointment.id: view for view in cast(list[AppointmentView], rows)}
            lean = [block_of(view) for view in views.values()]
        else:
            lean = cast(Sequence[DayBlock], rows)
        self._views = views
        drawn, lanes = geometry.lanes_of(lean)
        self._lean, self._lanes = drawn, lanes
        self._lane_made = bytearray(len(lanes))
        # The old day's items went to the new rows last first; the rest were added.
        old_ranks.reverse()
        count, fresh = len(drawn), len(drawn) - len(old_ranks)
        if fresh > 0:
            old_ranks.extend(range(self._next_rank, self._next_rank + fresh))
            self._next_rank += fresh
        self._rank = dict(zip(drawn, old_ranks[:count], strict=True))

    def settle(self) -> None:
        """After a load and the first lanes made: the old day's items left over are
        taken out of the scene and kept aside."""
        pool = self._pool
        for item in pool:
            self._scene.removeItem(item)
        self._spare.extend(pool)
        self._pool, self._pool_stack = [], []

    def make_lanes(self, first: int, last: int) -> None:
        """Make the lanes from ``first`` up to ``last`` (clamped) not made yet."""
        made = self._lane_made
        for index in range(max(0, first), min(len(made), last)):
            if not made[index]:
                self._make_lane(index)

    def _make_lane(self, index: int) -> None:
        """Make one lane's items, in stacking order: the old day's items first (lowest
        first, where they are in the scene), then those kept aside, then new ones."""
        self._lane_made[index] = 1
        ids = self._lanes[index]
        if not ids:
            return
        if len(ids) > 1:
            ids = sorted(ids, key=self._rank.__getitem__)
        geometry = self.geometry
        describe = self._describe
        assert geometry is not None and describe is not None
        lean, views, fetch = self._lean, self._views, self._fetch
        placed = geometry.block_boxes([lean[key] for key in ids])
        pool, pool_stack = self._pool, self._pool_stack
        take = min(len(pool), len(placed))
        reused, reused_stack = pool[len(pool) - take :], pool_stack[len(pool) - take :]
        del pool[len(pool) - take :]
        del pool_stack[len(pool_stack) - take :]
        made, stack, spare, scene = self._made, self._stack, self._spare, self._scene
        for number, (block, box) in enumerate(placed):
            row = views.get(block.id, block)
            if number < take:
                item = reused[number]
                item.show_row(row, box, describe, fetch)
                stack[block.id] = reused_stack[number]
                made[block.id] = item
                continue
            if spare:
                item = spare.pop()
                item.show_row(row, box, describe, fetch)
            else:
                item = BlockItem(row, QRectF(*box), describe, self.first_icon, fetch)
            scene.addItem(item)
            stack[block.id] = self._next_stack
            self._next_stack += 1
            made[block.id] = item

    # --- one appointment -----------------------------------------------------------------
    def replace(self, appointment_id: int, row: AppointmentView | None) -> None:
        """Draw one appointment from ``row`` (None: it left the day shown), on top of
        its lane: made now when its lane is made, else with its lane."""
        old = self._made.pop(appointment_id, None)
        if old is not None:
            self._scene.removeItem(old)
            del self._stack[appointment_id]
        gone = self._lean.pop(appointment_id, None)
        if gone is not None:
            self._views.pop(appointment_id, None)
            del self._rank[appointment_id]
            geometry = self.geometry
            index = None if geometry is None else geometry.chair_index(gone.chair_id)
            if index is not None:
                self._lanes[index].remove(appointment_id)
        geometry = self.geometry
        index = (
            None
            if row is None or geometry is None
            else geometry.chair_index(row.appointment.chair_id)
        )
        if row is None or geometry is None or index is None:
            return
        self._lean[appointment_id] = block_of(row)
        self._views[appointment_id] = row
        self._rank[appointment_id] = self._next_rank
        self._next_rank += 1
        self._lanes[index].append(appointment_id)
        if self._lane_made[index]:
            assert self._describe is not None
            item = BlockItem(row, geometry.block_rect(row), self._describe, self.first_icon)
            self._scene.addItem(item)
            self._made[appointment_id] = item
            self._stack[appointment_id] = self._next_stack
            self._next_stack += 1
