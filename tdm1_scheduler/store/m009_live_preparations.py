"""m009: the pharmacy's shelf by index (issue 19).

``repository.live_preparations`` reads ``... WHERE discarded_at IS NULL AND used_at IS
NULL ORDER BY id``: the preparations neither discarded nor used. Without an index that
scanned every preparation of the clinic's history. On ``(discarded_at, used_at)`` the
two ``IS NULL`` tests are one index range (SQLite searches ``IS NULL`` as an equality),
and within it the entries are in rowid order, so the shelf is read in ``id`` order with
no sort: the cost follows what is on the shelf, not the years behind it.
"""

from __future__ import annotations

from .connection import Database

NAME = "m009_live_preparations"


def m009_live_preparations(db: Database) -> None:
    """``preparations_live`` on ``preparations(discarded_at, used_at)``."""
    db.executescript(
        "CREATE INDEX IF NOT EXISTS preparations_live ON preparations(discarded_at, used_at);"
    )
