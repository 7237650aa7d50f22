"""The slot finder, and closing a date that has bookings by re-booking them.

``find_slots`` lists the placements ``courses.move_appointment`` would accept, earliest
first; the rules are the domain's one ``placement_problem`` that the move checks too.
``close_date_and_rebook`` closes a date and moves each of its bookings to the earliest
such placement after it, all in one transaction; ``plan_close_date`` runs the same and
rolls it back, so the preview is exactly what a commit would do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from ..domain import booking
from ..domain.booking import Slot
from ..domain.errors import DomainError, require_aware
from ..domain.free_slots import free_placements
from ..domain.lean import dataclass
from ..domain.records import AppointmentKind, ClosedDate, CycleStatus
from .context import (
    ChangeSet,
    Context,
    audit,
    chair_ids_in_order,
    settings_from,
)
from .course_records import chair_name, load_course, previous_dose, slot_of
from .courses import move_appointment
from .day_loads import day_load_lookup
from .missed import missed_from
from .pharmacy_reads import bag_check

MAX_COUNT = 50  # slots listed at most per search


@dataclass(frozen=True)
class SlotOption:
    """One placement a move of the dose would accept."""

    start: datetime  # chair start, aware UTC
    end: datetime  # chair end, aware UTC
    chair_id: int
    chair: str  # chair name
    starts_in_slot: int  # infusion starts already booked in the 30-min slot of start+prep
    start_cap: int | None  # the site's cap, None when no cap
    bag_note: str  # "", "bag good until <wall time>" or "a new bag is needed"


@dataclass(frozen=True)
class Rebooking:
    """One booking that must move off a closed date."""

    mrn: str
    patient_name: str
    cycle: int
    appointment_id: int
    old_start: datetime
    new_start: datetime
    chair: str


def find_slots(
    ctx: Context,
    *,
    mrn: str,
    cycle: int,
    start_from: datetime | None = None,
    count: int = 5,
    missed: bool = False,
) -> list[SlotOption]:
    """The next ``count`` placements for booked ``cycle`` that a move accepts, earliest
    first, from ``start_from`` (default now). ``missed``: for re-booking a missed dose
    (the next dose only; from ``missed_from`` unless ``start_from`` is given)."""
    if not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise DomainError("count", f"must be 1-{MAX_COUNT}, got {count}")
    if start_from is not None:
        require_aware("start_from", start_from)
    store = ctx.store
    settings = settings_from(store)
    calendar = settings.calendar
    record = load_course(store, mrn)
    record.require_active()
    dose = record.next_dose(cycle) if missed else record.dose(cycle)
    if dose.status is not CycleStatus.BOOKED:
        raise DomainError("cycle", f"cycle {cycle} is {dose.status}; only a booked one moves")
    old = record.current[dose.id]
    old_slot = slot_of(old)
    now = ctx.clock.now()
    not_before = start_from or (missed_from(old_slot, now) if missed else now)
    lookup = day_load_lookup(store, calendar, {old.id})
    prefs = settings.prefs(chair_ids_in_order(store, old.chair_id), None)
    found = free_placements(
        calendar,
        settings.rules,
        old_slot.chair_time,
        prefs,
        lookup,
        not_before,
        previous_dose(record, cycle),
        count,
        skip=None if missed else old_slot,  # staying put is not a move
    )
    options = []
    for slot in found:
        starts = lookup(calendar.local_date(slot.start)).infusion_starts
        key = booking.slot_key(calendar, slot.infusion_start)
        options.append(
            SlotOption(
                start=slot.start.astimezone(UTC),
                end=slot.end.astimezone(UTC),
                chair_id=slot.chair,
                chair=chair_name(store, slot.chair),
                starts_in_slot=booking.starts_per_slot(calendar, starts)[key],
                start_cap=settings.start_cap,
                bag_note=_bag_note(ctx, dose.id, slot),
            )
        )
    return options


def _bag_note(ctx: Context, dose_id: int, slot: Slot) -> str:
    bag = bag_check(ctx.store, dose_id, slot.infusion_start)
    if bag is None:
        return ""
    return bag.message if bag.usable else "a new bag is needed"


# --- closing a date with re-booking ---------------------------------------------------
Finish = Callable[[ChangeSet, list["Rebooking"]], None]  # runs last, inside the transaction


class _RolledBack(Exception):
    """Ends a preview's transaction: everything it wrote is rolled back."""

    def __init__(self, moves: list[Rebooking]) -> None:
        super().__init__("preview")
        self.moves = moves


def plan_close_date(ctx: Context, *, day: date) -> list[Rebooking]:
    """Where each booking on ``day`` would go if the day closed; writes nothing.

    Refuses (DomainError) as ``close_date_and_rebook`` would."""

    def action(changes: ChangeSet, moves: list[Rebooking]) -> None:
        raise _RolledBack(moves)

    try:
        _close(ctx, day, None, action)
    except _RolledBack as done:
        return done.moves
    raise AssertionError("unreachable: the preview always rolls back")


def close_date_and_rebook(ctx: Context, *, day: date, reason: str | None) -> ChangeSet:
    """Close ``day`` and move each of its bookings to the earliest placement a move
    accepts after it (later cycles re-anchor as a move does): one transaction, all or
    nothing. ``changes.notes`` has one line per booking moved."""
    return _close(ctx, day, reason, lambda changes, moves: None)


def describe(ctx: Context, move: Rebooking) -> str:
    """``Ann Lee (A1) cycle 2: Fri 2026-03-20 09:00 -> Mon 2026-03-23 09:00, Chair 1``."""
    calendar = settings_from(ctx.store).calendar
    old, new = calendar.local(move.old_start), calendar.local(move.new_start)
    return (
        f"{move.patient_name} ({move.mrn}) cycle {move.cycle}: "
        f"{old:%a %Y-%m-%d %H:%M} -> {new:%a %Y-%m-%d %H:%M}, {move.chair}"
    )


def _close(ctx: Context, day: date, reason: str | None, finish: Finish) -> ChangeSet:
    reason_text = " ".join((reason or "").split())
    changes = ChangeSet(f"close {day:%Y-%m-%d} and re-book its bookings", settings=True)
    moves: list[Rebooking] = []
    with ctx.store.transaction() as store:
        if any(closed.day == day for closed in store.closed_dates()):
            raise DomainError("date", f"{day} is already a closed date")
        calendar = settings_from(store).calendar
        start, end = calendar.day_bounds(day)
        booked = store.appointments_between(start, end, (CycleStatus.BOOKED,))
        for view in booked:
            held = view.appointment
            if held.kind is not AppointmentKind.DOSE:
                wall = f"{calendar.local(held.start):%H:%M}"
                raise DomainError(
                    "date",
                    f"blocked time ({held.label or 'blocked'}) on {view.chair_name} at "
                    f"{wall} on {day}: move or remove it first",
                )
        store.insert_closed_date(ClosedDate(day, reason_text))
        after = calendar.at(day + timedelta(days=1), time(0))
        for view in sorted(booked, key=lambda v: (v.appointment.start, v.appointment.id)):
            mrn, cycle = _dose_of(view.mrn, view.cycle)
            name = f"{view.patient_name} ({mrn}) cycle {cycle}"
            options = find_slots(ctx, mrn=mrn, cycle=cycle, start_from=after, count=1)
            if not options:
                raise DomainError(
                    "date",
                    f"no free slot for {name} within {booking.MAX_DAYS_AHEAD} open days "
                    f"after {day}; nothing was closed",
                )
            option = options[0]
            part = move_appointment(ctx, mrn=mrn, cycle=cycle, to=option.start, chair=option.chair)
            _merge(changes, part)
            move = Rebooking(
                mrn,
                str(view.patient_name),
                cycle,
                view.appointment.id,
                view.appointment.start,
                option.start,
                option.chair,
            )
            moves.append(move)
            changes.notes.append(describe(ctx, move))
        audit(
            ctx,
            "add closed date",
            "closed_date",
            None,
            None,
            {
                "day": day.isoformat(),
                "reason": reason_text,
                "rebooked": [[m.mrn, m.cycle, m.new_start.isoformat(), m.chair] for m in moves],
            },
        )
        finish(changes, moves)
    return changes


def _dose_of(mrn: str | None, cycle: int | None) -> tuple[str, int]:
    """A booked dose's patient and cycle (a dose booking always has both)."""
    assert mrn is not None and cycle is not None
    return mrn, cycle


def _merge(into: ChangeSet, part: ChangeSet) -> None:
    """Fold one move's ChangeSet into the whole action's: ids, moves, notes, rows."""
    for spec in dataclasses.fields(ChangeSet):
        mine, theirs = getattr(into, spec.name), getattr(part, spec.name)
        if isinstance(mine, set):
            mine.update(theirs)
        elif isinstance(mine, list) and spec.name != "notes":
            mine.extend(theirs)
        elif isinstance(mine, bool):
            setattr(into, spec.name, mine or theirs)
        elif isinstance(mine, dict):  # row records: keep the first before, the last after
            for key, value in theirs.items():
                first = mine.get(key)
                if first is not None and hasattr(value, "after"):
                    value = dataclasses.replace(first, after=value.after)
                mine[key] = value
