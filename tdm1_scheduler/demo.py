"""A throw-away demo clinic, built through the services only.

``build_demo_clinic(path, now)`` makes a new database at ``path`` (it refuses an existing
file, so it can never touch a real clinic) and fills it as if the clinic had been running
for about ten months up to ``now``: courses are booked with their first dose in the past,
then every dose whose infusion start lies before ``now`` is recorded as given, in order,
with the clock set to that moment. The result is deterministic for a given ``now``.

Nothing is ever recorded after ``now``: today's visits that are still in the chair at
``now`` go through the nurse board's steps (arrived, infusion started, ended,
discharged), each only once its moment has passed, and pharmacy records a vial or a
bag only once it was made. So the board shows real phases that no clock moves on.

"Today" is the clinic's local date of ``now``; on a closed day (a weekend) the busy board
is the next open day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from .clock import FixedClock
from .domain.calendar import ClinicCalendar
from .domain.regimen import CYCLE_LENGTH_DAYS
from .services import nurse
from .services.clinic import init_clinic
from .services.context import Context, load_settings
from .services.course_records import load_course
from .services.course_views import CycleView
from .services.courses import (
    book_course,
    mark_dose_missed,
    record_dose_given,
    reduce_dose_level,
)
from .services.patients import add_patient
from .services.pharmacy import record_dilution, record_reconstitution
from .services.queries import course_view
from .services.storage import open_store

DEMO_TIMEZONE = "America/New_York"
DEMO_CHAIRS = 12
DEMO_SEED = 20130222  # KADCYLA's first US approval date
DEMO_USER = "demo"

FIRST_NAMES = (
    "Ada", "Beatriz", "Chen", "Dolores", "Emma", "Fatima", "Grace", "Hana", "Ines", "Joan",
    "Keiko", "Laila", "Maria", "Nadia", "Olga", "Priya", "Quinn", "Rosa", "Sofia", "Tamar",
    "Uma", "Vera", "Wanda", "Ximena", "Yara", "Zoe", "Amara", "Brigid", "Carmen", "Dana",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Baptiste", "Castillo", "Dimitrova", "Eriksen", "Fontaine", "Gallagher",
    "Haddad", "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor",
    "Petrov", "Quintero", "Rossi", "Santos", "Tanaka", "Ueda", "Varga", "Whitfield", "Yilmaz",
)  # fmt: skip


@dataclass(frozen=True)
class DemoCourse:
    """One demo patient: where their course stands relative to the busy day."""

    setting: str
    cycle_on_day: int  # the cycle that falls on the busy day (+ offset), 1 = first infusion
    day_offset: int = 0  # open days after (+) or before (-) the busy day
    reaction_after: int | None = None  # this cycle was slowed for a reaction (120 min)
    reduce_after: int | None = None  # reduce to 3.0 mg/kg after this cycle was given
    missed_cycle: int | None = None  # this cycle was missed the open day before the busy day


# Share of the busy day's remaining doses whose bag pharmacy has already made; the rest
# show the nurse why an infusion cannot start yet.
PREPARED_SHARE = 0.7
# A patient stays this long after the minimum observation before the demo discharges
# them, so the board shows some "ready to leave" flags at ``now``.
DISCHARGE_AFTER = timedelta(minutes=20)


def demo_plan() -> list[DemoCourse]:
    """The ~40 demo courses: a busy board on the busy day, some on the days around it."""
    busy = [
        DemoCourse("EBC", 1),
        DemoCourse("EBC", 1),
        DemoCourse("MBC", 1),
        DemoCourse("EBC", 2),
        DemoCourse("EBC", 3),
        DemoCourse("EBC", 4, reaction_after=3),  # slowed infusion last time
        DemoCourse("EBC", 5),
        DemoCourse("EBC", 6),
        DemoCourse("EBC", 7),
        DemoCourse("EBC", 8),
        DemoCourse("EBC", 9),
        DemoCourse("EBC", 10),
        DemoCourse("EBC", 11),
        DemoCourse("EBC", 12),
        DemoCourse("EBC", 13),
        DemoCourse("EBC", 14),  # the last dose of an EBC course
        DemoCourse("MBC", 2),
        DemoCourse("MBC", 4),
        DemoCourse("MBC", 6, reduce_after=4),  # dose reduced to 3.0 mg/kg
        DemoCourse("MBC", 9),
        DemoCourse("MBC", 12),
        DemoCourse("MBC", 16),
        DemoCourse("EBC", 5, missed_cycle=5),  # missed yesterday, re-booked on the busy day
        DemoCourse("MBC", 3, missed_cycle=3),
    ]
    around = [
        DemoCourse("EBC", 1, day_offset=1),
        DemoCourse("EBC", 6, day_offset=1),
        DemoCourse("MBC", 8, day_offset=1),
        DemoCourse("EBC", 10, day_offset=2),
        DemoCourse("MBC", 2, day_offset=2),
        DemoCourse("EBC", 3, day_offset=3),
        DemoCourse("MBC", 5, day_offset=3, reaction_after=2),
        DemoCourse("EBC", 12, day_offset=4),
        DemoCourse("EBC", 4, day_offset=-1),
        DemoCourse("MBC", 7, day_offset=-1),
        DemoCourse("EBC", 9, day_offset=-2),
        DemoCourse("EBC", 2, day_offset=-3, reduce_after=1),
        DemoCourse("MBC", 11, day_offset=-4),
        DemoCourse("MBC", 20, day_offset=4),
    ]
    # Completed adjuvant courses: 14 doses given, started ~10 and ~11 months ago.
    completed = [DemoCourse("EBC", 16), DemoCourse("EBC", 17, day_offset=2)]
    return busy + around + completed


def _shift_open_days(calendar: ClinicCalendar, day: date, steps: int) -> date:
    step = 1 if steps >= 0 else -1
    for _ in range(abs(steps)):
        day += timedelta(days=step)
        while not calendar.is_open_day(day):
            day += timedelta(days=step)
    return day


def _previous_open_day(calendar: ClinicCalendar, day: date) -> date:
    return _shift_open_days(calendar, day, -1)


def build_demo_clinic(path: Path | str, now: datetime, *, prepare_bags: bool = True) -> None:
    """Create a new demo clinic database at ``path`` around ``now`` (the clinic's today).

    ``prepare_bags`` has pharmacy make most of the busy day's remaining bags; without it
    no bag exists (a known starting point for tests of the preparation steps)."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; the demo only ever writes a new file")
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    rng = random.Random(DEMO_SEED)
    store = open_store(path, create=True)
    try:
        clock = FixedClock(now - timedelta(days=400))
        ctx = Context(store, clock, DEMO_USER)
        init_clinic(
            ctx,
            timezone=DEMO_TIMEZONE,
            chairs=DEMO_CHAIRS,
            opens=time(8, 0),
            closes=time(17, 0),
            name="Riverside Infusion Center (demo)",
        )
        calendar = load_settings(ctx.store).calendar
        busy_day = calendar.next_open_day(calendar.local_date(now))
        names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        rng.shuffle(names)
        for number, plan in enumerate(demo_plan(), start=1):
            mrn = f"MRN{100200 + number * 7}"
            _run_course(
                ctx, clock, calendar, busy_day, now, rng, mrn, names[number], plan, prepare_bags
            )
    finally:
        store.close()


def _prepare_bag(
    ctx: Context,
    clock: FixedClock,
    now: datetime,
    mrn: str,
    cycle: int,
    infusion_start: datetime,
    rng: random.Random,
) -> None:
    """Pharmacy made this morning's bag: reconstituted, then diluted 30 min later, early
    enough to be ready and well inside its 24 hours. A step whose moment is still after
    ``now`` is not recorded (the vial waits to be diluted, or nothing is made yet)."""
    reconstituted = infusion_start - timedelta(minutes=rng.choice((90, 120, 150)))
    diluted = reconstituted + timedelta(minutes=30)
    if reconstituted > now:
        return
    clock.current = reconstituted
    record_reconstitution(ctx, mrn=mrn, cycle=cycle, at=reconstituted, lots=["DEMO-LOT-A1"])
    if diluted <= now:
        clock.current = diluted
        record_dilution(ctx, mrn=mrn, cycle=cycle, at=diluted)


def _run_visit(
    ctx: Context,
    clock: FixedClock,
    now: datetime,
    mrn: str,
    cycle: CycleView,
    rng: random.Random,
) -> None:
    """Today's visit still in the chair at ``now``, through the nurse's steps: each one
    at its moment, and only the ones whose moment has passed."""
    start, end = _booked_times(cycle)
    infusion_start = start + timedelta(minutes=cycle.prep_min or 0)
    record = load_course(ctx.store, mrn)
    appointment_id = record.current[record.dose(cycle.cycle).id].id
    _prepare_bag(ctx, clock, now, mrn, cycle.cycle, infusion_start, rng)
    ended = infusion_start + timedelta(minutes=cycle.infusion_min or 0)
    leaves = max(end, ended + timedelta(minutes=cycle.observation_min or 0) + DISCHARGE_AFTER)
    steps = (
        (start, nurse.arrive),
        (infusion_start, nurse.start_infusion),
        (ended, nurse.end_infusion),
        (leaves, nurse.discharge),
    )
    for moment, step in steps:
        if moment > now:
            return
        clock.current = moment
        step(ctx, appointment_id=appointment_id)


def _run_course(
    ctx: Context,
    clock: FixedClock,
    calendar: ClinicCalendar,
    busy_day: date,
    now: datetime,
    rng: random.Random,
    mrn: str,
    name: str,
    plan: DemoCourse,
    prepare_bags: bool,
) -> None:
    day = _shift_open_days(calendar, busy_day, plan.day_offset)
    if plan.missed_cycle is not None:
        day = _previous_open_day(calendar, busy_day)
    first_day = calendar.next_open_day(
        day - timedelta(days=CYCLE_LENGTH_DAYS * (plan.cycle_on_day - 1))
    )
    preferred = time(rng.choice(range(8, 15)), rng.choice((0, 15, 30, 45)))
    clock.current = calendar.at(first_day - timedelta(days=rng.randint(5, 12)), time(9, 30))
    add_patient(ctx, mrn=mrn, name=name, weight_kg=round(rng.uniform(48, 104), 1))
    book_course(
        ctx,
        mrn=mrn,
        setting=plan.setting,
        first_dose=calendar.at(first_day, preferred),
        preferred_time=preferred,
        exact=False,
    )
    while True:
        view = course_view(ctx.store, mrn)
        if not view.is_active:
            return
        booked = view.booked()
        if not booked:
            return
        cycle = booked[0]
        start, _end = _booked_times(cycle)
        infusion_start = start + timedelta(minutes=cycle.prep_min or 0)
        if plan.missed_cycle == cycle.cycle and not cycle.missed:
            clock.current = calendar.at(calendar.local_date(start), time(17, 30))
            if clock.current >= now:
                return
            mark_dose_missed(ctx, mrn=mrn, cycle=cycle.cycle)
            continue
        if infusion_start >= now:
            # A generator of its own, so the rest of the demo stays as it was.
            pharmacy_rng = random.Random(f"{DEMO_SEED}-pharmacy-{mrn}")
            today = calendar.local_date(start) == busy_day
            if prepare_bags and today and pharmacy_rng.random() < PREPARED_SHARE:
                _prepare_bag(ctx, clock, now, mrn, cycle.cycle, infusion_start, pharmacy_rng)
            return
        slowed = plan.reaction_after == cycle.cycle
        minutes = 120 if slowed else cycle.infusion_min or 0
        leaves = infusion_start + timedelta(minutes=minutes + (cycle.observation_min or 0))
        if leaves > now:
            # Still in the chair at now: the nurse's steps so far, then the course waits.
            _run_visit(ctx, clock, now, mrn, cycle, random.Random(f"{DEMO_SEED}-visit-{mrn}"))
            return
        clock.current = leaves
        record_dose_given(
            ctx,
            mrn=mrn,
            cycle=cycle.cycle,
            given_at=infusion_start,
            infusion_min=minutes,
            tolerated=not slowed,
            reaction_grade=2 if slowed else None,
        )
        if plan.reduce_after == cycle.cycle:
            clock.current += timedelta(days=2)
            reduce_dose_level(ctx, mrn=mrn, mg_per_kg=3.0)


def _booked_times(cycle: CycleView) -> tuple[datetime, datetime]:
    """A booked cycle's chair time (UTC): a booked dose always holds a chair."""
    assert cycle.start is not None and cycle.end is not None
    return cycle.start, cycle.end
