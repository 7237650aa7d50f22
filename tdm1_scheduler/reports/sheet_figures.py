"""The day sheet's figures, pure: booked minutes, peak concurrency, starts per slot.

See ``day_sheet`` for what each figure means; re-exported there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from ..domain.start_slots import START_SLOT_MIN, slot_key  # not the slot search
from ..services.context import ClinicSettings


# --- figures (pure) -----------------------------------------------------------------------
def booked_minutes(
    intervals: Iterable[tuple[datetime, datetime]],
    opening: tuple[datetime, datetime] | None,
) -> int:
    """Sum of the intervals' minutes inside the opening window (0 when closed)."""
    if opening is None:
        return 0
    opens, closes = opening
    total = timedelta()
    for start, end in intervals:
        begin, finish = max(start, opens), min(end, closes)
        if finish > begin:
            total += finish - begin
    return int(total.total_seconds() // 60)


def peak_concurrency(
    intervals: Iterable[tuple[datetime, datetime]],
) -> tuple[int, datetime | None]:
    """Most intervals open at once and the first instant it happens ([start, end))."""
    events: list[tuple[datetime, int]] = []
    for start, end in intervals:
        if end > start:
            events.append((start, 1))
            events.append((end, -1))
    events.sort(key=lambda e: (e[0], e[1]))  # at one instant, ends (-1) before starts
    current, peak, peak_at = 0, 0, None
    for instant, step in events:
        current += step
        if current > peak:
            peak, peak_at = current, instant
    return peak, peak_at


def starts_by_slot(
    settings: ClinicSettings,
    opening: tuple[datetime, datetime] | None,
    starts: Sequence[datetime],
) -> dict[str, int]:
    """``HH:MM`` (clinic wall time of each 30-minute slot) -> infusion starts in it."""
    calendar = settings.calendar
    counts: dict[str, int] = {}
    if opening is not None:
        slot = slot_key(calendar, opening[0])
        while slot < opening[1]:
            counts[_hh_mm(slot)] = 0
            slot = calendar.local(slot + timedelta(minutes=START_SLOT_MIN))
    # Each start object's key made once: a day's starts share a few dozen objects, and
    # ``slot_key`` asks the zone (issue 19). The memo holds each object: no id reuse.
    keys: dict[int, tuple[datetime, str]] = {}
    for start in starts:
        found = keys.get(id(start))
        if found is None:
            found = keys[id(start)] = (start, _hh_mm(slot_key(calendar, start)))
        key = found[1]
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def _hh_mm(instant: datetime) -> str:
    """``f"{instant:%H:%M}"``: ``strftime`` asks the zone for its ``dst()`` through
    ``timetuple``, for two fields the datetime holds (issue 19)."""
    return f"{instant.hour:02d}:{instant.minute:02d}"
