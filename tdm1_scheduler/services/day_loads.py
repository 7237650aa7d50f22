"""What the slot search asks the store: a day's load, and "is this chair free then?".

``day_load_lookup`` reads a day once per lookup (a booking's 14 cycles share one) and
builds its ``DayLoad`` from lean rows (``store.load_queries.busy_rows``). A busy day
repeats the same few hundred stored instants, intervals and infusion starts (the snap
grid) in its ~600 rows, so each distinct text is parsed once per lookup, and each
chair's starts and ends go straight into the lists ``BusyIndex`` searches
(``day_search.SortedBusy``; ``Interval`` objects only when a chair's list is asked for):
the cost per row is a few dictionary reads and appends (issue 19).
The answers are the same as reading ``repository.busy_between`` row by row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from ..domain.booking import BatchProbe, ChairProbe, DayLoad, FirstFree, Interval, LoadLookup
from ..domain.calendar import ClinicCalendar
from ..domain.day_search import SortedBusy
from ..domain.span_search import ChairSpans, DaySpans
from ..store.connection import Database
from ..store.database import from_utc_text
from ..store.protocol import Store
from ..store.protocol_booking import BusySpan
from ..store.sqlite_store import as_store


class _Instants(dict[str, datetime]):
    """Stored UTC text -> aware datetime: each distinct text parsed once, on a miss."""

    def __missing__(self, text: str) -> datetime:
        instant = self[text] = from_utc_text(text)
        return instant


class _Minutes(dict[int, timedelta]):
    """prep minutes -> timedelta, each made once, on a miss."""

    def __missing__(self, prep: int) -> timedelta:
        delta = self[prep] = timedelta(minutes=prep)
        return delta


def day_load_lookup(
    source: Database | Store, calendar: ClinicCalendar, exclude: set[int] | None = None
) -> LoadLookup:
    """What is booked per chair on a day, read from the store (cached per call)."""
    store = as_store(source)
    skip = exclude or set()
    cache: dict[date, DayLoad] = {}
    instants = _Instants()
    minutes = _Minutes()

    def spans(start: datetime, end: datetime) -> list[BusySpan]:
        """The day's rows as ``BusySpan``: read so when nothing is left out."""
        if not skip:
            return store.busy_spans(start, end)
        return [
            (chair, begin, finish, prep if kind == "dose" else None)
            for ident, chair, kind, begin, finish, prep in store.busy_rows(start, end)
            if ident not in skip
        ]

    def lookup(day: date) -> DayLoad:
        load = cache.get(day)
        if load is not None:
            return load
        start, end = calendar.day_bounds(day)
        # Each chair's starts and ends (UTC) in the rows' order: the store's start order,
        # so a chair's intervals come sorted and apart; checked here (``ordered``), and
        # then ``BusyIndex`` takes them as they are (``SortedBusy``).
        lists: dict[int, tuple[list[datetime], list[datetime]]] = {}
        ordered = True
        starts: list[datetime] = []
        add_start = starts.append
        for chair, begin, finish, prep in spans(start, end):
            opens, closes = instants[begin], instants[finish]  # parsed once (Instants)
            held = lists.get(chair)
            if held is None:
                held = lists[chair] = ([], [])
            chair_starts, chair_ends = held
            if closes < opens or (chair_ends and opens < chair_ends[-1]):
                ordered = False
            chair_starts.append(opens)
            chair_ends.append(closes)
            if prep is not None:  # a dose (blocked time has no infusion)
                add_start(opens + minutes[prep])
        busy: Mapping[int, Sequence[Interval]] = SortedBusy(lists)
        if not ordered:  # overlapping rows (never the store's): the plain mapping
            busy = dict(busy.items())
        load = cache[day] = DayLoad(busy, starts)
        return load

    return lookup


def chair_free_probe(source: Database | Store, exclude: set[int] | None = None) -> ChairProbe:
    """Is one chair free in an interval, by the store (``exclude``: appointment ids left
    out, as in ``day_load_lookup``)? One indexed EXISTS, no day loaded."""
    store, skip = as_store(source), sorted(exclude or ())

    def probe(chair: int, wanted: Interval) -> bool:
        return store.chair_free_between(chair, wanted.start, wanted.end, skip)

    return probe


def first_free_probe(source: Database | Store, exclude: set[int] | None = None) -> FirstFree:
    """``chair_free_probe`` for several chairs in one statement: the first of them free
    in an interval, or None (``exclude`` as there)."""
    store, skip = as_store(source), sorted(exclude or ())

    def first(chairs: Sequence[int], wanted: Interval) -> int | None:
        return store.first_free_chair(chairs, wanted.start, wanted.end, skip)

    return first


def day_spans(source: Database | Store, exclude: set[int] | None = None) -> DaySpans:
    """A day's chair-holding bookings as whole seconds (the store's ``busy_seconds``,
    ``exclude`` as in ``day_load_lookup``): what ``booking.slot_on_day`` searches
    without loading the day."""
    store, skip = as_store(source), sorted(exclude or ())

    def spans(start: datetime, end: datetime, origin: datetime) -> ChairSpans:
        return store.busy_seconds(start, end, origin, skip)

    return spans


def store_probe(source: Database | Store, exclude: set[int] | None = None) -> BatchProbe:
    """``chair_free_probe`` that ``booking.reanchor`` may also ask about several chairs at
    once (``first_free_probe``), and about a day's bookings as seconds (``day_spans``):
    the same answers in fewer statements, and fewer rows."""
    return BatchProbe(
        chair_free_probe(source, exclude),
        first_free_probe(source, exclude),
        day_spans(source, exclude),
    )
