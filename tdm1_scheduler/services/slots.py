"""Slot finder and closing a date with re-booking (stubs: API first, bodies follow)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .context import ChangeSet, Context


@dataclass(frozen=True)
class SlotOption:
    """One placement a move of the dose would accept."""

    start: datetime  # chair start, aware UTC
    end: datetime  # chair end, aware UTC
    chair_id: int
    chair: str  # chair name
    starts_in_slot: int  # infusion starts already booked in the 30-min slot of start+prep
    start_cap: int | None  # the site's cap, None when no cap
    bag_note: str  # "", "bag good until <wall time>" or "a new bag is needed"


@dataclass(frozen=True)
class Rebooking:
    """One booking that must move off a closed date."""

    mrn: str
    patient_name: str
    cycle: int
    appointment_id: int
    old_start: datetime
    new_start: datetime
    chair: str


def find_slots(
    ctx: Context,
    *,
    mrn: str,
    cycle: int,
    start_from: datetime | None = None,
    count: int = 5,
) -> list[SlotOption]:
    """The next ``count`` placements for ``cycle`` that a move accepts, earliest first."""
    raise NotImplementedError


def plan_close_date(ctx: Context, *, day: date) -> list[Rebooking]:
    """Where each booking on ``day`` would go if the day closed; writes nothing."""
    raise NotImplementedError


def close_date_and_rebook(ctx: Context, *, day: date, reason: str | None) -> ChangeSet:
    """Close ``day`` and move each of its bookings, in one transaction (all or none)."""
    raise NotImplementedError
