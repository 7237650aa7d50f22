"""The store's errors as the rooms (GUI, CLI, reports, interop) catch and word them.

They are raised below the services; the rooms name them from here so that none of them
imports ``store/``.
"""

from __future__ import annotations

from ..store.database import (
    ConflictError,
    DatabaseError,
    StoreError,
    describe_sqlite_error,
)

__all__ = ["ConflictError", "DatabaseError", "StoreError", "describe_sqlite_error"]
