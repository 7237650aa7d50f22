"""``protocol_booking.BookingStore`` over SQLite: a mixin of ``SqliteStore`` (it needs
only the store's ``db``). ``PgStore`` inherits it; the SQL is plain enough for both."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from .connection import Database
from .database import to_utc_text
from .protocol_booking import BusySpan
from .repository import chair_free_between
from .schema_names import OCCUPYING

__all__ = ["BookingSqlite", "busy_spans", "first_free_chair"]

SPANS_SQL = (
    "SELECT chair_id, start_utc, end_utc, CASE WHEN kind = 'dose' THEN prep_min END "
    f"FROM appointments WHERE status IN {OCCUPYING} "
    "AND start_utc < ? AND end_utc > ? AND start_utc >= ?"
)


def busy_spans(db: Database, start: datetime, end: datetime) -> list[BusySpan]:
    """``load_queries.busy_rows`` without the id and the kind (a dose's prep_min, None
    for blocked time): the same bounds, the same rows, in the same order."""
    params = [to_utc_text(end), to_utc_text(start), to_utc_text(start - timedelta(days=1))]
    return db.execute(SPANS_SQL, params).fetchall()


def first_free_chair(
    db: Database,
    chair_ids: Sequence[int],
    start: datetime,
    end: datetime,
    exclude: Iterable[int] = (),
) -> int | None:
    """``repository.chair_free_between`` for several chairs in two statements at most:
    the first chair alone (its EXISTS, as before: a quiet day asks nothing more), then
    one CASE of the same EXISTS for the others, in order. SQLite works out each of those
    EXISTS once the statement starts (they are constants to it), so the first chair is
    not among them. The same bounds: the day before ``start`` keeps each chair's index
    range on the day (appointments last at most a day)."""
    chairs = list(chair_ids)
    if not chairs:
        return None
    if chair_free_between(db, chairs[0], start, end, exclude):
        return chairs[0]
    chairs = chairs[1:]
    if not chairs:
        return None
    if end.microsecond:  # stored times are whole seconds: round outward, same answer
        end = end.replace(microsecond=0) + timedelta(seconds=1)
    skip = list(exclude)
    not_in = f" AND id NOT IN ({', '.join('?' for _ in skip)})" if skip else ""
    taken = (
        "EXISTS (SELECT 1 FROM appointments WHERE chair_id = ? "
        f"AND status IN {OCCUPYING} AND start_utc < ? AND end_utc > ? "
        f"AND start_utc >= ?{not_in})"
    )
    bounds = [to_utc_text(end), to_utc_text(start), to_utc_text(start - timedelta(days=1))]
    whens = " ".join(f"WHEN NOT {taken} THEN {n}" for n in range(len(chairs)))
    params = [value for chair in chairs for value in (chair, *bounds, *skip)]
    row = db.execute(f"SELECT CASE {whens} END", params).fetchone()
    return None if row is None or row[0] is None else chairs[row[0]]


class BookingSqlite:
    db: Database

    def first_free_chair(
        self,
        chair_ids: Sequence[int],
        start: datetime,
        end: datetime,
        exclude: Iterable[int] = (),
    ) -> int | None:
        return first_free_chair(self.db, chair_ids, start, end, exclude)

    def busy_spans(self, start: datetime, end: datetime) -> list[BusySpan]:
        return busy_spans(self.db, start, end)
