"""The nurses' start slots: infusion starts are counted per 30-minute wall-clock slot.

``booking`` levels its starts with these (and re-exports both); the day sheet counts
its starts with them without loading the slot search (issue 19: the CLI start).
"""

from __future__ import annotations

from datetime import datetime

from .calendar import ClinicCalendar

START_SLOT_MIN = 30  # nurses' start capacity is counted per 30-minute slot


def slot_key(calendar: ClinicCalendar, instant: datetime) -> datetime:
    """The start of the 30-minute wall-clock slot holding ``instant``."""
    local = calendar.local(instant)
    return local.replace(
        minute=local.minute - local.minute % START_SLOT_MIN, second=0, microsecond=0
    )
