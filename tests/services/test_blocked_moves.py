"""Blocked chair time moves like a booking: its own duration, refusals change nothing."""

from __future__ import annotations

import pytest

from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.services import courses
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import ConflictError, from_utc_text
from tests.store.backends import sqlite_of

from .conftest import dump, local


def block(
    ctx: Context, chair: str = "Chair 1", at: str = "2026-03-02T09:00", minutes: int = 50
) -> int:
    changes = courses.book_blocked_time(
        ctx, chair=chair, start=local(at), minutes=minutes, label="maintenance"
    )
    return min(changes.appointments)


def test_move_to_another_chair_and_time_keeps_the_duration(ctx: Context) -> None:
    appointment_id = block(ctx)
    audits = repo.count(sqlite_of(ctx.store), "audit_log")
    changes = courses.move_blocked_time(
        ctx, appointment_id=appointment_id, to=local("2026-03-02T13:05"), chair="Chair 2"
    )
    assert changes.appointments == {appointment_id}
    assert changes.action == "move blocked time maintenance"
    row = repo.appointment_by_id(sqlite_of(ctx.store), appointment_id)
    assert row is not None
    assert repo.chair_by_id(sqlite_of(ctx.store), row["chair_id"])["name"] == "Chair 2"
    assert from_utc_text(row["start_utc"]) == local("2026-03-02T13:05")
    assert from_utc_text(row["end_utc"]) == local("2026-03-02T13:55")
    assert row["kind"] == "blocked" and row["status"] == "booked"
    assert repo.count(sqlite_of(ctx.store), "audit_log") == audits + 1
    assert repo.audit_rows(sqlite_of(ctx.store), 1)[0]["action"] == "move blocked time"


def test_without_a_chair_it_stays_on_its_chair(ctx: Context) -> None:
    appointment_id = block(ctx, chair="Chair 3")
    courses.move_blocked_time(ctx, appointment_id=appointment_id, to=local("2026-03-03T10:00"))
    row = repo.appointment_by_id(sqlite_of(ctx.store), appointment_id)
    assert row is not None
    assert repo.chair_by_id(sqlite_of(ctx.store), row["chair_id"])["name"] == "Chair 3"


@pytest.mark.parametrize(
    ("to", "chair", "expected"),
    [
        ("2026-03-02T16:30", None, "outside opening hours"),
        ("2026-03-07T10:00", None, "clinic closed"),  # a Saturday
        ("2026-03-02T10:30", "Chair 2", "chair taken 10:00-11:00"),
        ("2026-03-02T10:00", "Chair 9", "no chair named"),
    ],
)
def test_refusals_name_the_rule_and_change_nothing(
    ctx: Context, to: str, chair: str | None, expected: str
) -> None:
    appointment_id = block(ctx)
    block(ctx, chair="Chair 2", at="2026-03-02T10:00", minutes=60)
    before = dump(ctx)
    with pytest.raises(DomainError) as error:
        courses.move_blocked_time(ctx, appointment_id=appointment_id, to=local(to), chair=chair)
    assert expected in str(error.value)
    assert dump(ctx) == before


def test_only_booked_blocked_time_moves(ctx: Context) -> None:
    courses.book_course(
        ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"), chair="Chair 1"
    )
    dose = repo.appointments_between(
        sqlite_of(ctx.store), local("2026-03-02T00:00"), local("2026-03-03T00:00")
    )
    cancelled = block(ctx, chair="Chair 2")
    courses.cancel_blocked_time(ctx, appointment_id=cancelled)
    before = dump(ctx)
    for appointment_id in (dose[0]["id"], cancelled, 9999):
        with pytest.raises(DomainError, match="not booked blocked time"):
            courses.move_blocked_time(
                ctx, appointment_id=appointment_id, to=local("2026-03-02T13:00")
            )
    assert dump(ctx) == before


def test_a_stale_version_is_refused(ctx: Context) -> None:
    appointment_id = block(ctx)
    row = repo.appointment_by_id(sqlite_of(ctx.store), appointment_id)
    assert row is not None
    courses.move_blocked_time(ctx, appointment_id=appointment_id, to=local("2026-03-02T11:00"))
    before = dump(ctx)
    with pytest.raises(ConflictError):
        courses.move_blocked_time(
            ctx,
            appointment_id=appointment_id,
            to=local("2026-03-02T12:00"),
            expected_version=row["version"],
        )
    assert dump(ctx) == before


def test_preview_of_a_blocked_move_matches_the_commit(ctx: Context) -> None:
    from tdm1_scheduler.services.preview import preview

    appointment_id = block(ctx)
    before = dump(ctx)
    seen = preview(
        ctx, courses.move_blocked_time, appointment_id=appointment_id, to=local("2026-03-02T15:00")
    )
    assert seen.allowed and dump(ctx) == before
    refused = preview(
        ctx, courses.move_blocked_time, appointment_id=appointment_id, to=local("2026-03-02T16:40")
    )
    assert not refused.allowed and "outside opening hours" in (refused.reason or "")
    assert dump(ctx) == before
