"""Load levelling: the nurses' start capacity per 30-minute slot (site setting
``start_cap``) steers a new course's proposal to the nearest slot below the cap."""

from __future__ import annotations

from datetime import time, timedelta

from tdm1_scheduler.domain.booking import Slot, slot_key, starts_per_slot
from tdm1_scheduler.domain.regimen import Setting
from tdm1_scheduler.services import clinic, courses, patients
from tdm1_scheduler.services.context import (
    ClinicSettings,
    Context,
    load_settings,
)
from tdm1_scheduler.services.day_loads import day_load_lookup

from .conftest import dump, local

MONDAY = "2026-03-02"  # an open day after the fixture clock (Sunday 1 March, 08:00)
NINE = local(f"{MONDAY}T09:00")


def book_two_nine_oclock_courses(ctx: Context) -> None:
    """Two first infusions start at 09:15 (09:00 + 15 min prep): the 09:00 slot holds 2."""
    for mrn, chair in (("P2", "Chair 1"), ("P3", "Chair 2")):
        patients.add_patient(ctx, mrn=mrn, name=f"Patient {mrn}", weight_kg=70)
        courses.book_course(ctx, mrn=mrn, setting="EBC", first_dose=NINE, chair=chair)


def propose(ctx: Context, settings: ClinicSettings) -> list[Slot]:
    return courses.propose_course(
        ctx.store,
        settings,
        setting=Setting.EBC,
        first_dose=NINE,
        chair_id=None,
        preferred_time=time(9, 0),
        exact=False,
    )


def starts_in_slot(ctx: Context, settings: ClinicSettings, slot: Slot) -> int:
    """How many booked infusions start in the 30-minute slot of ``slot``'s infusion start."""
    load = day_load_lookup(ctx.store, settings.calendar)(settings.calendar.local_date(slot.start))
    counts = starts_per_slot(settings.calendar, load.infusion_starts)
    return counts[slot_key(settings.calendar, slot.infusion_start)]


def test_without_a_cap_the_proposal_keeps_the_preferred_time(ctx: Context) -> None:
    book_two_nine_oclock_courses(ctx)
    settings = load_settings(ctx.store)
    assert settings.start_cap is None
    slots = propose(ctx, settings)
    assert settings.calendar.local(slots[0].start).time() == time(9, 0)
    assert starts_in_slot(ctx, settings, slots[0]) == 2  # a third start in the full slot
    assert len(slots) == 14


def test_a_full_start_slot_is_avoided_for_the_nearest_free_one(ctx: Context) -> None:
    book_two_nine_oclock_courses(ctx)
    clinic.update_settings(ctx, {"start_cap": 2})
    settings = load_settings(ctx.store)
    assert settings.start_cap == 2
    before = dump(ctx)
    slots = propose(ctx, settings)
    assert dump(ctx) == before  # a proposal writes nothing
    first = slots[0]
    assert starts_in_slot(ctx, settings, first) < 2
    # The nearest start (5-minute grid) whose infusion start falls in a slot below the
    # cap: 08:45 would start its infusion at 09:00 (full), 09:15 starts it at 09:30.
    wall = settings.calendar.local(first.start)
    assert wall.time() == time(9, 15)
    assert settings.calendar.local(first.infusion_start).time() == time(9, 30)
    # Every candidate closer to 09:00 lands in the full slot.
    for minutes in range(-10, 15, 5):
        closer = Slot(first.chair, NINE + timedelta(minutes=minutes), first.chair_time)
        assert starts_in_slot(ctx, settings, closer) == 2, minutes
    assert len(slots) == 14


def test_booking_the_levelled_proposal_exactly_puts_cycle_1_there(ctx: Context) -> None:
    """What the book-course dialog does: propose levelled, then book cycle 1 exactly."""
    book_two_nine_oclock_courses(ctx)
    clinic.update_settings(ctx, {"start_cap": 2})
    settings = load_settings(ctx.store)
    slots = propose(ctx, settings)
    chair = courses.chair_name(ctx.store, slots[0].chair)
    courses.book_course(
        ctx,
        mrn="P1",
        setting="EBC",
        first_dose=slots[0].start,
        chair=chair,
        preferred_time=time(9, 0),
        exact=True,
    )
    record = courses.load_course(ctx.store, "P1")
    booked = sorted(record.current.values(), key=lambda row: row.start)
    assert len(booked) == 14
    assert [courses.slot_of(row).start for row in booked] == [s.start for s in slots]
