"""Blocked chair time: book, cancel and move time a chair is held for something other
than a dose (maintenance, a meeting). One transaction and one audit row each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.booking import Slot
from ..domain.errors import DomainError, require_aware
from ..domain.move_plan import blocked_time_problem
from ..domain.regimen import ChairTime
from ..store import repository as repo
from ..store.connection import Database
from ..store.database import ConflictError, to_utc_text
from . import journal
from .context import (
    ChangeSet,
    Context,
    audit,
    day_load_lookup,
    load_settings,
    require_chair,
    transaction,
)
from .course_records import appointment_values, slot_of

Row = dict[str, Any]


def book_blocked_time(
    ctx: Context, *, chair: str, start: datetime, minutes: int, label: str
) -> ChangeSet:
    """Hold a chair for something else (another therapy, maintenance)."""
    require_aware("start", start)
    if not isinstance(minutes, int) or not 5 <= minutes <= 24 * 60:
        raise DomainError("minutes", f"must be 5-1440, got {minutes}")
    label = " ".join(label.split()) or "blocked"
    changes = ChangeSet(f"block {chair}")
    with transaction(ctx) as db:
        settings = load_settings(db)
        chair_row = require_chair(db, chair)
        slot = Slot(chair_row["id"], start, ChairTime(0, minutes, 0))
        problem = blocked_time_problem(
            settings.calendar, slot, day_load_lookup(db, settings.calendar)
        )
        if problem:
            raise DomainError("start", problem)
        values = {**appointment_values(slot), "kind": "blocked", "label": label, "status": "booked"}
        appointment_id = repo.insert_appointment(db, values)
        changes.appointments.add(appointment_id)
        audit(ctx, "block chair time", "appointment", appointment_id, None, values)
    return changes


def cancel_blocked_time(ctx: Context, *, appointment_id: int) -> ChangeSet:
    changes = ChangeSet("remove blocked time")
    with transaction(ctx) as db:
        row = repo.appointment_by_id(db, appointment_id)
        if row is None or row["kind"] != "blocked" or row["status"] != "booked":
            raise DomainError("appointment", f"#{appointment_id} is not booked blocked time")
        repo.update_appointment(db, appointment_id, row["version"], {"status": "cancelled"})
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

    old: Row
    slot: Slot
    problem: str | None


def plan_blocked_move(
    db: Database,
    *,
    appointment_id: int,
    to: datetime,
    chair: str | None = None,
    expected_version: int | None = None,
) -> BlockedMove:
    """Load the blocked time and ask the domain (``move_plan.blocked_time_problem``); a
    read only, shared by the move and its hover preview."""
    settings = load_settings(db)
    old = repo.appointment_by_id(db, appointment_id)
    if old is None or old["kind"] != "blocked" or old["status"] != "booked":
        raise DomainError("appointment", f"#{appointment_id} is not booked blocked time")
    if expected_version is not None and old["version"] != expected_version:
        raise ConflictError("appointment", "it was changed by someone else since it was read")
    chair_id = require_chair(db, chair)["id"] if chair is not None else old["chair_id"]
    slot = Slot(chair_id, to, slot_of(old).chair_time)
    lookup = day_load_lookup(db, settings.calendar, {appointment_id})
    return BlockedMove(old, slot, blocked_time_problem(settings.calendar, slot, lookup))


def blocked_move_changes(move: BlockedMove) -> ChangeSet:
    """The ChangeSet a blocked-time move returns, before its rows are written."""
    changes = ChangeSet(f"move blocked time {move.old['label'] or 'blocked'}")
    changes.appointments.add(int(move.old["id"]))
    changes.chairs.update({move.old["chair_id"], move.slot.chair})
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
    with transaction(ctx) as db:
        move = plan_blocked_move(
            db, appointment_id=appointment_id, to=to, chair=chair, expected_version=expected_version
        )
        if move.problem:
            raise DomainError("to", move.problem)
        old, slot = move.old, move.slot
        changes = blocked_move_changes(move)
        journal.update_appointment(db, changes, old, appointment_values(slot))
        audit(
            ctx,
            "move blocked time",
            "appointment",
            appointment_id,
            {"start": old["start_utc"], "chair": old["chair_id"]},
            {"start": to_utc_text(to), "chair": slot.chair},
        )
    return changes
