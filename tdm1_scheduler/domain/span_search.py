"""The nearest free grid step from a day's bookings as whole seconds (issue 19, booking).

``day_search.nearest_free_step`` walks each chair's gaps over datetimes, after a day's
load made each booking a few Python objects (about 6,000 instructions a booking to
fetch, 4,700 to load). Here the store hands the day's chair-holding bookings as two
lists of ints (``ChairSpans``: each booking's start and end as a key, chair and seconds
from the day's opening in one int, sorted; ``Store.busy_seconds``). The keys are gone
over a few times in C (``map``, ``compress``, ``min``) to find every chair's first and
last booking and every gap between two bookings as long as the visit; only those are
then looked at one by one: on a busy day about 160 of 530 bookings.

The answer is ``nearest_free_step``'s: the best-ranked step (distance to the target,
then the step) at which a chair is free, and the first such chair in ``chairs`` order.
When it cannot be told exactly that way (a chair's bookings overlap, or one does not end
after it starts; an instant or a length that is not whole seconds) the answer is
``UNKNOWN`` and the caller searches the loaded day as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from enum import Enum
from itertools import compress, repeat
from operator import ge, gt, sub
from typing import TYPE_CHECKING

from .lean import dataclass

if TYPE_CHECKING:  # the store's booking mixin imports this module at every start
    from .day_search import StepGrid

__all__ = [
    "FIELD_BITS", "OFFSET", "UNKNOWN", "ChairSpans", "DaySpans", "Unknown", "nearest_span_step",
]  # fmt: skip

SECOND = timedelta(seconds=1)
# A key: chair id * 2^21 + seconds from the origin + 2^20. A day's bookings lie within
# about two days of its opening (the day's bounds, and a day at most each: a CHECK in the
# schema), well inside the field, so the keys sort by chair, then time.
FIELD_BITS = 21
OFFSET = 1 << (FIELD_BITS - 1)
_MASK = (1 << FIELD_BITS) - 1


class Unknown(Enum):
    """Not told from the spans: search the loaded day instead."""

    UNKNOWN = "unknown"


UNKNOWN = Unknown.UNKNOWN


@dataclass(frozen=True)
class ChairSpans:
    """A day's chair-holding bookings, sorted by chair, start, end: each one's start and
    end as keys (``FIELD_BITS``), two parallel lists."""

    starts: list[int]
    ends: list[int]

    @classmethod
    def of_rows(cls, rows: Iterable[tuple[int, int, int]]) -> ChairSpans:
        """From ``(chair, start, end)`` rows (seconds from the origin), in any order."""
        keyed = sorted(
            ((c << FIELD_BITS) + a + OFFSET, (c << FIELD_BITS) + b + OFFSET) for c, a, b in rows
        )
        return cls([start for start, _ in keyed], [end for _, end in keyed])

    def rows(self) -> list[tuple[int, int, int]]:
        """``(chair, start, end)`` per booking, in order (seconds from the origin)."""
        return [
            (a >> FIELD_BITS, (a & _MASK) - OFFSET, (b & _MASK) - OFFSET)
            for a, b in zip(self.starts, self.ends, strict=True)
        ]


# spans(day_start, day_end, origin): the store's ``busy_seconds`` for one day's bounds
# (its rows overlapping [day_start, day_end)) in seconds from ``origin``.
DaySpans = Callable[[datetime, datetime, datetime], ChairSpans]


def _whole_seconds(delta: timedelta) -> int | None:
    seconds, rest = divmod(delta, SECOND)
    return None if rest else int(seconds)


def nearest_span_step(
    grid: StepGrid, chairs: Sequence[int], spans: ChairSpans
) -> tuple[int, int] | Unknown | None:
    """``day_search.nearest_free_step(grid, chairs, index)`` for an index holding
    ``spans`` (seconds from ``grid.opens``): ``(chair, k)``, None when no chair is free,
    or ``UNKNOWN`` (module doc).

    A chair's gaps: before its first booking, between two (only when as long as the
    visit: shorter ones hold no step) and after its last; each gap's steps are [lo, hi]
    and its best step is the one nearest the target. The answer is the least (distance,
    step, chair's place in ``chairs``) over the gaps, a chair with no booking taking the
    whole grid: what ``nearest_free_step`` keeps as it walks the chairs in order, taking
    a step only when it ranks strictly before the one found.
    """
    step, duration = _whole_seconds(grid.step), _whole_seconds(grid.duration)
    target = None if grid.target is None else _whole_seconds(grid.target)
    if step is None or duration is None or (grid.target is not None and target is None):
        return UNKNOWN
    if grid.opens.microsecond or step <= 0 or duration <= 0:
        return UNKNOWN
    starts, ends = spans.starts, spans.ends
    if not all(map(gt, ends, starts)):  # a booking not ending after its start (never stored)
        return UNKNOWN
    # gaps[i]: row i's end to row i + 1's start; between two chairs, over 2^20 (the
    # chair's field): a negative one is an overlap of one chair's bookings
    gaps = list(map(sub, starts[1:], ends))
    if gaps and min(gaps) < 0:
        return UNKNOWN
    low, high = grid.low, grid.high
    if low > high:
        return None
    place = dict(zip(reversed(chairs), range(len(chairs) - 1, -1, -1), strict=True))
    # Every gap as (chair, first step, last step): the rows that start a gap as long as
    # the visit or another chair's bookings, each with the row before it; the first
    # booking's start and the last one's end. A gap from key ``a`` can start at step
    # ceil(((a & mask) - 2^20) / step), one up to key ``b`` ends by step
    # floor(((b & mask) - 2^20 - duration) / step).
    rows = compress(range(1, len(starts)), map(ge, gaps, repeat(duration)))
    cut, mask, bits = OFFSET + duration, _MASK, FIELD_BITS
    candidates: list[tuple[int, int, int]] = []
    owners: set[int] = set()
    for row in rows:
        after, before = starts[row], ends[row - 1]
        chair, earlier = after >> bits, before >> bits
        lo = -((OFFSET - (before & mask)) // step)
        hi = ((after & mask) - cut) // step
        if chair == earlier:  # a long gap between two of one chair's bookings
            candidates.append((chair, lo, hi))
        else:  # after one chair's last booking, before the next one's first
            candidates.append((earlier, lo, high))
            candidates.append((chair, low, hi))
            owners.add(earlier)
            owners.add(chair)
    if starts:
        first, last = starts[0], ends[-1]
        candidates.append((first >> bits, low, ((first & mask) - cut) // step))
        candidates.append((last >> bits, -((OFFSET - (last & mask)) // step), high))
        owners.add(first >> bits)
        owners.add(last >> bits)
    free = next((chair for chair in chairs if chair not in owners), None)  # no booking
    if free is not None:
        candidates.append((free, low, high))
    # the least (distance, step, place) over the gaps' best steps
    best: tuple[int, int, int] | None = None
    nearest = grid.nearest
    for chair, first_step, last_step in candidates:
        lo = low if first_step < low else first_step
        hi = high if last_step > high else last_step
        where = place.get(chair)
        if lo > hi or where is None:  # no step fits; a chair not asked about
            continue
        if target is None:
            found = (0, lo, where)
        else:
            k = lo if nearest < lo else hi if nearest > hi else nearest
            found = (abs(k * step - target), k, where)
        if best is None or found < best:
            best = found
    return None if best is None else (chairs[best[2]], best[1])
