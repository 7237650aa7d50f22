"""The planner's load strip as numbers: each day's booked chair time against its open
chair time, for the coming weeks, from one store read (``Store.busy_rows``: the lean
chair-holding rows the slot search reads, of the chairs in service). ``day_load_of``
counts one day from its bookings already read (the planner's day shown, after a commit).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta

from ..domain.day_blocks import DayBlock
from ..domain.lean import dataclass
from ..domain.records import AppointmentView
from ..store.database import from_utc_text, to_utc_text
from ..store.protocol import Store
from .context import ClinicSettings

STRIP_DAYS = 28  # four weeks from the clinic's today


@dataclass(frozen=True)
class DayLoadSummary:
    day: date
    open: bool
    booked_min: int  # chair minutes booked inside opening hours
    capacity_min: int  # open minutes x active chairs
    appointments: int

    @property
    def fraction(self) -> float:
        return self.booked_min / self.capacity_min if self.capacity_min else 0.0


def day_loads(
    store: Store, settings: ClinicSettings, first_day: date, days: int = STRIP_DAYS
) -> list[DayLoadSummary]:
    """Each day's booked chair time from ``first_day`` on (one query for all days)."""
    calendar = settings.calendar
    in_service = {chair.id for chair in store.chairs(active_only=True)}
    chairs = len(in_service)
    all_days = [first_day + timedelta(days=offset) for offset in range(days)]
    # Day boundaries as stored UTC text: a row's day is a bisect, not a parse.
    bounds = [
        to_utc_text(calendar.at(day, time(0)))
        for day in [*all_days, first_day + timedelta(days=days)]
    ]
    # Opening hours in UTC: comparing with the stored UTC times then needs no zone lookups.
    windows = {
        day: None
        if (w := calendar.opening_window(day)) is None
        else (w[0].astimezone(UTC), w[1].astimezone(UTC))
        for day in all_days
    }
    rows = store.busy_rows(*calendar.day_bounds(first_day, days))
    booked: dict[date, int] = {}
    counts: dict[date, int] = {}
    instants: dict[str, datetime] = {}  # the snap grid repeats them: each parsed once

    def instant(text: str) -> datetime:
        found = instants.get(text)
        if found is None:
            found = instants[text] = from_utc_text(text)
        return found

    for _ident, chair, _kind, start_utc, end_utc, _prep in rows:
        if chair not in in_service:
            continue  # a chair taken out of service counts in no day's load
        index = bisect_right(bounds, start_utc) - 1
        if not 0 <= index < days:
            continue  # began the day before the strip
        day = all_days[index]
        counts[day] = counts.get(day, 0) + 1
        window = windows[day]
        if window is None:
            continue
        begin = max(instant(start_utc), window[0])
        finish = min(instant(end_utc), window[1])
        if finish > begin:
            booked[day] = booked.get(day, 0) + int((finish - begin).total_seconds() // 60)
    result = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        result.append(
            DayLoadSummary(
                day,
                calendar.is_open_day(day),
                booked.get(day, 0),
                calendar.open_minutes(day) * chairs,
                counts.get(day, 0),
            )
        )
    return result


@dataclass(frozen=True)
class DayFrame:
    """A day's bounds and opening hours in UTC, the records' zone: counting rows against
    them needs no zone lookups."""

    first: datetime
    after: datetime
    window: tuple[datetime, datetime] | None


def day_frame(settings: ClinicSettings, day: date) -> DayFrame:
    calendar = settings.calendar
    first, after = (bound.astimezone(UTC) for bound in calendar.day_bounds(day))
    hours = calendar.opening_window(day)
    window = None if hours is None else (hours[0].astimezone(UTC), hours[1].astimezone(UTC))
    return DayFrame(first, after, window)


def rows_load(
    frame: DayFrame, rows: Iterable[AppointmentView | DayBlock], in_service: Collection[int]
) -> tuple[int, int]:
    """(appointments, chair minutes booked inside opening hours) of ``rows`` (records or
    their lean ``DayBlock``) on the day of ``frame``: a sum over the rows, each counted
    alone."""
    first, after, window = frame.first, frame.after, frame.window
    booked = count = 0
    for row in rows:
        booking = row if isinstance(row, DayBlock) else row.appointment
        if booking.chair_id not in in_service or not booking.holds_chair:
            continue
        if not first <= booking.start < after:
            continue  # began the day before: another day's load
        count += 1
        if window is not None:
            begin = max(booking.start, window[0])
            finish = min(booking.end, window[1])
            if finish > begin:
                booked += int((finish - begin).total_seconds() // 60)
    return count, booked


def day_load_of(
    settings: ClinicSettings,
    day: date,
    rows: Iterable[AppointmentView | DayBlock],
    in_service: Collection[int],
) -> DayLoadSummary:
    """``day_loads(store, settings, day, 1)[0]`` from ``rows``, the day's bookings as
    read by ``queries.day_bookings`` (every chair-holding appointment overlapping the
    day), ``in_service`` the ids of the chairs in service: no read."""
    calendar = settings.calendar
    count, booked = rows_load(day_frame(settings, day), rows, in_service)
    capacity = calendar.open_minutes(day) * len(in_service)
    return DayLoadSummary(day, calendar.is_open_day(day), booked, capacity, count)
