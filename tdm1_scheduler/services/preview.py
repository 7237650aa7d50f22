"""What a service call would do, without doing it.

A move of a booked cycle (what the planner asks while a block is dragged) is answered
by ``preview_move``: the same load and the same domain plan as the commit
(``services.moves``), inside one read transaction; a move of blocked chair time by
``preview_blocked_move`` the same way. It writes nothing, takes no write
lock and adds no audit row; a property test holds its answer (allowed or why not, the
later cycles' moves, the bag) to what the commit then does.

Any other action runs for real inside a transaction that is always rolled back, so its
answer is exactly what a commit would give (but it takes the write lock meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..domain.errors import DomainError, require_aware
from ..domain.lean import dataclass
from ..store.protocol import ConflictError, StoreError
from .context import ChangeSet, Context
from .permissions import refusal_of


class _RollBack(Exception):
    """Ends a preview's transaction: nothing it wrote is kept."""


@dataclass(frozen=True)
class Preview:
    allowed: bool
    reason: str | None  # one line naming the rule, when refused
    changes: ChangeSet | None

    @property
    def notes(self) -> list[str]:
        return [] if self.changes is None else list(self.changes.notes)


def preview(ctx: Context, action: Callable[..., ChangeSet], **kwargs: Any) -> Preview:
    """What ``action(ctx, **kwargs)`` would do. A move of a booked cycle is planned
    without writing (``preview_move``); any other action runs and is rolled back."""
    from . import courses  # the services when asked, not when the GUI starts (issue 19)

    if ctx.store.in_transaction():
        raise RuntimeError("preview() must not run inside another transaction")
    refused = refusal_of(ctx.store, action)  # a server login whose group may not run it
    if refused is not None:
        return Preview(False, refused, None)
    if action is courses.move_appointment:
        return preview_move(ctx, **kwargs)
    if action is courses.move_blocked_time:
        return preview_blocked_move(ctx, **kwargs)
    try:
        # The write lock is taken first (another program holding it: a StoreError
        # naming it); the action's own transaction nests inside, and all is rolled back.
        with ctx.store.transaction():
            changes = action(ctx, **kwargs)
            raise _RollBack
    except _RollBack:
        return Preview(True, None, changes)
    except (DomainError, ConflictError) as error:
        return Preview(False, getattr(error, "rule", str(error)), None)
    except StoreError as error:
        return Preview(False, str(error), None)


def preview_move(
    ctx: Context,
    *,
    mrn: str,
    cycle: int,
    to: datetime,
    chair: str | None = None,
    expected_version: int | None = None,
) -> Preview:
    """What ``courses.move_appointment`` with the same arguments would do, from one read:
    no write, no write lock, no audit row. ``changes`` holds the commit's moves and
    notes (the ids of bookings it would create are known only once written)."""
    from . import moves

    try:
        require_aware("to", to)
        with ctx.store.read() as store:
            snapshot = moves.load_move(
                store, mrn=mrn, cycle=cycle, to=to, chair=chair, expected_version=expected_version
            )
            plan = moves.plan_of(store, snapshot)
            if plan.refusal is not None:
                return Preview(False, plan.refusal.rule, None)
            action = f"move cycle {cycle} of {mrn}"
            changes = moves.planned_changes(store, snapshot, plan, action)
    except (DomainError, ConflictError) as error:
        return Preview(False, error.rule, None)
    except StoreError as error:  # the file could not be read (locked, gone)
        return Preview(False, str(error), None)
    return Preview(True, None, changes)


def preview_blocked_move(
    ctx: Context,
    *,
    appointment_id: int,
    to: datetime,
    chair: str | None = None,
    expected_version: int | None = None,
) -> Preview:
    """What ``courses.move_blocked_time`` with the same arguments would do, from one
    read: no write, no write lock, no audit row."""
    from . import blocked_time

    try:
        require_aware("to", to)
        with ctx.store.read() as store:
            move = blocked_time.plan_blocked_move(
                store,
                appointment_id=appointment_id,
                to=to,
                chair=chair,
                expected_version=expected_version,
            )
    except (DomainError, ConflictError) as error:
        return Preview(False, error.rule, None)
    except StoreError as error:  # the file could not be read (locked, gone)
        return Preview(False, str(error), None)
    if move.problem:
        return Preview(False, move.problem, None)
    return Preview(True, None, blocked_time.blocked_move_changes(move))
