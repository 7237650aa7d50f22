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
from ..store import repository as repo
from ..store.database import from_utc_text, to_utc_text
from . import journal
from .context import ChangeSet, Context, chair_free_probe, load_settings

# Starting further than this from the booked infusion start is told to the nurse.
OFF_BOOKING_NOTE_MIN = 30


def _minutes(delta: timedelta) -> int:
    return round(abs(delta.total_seconds()) / 60)


def follow_actual_start(
    ctx: Context, appointment_id: int, started_at: datetime, changes: ChangeSet
) -> dict[str, Any]:
    """Re-time the appointment so its infusion starts at ``started_at``; what was
    changed for the audit row (``{}`` when nothing moved). Notes go to ``changes``."""
    db = ctx.db
    row = repo.appointment_by_id(db, appointment_id)
    assert row is not None
    calendar = load_settings(db).calendar
    chair = repo.chair_by_id(db, row["chair_id"])
    chair_name = chair["name"] if chair else f"chair #{row['chair_id']}"
    old_start, old_end = from_utc_text(row["start_utc"]), from_utc_text(row["end_utc"])
    booked_infusion = old_start + timedelta(minutes=row["prep_min"])
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
    free = chair_free_probe(db, {appointment_id})
    if not free(row["chair_id"], Interval(new_start, new_end)):
        changes.notes.append(
            f"{chair_name} is not free {calendar.local(new_start):%H:%M}\u2013"
            f"{calendar.local(new_end):%H:%M}: the booking stays {booked}"
        )
        return {}
    values = {"start_utc": to_utc_text(new_start), "end_utc": to_utc_text(new_end)}
    stored = ctx.store.appointment_by_id(appointment_id)
    assert stored is not None
    journal.update_appointment(ctx.store, changes, stored, start=new_start, end=new_end)
    return {
        "booked": {"start_utc": row["start_utc"], "end_utc": row["end_utc"]},
        "retimed": values,
    }
