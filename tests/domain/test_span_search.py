"""The column-wise search over a day's bookings in seconds (``span_search``) returns what
the gap search over datetimes (``day_search.nearest_free_step``) and trying every step
on every chair return, or says it cannot tell (issue 19, booking)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given, settings, strategies as st

from tdm1_scheduler.domain.day_search import (
    BusyIndex,
    DayLoad,
    Interval,
    StepGrid,
    nearest_free_step,
)
from tdm1_scheduler.domain.span_search import UNKNOWN, ChairSpans, nearest_span_step
from tests.domain.test_day_search import DAY_CASES, OPENS, brute_force, tiled

MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


def as_spans(busy: dict[int, list[Interval]]) -> ChairSpans:
    return ChairSpans.of_rows(
        (chair, (i.start - OPENS) // SECOND, (i.end - OPENS) // SECOND)
        for chair, intervals in busy.items()
        for i in intervals
    )


@settings(max_examples=600, deadline=None)
@given(**DAY_CASES, asked=st.sampled_from(["all", "some", "repeated", "others"]))
def test_the_span_search_finds_what_the_gap_search_finds(
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
    asked: str,
) -> None:
    rng = random.Random(seed)
    busy = {
        c: tiled(rng, rng.randint(0, density), touching, duration_min) for c in range(1, chairs + 1)
    }
    order = list(range(1, chairs + 1))
    rng.shuffle(order)
    if asked == "some":  # bookings of chairs not asked about are left out
        order = order[: rng.randint(1, chairs)]
    elif asked == "repeated":
        order = [*order, *order[:2]]
    elif asked == "others":  # chairs with no booking at all among them
        order = [*order[:1], 90, *order[1:], 91]
    index = BusyIndex(DayLoad(busy))
    offset = None if target is None else target * MINUTE + timedelta(seconds=target_seconds)
    grid = StepGrid.around(OPENS, step_min * MINUTE, duration_min * MINUTE, low, low + span, offset)
    expected = nearest_free_step(grid, order, index)
    assert expected == brute_force(grid, order, index)
    assert nearest_span_step(grid, order, as_spans(busy)) == expected


def test_no_booking_at_all() -> None:
    grid = StepGrid.around(OPENS, 5 * MINUTE, 75 * MINUTE, 0, 100, 48 * 5 * MINUTE)
    assert nearest_span_step(grid, [3, 1], ChairSpans([], [])) == (3, 48)
    early = StepGrid.around(OPENS, 5 * MINUTE, 75 * MINUTE, 7, 100, None)
    assert nearest_span_step(early, [3, 1], ChairSpans([], [])) == (3, 7)
    empty = StepGrid.around(OPENS, 5 * MINUTE, 75 * MINUTE, 7, 6, None)
    assert nearest_span_step(empty, [3, 1], ChairSpans([], [])) is None


def test_every_chair_taken() -> None:
    grid = StepGrid.around(OPENS, 5 * MINUTE, 60 * MINUTE, 0, 12, 30 * MINUTE)
    spans = ChairSpans.of_rows([(1, -60, 3600 * 2), (2, 0, 3600)])  # chair 2 free after 01:00
    assert nearest_span_step(grid, [1, 2], spans) == (2, 12)
    assert nearest_span_step(grid, [1], spans) is None


@pytest.mark.parametrize(
    "rows",
    [
        [(1, 0, 3600), (1, 1800, 5400)],  # overlapping on one chair
        [(1, 0, 600), (1, 0, 900)],  # the same start twice
        [(1, 600, 600)],  # ends where it starts
        [(1, 600, 500), (2, 0, 60)],  # ends before it starts
        [(7, 0, 200), (7, 100, 300), (1, 0, 60)],  # overlapping on a chair not asked about
    ],
)
def test_bookings_not_apart_are_not_told(rows: list[tuple[int, int, int]]) -> None:
    grid = StepGrid.around(OPENS, 5 * MINUTE, 60 * MINUTE, 0, 100, None)
    assert nearest_span_step(grid, [1, 2], ChairSpans.of_rows(rows)) is UNKNOWN


def test_instants_that_are_not_whole_seconds_are_not_told() -> None:
    spans = ChairSpans.of_rows([(1, 0, 600)])
    odd = OPENS + timedelta(microseconds=5)
    for grid in (
        StepGrid.around(odd, 5 * MINUTE, 60 * MINUTE, 0, 100, None),
        StepGrid.around(OPENS, 5 * MINUTE, 60 * MINUTE, 0, 100, timedelta(milliseconds=1)),
        StepGrid.around(OPENS, 5 * MINUTE, timedelta(minutes=60, microseconds=1), 0, 100, None),
    ):
        assert nearest_span_step(grid, [1, 2], spans) is UNKNOWN


def test_rows_come_sorted_by_chair_then_start() -> None:
    spans = ChairSpans.of_rows([(2, 50, 60), (1, 70, 80), (2, -10, 20), (1, 5, 6)])
    assert spans.rows() == [(1, 5, 6), (1, 70, 80), (2, -10, 20), (2, 50, 60)]
