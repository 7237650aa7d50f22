"""The stored instants in the rows some services still hand over, as aware datetimes.

An interim step: views reading ``row["start_utc"]`` parse it here rather than with the
store's own helpers. A view moved to records (``queries.day_bookings``) gets datetimes
and needs none of this.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..store.database import from_utc_text, to_utc_text

__all__ = ["row_instant", "utc_instant", "utc_text"]


def utc_instant(text: str) -> datetime:
    """A stored UTC instant's text (``2025-03-04T08:30:00Z``) as an aware datetime."""
    return from_utc_text(text)


def utc_text(instant: datetime) -> str:
    """An aware instant as the stored UTC text (sorts as the instants do)."""
    return to_utc_text(instant)


def row_instant(row: Mapping[str, Any], key: str) -> datetime:
    """``row[key]`` (``start_utc``, ``end_utc``...) as an aware datetime."""
    return from_utc_text(row[key])
