"""``nearest_free_step`` passes over the inner gaps too short for the visit without
looking at them (``day_search._gaps_to_try``, issue 19): a gap exactly as long as the
visit still holds it, the first and the last gap are always tried, and on grid-aligned
days (where an exact fit is the answer) it agrees with trying every step."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tdm1_scheduler.domain.day_search import (
    BusyIndex,
    DayLoad,
    Interval,
    StepGrid,
    _gaps_to_try,
    nearest_free_step,
)
from tests.domain.test_day_search import brute_force

OPENS = datetime(2026, 6, 1, 9, tzinfo=UTC)
HOUR, MINUTE, STEP = timedelta(hours=1), timedelta(minutes=1), timedelta(minutes=5)


def at(hours: float) -> datetime:
    return OPENS + timedelta(hours=hours)


def test_a_gap_exactly_as_long_as_the_visit_holds_it() -> None:
    # Chair 1: busy 9-10 and 11-12 (a one-hour gap); chair 2: busy all day.
    busy = {1: [Interval(at(0), at(1)), Interval(at(2), at(3))], 2: [Interval(at(0), at(8))]}
    index = BusyIndex(DayLoad(busy))
    grid = StepGrid.around(OPENS, STEP, HOUR, 0, 84, timedelta(hours=1))
    assert nearest_free_step(grid, [2, 1], index) == (1, 12)  # 10:00 on chair 1
    # One minute longer and the visit no longer fits there: after 12:00 instead.
    longer = StepGrid.around(OPENS, STEP, HOUR + MINUTE, 0, 84, timedelta(hours=1))
    assert nearest_free_step(longer, [2, 1], index) == (1, 36)


def test_the_gaps_tried_are_the_first_the_last_and_the_long_inner_ones() -> None:
    starts = [at(0), at(1), at(2.5), at(3)]
    ends = [at(0.5), at(1.5), at(2.75), at(4)]
    # Inner gaps: 1 (0.5 h), 2 (1 h), 3 (0.25 h); gap 0 before, gap 4 after.
    assert list(_gaps_to_try(starts, ends, HOUR, 0, 4)) == [0, 2, 4]
    assert list(_gaps_to_try(starts, ends, HOUR / 2, 0, 4)) == [0, 1, 2, 4]
    assert list(_gaps_to_try(starts, ends, HOUR, 1, 3)) == [2]  # neither end asked for
    assert list(_gaps_to_try(starts, ends, HOUR, 3, 2)) == []
    assert list(_gaps_to_try([], [], HOUR, 0, 0)) == [0]  # a free chair: one gap


def test_grid_aligned_days_agree_with_every_step() -> None:
    rng = random.Random(19)
    for _ in range(300):
        duration = 5 * rng.randrange(1, 40) * MINUTE
        busy = {}
        for chair in range(1, 7):
            moment, intervals = OPENS, []
            for _ in range(rng.randrange(0, 9)):
                gap = duration if rng.random() < 0.4 else 5 * rng.randrange(0, 30) * MINUTE
                moment += gap + rng.choice([0, 0, 0, 1]) * MINUTE
                length = 5 * rng.randrange(1, 30) * MINUTE
                intervals.append(Interval(moment, moment + length))
                moment += length
            busy[chair] = intervals
        index = BusyIndex(DayLoad(busy))
        target = rng.choice([None, 5 * rng.randrange(0, 150) * MINUTE])
        grid = StepGrid.around(OPENS, STEP, duration, 0, rng.randrange(0, 160), target)
        order = rng.sample(range(1, 7), 6)
        assert nearest_free_step(grid, order, index) == brute_force(grid, order, index)
