"""The load strip's count of the day the grid shows, kept with the grid's rows and
carried over a commit by the rows it changed (issue 19: a drag commit).

``day_load_of`` counts a day from its ~570 rows; a commit changes one to a few of them.
A day's count (appointments, booked minutes) is a sum over its rows, each row adding
what ``day_load_of`` of that row alone adds, so the count after a commit is the count
before, less what the replaced rows added, plus what their new rows add: the same
integers as counting every row again. The count is kept for one list of rows (by
identity): any other list (a reload, another day) is counted afresh.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from ...domain.day_blocks import DayBlock
from ...services.context import ClinicSettings
from ...services.planner_reads import DayFrame, day_frame, rows_load
from .load_strip import DayLoadSummary, day_load_of


class ShownDayLoad:
    """``day_load_of`` of the grid's rows, counted once per list of rows."""

    def __init__(self) -> None:
        # the rows counted, the settings, the chairs in service, the count
        self._kept: (
            tuple[list[DayBlock], ClinicSettings, frozenset[int], DayLoadSummary] | None
        ) = None
        self._frame: tuple[ClinicSettings, date, DayFrame] | None = None  # made once

    def of(
        self,
        settings: ClinicSettings,
        day: date,
        rows: list[DayBlock],
        in_service: Collection[int],
    ) -> DayLoadSummary:
        """``day_load_of(settings, day, rows, in_service)``, kept for ``rows``."""
        chairs = frozenset(in_service)
        kept = self._kept
        if (
            kept is not None
            and kept[0] is rows
            and kept[1] is settings
            and kept[2] == chairs
            and kept[3].day == day
        ):
            return kept[3]
        summary = day_load_of(settings, day, rows, chairs)
        self._kept = (rows, settings, chairs, summary)
        return summary

    def carry(
        self,
        old_rows: list[DayBlock],
        new_rows: list[DayBlock],
        removed: Sequence[DayBlock],
        added: Sequence[DayBlock],
    ) -> None:
        """``new_rows`` are ``old_rows`` less ``removed`` plus ``added``: the count kept for
        ``old_rows`` (if any) becomes ``new_rows``'s, from those rows alone."""
        kept = self._kept
        if kept is None or kept[0] is not old_rows:
            self._kept = None
            return
        _rows, settings, chairs, before = kept
        day = before.day
        frame = self._frame
        if frame is None or frame[0] is not settings or frame[1] != day:
            frame = self._frame = (settings, day, day_frame(settings, day))
        gone_count, gone_booked = rows_load(frame[2], removed, chairs)
        came_count, came_booked = rows_load(frame[2], added, chairs)
        after = DayLoadSummary(
            day,
            before.open,
            before.booked_min - gone_booked + came_booked,
            before.capacity_min,
            before.appointments - gone_count + came_count,
        )
        self._kept = (new_rows, settings, chairs, after)
