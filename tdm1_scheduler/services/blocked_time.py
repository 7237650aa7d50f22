"""Blocked chair time: book, cancel and move time a chair is held for something other
than a dose (maintenance, a meeting). One transaction and one audit row each."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ..domain.booking import Slot
from ..domain.errors import DomainError, require_aware
from ..domain.lean import dataclass
from ..domain.move_plan import blocked_time_problem
from ..domain.records import Appointment, AppointmentKind, CycleStatus
from ..domain.regimen import ChairTime
from ..store.database import to_utc_text as utc_text
from ..store.protocol import ConflictError, Store
from . import journal
from .context import ChangeSet, Context, audit, chair_record, settings_from, stored_values
from .course_records import day_loads, slot_of

# The columns a new block's audit row names.
BLOCK_COLUMNS = (
    "chair_id",
    "start_utc",
    "end_utc",
    "prep_min",
    "infusion_min",
    "observation_min",
    "kind",
    "label",
    "status",
)


def book_blocked_time(
    ctx: Context, *, chair: str, start: datetime, minutes: int, label: str
) -> ChangeSet:
    """Hold a chair for something else (another therapy, maintenance)."""
    require_aware("start", start)
    if not isinstance(minutes, int) or not 5 <= minutes <= 24 * 60:
        raise DomainError("minutes", f"must be 5-1440, got {minutes}")
    label = " ".join(label.split()) or "blocked"
    changes = ChangeSet(f"block {chair}")
    with ctx.store.transaction() as tx:
        settings = settings_from(tx)
        slot = Slot(chair_record(tx, chair).id, start, ChairTime(0, minutes, 0))
        problem = blocked_time_problem(settings.calendar, slot, day_loads(tx, settings.calendar))
        if problem:
            raise DomainError("start", problem)
        block = tx.insert_appointment(
            chair_id=slot.chair,
            start=slot.start,
            end=slot.end,
            kind=AppointmentKind.BLOCKED,
            label=label,
            infusion_min=minutes,
        )
        changes.appointments.add(block.id)
        values = stored_values(block, BLOCK_COLUMNS)
        audit(ctx, "block chair time", "appointment", block.id, None, values)
    return changes


def cancel_blocked_time(ctx: Context, *, appointment_id: int) -> ChangeSet:
    changes = ChangeSet("remove blocked time")
    with ctx.store.transaction() as tx:
        block = _booked_block(tx, appointment_id)
        tx.update_appointment(dataclasses.replace(block, status=CycleStatus.CANCELLED))
        changes.appointments.add(appointment_id)
        audit(
            ctx,
            "remove blocked time",
            "appointment",
            appointment_id,
            {"status": "booked"},
            {"status": "cancelled"},
        )
    return changes


@dataclass(frozen=True)
class BlockedMove:
    """Blocked time and where it is asked to go; ``problem`` why not (None: allowed)."""

    old: Appointment
    slot: Slot
    problem: str | None


def _booked_block(store: Store, appointment_id: int) -> Appointment:
    block = store.appointment_by_id(appointment_id)
    booked = block is not None and block.status is CycleStatus.BOOKED
    if block is None or block.kind is not AppointmentKind.BLOCKED or not booked:
        raise DomainError("appointment", f"#{appointment_id} is not booked blocked time")
    return block


def plan_blocked_move(
    store: Store,
    *,
    appointment_id: int,
    to: datetime,
    chair: str | None = None,
    expected_version: int | None = None,
) -> BlockedMove:
    """Load the blocked time and ask the domain (``move_plan.blocked_time_problem``); a
    read only, shared by the move and its hover preview."""
    settings = settings_from(store)
    old = _booked_block(store, appointment_id)
    if expected_version is not None and old.version != expected_version:
        raise ConflictError("appointment", "it was changed by someone else since it was read")
    chair_id = chair_record(store, chair).id if chair is not None else old.chair_id
    slot = Slot(chair_id, to, slot_of(old).chair_time)
    lookup = day_loads(store, settings.calendar, {appointment_id})
    return BlockedMove(old, slot, blocked_time_problem(settings.calendar, slot, lookup))


def blocked_move_changes(move: BlockedMove) -> ChangeSet:
    """The ChangeSet a blocked-time move returns, before its rows are written."""
    changes = ChangeSet(f"move blocked time {move.old.label or 'blocked'}")
    changes.appointments.add(move.old.id)
    changes.chairs.update({move.old.chair_id, move.slot.chair})
    return changes


def move_blocked_time(
    ctx: Context,
    *,
    appointment_id: int,
    to: datetime,
    chair: str | None = None,
    expected_version: int | None = None,
) -> ChangeSet:
    """Move booked blocked time (another therapy, maintenance) to another start and/or
    chair; it keeps its own duration. Nothing else moves with it."""
    require_aware("to", to)
    with ctx.store.transaction() as tx:
        move = plan_blocked_move(
            tx, appointment_id=appointment_id, to=to, chair=chair, expected_version=expected_version
        )
        if move.problem:
            raise DomainError("to", move.problem)
        old, slot = move.old, move.slot
        changes = blocked_move_changes(move)
        journal.place_appointment(tx, changes, old, slot)
        audit(
            ctx,
            "move blocked time",
            "appointment",
            appointment_id,
            {"start": utc_text(old.start), "chair": old.chair_id},
            {"start": utc_text(to), "chair": slot.chair},
        )
    return changes
