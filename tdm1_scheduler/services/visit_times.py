"""A started infusion's booking follows the chair time the patient really took.

When the nurse starts the infusion at another time than booked, the visit's appointment
is re-timed so that its infusion start (chair start + prep) is the actual start: same
chair, same minutes. The planner then blocks the time the chair is really in use and
frees the booked time. When the chair is not free at the actual time the booking is
kept, with a note naming it. Runs inside the caller's transaction (``start_infusion``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..domain.booking import Interval
from . import journal
from .context import ChangeSet, Context, settings_from, stored_values
from .day_loads import chair_free_probe

# Starting further than this from the booked infusion start is told to the nurse.
OFF_BOOKING_NOTE_MIN = 30

# The appointment's columns the audit row names.
TIMES = ("start_utc", "end_utc")


def _minutes(delta: timedelta) -> int:
    return round(abs(delta.total_seconds()) / 60)


def follow_actual_start(
    ctx: Context, appointment_id: int, started_at: datetime, changes: ChangeSet
) -> dict[str, Any]:
    """Re-time the appointment so its infusion starts at ``started_at``; what was
    changed for the audit row (``{}`` when nothing moved). Notes go to ``changes``."""
    store = ctx.store
    booking = store.appointment_by_id(appointment_id)
    assert booking is not None
    calendar = settings_from(store).calendar
    chair = store.chair_by_id(booking.chair_id)
    chair_name = chair.name if chair else f"chair #{booking.chair_id}"
    old_start, old_end = booking.start, booking.end
    booked_infusion = old_start + timedelta(minutes=booking.prep_min)
    shift = started_at - booked_infusion
    booked = f"{calendar.local(old_start):%H:%M}\u2013{calendar.local(old_end):%H:%M}"
    if _minutes(shift) > OFF_BOOKING_NOTE_MIN:
        way = "later" if shift > timedelta(0) else "earlier"
        changes.notes.append(
            f"infusion started {calendar.local(started_at):%H:%M}, {_minutes(shift)} min"
            f" {way} than booked ({calendar.local(booked_infusion):%H:%M})"
        )
    if shift == timedelta(0):
        return {}
    new_start, new_end = old_start + shift, old_end + shift
    free = chair_free_probe(store, {appointment_id})
    if not free(booking.chair_id, Interval(new_start, new_end)):
        changes.notes.append(
            f"{chair_name} is not free {calendar.local(new_start):%H:%M}\u2013"
            f"{calendar.local(new_end):%H:%M}: the booking stays {booked}"
        )
        return {}
    retimed = journal.update_appointment(store, changes, booking, start=new_start, end=new_end)
    return {"booked": stored_values(booking, TIMES), "retimed": stored_values(retimed, TIMES)}
