"""One day's busy chairs, and the nearest free grid step on it (``booking``'s core).

``BusyIndex`` holds each chair's busy intervals sorted, so "is this chair free then?" is
a bisect; ``nearest_free_step`` finds the best grid step over all chairs from each
chair's free gaps. ``booking`` re-exports ``Interval``, ``DayLoad``, ``conflict`` and
``BusyIndex``; this module knows no calendar and no slot, only instants and steps.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import field
from datetime import UTC, datetime, timedelta
from itertools import chain, compress, repeat
from operator import ge, sub

from .lean import dataclass


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class DayLoad:
    """What is already booked on one day: busy intervals per chair, infusion starts."""

    busy: Mapping[int, Sequence[Interval]] = field(default_factory=dict)
    infusion_starts: Sequence[datetime] = ()


class SortedBusy(Mapping[int, Sequence[Interval]]):
    """A ``DayLoad.busy`` kept as each chair's interval starts and ends (UTC), already
    sorted and apart (the store's order, checked by whoever builds it): ``BusyIndex``
    takes the lists as they are, and a chair's ``Interval`` list is made only when asked
    for. As a mapping it equals the plain ``{chair: [Interval, ...]}`` it stands for."""

    def __init__(self, lists: dict[int, tuple[list[datetime], list[datetime]]]) -> None:
        self.lists = lists
        self._made: dict[int, list[Interval]] = {}

    def __getitem__(self, chair: int) -> list[Interval]:
        made = self._made.get(chair)
        if made is None:
            starts, ends = self.lists[chair]
            made = self._made[chair] = [Interval(a, b) for a, b in zip(starts, ends, strict=True)]
        return made

    def appended(self, chair: int, interval: Interval) -> SortedBusy | None:
        """This mapping with ``interval`` added at the end of ``chair``'s list, as a
        plain mapping would add it; None when the lists would no longer be sorted and
        apart (then the caller makes the plain mapping)."""
        start, end = interval.start.astimezone(UTC), interval.end.astimezone(UTC)
        starts, ends = self.lists.get(chair, ([], []))
        if end < start or (ends and start < ends[-1]):
            return None
        lists = dict(self.lists)  # the other chairs' lists are shared, never changed
        lists[chair] = ([*starts, start], [*ends, end])
        return SortedBusy(lists)

    def __iter__(self) -> Iterator[int]:
        return iter(self.lists)

    def __len__(self) -> int:
        return len(self.lists)

    def __contains__(self, chair: object) -> bool:
        return chair in self.lists

    def __repr__(self) -> str:
        return repr(dict(self.items()))


def conflict(busy: Iterable[Interval], wanted: Interval) -> Interval | None:
    for interval in busy:
        if interval.overlaps(wanted):
            return interval
    return None


def _in_order(intervals: Sequence[Interval]) -> tuple[list[datetime], list[datetime]] | None:
    """The intervals' starts and ends in UTC when they come sorted and apart already (as
    the store reads a chair's day), else None. Each one ends at or after its start and
    the next starts at or after it ends: then sorting them would keep this order."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    previous_end: datetime | None = None
    for interval in intervals:
        start, end = interval.start, interval.end
        if start.tzinfo is not UTC:
            start = start.astimezone(UTC)
        if end.tzinfo is not UTC:
            end = end.astimezone(UTC)
        if end < start or (previous_end is not None and start < previous_end):
            return None
        starts.append(start)
        ends.append(end)
        previous_end = end
    return starts, ends


class BusyIndex:
    """Each chair's busy intervals sorted, so "is this chair free then?" is a bisect.

    A chair's intervals do not overlap (the store refuses it), so sorted by start they
    are sorted by end too: the only interval that can overlap [start, end) is the first
    one ending after ``start``.
    """

    def __init__(self, load: DayLoad) -> None:
        self._sorted: dict[int, tuple[list[datetime], list[datetime]]] = {}
        self._unsorted: dict[int, list[Interval]] = {}  # overlapping input: plain scan
        if isinstance(load.busy, SortedBusy):  # sorted and apart already (its doc)
            self._sorted = load.busy.lists
            return
        for chair, intervals in load.busy.items():
            ready = _in_order(intervals)  # the store's order: nothing to sort
            if ready is not None:
                self._sorted[chair] = ready
                continue
            ordered = sorted((i.start.astimezone(UTC), i.end.astimezone(UTC)) for i in intervals)
            if any(ordered[n][0] < ordered[n - 1][1] for n in range(1, len(ordered))):
                self._unsorted[chair] = list(intervals)
            else:
                self._sorted[chair] = ([a for a, _ in ordered], [b for _, b in ordered])

    @property
    def all_sorted(self) -> bool:
        """No chair's intervals overlap each other (always so for the store's)."""
        return not self._unsorted

    def busy_of(self, chair: int) -> tuple[list[datetime], list[datetime]]:
        """A sorted chair's interval starts and ends (UTC), both ascending."""
        return self._sorted.get(chair, ([], []))

    def is_free(self, chair: int, wanted: Interval) -> bool:
        if chair in self._unsorted:
            return conflict(self._unsorted[chair], wanted) is None
        starts, ends = self._sorted.get(chair, ([], []))
        index = bisect_right(ends, wanted.start)  # first interval ending after the start
        return index == len(starts) or starts[index] >= wanted.end


@dataclass(frozen=True)
class StepGrid:
    """Grid steps k (start = opens + k * step, UTC) from ``low`` to ``high``, ranked by
    distance to ``target`` (an offset from ``opens``; None: no preferred time), then k."""

    opens: datetime
    step: timedelta
    duration: timedelta
    low: int
    high: int
    target: timedelta | None
    nearest: int = 0  # the step nearest the target (a tie: the earlier); see ``around``

    @classmethod
    def around(
        cls, opens: datetime, step: timedelta, duration: timedelta, low: int, high: int,
        target: timedelta | None,
    ) -> StepGrid:  # fmt: skip
        nearest = 0
        if target is not None:
            nearest, rest = divmod(target, step)
            if rest * 2 > step:  # a tie keeps the earlier step
                nearest += 1
        return cls(opens, step, duration, low, high, target, nearest)

    def rank(self, lo: int, hi: int) -> tuple[timedelta, int]:
        """The best step in [lo, hi] and its rank (distance to the target, then step)."""
        if self.target is None:
            return timedelta(0), lo
        k = min(max(self.nearest, lo), hi)
        return abs(k * self.step - self.target), k

    def better_than(self, found: tuple[timedelta, int]) -> tuple[int, int]:
        """The steps [lo, hi] that can rank strictly before ``found``."""
        distance, k = found
        if self.target is None:
            return self.low, min(self.high, k - 1)
        lo = -((distance - self.target) // self.step)  # ceil((target - distance) / step)
        hi = (self.target + distance) // self.step
        return max(self.low, lo), min(self.high, hi)


def _gaps_to_try(
    starts: list[datetime], ends: list[datetime], duration: timedelta, first: int, last_gap: int
) -> Iterable[int]:
    """The gaps n in [first, last_gap], ascending, that can hold the visit: the first
    (before interval 0) and the last (after the last interval) always, an inner one only
    when it lasts ``duration`` or more. The inner gaps are picked with C-level column
    operations (``map``, ``compress``): a busy day's chair has several gaps too short
    for the visit each, and no Python bytecode runs for those (issue 19)."""
    last = len(starts)
    lo, hi = max(first, 1), min(last_gap, last - 1)  # the inner gaps asked for
    inner: Iterable[int] = ()
    if lo <= hi:
        lengths = map(sub, starts[lo : hi + 1], ends[lo - 1 : hi])
        inner = compress(range(lo, hi + 1), map(ge, lengths, repeat(duration)))
    head = (0,) if first == 0 else ()
    tail = (last,) if last_gap == last and last > 0 else ()
    return chain(head, inner, tail)


def nearest_free_step(
    grid: StepGrid, chairs: Sequence[int], index: BusyIndex
) -> tuple[int, int] | None:
    """The best-ranked step at which a chair of ``chairs`` is free for ``grid.duration``,
    and the first such chair in order: ``(chair, k)``, or None when no chair is free.

    A chair is free for a start in [end of one busy interval, start of the next -
    duration]: the best step in each such gap is found by arithmetic. Once a step is
    found, each later chair looks only at the gaps that could hold a better one (found
    by bisect), and a gap shorter than the visit is passed over at once.
    """
    opens, step, duration, low, high = grid.opens, grid.step, grid.duration, grid.low, grid.high
    if low > high:
        return None
    top = grid.rank(low, high)  # no chair can do better than this
    found: tuple[timedelta, int] | None = None
    found_chair = chairs[0]
    # The instants that bound the gaps able to beat ``found`` (from ``better_than``),
    # worked out again only when ``found`` changes, not for every chair.
    better_from = better_to = opens
    busy_of = index.busy_of
    for chair in chairs:
        starts, ends = busy_of(chair)
        last = len(starts)
        first_gap, last_gap = 0, last  # gap n: after interval n - 1, before interval n
        if found is not None:
            first_gap = bisect_left(starts, better_from)
            last_gap = bisect_right(ends, better_to)
        for n in _gaps_to_try(starts, ends, duration, first_gap, last_gap):
            lo = low if n == 0 else max(low, -((opens - ends[n - 1]) // step))
            hi = high if n == last else min(high, (starts[n] - duration - opens) // step)
            if lo <= hi:
                rank = grid.rank(lo, hi)
                if found is None or rank < found:
                    found, found_chair = rank, chair
                    if found == top:
                        return found_chair, found[1]
                    lo, hi = grid.better_than(found)
                    if lo > hi:
                        return found_chair, found[1]  # nothing can rank before it
                    better_from, better_to = opens + lo * step + duration, opens + hi * step
    return None if found is None else (found_chair, found[1])
