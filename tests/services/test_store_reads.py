"""The read-side services read through the store: the same answer from ``ctx.store`` as
from the connection a caller not moved yet passes, and records where asked for."""

from __future__ import annotations

from datetime import date

import pytest

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.domain.errors import DomainError
from tdm1_scheduler.domain.records import CycleStatus
from tdm1_scheduler.services import clinic, courses, patients, queries
from tdm1_scheduler.services.context import Context, load_settings, settings_from
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.sqlite_store import SqliteStore
from tests.store.backends import sqlite_of

from .conftest import local


@pytest.fixture
def booked(ctx: Context) -> Context:
    courses.book_course(ctx, mrn="P1", setting="EBC", first_dose=local("2026-03-02T09:00"))
    return ctx


@pytest.mark.sqlite_only("compares the store's records with the raw SQLite rows")
def test_course_view_is_the_same_from_the_store(booked: Context) -> None:
    view = queries.course_view(booked.store, "P1")
    assert view == queries.course_view(SqliteStore(sqlite_of(booked.store)), "P1")
    shown = course_json(view)  # the read model as ``course show --json`` has it
    assert shown["cycles"][0]["start"] == "2026-03-02T09:00:00-05:00"
    assert shown["cycles"][0]["status"] == "booked" and type(shown["setting"]) is str


def test_course_state_holds_records(booked: Context) -> None:
    state = queries.course_state(booked.store, " P1 ")
    assert state.patient.mrn == "P1" and len(state.doses) == 14
    first = state.shown(state.doses[0])
    assert first is not None and first.status is CycleStatus.BOOKED
    with pytest.raises(DomainError, match="no patient with MRN 'P9'"):
        queries.course_state(booked.store, "P9")
    patients.add_patient(booked, mrn="P2", name="Pat Two", weight_kg=60)
    with pytest.raises(DomainError, match="patient P2 has no course"):
        queries.course_state(booked.store, "P2")


@pytest.mark.sqlite_only("compares the store's records with the raw SQLite rows")
def test_day_bookings_are_the_day_rows_as_records(booked: Context) -> None:
    settings = settings_from(booked.store)
    assert settings == load_settings(SqliteStore(sqlite_of(booked.store)))
    day = date(2026, 3, 2)
    views = queries.day_bookings(booked.store, settings, day)
    start, end = settings.calendar.day_bounds(day)
    under = sqlite_of(booked.store)
    rows = repo.appointments_between(under, start, end)  # the rows the records map
    assert [v.appointment.id for v in views] == [r["id"] for r in rows]
    assert [v.chair_name for v in views] == [r["chair_name"] for r in rows]
    assert queries.chairs(booked.store) == queries.chairs(SqliteStore(under))


def test_a_closed_date_refusal_names_the_patient_as_before(booked: Context) -> None:
    with pytest.raises(
        DomainError, match=r"1 appointment\(s\) are booked on 2026-03-02, for Pat One"
    ):
        clinic.add_closed_date(booked, date(2026, 3, 2))
