"""``protocol_desk.DeskStore`` over SQLite: a mixin of ``SqliteStore`` (it needs only the
store's ``db``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from ..domain.records import SheetRow
from . import mapping
from .connection import Database
from .database import backup_to, data_version, db_path, integrity_problems, schema_version

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

    def close(self) -> None:
        self.db.close()

    def schema_version(self) -> str:
        return schema_version(self.db)

    def integrity_problems(self) -> list[str]:
        return integrity_problems(self.db)

    def backup_to(self, target: Path) -> None:
        backup_to(self.db, target)

    def day_sheet_rows(self, start: datetime, end: datetime) -> list[SheetRow]:
        from . import sheet_queries  # the day sheet's reads: when printed (issue 19)

        rows = sheet_queries.day_sheet_values(self.db, start, end)
        return [mapping.values_to_sheet_row(values) for values in rows]

    def appointments_with_results(self, appointment_ids: Iterable[int]) -> list[int]:
        from . import sheet_queries

        return sheet_queries.appointments_with_results(self.db, appointment_ids)
