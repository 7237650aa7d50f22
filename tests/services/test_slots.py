"""The slot finder against the move service, and closing a date with re-booking.

Every slot ``find_slots`` lists is one ``move_appointment`` accepts as it stands
(property test on random clinics: zones, chairs, hours, weekdays, closed dates, other
bookings, start caps on and off); the first is the earliest such start that day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tdm1_scheduler.domain import booking
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import clinic, courses, patients, slots
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.services.preview import preview
from tests.store import backends

from .conftest import cycles, dump, local, make_ctx, start_of

ZONES = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney", "UTC"]


@st.composite
def clinics(draw: st.DrawFn) -> tuple[Context, str, int, datetime]:
    """A random clinic with 1-3 courses booked; one patient's booked cycle to move."""
    zone = draw(st.sampled_from(ZONES))
    ctx = make_ctx(zone, chairs=draw(st.integers(1, 4)), now="2026-02-20T08:00")
    opens = draw(st.integers(6, 10))
    closes = opens + draw(st.integers(3, 10))
    weekdays = draw(st.sets(st.integers(0, 6), min_size=1, max_size=7))
    cap = draw(st.one_of(st.none(), st.integers(1, 3)))
    values = {"start_cap": cap, "snap_min": draw(st.sampled_from([5, 15, 30])),
              "early_window_days": draw(st.sampled_from([0, 0, 2]))}  # fmt: skip
    hours = {d: (time(opens), time(closes)) if d in weekdays else None for d in range(7)}
    clinic.save_preferences(ctx, hours=hours, values=values)
    base = date(2026, 3, 1)
    for offset in draw(st.sets(st.integers(0, 60), max_size=4)):
        clinic.add_closed_date(ctx, base + timedelta(days=offset))
    calendar = load_settings(ctx.store).calendar
    booked: list[str] = []
    for n in range(draw(st.integers(1, 3))):
        mrn = f"P{n}"
        patients.add_patient(ctx, mrn=mrn, name=f"Pat {n}", weight_kg=70)
        day = calendar.next_open_day(base + timedelta(days=draw(st.integers(0, 10))))
        try:
            courses.book_course(
                ctx, mrn=mrn, setting=draw(st.sampled_from(["EBC", "MBC"])),
                first_dose=calendar.at(day, time(opens)), exact=False,
            )  # fmt: skip
        except DomainError:
            continue  # that day is full: this patient has no course
        booked.append(mrn)
    if not booked:
        backends.close_store(ctx.store)
        raise _Skip
    mrn = draw(st.sampled_from(booked))
    if draw(st.booleans()):  # a cycle given: the next one is spaced from it
        first = cycles(ctx, mrn)[0]
        courses.record_dose_given(ctx, mrn=mrn, cycle=1, given_at=start_of(first))
    booked_cycles = [c["cycle"] for c in cycles(ctx, mrn) if c["status"] == "booked"]
    cycle = draw(st.sampled_from(booked_cycles[:4]))
    start_from = calendar.at(base + timedelta(days=draw(st.integers(0, 50))), time(opens))
    start_from += timedelta(minutes=draw(st.integers(0, 300)))  # often mid-day
    return ctx, mrn, cycle, start_from


class _Skip(Exception):
    pass


def _earlier_allowed(ctx: Context, mrn: str, cycle: int, first: slots.SlotOption,
                     start_from: datetime) -> list[booking.Slot]:  # fmt: skip
    """Brute force: grid starts on the first option's day before it that a move accepts
    (and the cap allows). The finder must have listed none of them as missing."""
    settings_ = load_settings(ctx.store)
    calendar = settings_.calendar
    record = courses.load_course(ctx.store, mrn)
    old = record.current[record.dose(cycle).id]
    chair_time = courses.slot_of(old).chair_time
    day = calendar.local_date(first.start)
    prefs = booking.SlotPreferences([1], snap_min=settings_.snap_min)
    after = start_from if calendar.local_date(start_from) == day else None
    lookup = courses.day_load_lookup(ctx.store, calendar, {old.id})
    counts = booking.starts_per_slot(calendar, lookup(day).infusion_starts)
    found = []
    for start in booking.candidate_starts(calendar, day, chair_time, prefs, after):
        if start >= first.start:
            break
        probe = booking.Slot(0, start, chair_time)
        cap = settings_.start_cap
        if cap is not None and counts[booking.slot_key(calendar, probe.infusion_start)] >= cap:
            continue
        for chair in courses.chair_ids_in_order(ctx.store):
            slot = booking.Slot(chair, start, chair_time)
            same = slot.start == courses.slot_of(old).start and chair == old.chair_id
            problem = courses.check_move(ctx.store, settings_, record, cycle, slot, old.id)
            if not same and not problem:
                found.append(slot)
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_listed_slot_is_accepted_by_the_move(data: st.DataObject) -> None:
    try:
        ctx, mrn, cycle, start_from = data.draw(clinics())
    except _Skip:
        return
    try:
        before = dump(ctx)
        options = slots.find_slots(ctx, mrn=mrn, cycle=cycle, start_from=start_from, count=4)
        assert dump(ctx) == before  # the finder writes nothing
        starts = [o.start for o in options]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)
        calendar = load_settings(ctx.store).calendar
        halves = [booking.slot_key(calendar, start) for start in starts]
        assert len(set(halves)) == len(halves)  # at most one choice per 30-minute slot
        assert all(o.start >= start_from and o.start.tzinfo is UTC for o in options)
        for option in options:
            if option.start_cap is not None:
                assert option.starts_in_slot < option.start_cap
            result = preview(
                ctx, courses.move_appointment, mrn=mrn, cycle=cycle, to=option.start,
                chair=option.chair,
            )  # fmt: skip
            assert result.allowed, (option, result.reason)
        if options:
            assert _earlier_allowed(ctx, mrn, cycle, options[0], start_from) == []
    finally:
        backends.close_store(ctx.store)


@pytest.fixture
def two_courses(ctx: Context) -> Context:
    patients.add_patient(ctx, mrn="P2", name="Pia Two", weight_kg=60)
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"),
                        chair="Chair 1")  # fmt: skip
    courses.book_course(ctx, mrn="P2", setting="MBC", first_dose=local("2026-03-23T09:00"),
                        chair="Chair 2")  # fmt: skip
    return ctx


def test_find_slots_refuses_a_given_cancelled_or_unknown_cycle(two_courses: Context) -> None:
    ctx = two_courses
    assert slots.find_slots(ctx, mrn="P1", cycle=2, count=1)  # the feature works
    courses.record_dose_given(ctx, mrn="P1", cycle=1, given_at=local("2026-03-02T09:15"))
    for cycle, field in ((1, "cycle"), (15, "cycle"), (0, "cycle")):
        with pytest.raises(DomainError) as err:
            slots.find_slots(ctx, mrn="P1", cycle=cycle)
        assert err.value.field == field
    with pytest.raises(DomainError, match="count"):
        slots.find_slots(ctx, mrn="P1", cycle=2, count=0)
    courses.stop_course(ctx, mrn="P2", reason="progression")
    with pytest.raises(DomainError, match="course"):
        slots.find_slots(ctx, mrn="P2", cycle=2)


def test_close_date_preview_equals_commit_and_moves_later_cycles(two_courses: Context) -> None:
    ctx = two_courses
    day = date(2026, 3, 23)  # P1 cycle 2 and P2 cycle 1 are both booked on it
    before = dump(ctx)
    plan = slots.plan_close_date(ctx, day=day)
    assert dump(ctx) == before
    assert sorted((m.mrn, m.cycle) for m in plan) == [("P1", 2), ("P2", 1)]
    assert all(m.new_start > local("2026-03-24T00:00") for m in plan)
    with pytest.raises(DomainError, match="Pat One, Pia Two"):
        clinic.add_closed_date(ctx, day)
    changes = slots.close_date_and_rebook(ctx, day=day, reason="storm")
    assert len(changes.notes) == 2 and "Pat One (P1) cycle 2" in changes.notes[0]
    p1 = {c["cycle"]: start_of(c) for c in cycles(ctx, "P1")}
    assert p1[2] == next(m.new_start for m in plan if m.mrn == "P1")
    assert (p1[3] - p1[2]).days >= 21  # later cycles re-anchored after the move
    assert day in load_settings(ctx.store).calendar.closed_dates


def test_close_date_refuses_as_a_whole(
    two_courses: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = two_courses
    day = date(2026, 3, 23)
    monkeypatch.setattr(booking, "MAX_DAYS_AHEAD", 1)  # search only the next open day
    blocks = [
        courses.book_blocked_time(
            ctx, chair=f"Chair {n}", start=local("2026-03-24T08:00"), minutes=540, label="x"
        )
        for n in (1, 2, 3)
    ]
    before = dump(ctx)
    with pytest.raises(DomainError, match=r"no free slot for Pat One .*nothing was closed"):
        slots.close_date_and_rebook(ctx, day=day, reason=None)
    with pytest.raises(DomainError, match="no free slot"):
        slots.plan_close_date(ctx, day=day)
    assert dump(ctx) == before
    (block,) = blocks[0].appointments
    courses.cancel_blocked_time(ctx, appointment_id=block)
    plan = slots.plan_close_date(ctx, day=day)  # the same call works with room
    assert [(m.mrn, m.chair) for m in plan] == [("P1", "Chair 1"), ("P2", "Chair 1")]


def test_close_date_with_blocked_time_names_it(ctx: Context) -> None:
    courses.book_blocked_time(
        ctx, chair="Chair 2", start=local("2026-03-24T10:00"), minutes=60, label="pump service"
    )
    with pytest.raises(DomainError, match=r"pump service.*Chair 2 at 10:00"):
        slots.close_date_and_rebook(ctx, day=date(2026, 3, 24), reason=None)
    assert slots.close_date_and_rebook(ctx, day=date(2026, 3, 25), reason=None).settings


def test_missed_with_a_chosen_slot(two_courses: Context) -> None:
    ctx = two_courses
    options = slots.find_slots(ctx, mrn="P1", cycle=1, missed=True, count=2)
    second = options[1]
    courses.mark_dose_missed(ctx, mrn="P1", cycle=1, to=second.start, chair=second.chair)
    assert start_of(cycles(ctx, "P1")[0]) == second.start
    before = dump(ctx)
    with pytest.raises(DomainError, match=r"to: .*outside opening hours"):
        courses.mark_dose_missed(ctx, mrn="P1", cycle=1, to=local("2026-03-03T20:00"))
    with pytest.raises(DomainError, match="to: a missed dose is re-booked from"):
        courses.mark_dose_missed(ctx, mrn="P1", cycle=1, to=local("2026-02-27T09:00"))
    assert dump(ctx) == before


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_missed_slot_is_accepted_by_mark_missed(data: st.DataObject) -> None:
    """``find_slots(missed=True)`` with no ``start_from`` starts where ``mark_dose_missed``
    accepts: a miss announced ahead (now before the visit) or after it started."""
    try:
        ctx, mrn, _cycle, _start_from = data.draw(clinics())
    except _Skip:
        return
    try:
        nxt = next(c for c in cycles(ctx, mrn) if c["status"] == "booked")
        if data.draw(st.booleans()):  # the patient did not come: now is after the start
            ctx.clock.current = start_of(nxt) + timedelta(minutes=data.draw(st.integers(1, 600)))
        options = slots.find_slots(ctx, mrn=mrn, cycle=nxt["cycle"], missed=True, count=4)
        record = courses.load_course(ctx.store, mrn)
        old = courses.slot_of(record.current[record.dose(nxt["cycle"]).id])
        earliest = slots.missed_from(old, ctx.clock.now())
        assert all(o.start >= earliest for o in options)
        for option in options:
            result = preview(
                ctx, courses.mark_dose_missed, mrn=mrn, cycle=nxt["cycle"], to=option.start,
                chair=option.chair,
            )  # fmt: skip
            assert result.allowed, (option, result.reason)
    finally:
        backends.close_store(ctx.store)
