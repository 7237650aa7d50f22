"""Chairs and time: free-slot search, conflicts and start-load levelling.

The store is not visible here: callers pass a ``lookup(day)`` that returns what is
already booked that day, so the search stays pure and is cheap on a big database
(only the days looked at are loaded). ``reanchor`` may also get a ``probe(chair,
interval)`` that asks the store about one chair only: a booking that stays where it is,
or a cycle whose first choice is free, then needs no day loaded at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from .calendar import ClinicCalendar
from .course import PlannedDay, PlanningRules, due_day_after, spacing_problem
from .day_search import (
    BusyIndex as BusyIndex,
    DayLoad as DayLoad,
    Interval as Interval,
    SortedBusy,
    StepGrid,
    conflict as conflict,
    nearest_free_step,
)
from .errors import DomainError, require_aware
from .lean import dataclass
from .regimen import ChairTime
from .span_search import UNKNOWN, DaySpans, nearest_span_step
from .start_slots import START_SLOT_MIN as START_SLOT_MIN, slot_key as slot_key

DEFAULT_SNAP_MIN = 5  # [policy] the planner's grid step
DEFAULT_PREFERRED_WINDOW_MIN = 120  # how far from the preferred time levelling may look
MAX_DAYS_AHEAD = 60  # how many open days a search tries before refusing


LoadLookup = Callable[[date], DayLoad]
# probe(chair, interval): True when the store holds nothing on that chair overlapping the
# interval (leaving out the bookings being re-placed). Asked only about intervals inside
# one open day's hours, so it answers exactly what that day's ``lookup`` would.
ChairProbe = Callable[[int, Interval], bool]
# first_free(chairs, interval): the first of ``chairs`` (in order) free then, or None:
# the probe's question for several chairs at once (one store statement, not one each).
FirstFree = Callable[[Sequence[int], Interval], int | None]
QUICK_CHAIRS = 8  # chairs probed at the first-choice start before a day is loaded


@dataclass(frozen=True)
class BatchProbe:
    """A ``ChairProbe`` (``one``) that can also ask about several chairs in one store
    question (``first_free``): ``reanchor`` then asks a first choice's chairs at once;
    and a day's bookings as seconds (``spans``, for ``slot_on_day``)."""

    one: ChairProbe
    first_free: FirstFree
    spans: DaySpans | None = None

    def __call__(self, chair: int, wanted: Interval) -> bool:
        return self.one(chair, wanted)


@dataclass(frozen=True)
class Slot:
    chair: int
    start: datetime
    chair_time: ChairTime

    # Chair minutes are elapsed time: added in UTC, so a visit across a daylight-saving
    # change holds the chair exactly as long as it lasts.
    def _after(self, minutes: int) -> datetime:
        return self.start.astimezone(UTC) + timedelta(minutes=minutes)

    @property
    def infusion_start(self) -> datetime:
        return self._after(self.chair_time.prep_min)

    @property
    def infusion_end(self) -> datetime:
        return self._after(self.chair_time.prep_min + self.chair_time.infusion_min)

    @property
    def end(self) -> datetime:
        return self._after(self.chair_time.total_min)

    @property
    def interval(self) -> Interval:
        return Interval(self.start.astimezone(UTC), self.end)


@dataclass(frozen=True)
class SlotPreferences:
    """How a search ranks slots: chairs in order of preference, a preferred wall time."""

    chairs: Sequence[int]
    preferred_time: time | None = None
    snap_min: int = DEFAULT_SNAP_MIN
    start_cap: int | None = None
    preferred_window_min: int = DEFAULT_PREFERRED_WINDOW_MIN

    def __post_init__(self) -> None:
        if not self.chairs:
            raise DomainError("chair", "the clinic has no chairs")
        if self.snap_min <= 0:
            raise DomainError("snap_min", f"must be positive, got {self.snap_min}")
        if self.start_cap is not None and self.start_cap < 1:
            raise DomainError("start_cap", f"must be at least 1, got {self.start_cap}")


def fmt_wall(calendar: ClinicCalendar, instant: datetime) -> str:
    return f"{calendar.local(instant):%H:%M}"


def starts_per_slot(calendar: ClinicCalendar, starts: Iterable[datetime]) -> Counter[datetime]:
    return Counter(slot_key(calendar, start) for start in starts)


def _ceil_to_step(instant: datetime, origin: datetime, step: timedelta) -> datetime:
    if instant <= origin:
        return origin
    steps = -(-(instant - origin) // step)
    return origin + steps * step


def candidate_starts(
    calendar: ClinicCalendar,
    day: date,
    chair_time: ChairTime,
    prefs: SlotPreferences,
    not_before: datetime | None,
) -> list[datetime]:
    """Snapped start times on ``day`` that fit in opening hours, best first."""
    window = calendar.opening_window(day)
    if window is None:
        return []
    opens, closes = (moment.astimezone(UTC) for moment in window)
    step = timedelta(minutes=prefs.snap_min)
    last = closes - timedelta(minutes=chair_time.total_min)
    if not_before is not None:
        require_aware("not_before", not_before)
    first = opens if not_before is None else _ceil_to_step(not_before, opens, step)
    starts = []
    moment = first
    while moment <= last:
        starts.append(moment)
        moment += step
    if prefs.preferred_time is not None and not_before is None:
        target = calendar.at(day, prefs.preferred_time).astimezone(UTC)
        starts.sort(key=lambda start: (abs(start - target), start))
    return [calendar.local(start) for start in starts]  # UTC inside, clinic zone out


def first_candidate_start(
    calendar: ClinicCalendar, day: date, chair_time: ChairTime, prefs: SlotPreferences
) -> datetime | None:
    """``candidate_starts(..., not_before=None)[0]`` without listing them all: the grid
    start (opening + k * snap, ending by closing) nearest the preferred time, the
    earlier of two equally near; the opening itself without a preferred time."""
    window = calendar.opening_window(day)
    if window is None:
        return None
    opens, closes = (moment.astimezone(UTC) for moment in window)
    step = timedelta(minutes=prefs.snap_min)
    last = closes - timedelta(minutes=chair_time.total_min)
    if last < opens:
        return None
    if prefs.preferred_time is None:
        return calendar.local(opens)
    target = calendar.at(day, prefs.preferred_time).astimezone(UTC)
    steps, rest = divmod(target - opens, step)
    if rest * 2 > step:  # nearer the next grid start (a tie keeps the earlier one)
        steps += 1
    steps = min(max(steps, 0), (last - opens) // step)
    return calendar.local(opens + steps * step)


def first_choice(
    calendar: ClinicCalendar,
    day: date,
    chair_time: ChairTime,
    prefs: SlotPreferences,
    is_free: ChairProbe,
    max_chairs: int = QUICK_CHAIRS,
    first_free: FirstFree | None = None,
) -> Slot | None:
    """What ``find_slot_on_day(..., not_before=None)`` returns when it is its very first
    try, told with ``is_free`` instead of the day's load: the first of the first
    ``max_chairs`` chairs free at the first candidate start. None means "not known this
    way": search the loaded day. Only without a start cap (a cap needs the day's counts).
    ``first_free``, when given, asks about all those chairs at once (the same answer).
    """
    if prefs.start_cap is not None:
        return None
    start = first_candidate_start(calendar, day, chair_time, prefs)
    if start is None:
        return None
    wanted = Slot(prefs.chairs[0], start, chair_time).interval
    chairs = prefs.chairs[:max_chairs]
    if first_free is not None:
        free = first_free(chairs, wanted)
        return None if free is None else Slot(free, start, chair_time)
    for chair in chairs:
        if is_free(chair, wanted):
            return Slot(chair, start, chair_time)
    return None


def find_slot_on_day(
    calendar: ClinicCalendar,
    day: date,
    chair_time: ChairTime,
    prefs: SlotPreferences,
    load: DayLoad,
    not_before: datetime | None = None,
) -> Slot | None:
    """The best free chair and start on ``day``, or None.

    Levelling [policy]: a slot whose 30-minute infusion-start count is at the cap is
    passed over when a free uncapped slot exists within the preferred window.
    """
    if prefs.start_cap is None:
        index = BusyIndex(load)
        if index.all_sorted:
            if not_before is not None:
                require_aware("not_before", not_before)
            return _nearest_free_slot(calendar, day, chair_time, prefs, index, not_before)
    return _scan_slot_on_day(calendar, day, chair_time, prefs, load, not_before)


def _scan_slot_on_day(
    calendar: ClinicCalendar,
    day: date,
    chair_time: ChairTime,
    prefs: SlotPreferences,
    load: DayLoad,
    not_before: datetime | None = None,
) -> Slot | None:
    """``find_slot_on_day`` by trying each candidate start on each chair in turn."""
    starts = candidate_starts(calendar, day, chair_time, prefs, not_before)
    if not starts:
        return None
    # Counting starts per slot is only needed when the site caps them.
    counts = starts_per_slot(calendar, load.infusion_starts) if prefs.start_cap else Counter()
    reference = starts[0]
    window = timedelta(minutes=prefs.preferred_window_min)
    fallback: Slot | None = None
    busy = BusyIndex(load)
    for start in starts:
        slot = _free_chair(start, chair_time, prefs.chairs, busy)
        if slot is None:
            continue
        capped = (
            prefs.start_cap is not None
            and counts[slot_key(calendar, slot.infusion_start)] >= prefs.start_cap
        )
        if not capped:
            if abs(start.astimezone(UTC) - reference.astimezone(UTC)) <= window or not fallback:
                return slot
            return fallback
        if fallback is None:
            fallback = slot
    return fallback


def _nearest_free_slot(
    calendar: ClinicCalendar,
    day: date,
    chair_time: ChairTime,
    prefs: SlotPreferences,
    index: BusyIndex,
    not_before: datetime | None,
) -> Slot | None:
    """``_scan_slot_on_day`` without a start cap, from each chair's free gaps.

    Candidate starts are grid steps k (opening + k * snap). The scan returns the first
    start in candidate order (nearest the preferred time, earlier first; else earliest)
    at which a chair is free, and the first such chair in chair order: the same as
    ``day_search.nearest_free_step``, whose cost grows with the busy intervals near the
    answer, not with starts x chairs.
    """
    grid = _step_grid(calendar, day, chair_time, prefs, not_before)
    found = None if grid is None else nearest_free_step(grid, prefs.chairs, index)
    if grid is None or found is None:
        return None
    return Slot(found[0], calendar.local(grid.opens + found[1] * grid.step), chair_time)


def _step_grid(
    calendar: ClinicCalendar,
    day: date,
    chair_time: ChairTime,
    prefs: SlotPreferences,
    not_before: datetime | None,
) -> StepGrid | None:
    """The candidate starts of ``_nearest_free_slot`` as grid steps (None: closed)."""
    window = calendar.opening_window(day)
    if window is None:
        return None
    opens, closes = (moment.astimezone(UTC) for moment in window)
    step = timedelta(minutes=prefs.snap_min)
    duration = timedelta(minutes=chair_time.total_min)
    first = opens if not_before is None else _ceil_to_step(not_before, opens, step)
    low, high = (first - opens) // step, (closes - duration - opens) // step
    target = None
    if prefs.preferred_time is not None and not_before is None:
        target = calendar.at(day, prefs.preferred_time).astimezone(UTC) - opens
    return StepGrid.around(opens, step, duration, low, high, target)


def slot_on_day(
    calendar: ClinicCalendar,
    day: date,
    chair_time: ChairTime,
    prefs: SlotPreferences,
    lookup: LoadLookup,
    spans: DaySpans | None = None,
    not_before: datetime | None = None,
) -> Slot | None:
    """``find_slot_on_day(..., lookup(day), not_before)``. With ``spans`` the day's
    bookings are first asked for as seconds (``span_search``: no day loaded), and the
    day is loaded only when they cannot tell (a start cap, bookings not apart)."""
    grid = None
    if spans is not None and prefs.start_cap is None:
        grid = _step_grid(calendar, day, chair_time, prefs, not_before)
    if grid is not None and spans is not None:
        found = nearest_span_step(grid, prefs.chairs, spans(*calendar.day_bounds(day), grid.opens))
        if found is None:
            return None
        if found is not UNKNOWN:
            return Slot(found[0], calendar.local(grid.opens + found[1] * grid.step), chair_time)
    return find_slot_on_day(calendar, day, chair_time, prefs, lookup(day), not_before)


def _free_chair(
    start: datetime, chair_time: ChairTime, chairs: Sequence[int], index: BusyIndex
) -> Slot | None:
    wanted = Slot(chairs[0], start, chair_time).interval
    for chair in chairs:
        if index.is_free(chair, wanted):
            return Slot(chair, start, chair_time)
    return None


def find_slot(
    calendar: ClinicCalendar,
    first_day: date,
    chair_time: ChairTime,
    prefs: SlotPreferences,
    lookup: LoadLookup,
    not_before: datetime | None = None,
    spans: Callable[[date], DaySpans | None] | None = None,
) -> Slot:
    """The first day from ``first_day`` with a free slot, searching open days ahead
    (``slot_on_day``, with ``spans(day)`` when given)."""
    if not_before is not None:
        require_aware("not_before", not_before)
    for index, day in enumerate(calendar.open_days(first_day)):
        if index >= MAX_DAYS_AHEAD:
            break
        after = (
            not_before
            if not_before is not None and calendar.local_date(not_before) == day
            else None
        )
        if not_before is not None and calendar.local_date(not_before) > day:
            continue
        seconds = None if spans is None else spans(day)
        slot = slot_on_day(calendar, day, chair_time, prefs, lookup, seconds, after)
        if slot is not None:
            return slot
    raise DomainError(
        "chair",
        f"no chair free for {chair_time.total_min} min "
        f"within {MAX_DAYS_AHEAD} open days from {first_day}",
    )


def with_booking(load: DayLoad, slot: Slot) -> DayLoad:
    """``load`` plus one more booking (used while a course is booked cycle by cycle)."""
    starts = [*load.infusion_starts, slot.infusion_start]
    if isinstance(load.busy, SortedBusy):
        added = load.busy.appended(slot.chair, slot.interval)
        if added is not None:  # still sorted and apart: the lists stay as they are
            return DayLoad(added, starts)
    busy = {chair: list(intervals) for chair, intervals in load.busy.items()}
    busy.setdefault(slot.chair, []).append(slot.interval)
    return DayLoad(busy, starts)


def schedule_plan(
    calendar: ClinicCalendar,
    plan: Sequence[PlannedDay],
    prefs: SlotPreferences,
    lookup: LoadLookup,
    not_before: datetime | None = None,
) -> list[Slot]:
    """Book every planned cycle: the first on its day or later (``not_before`` for a
    re-booking as soon as possible), each later one 21 days after the booked one before,
    placed by ``reanchor``: the same path the services re-plan with."""
    if not plan:
        return []
    first = find_slot(calendar, plan[0].day, plan[0].chair_time, prefs, lookup, not_before)
    later = [(None, planned.chair_time) for planned in plan[1:]]
    return [first, *reanchor(calendar, calendar.local_date(first.start), later, prefs, lookup)]


def describe_conflict(calendar: ClinicCalendar, taken: Interval) -> str:
    return f"chair taken {fmt_wall(calendar, taken.start)}-{fmt_wall(calendar, taken.end)}"


def fits(calendar: ClinicCalendar, slot: Slot, load: DayLoad) -> bool:
    """True when ``slot`` is inside opening hours and its chair is free."""
    if calendar.why_outside_hours(slot.start, slot.end) is not None:
        return False
    return conflict(load.busy.get(slot.chair, ()), slot.interval) is None


def reanchor(
    calendar: ClinicCalendar,
    previous_day: date,
    later: Sequence[tuple[Slot | None, ChairTime]],
    prefs: SlotPreferences,
    lookup: LoadLookup,
    probe: ChairProbe | None = None,
) -> list[Slot]:
    """Re-place later cycles 21 days apart after a dose on ``previous_day`` [label].

    ``later`` holds each later cycle's current booking (None for one not yet booked)
    and the chair time it now needs. A booking already on its due day that still fits
    stays; a moved one keeps its chair and wall time when free, else takes the nearest
    free slot, on the due day or the next day that has one.

    With a ``probe`` the result is the same, but a day is loaded only when a search
    needs it: whether a booking keeps its place, or a cycle gets its first choice, is
    asked of the probe plus the bookings this call already placed that day.
    A ``BatchProbe`` asks the store about a first choice's chairs at once: the same
    answers as chair by chair.
    """
    many = probe.first_free if isinstance(probe, BatchProbe) else None
    fast = probe.spans if isinstance(probe, BatchProbe) else None
    placed: list[Slot] = []
    read: set[date] = set()  # days read in full
    loads: dict[date, DayLoad] = {}  # their loads with this call's bookings, when asked
    overlay: dict[date, list[Slot]] = {}  # this call's bookings per day

    def load_of(day: date) -> DayLoad:
        load = loads.get(day)
        if load is None:
            load = lookup(day)
            for earlier in overlay.get(day, ()):
                load = with_booking(load, earlier)
            loads[day] = load
            read.add(day)
        return load

    def free_on(day: date) -> ChairProbe:
        """Is a chair free in an interval inside ``day``'s opening hours?"""

        def is_free(chair: int, wanted: Interval) -> bool:
            if probe is None or day in read:
                return conflict(load_of(day).busy.get(chair, ()), wanted) is None
            ours = (b.interval for b in overlay.get(day, ()) if b.chair == chair)
            return conflict(ours, wanted) is None and probe(chair, wanted)

        return is_free

    def first_free_on(day: date) -> FirstFree | None:
        """``free_on(day)`` for several chairs in one store question: the first free."""
        if many is None or day in read:
            return None  # chair by chair (a loaded day answers without the store)
        store_first = many

        def first(chairs: Sequence[int], wanted: Interval) -> int | None:
            ours = {b.chair for b in overlay.get(day, ()) if b.interval.overlaps(wanted)}
            return store_first([c for c in chairs if c not in ours], wanted)

        return first

    def spans_on(day: date) -> DaySpans | None:
        """The store's seconds for a day neither read nor booked by this call."""
        return None if day in read or day in overlay else fast

    for current, chair_time in later:
        day = due_day_after(previous_day, calendar)
        slot: Slot | None = None
        if current is not None:
            wall = calendar.local(current.start).time()
            same_place = Slot(current.chair, calendar.at(day, wall), chair_time)
            inside = calendar.why_outside_hours(same_place.start, same_place.end) is None
            if inside and free_on(day)(same_place.chair, same_place.interval):
                slot = same_place
            chairs = [current.chair, *(c for c in prefs.chairs if c != current.chair)]
            search = SlotPreferences(
                chairs, wall, prefs.snap_min, prefs.start_cap, prefs.preferred_window_min
            )
        else:
            search = prefs
        if slot is None and probe is not None:
            # find_slot's first try is the first open day's first candidate start.
            first_day = next(iter(calendar.open_days(day)), None)
            if first_day is not None:
                slot = first_choice(
                    calendar,
                    first_day,
                    chair_time,
                    search,
                    free_on(first_day),
                    first_free=first_free_on(first_day),
                )
        if slot is None:
            slot = find_slot(calendar, day, chair_time, search, load_of, spans=spans_on)
        slot_day = calendar.local_date(slot.start)
        overlay.setdefault(slot_day, []).append(slot)
        # A day read already gets this booking when it is next asked for (load_of adds
        # the day's bookings in order, as adding each one here did): most never are.
        loads.pop(slot_day, None)
        placed.append(slot)
        previous_day = slot_day
    return placed


# --- one placement check for a move and the slot finder ---------------------------------
# holder(chair, interval): what holds the chair then (None when free).
ChairHolder = Callable[[int, Interval], Interval | None]


@dataclass(frozen=True)
class PreviousDose:
    """The cycle before the one placed: when it was given, else its booked start."""

    cycle: int
    at: datetime


def chair_holder(calendar: ClinicCalendar, probe: ChairProbe, lookup: LoadLookup) -> ChairHolder:
    """``holder`` from a quick yes/no ``probe``; the day is read only to name a taker."""

    def holder(chair: int, wanted: Interval) -> Interval | None:
        if probe(chair, wanted):
            return None
        return conflict(lookup(calendar.local_date(wanted.start)).busy.get(chair, ()), wanted)

    return holder


def placement_problem(
    calendar: ClinicCalendar,
    rules: PlanningRules,
    slot: Slot,
    holder: ChairHolder,
    previous: PreviousDose | None,
) -> str | None:
    """Why a dose may not be placed at ``slot`` (hours, closed day, chair taken, 21-day
    spacing), or None when allowed. Later cycles are re-anchored after it, so only the
    dose before matters for the patient's own spacing."""
    reason = calendar.why_outside_hours(slot.start, slot.end)
    if reason:
        return reason
    taken = holder(slot.chair, slot.interval)
    if taken is not None:
        return describe_conflict(calendar, taken)
    if previous is None:
        return None
    day = calendar.local_date(slot.start)
    return spacing_problem(previous.cycle, previous.at, day, calendar, rules)
