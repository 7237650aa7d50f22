"""``protocol_desk.DeskStore`` over SQLite: a mixin of ``SqliteStore`` (it needs only the
store's ``db``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..domain.records import SheetRow
from . import mapping, sheet_queries
from .connection import Database
from .database import data_version, db_path

__all__ = ["DeskSqlite"]


class DeskSqlite:
    db: Database

    @property
    def location(self) -> Path | None:
        path = db_path(self.db)
        return None if path == ":memory:" else Path(path)

    def outside_mark(self) -> int:
        # data_version moves when another connection commits, never for this one's writes
        return data_version(self.db)

    def data_mark(self) -> tuple[int, int]:
        # total_changes counts this connection's own writes (no query at all)
        return data_version(self.db), self.db.conn.total_changes

    def day_sheet_rows(self, start: datetime, end: datetime) -> list[SheetRow]:
        rows = sheet_queries.day_sheet_values(self.db, start, end)
        return [mapping.values_to_sheet_row(values) for values in rows]
