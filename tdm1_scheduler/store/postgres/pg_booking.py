"""``BookingStore.busy_seconds`` in the server's SQL (issue 19): SQLite's packs the day's
rows into one text with ``unixepoch`` and ``group_concat``; the server gives the same
rows, chair and instants as whole seconds from the origin, in one round trip."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from ...domain.span_search import ChairSpans
from ..connection import Database
from ..database import to_utc_text
from ..schema_names import OCCUPYING

__all__ = ["busy_seconds"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
SECONDS_SQL = (
    "SELECT chair_id, CAST(extract(epoch FROM start_utc) AS bigint) - ?, "
    "CAST(extract(epoch FROM end_utc) AS bigint) - ? "
    f"FROM appointments WHERE status IN {OCCUPYING} "
    "AND start_utc < ? AND end_utc > ? AND start_utc >= ?"
)


def busy_seconds(
    db: Database, start: datetime, end: datetime, origin: datetime, exclude: Iterable[int] = ()
) -> ChairSpans:
    """``sqlite_booking.busy_seconds`` on the server: the same rows, bounds and order."""
    skip = list(exclude)
    not_in = f" AND id NOT IN ({', '.join('?' for _ in skip)})" if skip else ""
    base = (origin - _EPOCH) // SECOND
    bounds = [to_utc_text(end), to_utc_text(start), to_utc_text(start - timedelta(days=1))]
    rows = db.execute(SECONDS_SQL + not_in, [base, base, *bounds, *skip]).fetchall()
    return ChairSpans.of_rows((int(c), int(a), int(b)) for c, a, b in rows)
