"""Where a missed dose may be re-booked: from now on (never its own slot when the miss
is announced ahead), by a move's rules. ``courses.mark_dose_missed`` places the dose
with it and ``slots.find_slots`` lists from ``missed_from``; both sit above this module.
"""

from __future__ import annotations

from datetime import datetime

from ..domain.booking import Slot
from ..domain.errors import DomainError, require_aware
from ..domain.records import Appointment
from .context import ClinicSettings, Context, chair_record
from .course_records import CourseRecord, check_move, slot_of


def missed_from(old: Slot, now: datetime) -> datetime:
    """Where a missed dose's re-booking may start: from now; a miss announced ahead
    never re-books its own slot (as ``courses.mark_dose_missed``)."""
    return old.end if now < old.start else now


def missed_placement(
    ctx: Context,
    settings: ClinicSettings,
    record: CourseRecord,
    cycle: int,
    old: Appointment,
    to: datetime,
    chair: str | None,
) -> Slot:
    """A missed dose re-booked at ``to`` on ``chair`` (default its own): a move's rules,
    and not before ``missed_from`` (never into the past, nor its own slot)."""
    require_aware("to", to)
    chair_id = chair_record(ctx.store, chair).id if chair is not None else old.chair_id
    old_slot = slot_of(old)
    slot = Slot(chair_id, to, old_slot.chair_time)
    earliest = missed_from(old_slot, ctx.clock.now())
    if slot.start < earliest:
        wall = settings.calendar.local(earliest)
        raise DomainError(
            "to", f"a missed dose is re-booked from {wall:%a %Y-%m-%d %H:%M} on, not before"
        )
    problem = check_move(ctx.store, settings, record, cycle, slot, old.id)
    if problem:
        raise DomainError("to", problem)
    return slot
