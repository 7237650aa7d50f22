"""Moving a single-PC clinic to the server (``migrate --to URL``), as the CLI calls it:
the copy itself is the store's (``store/postgres/copy_clinic.py``)."""

from __future__ import annotations

from pathlib import Path

from ..store.postgres import copy_clinic as _copy

__all__ = ["check_url", "mask_url", "migrate_clinic"]

check_url = _copy.check_url
mask_url = _copy.mask_url


def migrate_clinic(sqlite_path: Path | str, url: str) -> dict[str, tuple[int, int]]:
    """Copy the SQLite clinic into the empty server database ``url``; per table, its
    rows in SQLite and on the server (equal). Refusals raise StoreError (one line)."""
    return _copy.migrate_to(sqlite_path, url)
