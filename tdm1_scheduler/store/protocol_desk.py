"""What the desk (the main window, the session's change watch, the day sheet, the CLI)
needs of a store beyond ``protocol.Store``'s records: where the clinic lives, two cheap
marks of "something was committed", the file-level acts (close, check, back up) and the
day sheet's reads.

``Store`` extends ``DeskStore``, so every store offers these.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..domain.records import SheetRow

__all__ = ["DeskStore"]


@runtime_checkable
class DeskStore(Protocol):
    @property
    def location(self) -> Path | None:
        """The file the clinic is kept in (None: a store with no file of its own, in
        memory or on a server): what a file the app writes must never overwrite."""
        ...

    def outside_mark(self) -> int:
        """A number that moves when another connection commits and never for this one's
        own writes; asked without a query of the data (SQLite: ``data_version``)."""
        ...

    def data_mark(self) -> tuple[int, int]:
        """Moves whenever anything is committed, by this connection or another: the
        outside mark and a count of this connection's own changes (no query of the
        data); the key a view keeps of what it last read."""
        ...

    def close(self) -> None:
        """Let go of the clinic (the connection); the store is not used after."""
        ...

    def schema_version(self) -> str:
        """The name of the newest schema step applied (``none`` before any)."""
        ...

    def integrity_problems(self) -> list[str]:
        """What a full integrity check of the stored clinic finds (empty: none)."""
        ...

    def backup_to(self, target: Path) -> None:
        """A verified copy of the whole clinic written to ``target``, all or nothing
        (the caller decided ``target`` may be written)."""
        ...

    def day_sheet_rows(self, start: datetime, end: datetime) -> list[SheetRow]:
        """The day sheet's rows for [start, end) in ONE statement whatever the count:
        the chair-holding appointments (booked, given) and the missed ones overlapping
        it, in chair order (position, id) then start, then id."""
        ...

    def appointments_with_results(self, appointment_ids: Iterable[int]) -> list[int]:
        """The dose appointments among the ids whose patient has a lab or LVEF result on
        record, by id, in ONE statement: the day sheet's readiness under ``warn`` reads
        only their bookings (any other's verdict is ``missing``, never marked)."""
        ...
