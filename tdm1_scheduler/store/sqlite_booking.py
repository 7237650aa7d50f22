"""``protocol_booking.BookingStore`` over SQLite: a mixin of ``SqliteStore`` (it needs
only the store's ``db``). ``PgStore`` inherits it; the SQL is plain enough for both."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import repeat
from operator import add, and_, rshift

from ..domain.span_search import FIELD_BITS, OFFSET, ChairSpans
from .connection import Database
from .database import to_utc_text
from .protocol_booking import BusySpan
from .repository import chair_free_between
from .schema_names import OCCUPYING

__all__ = ["BookingSqlite", "busy_seconds", "busy_spans", "first_free_chair"]

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


# busy_seconds: each row packed into one integer, its start key (``span_search``: chair
# * 2^21 + seconds from the origin + 2^20) * 2^21 + its length in seconds (under a day: a
# CHECK in the schema), so sorting the integers sorts the rows by chair, start, end.
# With s and e the instants' Unix seconds: chair * 2^42 + s * (2^21 - 1) + e + PACK_BASE,
# PACK_BASE = (2^20 - origin) * 2^21. SQLite hands them all as one text.
_BITS = FIELD_BITS
_MASK = (1 << _BITS) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
# unixepoch() where SQLite has it (3.38); strftime('%s') gives the same whole seconds
EPOCH_OF = (
    "unixepoch({})"
    if sqlite3.sqlite_version_info >= (3, 38)
    else "CAST(strftime('%s', {}) AS INTEGER)"
)
PACKED = (
    f"coalesce(chair_id * {1 << 2 * _BITS} + {EPOCH_OF.format('start_utc')} * {_MASK} "
    f"+ {EPOCH_OF.format('end_utc')} + ?, 'x')"
)
BUSY_WHERE = (
    f"FROM appointments WHERE status IN {OCCUPYING} "
    "AND start_utc < ? AND end_utc > ? AND start_utc >= ?"
)


def busy_seconds(
    db: Database, start: datetime, end: datetime, origin: datetime, exclude: Iterable[int] = ()
) -> ChairSpans:
    """``busy_spans``' rows (without the ids in ``exclude``) as ``ChairSpans`` from
    ``origin``: one statement that returns one row (``PACKED``: a ``group_concat`` of
    the packed rows, the same bounds as ``busy_spans``), unpacked with C-level column
    operations. Should a value not fit the packing (a chair id past 2^21 overflows into
    a real; an instant SQLite cannot read is NULL: 'x'), the rows are read one by one."""
    skip = list(exclude)
    not_in = f" AND id NOT IN ({', '.join('?' for _ in skip)})" if skip else ""
    seconds = (origin - _EPOCH) // SECOND
    bounds = [to_utc_text(end), to_utc_text(start), to_utc_text(start - timedelta(days=1))]
    row = db.execute(
        f"SELECT group_concat({PACKED}) {BUSY_WHERE}{not_in}",
        [(OFFSET - seconds) << _BITS, *bounds, *skip],
    ).fetchone()
    if row is None or row[0] is None:
        return ChairSpans([], [])
    try:
        packed = sorted(map(int, str(row[0]).split(",")))
    except ValueError:  # past the packing: the rows themselves
        return _busy_seconds_by_row(db, [seconds, seconds, *bounds, *skip], not_in)
    starts = list(map(rshift, packed, repeat(_BITS)))
    return ChairSpans(starts, list(map(add, starts, map(and_, packed, repeat(_MASK)))))


def _busy_seconds_by_row(db: Database, params: list[object], not_in: str) -> ChairSpans:
    rows = db.execute(
        f"SELECT chair_id, {EPOCH_OF.format('start_utc')} - ?, {EPOCH_OF.format('end_utc')} - ? "
        f"{BUSY_WHERE}{not_in}",
        params,
    ).fetchall()
    if any(value is None for row in rows for value in row):
        raise ValueError("an appointment's instant is not a time SQLite can read")
    return ChairSpans.of_rows(rows)


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

    def busy_seconds(
        self, start: datetime, end: datetime, origin: datetime, exclude: Iterable[int] = ()
    ) -> ChairSpans:
        return busy_seconds(self.db, start, end, origin, exclude)
