"""What a service call would do, without doing it.

The action runs for real inside a transaction that is always rolled back, so the answer
(allowed or not, why, what else moves, what happens to a prepared bag) is exactly what a
commit would give. The planner asks this while a block is dragged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain.errors import DomainError
from ..store.database import (
    ConflictError,
    OperationalError,
    StoreError,
    db_path,
    describe_sqlite_error,
)
from .context import ChangeSet, Context


@dataclass(frozen=True)
class Preview:
    allowed: bool
    reason: str | None  # one line naming the rule, when refused
    changes: ChangeSet | None

    @property
    def notes(self) -> list[str]:
        return [] if self.changes is None else list(self.changes.notes)


def preview(ctx: Context, action: Callable[..., ChangeSet], **kwargs: Any) -> Preview:
    """Run ``action(ctx, **kwargs)`` and roll everything back."""
    db = ctx.db
    if db.conn.in_transaction:
        raise RuntimeError("preview() must not run inside another transaction")
    try:
        db.execute("BEGIN IMMEDIATE")
    except OperationalError as error:  # another program holds the write lock
        return Preview(False, describe_sqlite_error(db_path(db), error), None)
    try:
        changes = action(ctx, **kwargs)
    except (DomainError, ConflictError) as error:
        return Preview(False, getattr(error, "rule", str(error)), None)
    except StoreError as error:
        return Preview(False, str(error), None)
    finally:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
    return Preview(True, None, changes)
