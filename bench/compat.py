"""The same bench over an older tree: the day's read under whichever name the tree has.

Issue 15's rule compares the tree before the seam (6a3f3d7, dict rows from
``queries.day_appointments``) with the tree after it (records from
``queries.day_bookings``), running this bench/ in both. What a figure times stays what
the tree itself does; only the untimed choices (which dose to move, where to) read the
day through ``booking_facts``, which gives the same facts from either shape.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, NamedTuple


def day_read() -> Callable[[Any, Any, date], list[Any]]:
    """The tree's read of a day's chair-holding bookings: ``queries.day_bookings`` (the
    seam's records, given a Store or a Database) or, before the seam,
    ``queries.day_appointments`` (dict rows, given a Database)."""
    from tdm1_scheduler.services import queries

    # getattr: the name this tree lacks is never looked up as an attribute
    read = getattr(queries, "day_bookings", None) or getattr(queries, "day_appointments")  # noqa: B009
    return read  # type: ignore[no-any-return]


class BookingFacts(NamedTuple):
    """What the bench's untimed choices need of one booking (a NamedTuple: the cold
    start's harness imports this module, and the app no longer imports dataclasses)."""

    chair_id: int
    chair_name: str
    kind: str
    status: str
    start: datetime
    end: datetime
    mrn: str | None
    cycle: int | None


def booking_facts(rows: list[Any]) -> list[BookingFacts]:
    """``day_read()``'s answer (records or dict rows) as ``BookingFacts``."""
    if rows and isinstance(rows[0], dict):
        from tdm1_scheduler.store.database import from_utc_text

        return [
            BookingFacts(
                row["chair_id"],
                row["chair_name"],
                row["kind"],
                row["status"],
                from_utc_text(row["start_utc"]),
                from_utc_text(row["end_utc"]),
                row["mrn"],
                row["cycle"],
            )
            for row in rows
        ]
    return [
        BookingFacts(
            view.appointment.chair_id,
            view.chair_name,
            view.appointment.kind.value,
            view.appointment.status.value,
            view.appointment.start,
            view.appointment.end,
            view.mrn,
            view.cycle,
        )
        for view in rows
    ]


def planner_present() -> bool:
    """The planner's page module exists (a package since the rooms; a plain module
    ``gui/planner.py`` before them, which ``find_spec`` of a submodule refuses)."""
    import importlib.util

    try:
        return importlib.util.find_spec("tdm1_scheduler.gui.planner.page") is not None
    except ModuleNotFoundError:
        return importlib.util.find_spec("tdm1_scheduler.gui.planner") is not None


def context(db: Any, clock: Any, user: str = "scheduler") -> Any:
    """The tree's service context over the SQLite connection ``db``: ``Context(store,
    clock, user)`` since the seam's last step, ``Context(db, clock, user)`` before."""
    from tdm1_scheduler.services.context import Context

    # its annotations, not __dataclass_fields__: that would make a lean class's metadata
    # (and import dataclasses) inside the timed start
    if "db" in Context.__dict__.get("__annotations__", {}):  # noqa: RUF063
        return Context(db, clock, user)
    from tdm1_scheduler.store.sqlite_store import SqliteStore

    return Context(SqliteStore(db), clock, user)


def source(ctx: Any) -> Any:
    """What the tree's reads take: the context's store, or its connection before it had
    one of its own."""
    return getattr(ctx, "db", None) or ctx.store


def store_of(db: Any) -> Any:
    """What the tree's services read from: a store over ``db`` since the seam, else ``db``."""
    try:
        from tdm1_scheduler.store.sqlite_store import SqliteStore
    except ImportError:
        return db
    return SqliteStore(db)
