"""The drag-and-drop commit's untimed choices, shared by ``run.py`` (SQLite, through the
planner) and ``server.py`` (the server and SQLite, through the service): the day, which
dose to move and where to. The same seed makes the same choices on either store, as
long as both hold the same clinic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from compat import booking_facts, day_read, source


@dataclass(frozen=True)
class Move:
    """One dose to move: ``mrn`` / ``cycle`` to ``to`` in ``chair`` (a free gap)."""

    mrn: str
    cycle: int
    to: datetime
    chair: str


def move_day(ctx: Any, settings: Any) -> date:
    """The day the moves are made on: the next open day after the clinic's today."""
    calendar = settings.calendar
    return calendar.next_open_day(calendar.local_date(ctx.clock.now()) + timedelta(days=1))  # type: ignore[no-any-return]


def free_gaps(rows: list[Any], opening: tuple[datetime, datetime]) -> list[Any]:
    """(chair id, chair name, gap start, gap end) for every free stretch of the day
    (``rows``: the day's ``compat.BookingFacts``)."""
    by_chair: dict[int, list[tuple[datetime, datetime]]] = {}
    names: dict[int, str] = {}
    for booking in rows:
        names[booking.chair_id] = booking.chair_name
        by_chair.setdefault(booking.chair_id, []).append((booking.start, booking.end))
    gaps = []
    for chair, busy in by_chair.items():
        cursor = opening[0].astimezone(UTC)
        for start, end in [*sorted(busy), (opening[1].astimezone(UTC),) * 2]:
            if start > cursor:
                gaps.append((chair, names[chair], cursor, start))
            cursor = max(cursor, end)
    return gaps


def pick_move(ctx: Any, settings: Any, day: date, rng: random.Random) -> Move | str:
    """A booked dose of ``day`` and a free gap that day long enough for it (read now:
    the day as the last move left it); the reason when there is no gap."""
    opening = settings.calendar.opening_window(day)
    assert opening is not None
    rows = booking_facts(day_read()(source(ctx), settings, day))
    candidates = [r for r in rows if r.kind == "dose" and r.status == "booked" and r.mrn]
    row = rng.choice(candidates)
    length = row.end - row.start
    gaps = [g for g in free_gaps(rows, opening) if g[3] - g[2] >= length]
    if not gaps:
        return "no free gap that day"
    _chair, chair_name, gap_start, _end = rng.choice(gaps)
    assert row.cycle is not None  # a dose's booking has its cycle
    return Move(str(row.mrn), row.cycle, gap_start, chair_name)
