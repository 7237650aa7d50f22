"""Appointment writes that record themselves in the ChangeSet (``changes.rows``).

Every service that moves, cancels or inserts bookings writes through these, so what a
change did can be put back exactly (``services/restore.py``) without re-planning. Each
write goes through the store and notes the records as they were before and after it,
versions included.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..domain.booking import Slot
from ..domain.records import Appointment, CycleStatus, Dose
from ..store.protocol import Store
from .context import ChangeSet


def insert_appointment(tx: Store, changes: ChangeSet, slot: Slot, *, dose_id: int) -> Appointment:
    """Book ``slot`` for the dose; the booking as stored (defaults included) is returned."""
    new = tx.insert_appointment(
        chair_id=slot.chair,
        start=slot.start,
        end=slot.end,
        dose_id=dose_id,
        prep_min=slot.chair_time.prep_min,
        infusion_min=slot.chair_time.infusion_min,
        observation_min=slot.chair_time.observation_min,
    )
    changes.record("appointments", None, new)
    changes.appointments.add(new.id)
    return new


def update_appointment(
    tx: Store, changes: ChangeSet, old: Appointment, **fields: Any
) -> Appointment:
    """Update ``old`` (as read) with ``fields`` if still at its version; the booking as
    it is now is returned, ready for a further write in the same change."""
    new = tx.update_appointment(dataclasses.replace(old, **fields))
    changes.record("appointments", old, new)
    changes.appointments.add(old.id)
    return new


def place_appointment(tx: Store, changes: ChangeSet, old: Appointment, slot: Slot) -> Appointment:
    """``old`` booked at ``slot`` (its chair, times and minutes)."""
    chair_time = slot.chair_time
    return update_appointment(
        tx,
        changes,
        old,
        chair_id=slot.chair,
        start=slot.start,
        end=slot.end,
        prep_min=chair_time.prep_min,
        infusion_min=chair_time.infusion_min,
        observation_min=chair_time.observation_min,
        status=CycleStatus.BOOKED,
    )


def inserted_dose(changes: ChangeSet, dose: Dose) -> None:
    """A dose the change created (a rolling MBC horizon): undo removes it."""
    changes.record("doses", None, dose)
