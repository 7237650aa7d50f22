"""A course is read by the regimen it records (``courses.regimen_code``, m007): booked
today it is T-DM1's; a course whose row names another regimen the app knows reads that
one's course length."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.domain import regimens
from tdm1_scheduler.domain.regimens import TDM1, CourseLength
from tdm1_scheduler.services import courses, queries
from tdm1_scheduler.services.context import Context
from tests.store.backends import sqlite_of

from .conftest import local

SHORT = dataclasses.replace(
    TDM1, code="SHORT", course_lengths=(CourseLength("EBC", 6), CourseLength("MBC", None))
)


def test_a_booked_course_records_tdm1_and_reads_its_length(ctx: Context) -> None:
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"))
    assert sqlite_of(ctx.store).execute("SELECT regimen_code FROM courses").fetchall() == [
        ("TDM1",)
    ]
    assert course_json(queries.course_view(ctx.store, "P1"))["cycles_total"] == 14


def test_the_view_reads_the_regimen_the_course_records(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"))
    monkeypatch.setattr(regimens, "REGIMENS", MappingProxyType({"TDM1": TDM1, "SHORT": SHORT}))
    sqlite_of(ctx.store).execute("UPDATE courses SET regimen_code = 'SHORT'")
    assert course_json(queries.course_view(ctx.store, "P1"))["cycles_total"] == 6
