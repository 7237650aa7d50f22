"""Label rules through the services: durations, 21-day steps, DST, closed days, misses,
the 14-cycle EBC limit, the dose ladder, stopping, and re-planning."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import clinic, courses, patients, queries
from tdm1_scheduler.services.context import Context, load_settings
from tests.store import backends

from .conftest import ZONE, cycles, local, make_ctx, start_of

FIRST = "2026-03-02T09:00"  # a Monday


def book(ctx: Context, mrn: str = "P1", setting: str = "EBC", first: str = FIRST, **kw):
    return courses.book_course(ctx, mrn=mrn, setting=setting, first_dose=local(first), **kw)


def minutes(cycle: dict) -> tuple[int, int, int]:
    return cycle["prep_min"], cycle["infusion_min"], cycle["observation_min"]


def give(ctx: Context, cycle: int, at: str | None = None, **kw) -> None:
    """Give ``cycle`` at ``at`` (wall time), else when its booking's infusion starts."""
    if at is None:
        row = cycles(ctx, "P1")[cycle - 1]
        when = start_of(row) + timedelta(minutes=row["prep_min"])
    else:
        when = local(at)
    courses.record_dose_given(ctx, mrn="P1", cycle=cycle, given_at=when, **kw)


def booked(ctx: Context, mrn: str = "P1") -> list[dict]:
    return [c for c in cycles(ctx, mrn) if c["status"] == "booked"]


def test_ebc_course_books_14_cycles_21_days_apart_in_one_chair(ctx):
    changes = book(ctx)
    rows = cycles(ctx, "P1")
    assert [c["cycle"] for c in rows] == list(range(1, 15))
    assert len(changes.appointments) == 14
    assert {c["status"] for c in rows} == {"booked"}
    assert {c["chair"] for c in rows} == {"Chair 1"}
    starts = [start_of(c) for c in rows]
    days = [s.astimezone(ZONE).date() for s in starts]
    assert all((b - a).days == 21 for a, b in itertools.pairwise(days))
    assert {s.astimezone(ZONE).time() for s in starts} == {time(9, 0)}
    view = course_json(queries.course_view(ctx.store, "P1"))
    assert view["cycles_total"] == 14 and view["cycles_given"] == 0
    assert view["status"] == "active" and view["dose_level_mg_per_kg"] == 3.6


def test_first_cycle_is_15_prep_90_infusion_90_observation_later_15_30_30(ctx):
    book(ctx)
    rows = cycles(ctx, "P1")
    assert minutes(rows[0]) == (15, 90, 90)
    assert rows[0]["end"] == local("2026-03-02T12:15").isoformat()
    for row in rows[1:]:
        assert minutes(row) == (15, 30, 30)
        assert datetime.fromisoformat(row["end"]) - start_of(row) == timedelta(minutes=75)


def test_mbc_books_the_rolling_horizon_and_rolls_on(ctx):
    book(ctx, setting="MBC")
    rows = cycles(ctx, "P1")
    assert len(rows) == 6
    assert course_json(queries.course_view(ctx.store, "P1"))["cycles_total"] is None
    give(ctx, 1)
    rows = cycles(ctx, "P1")
    assert [c["cycle"] for c in booked(ctx)] == [2, 3, 4, 5, 6, 7]
    assert rows[0]["status"] == "given"


def test_mbc_horizon_is_a_site_setting(ctx):
    clinic.update_settings(ctx, {"mbc_horizon_cycles": 3})
    book(ctx, setting="MBC")
    assert len(cycles(ctx, "P1")) == 3


def test_after_a_reaction_later_cycles_keep_120_min_infusion_and_30_observation(ctx):
    book(ctx)
    give(ctx, 1)
    give(ctx, 2, infusion_min=120, tolerated=False)
    rows = booked(ctx)
    assert rows and all(minutes(c) == (15, 120, 30) for c in rows)
    assert [c["cycle"] for c in rows] == list(range(3, 15))


def test_reaction_at_the_first_infusion(ctx):
    book(ctx)
    give(ctx, 1, infusion_min=120, tolerated=False)
    assert all(minutes(c) == (15, 120, 30) for c in booked(ctx))


def test_tolerated_doses_keep_30_minutes(ctx):
    book(ctx)
    give(ctx, 1)
    give(ctx, 2)
    assert all(minutes(c) == (15, 30, 30) for c in booked(ctx))


def test_next_cycle_is_21_days_after_the_actual_given_day_across_dst():
    ctx = make_ctx()
    patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
    book(ctx, first="2026-10-12T09:00")  # Monday, EDT (-04:00)
    assert cycles(ctx, "P1")[1]["start"] == "2026-11-02T09:00:00-05:00"
    give(ctx, 1, at="2026-10-13T09:15")  # one day late
    rows = cycles(ctx, "P1")
    assert rows[0]["given_at"] == "2026-10-13T09:15:00-04:00"
    assert rows[1]["start"] == "2026-11-03T09:00:00-05:00"  # wall time kept after DST
    assert rows[2]["start"] == "2026-11-24T09:00:00-05:00"


def test_due_day_on_a_closed_date_moves_to_the_next_open_day():
    ctx = make_ctx()
    patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
    clinic.add_closed_date(ctx, date(2026, 11, 3), "staff day")
    book(ctx, first="2026-10-12T09:00")
    give(ctx, 1, at="2026-10-13T09:15")  # due 2026-11-03, closed
    rows = cycles(ctx, "P1")
    assert rows[1]["start"] == "2026-11-04T09:00:00-05:00"
    assert rows[2]["start"] == "2026-11-25T09:00:00-05:00"


def test_closed_date_at_booking_time_pushes_that_cycle_and_later_ones():
    ctx = make_ctx()
    patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
    clinic.add_closed_date(ctx, date(2026, 3, 23))
    book(ctx)
    rows = cycles(ctx, "P1")
    assert rows[1]["start"].startswith("2026-03-24T09:00")
    assert rows[2]["start"].startswith("2026-04-14T09:00")


def test_weekend_due_day_moves_to_monday(ctx):
    book(ctx, first="2026-10-12T09:00")
    give(ctx, 1, at="2026-10-17T09:00")  # given on a Saturday: due Sat 2026-11-07
    assert cycles(ctx, "P1")[1]["start"] == "2026-11-09T09:00:00-05:00"


def test_missed_dose_is_rebooked_at_or_after_now_and_later_cycles_follow(ctx):
    book(ctx)
    ctx.clock.current = local("2026-03-02T11:02")
    changes = courses.mark_dose_missed(ctx, mrn="P1", cycle=1)
    rows = cycles(ctx, "P1")
    first = start_of(rows[0])
    assert first >= ctx.clock.now()
    assert first == local("2026-03-02T11:05")  # the next 5-minute step, same day
    assert rows[0]["status"] == "booked"
    assert rows[0]["missed"] == [{"start": "2026-03-02T09:00:00-05:00", "chair": "Chair 1"}]
    days = [start_of(c).astimezone(ZONE).date() for c in rows]
    assert all((b - a).days == 21 for a, b in itertools.pairwise(days))
    assert changes.moves[0].cycle == 1


def test_missed_dose_late_in_the_day_goes_to_the_next_open_day(ctx):
    book(ctx, first="2026-03-06T09:00")  # Friday
    ctx.clock.current = local("2026-03-06T16:00")
    courses.mark_dose_missed(ctx, mrn="P1", cycle=1)
    rows = cycles(ctx, "P1")
    assert start_of(rows[0]) == local("2026-03-09T08:00")  # Monday, opening time
    assert start_of(rows[1]).astimezone(ZONE).date() == date(2026, 3, 30)


def test_missed_dose_after_a_given_one_never_comes_before_21_days(ctx):
    book(ctx)
    give(ctx, 1, at="2026-03-02T09:15")
    ctx.clock.current = local("2026-03-10T10:00")  # announced long before its day
    courses.mark_dose_missed(ctx, mrn="P1", cycle=2)
    rows = cycles(ctx, "P1")
    assert start_of(rows[1]).astimezone(ZONE).date() >= date(2026, 3, 23)
    assert start_of(rows[1]) >= local("2026-03-23T09:00")
    days = [start_of(c).astimezone(ZONE).date() for c in rows[1:]]
    assert all((b - a).days >= 21 for a, b in itertools.pairwise(days))


def test_ebc_has_no_15th_cycle_and_completes_after_14_given(ctx):
    book(ctx)
    for cycle in (0, 15):
        with pytest.raises(DomainError) as refused:
            courses.record_dose_given(
                ctx, mrn="P1", cycle=cycle, given_at=local("2026-03-02T09:15")
            )
        assert refused.value.field == "cycle"
    for cycle in range(1, 15):
        give(ctx, cycle)
        assert len(cycles(ctx, "P1")) == 14
    view = course_json(queries.course_view(ctx.store, "P1"))
    assert view["status"] == "completed"
    assert view["cycles_given"] == 14
    assert {c["status"] for c in view["cycles"]} == {"given"}
    assert backends.execute(ctx.store, "SELECT MAX(cycle) FROM doses").fetchone()[0] == 14
    with pytest.raises(DomainError):
        courses.record_dose_given(ctx, mrn="P1", cycle=14, given_at=local("2027-01-04T09:00"))


def test_dose_level_ladder_goes_down_only(ctx):
    book(ctx)
    for bad in (3.6, 4.0, 3.7, 2.5):
        with pytest.raises(DomainError) as refused:
            courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=bad)
        assert refused.value.field == "dose_level_mg_per_kg"
    courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=3.0)
    view = course_json(queries.course_view(ctx.store, "P1"))
    assert view["dose_level_mg_per_kg"] == 3.0
    assert {c["dose_level_mg_per_kg"] for c in view["cycles"]} == {3.0}
    with pytest.raises(DomainError, match="re-escalation"):
        courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=3.6)
    courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=2.4)
    assert course_json(queries.course_view(ctx.store, "P1"))["dose_level_mg_per_kg"] == 2.4
    for bad in (3.0, 3.6):
        with pytest.raises(DomainError):
            courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=bad)


def test_a_reduction_below_the_last_rung_stops_the_course(ctx):
    book(ctx)
    courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=2.4)
    changes = courses.reduce_dose_level(ctx, mrn="P1", mg_per_kg=2.0)
    view = course_json(queries.course_view(ctx.store, "P1"))
    assert view["status"] == "stopped" and view["stop_reason"] == "toxicity"
    assert any("stopping" in note for note in changes.notes)


def test_the_database_refuses_a_level_above_3_6(ctx):
    import sqlite3

    book(ctx)
    with pytest.raises(sqlite3.IntegrityError):
        backends.execute(ctx.store, "UPDATE courses SET dose_level_mg_per_kg = 3.7")


def test_stop_cancels_every_future_booking_and_frees_the_chair(ctx):
    book(ctx)
    give(ctx, 1)
    changes = courses.stop_course(ctx, mrn="P1", reason="progression")
    view = course_json(queries.course_view(ctx.store, "P1"))
    assert view["status"] == "stopped" and view["stop_reason"] == "progression"
    assert [c["status"] for c in view["cycles"]] == ["given"] + ["cancelled"] * 13
    assert len(changes.appointments) == 13
    statuses = backends.execute(
        ctx.store, "SELECT status, COUNT(*) FROM appointments GROUP BY status ORDER BY status"
    ).fetchall()
    assert statuses == [("cancelled", 13), ("given", 1)]
    # the freed chair time can be booked again
    patients.add_patient(ctx, mrn="P2", name="Pat Two", weight_kg=60)
    courses.book_course(
        ctx, mrn="P2", setting="EBC", first_dose=local("2026-03-23T09:00"), chair="Chair 1"
    )
    with pytest.raises(DomainError, match="course"):
        courses.stop_course(ctx, mrn="P1", reason="again")


def test_moving_a_cycle_moves_every_later_booking(ctx):
    book(ctx)
    before = [start_of(c) for c in cycles(ctx, "P1")]
    changes = courses.move_appointment(ctx, mrn="P1", cycle=3, to=local("2026-04-15T10:30"))
    after = [start_of(c) for c in cycles(ctx, "P1")]
    assert after[:2] == before[:2]
    assert after[2] == local("2026-04-15T10:30")
    for old, new in zip(before[3:], after[3:], strict=True):
        assert new.astimezone(ZONE).date() - old.astimezone(ZONE).date() == timedelta(days=2)
    assert len(changes.later_moves) == 11


def test_two_courses_never_share_a_chair_time(ctx):
    book(ctx)
    patients.add_patient(ctx, mrn="P2", name="Pat Two", weight_kg=60)
    book(ctx, mrn="P2")  # same time, no chair named: takes the next free chair
    assert {c["chair"] for c in cycles(ctx, "P2")} == {"Chair 2"}
    patients.add_patient(ctx, mrn="P3", name="Pat Three", weight_kg=60)
    with pytest.raises(DomainError) as refused:
        book(ctx, mrn="P3", chair="Chair 1")
    assert refused.value.field == "chair"


def test_booking_outside_hours_or_on_a_closed_day_is_refused(ctx):
    for when in ("2026-03-02T07:30", "2026-03-02T15:00", "2026-03-07T09:00"):
        with pytest.raises(DomainError) as refused:
            book(ctx, first=when)
        assert refused.value.field == "first_dose"


# --- properties ---------------------------------------------------------------------------
ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    first_offset=st.integers(0, 300),
    wall=st.integers(0, 60).map(lambda n: time(8 + n * 5 // 60, n * 5 % 60)),
    history=st.lists(st.tuples(st.integers(0, 6), st.booleans(), st.integers(60, 150)), max_size=5),
    setting=st.sampled_from(["EBC", "MBC"]),
)
def test_any_history_keeps_the_label_rules(zone, first_offset, wall, history, setting):
    ctx = make_ctx(zone, chairs=2, now="2026-01-01T08:00")
    patients.add_patient(ctx, mrn="P1", name="Pat One", weight_kg=70)
    calendar = load_settings(ctx.store).calendar
    first_day = calendar.next_open_day(date(2026, 1, 5) + timedelta(days=first_offset))
    first = calendar.at(first_day, wall)
    courses.book_course(ctx, mrn="P1", setting=setting, first_dose=first)
    given_days: list[date] = []
    reacted = any_tolerated = False
    for number, (delay, reaction, infusion) in enumerate(history, start=1):
        row = cycles(ctx, "P1")[number - 1]
        due = start_of(row).astimezone(calendar.zone).date()
        when = calendar.at(due + timedelta(days=delay), time(9, 0))
        courses.record_dose_given(
            ctx,
            mrn="P1",
            cycle=number,
            given_at=when,
            infusion_min=infusion if reaction else None,
            tolerated=not reaction,
        )
        given_days.append(due + timedelta(days=delay))
        reacted = reacted or reaction
        any_tolerated = any_tolerated or not reaction
        last_infusion = infusion if reaction else cycles(ctx, "P1")[number - 1]["infusion_min"]
        # [label] never under 30 min, nor under 90 while none was yet tolerated
        last_infusion = max(last_infusion, 30 if any_tolerated else 90)
        rows = cycles(ctx, "P1")
        upcoming = [c for c in rows if c["status"] == "booked"]
        # next cycle: the first open day from 21 days after the actual given day
        expected = calendar.next_open_day(given_days[-1] + timedelta(days=21))
        assert start_of(upcoming[0]).astimezone(calendar.zone).date() == expected
        for c in upcoming:
            if reacted:
                assert (c["prep_min"], c["observation_min"]) == (15, 30)
                assert c["infusion_min"] == last_infusion
            else:
                assert minutes(c) == (15, 30, 30)
    rows = cycles(ctx, "P1")
    if setting == "EBC":
        assert len(rows) == 14
    else:
        assert len([c for c in rows if c["status"] == "booked"]) == 6
    if not history:
        assert minutes(rows[0]) == (15, 90, 90)
    previous = None
    for c in rows:
        start = start_of(c)
        end = datetime.fromisoformat(c["end"])
        assert end - start == timedelta(
            minutes=c["prep_min"] + c["infusion_min"] + c["observation_min"]
        )
        assert calendar.why_outside_hours(start, end) is None
        assert start.utcoffset() == calendar.local(start).utcoffset()  # clinic-zone offset
        day = start.astimezone(calendar.zone).date()
        if c["status"] == "booked":
            assert calendar.local(start).time() == wall  # wall time kept, DST or not
        if previous is not None:
            assert (day - previous).days >= 21
        previous = (
            calendar.local_date(datetime.fromisoformat(c["given_at"])) if c["given_at"] else day
        )
    backends.close_store(ctx.store)
