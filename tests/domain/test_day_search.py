"""The gap search with its shortcuts (bisect windows, short gaps passed over, intervals
taken in the store's order unsorted) returns what trying every step on every chair
returns (issue 19)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from tdm1_scheduler.domain.day_search import (
    BusyIndex,
    DayLoad,
    Interval,
    StepGrid,
    nearest_free_step,
)

OPENS = datetime(2026, 6, 1, 9, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def tiled(rng: random.Random, count: int, touching: float, fit: int = 60) -> list[Interval]:
    """A chair's day as the store keeps it: apart, in order, often back to back, some
    gaps exactly ``fit`` minutes long (a visit's length), most on a 5-minute grid."""
    at = OPENS - timedelta(minutes=5 * rng.randrange(0, 24))
    busy = []
    for _ in range(count):
        if rng.random() >= touching:
            gap = fit if rng.random() < 0.3 else rng.randrange(1, 150)
            at += timedelta(minutes=gap, seconds=rng.choice([0, 0, 0, 30]))
        length = timedelta(minutes=rng.randrange(5, 200))
        busy.append(Interval(at, at + length))
        at += length
    return busy


def brute_force(grid: StepGrid, chairs: list[int], index: BusyIndex) -> tuple[int, int] | None:
    ranked = []
    for k in range(grid.low, grid.high + 1):
        at = grid.opens + k * grid.step
        distance = timedelta(0) if grid.target is None else abs(k * grid.step - grid.target)
        ranked.append(((distance, k), at))
    for _rank, at in sorted(ranked):
        for chair in chairs:
            if index.is_free(chair, Interval(at, at + grid.duration)):
                return chair, (at - grid.opens) // grid.step
    return None


# A day of random bookings on a few chairs and a grid to search (test_span_search too).
DAY_CASES = dict(
    seed=st.integers(0, 10**9),
    chairs=st.integers(1, 8),
    density=st.integers(0, 9),
    touching=st.sampled_from([0.0, 0.5, 0.9, 1.0]),
    step_min=st.sampled_from([5, 10, 15, 30]),
    duration_min=st.integers(5, 240),
    low=st.integers(-3, 40),
    span=st.integers(-2, 150),
    target=st.none() | st.integers(-120, 900),
    target_seconds=st.sampled_from([0, 0, 1, 150]),
)


@settings(max_examples=400, deadline=None)
@given(**DAY_CASES)
def test_nearest_free_step_is_the_best_step_on_the_first_free_chair(
    seed: int,
    chairs: int,
    density: int,
    touching: float,
    step_min: int,
    duration_min: int,
    low: int,
    span: int,
    target: int | None,
    target_seconds: int,
) -> None:
    rng = random.Random(seed)
    order = list(range(1, chairs + 1))
    rng.shuffle(order)
    busy = {
        c: tiled(rng, rng.randint(0, density), touching, duration_min) for c in range(1, chairs + 1)
    }
    index = BusyIndex(DayLoad(busy))
    assert index.all_sorted
    offset = None if target is None else target * MINUTE + timedelta(seconds=target_seconds)
    grid = StepGrid.around(OPENS, step_min * MINUTE, duration_min * MINUTE, low, low + span, offset)
    assert nearest_free_step(grid, order, index) == brute_force(grid, order, index)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 10**9), count=st.integers(0, 12), touching=st.floats(0, 1))
def test_the_stores_order_is_indexed_as_sorting_would(
    seed: int, count: int, touching: float
) -> None:
    rng = random.Random(seed)
    zone = ZoneInfo("America/New_York")
    busy = tiled(rng, count, touching)
    if rng.random() < 0.5:  # the same instants in another zone: converted to UTC
        busy = [Interval(i.start.astimezone(zone), i.end.astimezone(zone)) for i in busy]
    shuffled = busy[:]
    rng.shuffle(shuffled)
    in_order, by_sorting = BusyIndex(DayLoad({1: busy})), BusyIndex(DayLoad({1: shuffled}))
    assert in_order.busy_of(1) == by_sorting.busy_of(1)
    assert all(t.tzinfo is UTC for side in in_order.busy_of(1) for t in side)
    overlapping = [*busy, *busy[:1]]  # the first one twice: overlaps, so a plain scan
    assert BusyIndex(DayLoad({1: overlapping})).all_sorted is (len(busy) == 0)
