"""``DayBlock`` is made by ``collections.namedtuple`` at run time (issue 19: cheaper to
define on the way to the first paint) and declared as a ``typing.NamedTuple`` for the
type checker: the two must name the same fields in the same order."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime

from tdm1_scheduler.domain import day_blocks
from tdm1_scheduler.domain.day_blocks import DayBlock
from tdm1_scheduler.domain.records import AppointmentKind, CycleStatus


def declared_fields() -> tuple[str, ...]:
    tree = ast.parse(inspect.getsource(day_blocks))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "DayBlock":
            return tuple(
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            )
    raise AssertionError("no DayBlock declared")


def test_the_run_time_fields_are_the_declared_ones() -> None:
    assert DayBlock._fields == declared_fields()
    assert len(DayBlock._fields) == 15


def test_a_block_holds_its_chair_when_booked_or_given() -> None:
    at = datetime(2026, 11, 18, 9, tzinfo=UTC)
    fields = (1, 2, "Chair 2", AppointmentKind.DOSE, "", CycleStatus.BOOKED, at, at)
    rest = (15, 30, 30, 1, None, "MRN1", "Pat")
    assert DayBlock(*fields, *rest).holds_chair
    given = DayBlock(*fields, *rest)._replace(status=CycleStatus.GIVEN)
    assert given.holds_chair and isinstance(given, tuple)
    assert not given._replace(status=CycleStatus.MISSED).holds_chair
