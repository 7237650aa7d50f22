"""``protocol_booking.BookingStore`` over SQLite: a mixin of ``SqliteStore`` (it needs
only the store's ``db``). ``PgStore`` inherits it; the SQL is plain enough for both."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from .connection import Database
from .database import to_utc_text
from .migrations import OCCUPYING

__all__ = ["BookingSqlite", "chairs_busy_between"]


def chairs_busy_between(
    db: Database,
    chair_ids: Sequence[int],
    start: datetime,
    end: datetime,
    exclude: Iterable[int] = (),
) -> set[int]:
    """``repository.chair_free_between`` for several chairs in one statement: the same
    bounds (the day before ``start`` keeps the index range on the day; appointments last
    at most a day), an index range of ``appointments_by_chair_start`` per chair."""
    chairs = list(dict.fromkeys(chair_ids))
    if not chairs:
        return set()
    if end.microsecond:  # stored times are whole seconds: round outward, same answer
        end = end.replace(microsecond=0) + timedelta(seconds=1)
    skip = list(exclude)
    not_in = f" AND id NOT IN ({', '.join('?' for _ in skip)})" if skip else ""
    marks = ", ".join("?" for _ in chairs)
    rows = db.execute(
        f"SELECT DISTINCT chair_id FROM appointments WHERE chair_id IN ({marks}) "
        f"AND status IN {OCCUPYING} AND start_utc < ? AND end_utc > ? "
        f"AND start_utc >= ?{not_in}",
        [
            *chairs,
            to_utc_text(end),
            to_utc_text(start),
            to_utc_text(start - timedelta(days=1)),
            *skip,
        ],
    ).fetchall()
    return {row[0] for row in rows}


class BookingSqlite:
    db: Database

    def chairs_busy_between(
        self,
        chair_ids: Sequence[int],
        start: datetime,
        end: datetime,
        exclude: Iterable[int] = (),
    ) -> set[int]:
        return chairs_busy_between(self.db, chair_ids, start, end, exclude)
