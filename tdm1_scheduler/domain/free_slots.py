"""The slot finder's search (``services.slots``): the first free starts from an instant,
one per 30-minute slot, each allowed by ``booking.placement_problem`` (moved out of
``booking``, issue 19)."""

from __future__ import annotations

from datetime import datetime

from . import booking
from .booking import (
    BusyIndex,
    LoadLookup,
    PreviousDose,
    Slot,
    SlotPreferences,
    candidate_starts,
    chair_holder,
    placement_problem,
    starts_per_slot,
)
from .calendar import ClinicCalendar
from .course import PlanningRules, earliest_day_after
from .errors import require_aware
from .regimen import ChairTime
from .start_slots import slot_key

__all__ = ["free_placements"]


def free_placements(
    calendar: ClinicCalendar,
    rules: PlanningRules,
    chair_time: ChairTime,
    prefs: SlotPreferences,
    lookup: LoadLookup,
    not_before: datetime,
    previous: PreviousDose | None,
    count: int,
    skip: Slot | None = None,
) -> list[Slot]:
    """The first ``count`` starts from ``not_before`` that ``placement_problem`` allows
    under the start cap, earliest first: one per 30-minute wall slot of the chair start
    (its earliest), on the first free chair in ``prefs.chairs`` order (``skip``: never
    this one). Searches ``MAX_DAYS_AHEAD`` open days from the first day spacing allows."""
    require_aware("not_before", not_before)
    first_day = calendar.local_date(not_before)
    if previous is not None:
        first_day = max(first_day, earliest_day_after(previous.at, calendar, rules))
    earliest = SlotPreferences(prefs.chairs, None, prefs.snap_min, prefs.start_cap)
    found: list[Slot] = []
    for index, day in enumerate(calendar.open_days(first_day)):
        if index >= booking.MAX_DAYS_AHEAD or len(found) >= count:  # read at call time
            break
        load = lookup(day)
        counts = starts_per_slot(calendar, load.infusion_starts)
        holder = chair_holder(calendar, BusyIndex(load).is_free, {day: load}.__getitem__)
        after = not_before if calendar.local_date(not_before) == day else None
        listed: set[datetime] = set()  # the 30-minute slots (of chair starts) listed
        for start in candidate_starts(calendar, day, chair_time, earliest, after):
            starts = counts[slot_key(calendar, Slot(0, start, chair_time).infusion_start)]
            full = prefs.start_cap is not None and starts >= prefs.start_cap
            if full or slot_key(calendar, start) in listed:
                continue
            for chair in prefs.chairs:
                slot = Slot(chair, start, chair_time)
                if slot != skip and not placement_problem(calendar, rules, slot, holder, previous):
                    found.append(slot)
                    listed.add(slot_key(calendar, start))
                    break
            if len(found) >= count:
                break
    return found
