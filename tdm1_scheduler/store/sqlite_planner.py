"""``protocol_planner.PlannerStore`` over SQLite: a mixin of ``SqliteStore`` (it needs only
the store's ``db``).

A day's read is on every switch of the planner (issue 19). Python's ``sqlite3`` makes a
Python object of every value of every row (~590 rows on a busy day), so this reads the
15 columns a ``DayBlock`` holds and the chairs' position, not the 24 of a whole
``AppointmentView``, and makes each row's ``DayBlock`` in one expression (no Python call
per row but the two instants' parse, each parsed once).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from ..domain.day_blocks import DayBlock
from ..domain.records import AppointmentKind, CycleStatus, Setting
from . import mapping
from .connection import Database
from .database import to_utc_text
from .schema_names import OCCUPYING

__all__ = ["BLOCKS_SELECT", "PlannerSqlite", "tuples_to_day_blocks"]

# The joins of ``view_queries.VIEW_SELECT`` (the same rows); DayBlock's columns in its
# order, then the chair's position (the sort key, not the block's).
BLOCKS_SELECT = (
    "SELECT a.id, a.chair_id, c.name, a.kind, a.label, a.status, a.start_utc, a.end_utc, "
    "a.prep_min, a.infusion_min, a.observation_min, d.cycle, co.setting, p.mrn, p.name, "
    "c.position "
    "FROM appointments a "
    "JOIN chairs c ON c.id = a.chair_id "
    "LEFT JOIN doses d ON d.id = a.dose_id "
    "LEFT JOIN courses co ON co.id = d.course_id "
    "LEFT JOIN patients p ON p.id = co.patient_id "
)
# The rows come in (chair id, start) order: a stable sort on the position alone gives
# (position, chair id, start), with no key tuple made per row.
_CHAIR_POSITION = itemgetter(len(DayBlock._fields))


def tuples_to_day_blocks(rows: list[tuple[Any, ...]]) -> list[DayBlock]:
    """Rows of ``BLOCKS_SELECT`` as ``DayBlock``: the same values ``block_of`` takes
    from ``mapping``'s record of the same row (each choice a dict lookup, each instant
    parsed once, an unknown stored value a ValueError)."""
    kinds, statuses, settings = mapping._KIND, mapping._CYCLE_STATUS, mapping._SETTING
    instants, instant = mapping._instants, mapping._instant
    new = tuple.__new__
    return [
        new(
            DayBlock,
            (
                ident,
                chair_id,
                chair_name,
                kinds.get(kind) or AppointmentKind(kind),
                label,
                statuses.get(status) or CycleStatus(status),
                instants.get(start) or instant(start),
                instants.get(end) or instant(end),
                prep,
                infusion,
                observation,
                cycle,
                None if setting is None else settings.get(setting) or Setting(setting),
                mrn,
                patient_name,
            ),
        )
        for (
            ident, chair_id, chair_name, kind, label, status, start, end, prep, infusion,
            observation, cycle, setting, mrn, patient_name, _position,
        ) in rows
    ]


def blocks_between(db: Database, start: datetime, end: datetime) -> list[DayBlock]:
    """``view_queries.views_between``'s rows (the same statement's filters and order:
    read in (chair id, start) order, then stably sorted by the chairs' position), lean."""
    rows = db.execute(
        BLOCKS_SELECT + f"WHERE a.status IN {OCCUPYING} AND a.start_utc < ? AND a.end_utc > ? "
        "AND a.start_utc >= ? ORDER BY c.id, a.start_utc",
        # appointments last at most a day: the lower bound keeps the index range short
        [to_utc_text(end), to_utc_text(start), to_utc_text(start - timedelta(days=1))],
    ).fetchall()
    rows.sort(key=_CHAIR_POSITION)
    return tuples_to_day_blocks(rows)


class PlannerSqlite:
    db: Database

    def day_blocks(self, start: datetime, end: datetime) -> list[DayBlock]:
        return blocks_between(self.db, start, end)
