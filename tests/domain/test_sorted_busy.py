"""``SortedBusy``: a day's busy chairs kept as the sorted lists ``BusyIndex`` searches
(issue 19). It must equal the plain ``{chair: [Interval, ...]}`` mapping, and the index
built from it must answer what the index built from the plain mapping answers; the day
lookup falls back to the plain mapping when rows overlap."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import given, strategies as st

from tdm1_scheduler.domain.calendar import ClinicCalendar
from tdm1_scheduler.domain.day_search import BusyIndex, DayLoad, Interval, SortedBusy
from tdm1_scheduler.services.day_loads import day_load_lookup
from tdm1_scheduler.store.database import to_utc_text

NINE = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def apart(gaps: list[tuple[int, int]]) -> list[Interval]:
    """Intervals sorted and apart: each (gap, length) in minutes after the last end."""
    out, at = [], NINE
    for gap, length in gaps:
        start = at + timedelta(minutes=gap)
        at = start + timedelta(minutes=length)
        out.append(Interval(start, at))
    return out


chairs_st = st.dictionaries(
    st.integers(1, 6),
    st.lists(st.tuples(st.integers(0, 90), st.integers(0, 180)), max_size=8).map(apart),
    max_size=6,
)


@given(
    busy=chairs_st,
    probes=st.lists(st.tuples(st.integers(0, 7), st.integers(-60, 900), st.integers(1, 300))),
)
def test_the_index_answers_the_same(
    busy: dict[int, list[Interval]], probes: list[tuple[int, int, int]]
) -> None:
    lists = {c: ([i.start for i in v], [i.end for i in v]) for c, v in busy.items()}
    sorted_busy = SortedBusy(lists)
    assert sorted_busy == busy and busy == dict(sorted_busy.items())
    assert len(sorted_busy) == len(busy) and list(sorted_busy) == list(busy)
    assert repr(sorted_busy) == repr(busy)
    for chair in range(8):
        assert (chair in sorted_busy) is (chair in busy)
        assert sorted_busy.get(chair, ()) == busy.get(chair, ())
    plain, lean = BusyIndex(DayLoad(busy)), BusyIndex(DayLoad(sorted_busy))
    assert lean.all_sorted and plain.all_sorted
    for chair, offset, length in probes:
        start = NINE + timedelta(minutes=offset)
        wanted = Interval(start, start + timedelta(minutes=length))
        assert lean.is_free(chair, wanted) is plain.is_free(chair, wanted)
        assert lean.busy_of(chair) == plain.busy_of(chair)


class RowsStore:
    """A store that answers ``busy_rows`` with the rows it is given (and nothing else)."""

    def __init__(self, rows: list[tuple[int, int, str, str, str, int]]) -> None:
        self.rows = rows

    def busy_rows(self, start: datetime, end: datetime) -> list[Any]:
        return self.rows

    def busy_spans(self, start: datetime, end: datetime) -> list[Any]:
        return [(c, a, b, p if kind == "dose" else None) for _, c, kind, a, b, p in self.rows]


def row(ident: int, chair: int, start: datetime, minutes: int, kind: str = "dose") -> Any:
    end = start + timedelta(minutes=minutes)
    return (ident, chair, kind, to_utc_text(start), to_utc_text(end), 15)


def test_the_lookup_keeps_the_lists_and_falls_back_on_overlaps() -> None:
    calendar = ClinicCalendar(UTC)
    day = date(2030, 1, 7)
    rows = [row(1, 1, NINE, 60), row(2, 2, NINE, 30), row(3, 1, NINE + timedelta(hours=1), 30)]
    store: Any = RowsStore(rows)
    load = day_load_lookup(store, calendar)(day)
    assert isinstance(load.busy, SortedBusy)
    assert load.busy == {
        1: [
            Interval(NINE, NINE + timedelta(hours=1)),
            Interval(NINE + timedelta(hours=1), NINE + timedelta(minutes=90)),
        ],
        2: [Interval(NINE, NINE + timedelta(minutes=30))],
    }
    assert load.infusion_starts == [NINE + timedelta(minutes=15)] * 2 + [
        NINE + timedelta(minutes=75)
    ]
    left_out = day_load_lookup(store, calendar, {3})(day)
    assert left_out.busy == {1: [Interval(NINE, NINE + timedelta(hours=1))], 2: load.busy[2]}
    # Rows that overlap on one chair (never the store's): the plain mapping, and the
    # index scans that chair as before.
    overlapping: Any = RowsStore([*rows, row(4, 2, NINE + timedelta(minutes=10), 30, "blocked")])
    plain = day_load_lookup(overlapping, calendar)(day)
    assert type(plain.busy) is dict
    assert not BusyIndex(plain).all_sorted
    assert plain.busy[2] == [
        Interval(NINE, NINE + timedelta(minutes=30)),
        Interval(NINE + timedelta(minutes=10), NINE + timedelta(minutes=40)),
    ]
    assert calendar.at(day, time(9)) == NINE


@given(
    busy=chairs_st,
    added=st.lists(st.tuples(st.integers(1, 7), st.integers(-60, 1200), st.integers(1, 300))),
)
def test_a_booking_added_is_the_same(
    busy: dict[int, list[Interval]], added: list[tuple[int, int, int]]
) -> None:
    """``booking.with_booking`` on the lean mapping equals it on the plain one, whether
    the lists stay sorted (a new ``SortedBusy``) or not (the plain mapping)."""
    from tdm1_scheduler.domain.booking import Slot, with_booking
    from tdm1_scheduler.domain.regimen import ChairTime

    lists = {c: ([i.start for i in v], [i.end for i in v]) for c, v in busy.items()}
    lean, plain = DayLoad(SortedBusy(lists)), DayLoad(busy)
    for chair, offset, length in added:
        slot = Slot(chair, NINE + timedelta(minutes=offset), ChairTime(15, length, 0))
        lean, plain = with_booking(lean, slot), with_booking(plain, slot)
        assert lean.busy == plain.busy
        assert list(lean.infusion_starts) == list(plain.infusion_starts)
        if isinstance(lean.busy, SortedBusy):
            assert BusyIndex(lean).all_sorted
        wanted = Interval(slot.start, slot.end)
        for other in range(1, 8):
            assert BusyIndex(lean).is_free(other, wanted) is BusyIndex(plain).is_free(other, wanted)
    assert lists == {c: ([i.start for i in v], [i.end for i in v]) for c, v in busy.items()}
