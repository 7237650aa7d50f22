"""The bisect index answers "is this chair free?" exactly as a plain scan does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, strategies as st

from tdm1_scheduler.domain.booking import BusyIndex, DayLoad, Interval, conflict

BASE = datetime(2026, 6, 1, 8, tzinfo=UTC)


def interval(start_min: int, length_min: int) -> Interval:
    start = BASE + timedelta(minutes=start_min)
    return Interval(start, start + timedelta(minutes=length_min))


spans = st.tuples(st.integers(0, 600), st.integers(1, 240))


@settings(max_examples=300, deadline=None)
@given(busy=st.lists(spans, max_size=12), wanted=spans, tile=st.booleans())
def test_index_agrees_with_a_scan(
    busy: list[tuple[int, int]], wanted: tuple[int, int], tile: bool
) -> None:
    if tile:  # back-to-back, never overlapping, like the store keeps a chair
        at, busy_intervals = 0, []
        for gap, length in busy:
            at += gap % 60
            busy_intervals.append(interval(at, length))
            at += length
    else:  # anything, overlaps included
        busy_intervals = [interval(*span) for span in busy]
    index = BusyIndex(DayLoad({1: busy_intervals}))
    want = interval(*wanted)
    assert index.is_free(1, want) == (conflict(busy_intervals, want) is None)
    assert index.is_free(2, want)  # a chair with nothing booked
