"""Cancel a visit, with a reason: blocked time is freed; a dose is re-booked.

What a cancel means for a dose: the dose is not given on that visit. For T-DM1 a dose is
never silently skipped (the label's rule for a missed dose is to give it as soon as
possible and keep the later cycles 21 days apart), so a cancelled dose visit is the
missed-dose path: ``courses.mark_dose_missed`` re-books it (at the scheduler's chosen
slot, or the earliest free one) and moves the later cycles. Ending treatment instead is
Stop course, a different act with its own reasons. The reason is kept in a
``cancel visit`` audit row written in the same transaction as the change.

Every write goes through ``journal``, so ``restore.restore_placements`` undoes it exactly.
"""

from __future__ import annotations

from datetime import datetime

from ..domain.errors import DomainError
from ..domain.records import AppointmentKind, CycleStatus
from ..store.database import to_utc_text as utc_text
from . import courses, journal
from .context import ChangeSet, Context, audit
from .course_records import load_course

CANCEL_ACTION = "cancel visit"


def cancel_reason(text: str | None) -> str:
    """The reason as one line; a cancel without one is refused."""
    reason = " ".join((text or "").split())
    if not reason:
        raise DomainError("reason", "say why the visit is cancelled")
    return reason


def cancel_dose_visit(
    ctx: Context,
    *,
    mrn: str,
    cycle: int,
    reason: str,
    to: datetime | None = None,
    chair: str | None = None,
) -> ChangeSet:
    """The dose of ``cycle`` (the course's next) is not given on its booked visit: the
    visit is marked missed and the dose re-booked at ``to`` on ``chair`` (by a move's
    rules, from where a miss may be re-booked) or, without ``to``, at the earliest free
    slot; later cycles keep 21 days apart. ``reason`` goes into the audit."""
    why = cancel_reason(reason)
    with ctx.store.transaction() as tx:
        record = load_course(tx, mrn)
        dose = record.next_dose(cycle)
        old = record.current[dose.id]
        changes = courses.mark_dose_missed(ctx, mrn=mrn, cycle=cycle, to=to, chair=chair)
        changes.action = f"cancel cycle {cycle} visit for {mrn}"
        audit(
            ctx,
            CANCEL_ACTION,
            "appointment",
            old.id,
            {"status": "booked", "start": utc_text(old.start)},
            {
                "status": "missed",
                "reason": why,
                "rebooked": utc_text(changes.moves[0].new_start),
                "later_moved": len(changes.later_moves),
            },
        )
    return changes


def cancel_blocked_time(ctx: Context, *, appointment_id: int, reason: str) -> ChangeSet:
    """Free booked blocked time; the reason is in the audit row, and the row written is
    recorded in the ChangeSet (so an undo puts it back)."""
    why = cancel_reason(reason)
    with ctx.store.transaction() as tx:
        booked = tx.appointment_by_id(appointment_id)
        if (
            booked is None
            or booked.kind is not AppointmentKind.BLOCKED
            or booked.status is not CycleStatus.BOOKED
        ):
            raise DomainError("appointment", f"#{appointment_id} is not booked blocked time")
        changes = ChangeSet(f"remove blocked time {booked.label or 'blocked'}")
        journal.update_appointment(tx, changes, booked, status=CycleStatus.CANCELLED)
        changes.chairs.add(booked.chair_id)
        audit(
            ctx,
            CANCEL_ACTION,
            "appointment",
            appointment_id,
            {"status": "booked"},
            {"status": "cancelled", "reason": why},
        )
    return changes
