"""What the planner's day grid and the Day list need of a store beyond ``protocol.Store``'s
records: a day's bookings, lean (issue 19: a day switch).

``Store`` extends ``PlannerStore``, so every store offers it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from ..domain.day_blocks import DayBlock

__all__ = ["PlannerStore"]


@runtime_checkable
class PlannerStore(Protocol):
    def day_blocks(self, start: datetime, end: datetime) -> list[DayBlock]:
        """The chair-holding appointments (booked, given) overlapping [start, end): the
        same rows in the same order (chair position, chair id, start) as
        ``appointments_between(start, end)``, each the ``DayBlock`` that ``block_of``
        makes of that row's ``AppointmentView``, read without the columns a block does
        not show."""
        ...
