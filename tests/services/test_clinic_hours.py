"""Changing the weekly opening hours, reopening a closed date, and saving the
Preferences dialog as one action: each writes one audited transaction or nothing."""

from __future__ import annotations

import json
from datetime import date, time

import pytest

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import clinic, courses, queries
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.store import repository as repo
from tests.store import backends

from .conftest import dump, local

NINE_TO_FIVE = (time(8, 0), time(17, 0))
WEEKDAYS_ONLY: dict[int, tuple[time, time] | None] = {
    day: NINE_TO_FIVE if day < 5 else None for day in range(7)
}


def block(ctx: Context, at: str, minutes: int, chair: str = "Chair 1") -> int:
    changes = courses.book_blocked_time(
        ctx, chair=chair, start=local(at), minutes=minutes, label="maintenance"
    )
    return min(changes.appointments)


def last_audit(ctx: Context) -> dict[str, object]:
    return repo.audit_rows(backends.under(ctx.store), 1)[0]


def stored_hours(ctx: Context) -> dict[int, tuple[str, str]]:
    return {
        row["weekday"]: (row["opens"], row["closes"])
        for row in repo.opening_hours(backends.under(ctx.store))
    }


# --- set_opening_hours ----------------------------------------------------------------
def test_new_hours_are_stored_audited_and_seen_by_the_calendar(ctx: Context) -> None:
    audits = repo.count(backends.under(ctx.store), "audit_log")
    new = {
        **WEEKDAYS_ONLY,
        1: (time(7, 30), time(18, 0)),
        4: (time(8, 0), time(14, 0)),
        5: (time(9, 0), time(13, 0)),
    }
    changes = clinic.set_opening_hours(ctx, new)
    assert changes.settings and changes.action == "change opening hours"
    assert stored_hours(ctx) == {
        0: ("08:00", "17:00"),
        1: ("07:30", "18:00"),
        2: ("08:00", "17:00"),
        3: ("08:00", "17:00"),
        4: ("08:00", "14:00"),
        5: ("09:00", "13:00"),
    }
    calendar = load_settings(ctx.store).calendar
    assert sorted(calendar.hours) == [0, 1, 2, 3, 4, 5]
    assert (calendar.hours[4].opens, calendar.hours[4].closes) == (time(8, 0), time(14, 0))
    assert calendar.is_open_day(date(2026, 3, 7))  # a Saturday, open now
    assert not calendar.is_open_day(date(2026, 3, 8))  # Sunday stays closed
    assert calendar.why_outside_hours(local("2026-03-06T13:30"), local("2026-03-06T14:30"))
    assert repo.count(backends.under(ctx.store), "audit_log") == audits + 1
    row = last_audit(ctx)
    assert row["action"] == "change opening hours" and row["user"] == ctx.user
    assert json.loads(str(row["old_values"]))["Fri"] == "08:00-17:00"
    assert json.loads(str(row["old_values"]))["Sat"] == "closed"
    assert json.loads(str(row["new_values"]))["Fri"] == "08:00-14:00"
    assert json.loads(str(row["new_values"]))["Sat"] == "09:00-13:00"


def test_a_left_out_weekday_is_closed(ctx: Context) -> None:
    clinic.set_opening_hours(ctx, {0: NINE_TO_FIVE, 2: NINE_TO_FIVE})
    assert sorted(load_settings(ctx.store).calendar.hours) == [0, 2]


def test_booked_time_outside_the_new_hours_is_refused_and_nothing_is_written(
    ctx: Context,
) -> None:
    block(ctx, "2026-03-03T15:30", 75, chair="Chair 2")  # Tue 15:30-16:45
    block(ctx, "2026-03-05T16:00", 30)  # Thu 16:00-16:30
    block(ctx, "2026-03-04T09:00", 60)  # Wed morning: fine under the new hours
    before = dump(ctx)
    shorter = {**WEEKDAYS_ONLY, **{day: (time(8, 0), time(15, 0)) for day in range(5)}}
    with pytest.raises(DomainError) as error:
        clinic.set_opening_hours(ctx, shorter)
    assert error.value.field == "opening_hours"
    assert error.value.rule == (
        "2 booked appointment(s) fall outside the new hours, "
        "first Tue 2026-03-03 15:30-16:45 (Chair 2); move them first"
    )
    assert dump(ctx) == before
    # Once the late block is gone, only the Thursday one is left to move.
    late = repo.appointments_between(
        backends.under(ctx.store), local("2026-03-03T15:00"), local("2026-03-03T17:00")
    )
    courses.cancel_blocked_time(ctx, appointment_id=late[0]["id"])
    with pytest.raises(
        DomainError, match=r"^opening_hours: 1 booked .* first Thu 2026-03-05 16:00-16:30"
    ):
        clinic.set_opening_hours(ctx, shorter)


def test_closing_a_weekday_with_booked_doses_is_refused(ctx: Context) -> None:
    courses.book_course(
        ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-03T09:00"), chair="Chair 1"
    )
    booked = [
        c
        for c in course_json(queries.course_view(ctx.store, "P1"))["cycles"]
        if c["status"] == "booked"
    ]
    tuesdays = [c for c in booked if date.fromisoformat(c["start"][:10]).weekday() == 1]
    assert tuesdays, "the course should have booked Tuesday doses"
    first = tuesdays[0]
    before = dump(ctx)
    with pytest.raises(DomainError) as error:
        clinic.set_opening_hours(ctx, {**WEEKDAYS_ONLY, 1: None})
    assert error.value.field == "opening_hours"
    assert error.value.rule.startswith(f"{len(tuesdays)} booked appointment(s)")
    assert f"first Tue {first['start'][:10]} {first['start'][11:16]}-" in error.value.rule
    assert "(Chair 1)" in error.value.rule
    assert dump(ctx) == before
    # Closing Wednesday instead touches none of them.
    clinic.set_opening_hours(ctx, {**WEEKDAYS_ONLY, 2: None})
    assert 2 not in load_settings(ctx.store).calendar.hours


def test_only_booked_time_from_now_on_counts(ctx: Context) -> None:
    past = block(ctx, "2026-03-02T16:00", 30)  # Mon 16:00-16:30
    cancelled = block(ctx, "2026-03-03T16:00", 30)  # Tue, cancelled below
    courses.cancel_blocked_time(ctx, appointment_id=cancelled)
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.current = local("2026-03-02T16:45")  # the Monday block is over
    clinic.set_opening_hours(ctx, {day: (time(8, 0), time(15, 0)) for day in range(5)})
    assert stored_hours(ctx)[0] == ("08:00", "15:00")
    assert repo.appointment_by_id(backends.under(ctx.store), past) is not None


def test_a_block_still_running_now_counts(ctx: Context) -> None:
    block(ctx, "2026-03-02T16:00", 30)  # Mon 16:00-16:30
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.current = local("2026-03-02T16:15")
    with pytest.raises(DomainError, match="first Mon 2026-03-02 16:00-16:30"):
        clinic.set_opening_hours(ctx, {day: (time(8, 0), time(15, 0)) for day in range(5)})


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ({**WEEKDAYS_ONLY, 4: (time(14, 0), time(9, 0))}, "Friday: closing 09:00"),
        ({**WEEKDAYS_ONLY, 2: (time(9, 0), time(9, 0))}, "Wednesday: closing 09:00"),
        ({day: None for day in range(7)}, "at least one weekday"),
        ({}, "at least one weekday"),
        ({7: NINE_TO_FIVE}, "weekday must be 0-6"),
        ({0: (time(8, 0, 30), time(17, 0))}, "Monday: 08:00:30 is not a whole minute"),
    ],
)
def test_bad_hours_are_refused_naming_the_field(
    ctx: Context, hours: dict[int, tuple[time, time] | None], expected: str
) -> None:
    before = dump(ctx)
    with pytest.raises(DomainError) as error:
        clinic.set_opening_hours(ctx, hours)
    assert error.value.field == "opening_hours"
    assert expected in error.value.rule
    assert dump(ctx) == before


def test_unchanged_hours_write_nothing(ctx: Context) -> None:
    before = dump(ctx)
    changes = clinic.set_opening_hours(ctx, WEEKDAYS_ONLY)
    assert not changes.settings and changes.notes == ["the opening hours are unchanged"]
    assert dump(ctx) == before


# --- remove_closed_date ---------------------------------------------------------------
def test_a_closed_date_can_be_reopened(ctx: Context) -> None:
    day = date(2026, 12, 24)
    clinic.add_closed_date(ctx, day, "Christmas Eve")
    assert day in load_settings(ctx.store).calendar.closed_dates
    audits = repo.count(backends.under(ctx.store), "audit_log")
    changes = clinic.remove_closed_date(ctx, day)
    assert changes.settings and changes.action == "reopen 2026-12-24"
    calendar = load_settings(ctx.store).calendar
    assert day not in calendar.closed_dates and calendar.is_open_day(day)
    assert repo.closed_dates(backends.under(ctx.store)) == []
    assert repo.count(backends.under(ctx.store), "audit_log") == audits + 1
    row = last_audit(ctx)
    assert row["action"] == "remove closed date"
    assert json.loads(str(row["old_values"])) == {"day": "2026-12-24", "reason": "Christmas Eve"}


def test_reopening_a_date_that_is_not_closed_is_refused(ctx: Context) -> None:
    clinic.add_closed_date(ctx, date(2026, 12, 25), "Christmas")
    before = dump(ctx)
    with pytest.raises(DomainError) as error:
        clinic.remove_closed_date(ctx, date(2026, 12, 24))
    assert error.value.field == "date" and "not a closed date" in error.value.rule
    assert dump(ctx) == before
    assert [row["day"] for row in repo.closed_dates(backends.under(ctx.store))] == ["2026-12-25"]


# --- save_preferences -----------------------------------------------------------------
def test_saving_hours_and_settings_writes_both(ctx: Context) -> None:
    audits = repo.count(backends.under(ctx.store), "audit_log")
    changes = clinic.save_preferences(
        ctx, hours={**WEEKDAYS_ONLY, 4: (time(8, 0), time(19, 0))}, values={"prep_min": 20}
    )
    assert changes.settings
    assert stored_hours(ctx)[4] == ("08:00", "19:00")
    assert load_settings(ctx.store).rules.prep_min == 20
    actions = [row["action"] for row in repo.audit_rows(backends.under(ctx.store), 2)]
    assert sorted(actions) == ["change opening hours", "change settings"]
    assert repo.count(backends.under(ctx.store), "audit_log") == audits + 2


def test_a_refused_setting_keeps_the_new_hours_unwritten(ctx: Context) -> None:
    before = dump(ctx)
    with pytest.raises(DomainError) as error:
        clinic.save_preferences(
            ctx,
            hours={**WEEKDAYS_ONLY, 4: (time(8, 0), time(19, 0))},
            values={"weight_min_kg": 200.0, "weight_max_kg": 150.0},
        )
    assert error.value.field == "weight_min_kg"
    assert dump(ctx) == before


def test_refused_hours_keep_the_settings_unwritten(ctx: Context) -> None:
    block(ctx, "2026-03-06T16:00", 30)  # Fri 16:00-16:30
    before = dump(ctx)
    with pytest.raises(DomainError, match="fall outside the new hours"):
        clinic.save_preferences(
            ctx, hours={**WEEKDAYS_ONLY, 4: (time(8, 0), time(12, 0))}, values={"prep_min": 20}
        )
    assert dump(ctx) == before
