"""The chair probe changes how much is read, never what is booked.

``reanchor`` with a ``probe`` (is one chair free, asked of the store) must return exactly
what it returns with the day loads alone, and ``first_choice`` exactly what
``find_slot_on_day`` returns. Both are compared on random clinics (zones with
daylight-saving changes, hours, closed dates) and random stores: busy blocks on and off
the 5-minute grid, "hot" blocks over the preferred chair at the preferred time or over a
booking's own place, start caps set or not, preferred times off the grid or outside the
hours. The fake store below answers the probe and the day lookup from the same blocks,
as the SQLite store does.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from tdm1_scheduler.domain.booking import (
    DayLoad,
    Interval,
    Slot,
    SlotPreferences,
    _scan_slot_on_day,
    candidate_starts,
    find_slot,
    find_slot_on_day,
    first_candidate_start,
    first_choice,
    reanchor,
)
from tdm1_scheduler.domain.calendar import ClinicCalendar, OpeningHours, zone_from_name
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.regimen import ChairTime

ZONES = ("America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC")
EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIRST = ChairTime(15, 90, 90)
LATER = ChairTime(15, 30, 30)


# --- a fake store --------------------------------------------------------------------------


@dataclass
class FakeStore:
    """Busy blocks per local day, drawn from ``seed`` the first time a day is looked at.

    ``hot`` lists (chair, wall time, chance): a block over that chair at that wall time on
    a day, with that chance. ``lookup`` is what ``day_load_lookup`` gives (every block
    overlapping the local day), ``probe`` what the EXISTS query gives (no block on the
    chair overlapping the interval). Both count their calls.
    """

    calendar: ClinicCalendar
    chairs: list[int]
    seed: int
    density: int
    hot: list[tuple[int, time, float]] = field(default_factory=list)
    full: list[tuple[time, int]] = field(default_factory=list)  # every chair, from, minutes
    lookups: list[date] = field(default_factory=list)
    probes: int = 0
    _days: dict[date, list[tuple[int, Interval]]] = field(default_factory=dict)
    # A day's blocks never change once drawn, so neither do the three days around it nor
    # a lookup's answer: kept per day (a lookup hands out fresh lists each time).
    _nears: dict[date, list[tuple[int, Interval]]] = field(default_factory=dict)
    _loads: dict[date, dict[int, list[Interval]]] = field(default_factory=dict)

    def blocks(self, day: date) -> list[tuple[int, Interval]]:
        if day not in self._days:
            rng = random.Random(f"{self.seed}/{day.isoformat()}")
            blocks = []
            for chair in self.chairs:
                for _ in range(rng.randint(0, self.density)):
                    minute = rng.randrange(0, 20 * 60)  # any minute: on and off the grid
                    start = self.calendar.at(day, time(minute // 60, minute % 60))
                    length = timedelta(minutes=rng.randrange(5, 240))
                    blocks.append((chair, Interval(start, start + length)))
            for chair, wall, chance in self.hot:
                if rng.random() < chance:
                    at = self.calendar.at(day, wall)
                    before = timedelta(minutes=rng.randrange(0, 60))
                    after = timedelta(minutes=rng.randrange(1, 90))
                    blocks.append((chair, Interval(at - before, at + after)))
            for wall, minutes in self.full:  # the same block on every chair
                at = self.calendar.at(day, wall)
                blocks += [(c, Interval(at, at + timedelta(minutes=minutes))) for c in self.chairs]
            self._days[day] = blocks
        return self._days[day]

    def _near(self, day: date) -> list[tuple[int, Interval]]:
        near = self._nears.get(day)
        if near is None:
            near = [b for d in (-1, 0, 1) for b in self.blocks(day + timedelta(days=d))]
            self._nears[day] = near
        return near

    def lookup(self, day: date) -> DayLoad:
        self.lookups.append(day)
        found = self._loads.get(day)
        if found is None:
            whole = Interval(
                self.calendar.at(day, time(0)), self.calendar.at(day + timedelta(days=1), time(0))
            )
            found = {}
            for chair, interval in self._near(day):
                if interval.overlaps(whole):
                    found.setdefault(chair, []).append(interval)
            self._loads[day] = found
        busy = {chair: list(intervals) for chair, intervals in found.items()}
        return DayLoad(busy, [i.start for intervals in busy.values() for i in intervals])

    def probe(self, chair: int, wanted: Interval) -> bool:
        self.probes += 1
        day = self.calendar.local_date(wanted.start)
        return not any(c == chair and i.overlaps(wanted) for c, i in self._near(day))


# --- strategies -------------------------------------------------------------------------------


@st.composite
def calendars(draw: st.DrawFn) -> ClinicCalendar:
    zone = zone_from_name(draw(st.sampled_from(ZONES)))
    weekdays = draw(st.sets(st.integers(0, 6), min_size=1))
    hours = {}
    for weekday in sorted(weekdays):
        # Openings from midnight (days across a daylight-saving change) to 10:00, and
        # some days too short for a first infusion (no candidate start at all).
        opens = draw(st.integers(0, 40).map(lambda q: q * 15) | st.integers(0, 10 * 60))
        closes = min(opens + draw(st.integers(60, 14 * 60)), 23 * 60 + 59)
        hours[weekday] = OpeningHours(
            time(opens // 60, opens % 60), time(closes // 60, closes % 60)
        )
    base = draw(st.dates(date(2025, 1, 1), date(2027, 12, 31)))
    offsets = draw(st.lists(st.integers(0, 200), max_size=20))
    return ClinicCalendar(zone, hours, frozenset(base + timedelta(days=o) for o in offsets))


def walls() -> st.SearchStrategy[time]:
    # Any minute of the day: on the grid, off it (midway between two steps: a tie),
    # before opening, after closing.
    return st.builds(
        time, st.integers(0, 23), st.sampled_from(range(0, 60, 5)) | st.integers(0, 59)
    )


@st.composite
def preferences(draw: st.DrawFn, chairs: list[int]) -> SlotPreferences:
    return SlotPreferences(
        draw(st.permutations(chairs)),
        draw(st.none() | walls()),
        draw(st.sampled_from([5, 10, 15, 7])),
        draw(st.none() | st.integers(1, 3)),
        draw(st.sampled_from([0, 30, 120])),
    )


def chair_times() -> st.SearchStrategy[ChairTime]:
    return st.sampled_from([FIRST, LATER, ChairTime(15, 90, 30), ChairTime(0, 180, 30)])


@dataclass(frozen=True)
class Case:
    calendar: ClinicCalendar
    store: FakeStore
    prefs: SlotPreferences


@st.composite
def cases(draw: st.DrawFn) -> Case:
    calendar = draw(calendars())
    chairs = list(range(1, draw(st.integers(1, 4)) + 1))
    prefs = draw(preferences(chairs))
    store = FakeStore(calendar, chairs, draw(st.integers(0, 10**6)), draw(st.integers(0, 5)))
    if prefs.preferred_time is not None and draw(st.booleans()):
        # The preferred chair often busy at the preferred time.
        store.hot.append((prefs.chairs[0], prefs.preferred_time, draw(st.sampled_from([0.5, 1]))))
    if prefs.preferred_time is not None and draw(st.booleans()):
        # Every chair taken around the preferred time (a busy morning), then free together.
        begin = datetime.combine(date(2026, 1, 1), prefs.preferred_time)
        begin -= timedelta(minutes=draw(st.integers(0, 90)))
        store.full.append((begin.time(), draw(st.integers(5, 300))))
    return Case(calendar, store, prefs)


def same(slots: list[Slot]) -> list[tuple[int, str, ChairTime]]:
    """Slots as the store would write them, offsets included."""
    return [(s.chair, s.start.isoformat(), s.chair_time) for s in slots]


def outcome(run: Callable[[], list[Slot]]) -> list[tuple[int, str, ChairTime]] | str:
    try:
        return same(run())
    except DomainError as error:
        return f"refused: {error}"


# --- first_candidate_start ----------------------------------------------------------------------


@EXAMPLES
@given(cases(), st.integers(0, 60), chair_times())
def test_first_candidate_start_is_the_first_candidate(case: Case, offset: int, chair_time) -> None:
    day = min(case.calendar.closed_dates, default=date(2026, 3, 1)) + timedelta(days=offset)
    starts = candidate_starts(case.calendar, day, chair_time, case.prefs, None)
    first = first_candidate_start(case.calendar, day, chair_time, case.prefs)
    if not starts:
        assert first is None
    else:
        assert first is not None
        assert first.isoformat() == starts[0].isoformat()


# --- first_choice --------------------------------------------------------------------------------


@EXAMPLES
@given(cases(), st.integers(0, 60), chair_times(), st.integers(1, 4))
def test_first_choice_is_what_the_day_search_returns(
    case: Case, offset: int, chair_time: ChairTime, max_chairs: int
) -> None:
    day = min(case.calendar.closed_dates, default=date(2026, 3, 1)) + timedelta(days=offset)
    quick = first_choice(case.calendar, day, chair_time, case.prefs, case.store.probe, max_chairs)
    searched = find_slot_on_day(case.calendar, day, chair_time, case.prefs, case.store.lookup(day))
    if quick is not None:
        assert searched is not None
        assert same([quick]) == same([searched])
    else:
        # Only a start cap, no candidate start, or the chairs asked all busy say "don't know".
        start = first_candidate_start(case.calendar, day, chair_time, case.prefs)
        if case.prefs.start_cap is None and start is not None:
            wanted = Slot(1, start, chair_time).interval
            asked = case.prefs.chairs[:max_chairs]
            assert not any(case.store.probe(chair, wanted) for chair in asked)


@EXAMPLES
@given(cases(), st.integers(0, 60), chair_times())
def test_first_choice_on_the_first_open_day_is_find_slot(
    case: Case, offset: int, chair_time: ChairTime
) -> None:
    day = min(case.calendar.closed_dates, default=date(2026, 3, 1)) + timedelta(days=offset)
    first_open = next(iter(case.calendar.open_days(day)))
    quick = first_choice(case.calendar, first_open, chair_time, case.prefs, case.store.probe)
    if quick is not None:
        found = find_slot(case.calendar, day, chair_time, case.prefs, case.store.lookup)
        assert same([quick]) == same([found])


# --- the day search by free gaps ------------------------------------------------------------------


@EXAMPLES
@given(cases(), st.integers(0, 60), chair_times(), st.none() | st.integers(0, 24 * 60 - 1))
def test_the_gap_search_is_the_plain_scan(
    case: Case, offset: int, chair_time: ChairTime, after_minute: int | None
) -> None:
    """Without a start cap find_slot_on_day works from each chair's free gaps; it must
    return what trying every start on every chair returns (also after ``not_before``)."""
    day = min(case.calendar.closed_dates, default=date(2026, 3, 1)) + timedelta(days=offset)
    prefs = SlotPreferences(case.prefs.chairs, case.prefs.preferred_time, case.prefs.snap_min, None)
    load = case.store.lookup(day)
    not_before = None
    if after_minute is not None:
        not_before = case.calendar.at(day, time(after_minute // 60, after_minute % 60))
        not_before += timedelta(seconds=after_minute % 7)  # sometimes between grid steps
    fast = find_slot_on_day(case.calendar, day, chair_time, prefs, load, not_before)
    scanned = _scan_slot_on_day(case.calendar, day, chair_time, prefs, load, not_before)
    assert (fast and same([fast])) == (scanned and same([scanned]))


# --- reanchor --------------------------------------------------------------------------------


@st.composite
def later_cycles(
    draw: st.DrawFn, case: Case, previous_day: date
) -> list[tuple[Slot | None, ChairTime]]:
    """Later cycles: not booked yet, or booked near (often on) their due day at some wall
    time, sometimes with that very place taken in the store."""
    later: list[tuple[Slot | None, ChairTime]] = []
    day = previous_day
    for _ in range(draw(st.integers(1, 6))):
        day = day + timedelta(days=21 + draw(st.sampled_from([0, 0, 0, 1, -1, 3, 7])))
        chair_time = draw(chair_times())
        if draw(st.booleans()):
            later.append((None, chair_time))
            continue
        chair = draw(st.sampled_from(case.store.chairs))
        wall = draw(walls())
        if draw(st.booleans()):
            case.store.hot.append((chair, wall, draw(st.sampled_from([0.3, 1]))))
        later.append((Slot(chair, case.calendar.at(day, wall), draw(chair_times())), chair_time))
    return later


@EXAMPLES
@given(st.data())
def test_reanchor_with_a_probe_books_exactly_the_same(data: st.DataObject) -> None:
    case = data.draw(cases())
    previous_day = min(case.calendar.closed_dates, default=date(2026, 3, 1))
    previous_day += timedelta(days=data.draw(st.integers(0, 30)))
    later = data.draw(later_cycles(case, previous_day))
    calendar, prefs, store = case.calendar, case.prefs, case.store

    loaded = outcome(lambda: reanchor(calendar, previous_day, later, prefs, store.lookup))
    probed = outcome(
        lambda: reanchor(calendar, previous_day, later, prefs, store.lookup, store.probe)
    )
    assert probed == loaded


# --- the probe spares the day loads -----------------------------------------------------------

CAL = ClinicCalendar(zone_from_name("America/New_York"))  # Mon-Fri 08:00-17:00
MONDAY = date(2026, 6, 1)


def test_bookings_that_stay_and_free_first_choices_load_no_day() -> None:
    store = FakeStore(CAL, [1, 2, 3], seed=7, density=0)  # an empty store
    prefs = SlotPreferences([2, 1, 3], time(9, 30))
    stay = Slot(3, CAL.at(MONDAY + timedelta(days=21), time(13, 0)), LATER)
    later: list[tuple[Slot | None, ChairTime]] = [(stay, LATER), (None, LATER), (None, LATER)]

    loaded = reanchor(CAL, MONDAY, later, prefs, store.lookup)
    assert store.lookups  # without a probe every placed day is read
    store.lookups.clear()
    probed = reanchor(CAL, MONDAY, later, prefs, store.lookup, store.probe)

    assert store.lookups == []
    assert same(probed) == same(loaded)
    assert same(probed) == same(
        [
            stay,
            Slot(2, CAL.at(date(2026, 7, 13), time(9, 30)), LATER),  # first choice: chair 2
            Slot(2, CAL.at(date(2026, 8, 3), time(9, 30)), LATER),
        ]
    )


def test_a_taken_place_reads_the_day_and_searches_it() -> None:
    due = MONDAY + timedelta(days=21)
    store = FakeStore(CAL, [1, 2], seed=1, density=0, hot=[(1, time(9, 0), 1.0)])
    prefs = SlotPreferences([1, 2], time(9, 0))
    moved = Slot(1, CAL.at(due - timedelta(days=3), time(9, 0)), LATER)

    probed = reanchor(CAL, MONDAY, [(moved, LATER)], prefs, store.lookup, store.probe)
    assert store.probes >= 2  # its own place, then chair 1 at 09:00 again
    assert store.lookups == []  # chair 2 is free at the first choice: still no day read
    assert same(probed) == same([Slot(2, CAL.at(due, time(9, 0)), LATER)])

    capped = SlotPreferences([1, 2], time(9, 0), start_cap=2)
    store.lookups.clear()
    with_cap = reanchor(CAL, MONDAY, [(moved, LATER)], capped, store.lookup, store.probe)
    assert store.lookups == [due]  # a start cap needs the day's counts
    assert same(with_cap) == same(reanchor(CAL, MONDAY, [(moved, LATER)], capped, store.lookup))


def test_the_gap_search_keeps_chair_order_when_all_free_together() -> None:
    """Every chair busy 09:00-10:00: all are free again at 10:00, and the first chair in
    the preference order takes it, as the plain scan does."""
    store = FakeStore(CAL, [1, 2, 3], seed=0, density=0, full=[(time(9, 0), 60)])
    prefs = SlotPreferences([2, 3, 1], time(9, 30))
    load = store.lookup(MONDAY)
    fast = find_slot_on_day(CAL, MONDAY, LATER, prefs, load)
    assert fast is not None
    assert same([fast]) == same([Slot(2, CAL.at(MONDAY, time(10, 0)), LATER)])
    scanned = _scan_slot_on_day(CAL, MONDAY, LATER, prefs, load)
    assert scanned is not None and same([fast]) == same([scanned])
