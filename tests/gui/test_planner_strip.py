"""The load strip of the coming weeks: a busy day looks busy, and a click opens it."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.planner.load_strip import (
    COUNT_ROLE,
    LOAD_ROLE,
    OPEN_ROLE,
    LoadStripModel,
    day_loads,
)
from tdm1_scheduler.gui.planner.page import Planner
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.services.courses import book_blocked_time
from tdm1_scheduler.services.queries import day_bookings

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

BUSY_DAY = date(2026, 11, 18)  # Wednesday: the demo's busy day
QUIET_DAY = date(2026, 11, 24)  # the Tuesday after


def test_day_loads_count_what_is_booked(ctx: Context) -> None:
    settings = load_settings(ctx.store)
    loads = {s.day: s for s in day_loads(ctx.store, settings, BUSY_DAY, 14)}
    busy = loads[BUSY_DAY]
    rows = [r.appointment for r in day_bookings(ctx.store, settings, BUSY_DAY)]
    assert busy.appointments == len(rows)
    booked = sum(r.prep_min + r.infusion_min + r.observation_min for r in rows)
    assert busy.booked_min == booked  # every demo visit lies inside opening hours
    assert busy.capacity_min == 9 * 60 * 12  # 08:00-17:00, 12 chairs
    assert busy.fraction > loads[QUIET_DAY].fraction
    saturday = BUSY_DAY + timedelta(days=3)
    assert not loads[saturday].open and loads[saturday].fraction == 0.0


def test_blocked_time_adds_to_the_load(ctx: Context) -> None:
    settings = load_settings(ctx.store)
    before = day_loads(ctx.store, settings, QUIET_DAY, 1)[0]
    start = settings.calendar.at(QUIET_DAY, time(8, 0))
    book_blocked_time(ctx, chair="Chair 12", start=start, minutes=120, label="maintenance")
    after = day_loads(ctx.store, settings, QUIET_DAY, 1)[0]
    assert after.booked_min == before.booked_min + 120
    assert after.appointments == before.appointments + 1


def test_strip_model_passes_modeltester(qtmodeltester, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(ctx.store)
    model = LoadStripModel()
    qtmodeltester.check(model, force_py=True)
    model.set_days(day_loads(ctx.store, settings, BUSY_DAY, 28))
    assert model.rowCount() == 28
    qtmodeltester.check(model, force_py=True)


def test_strip_shows_the_busy_day_as_busier(window: MainWindow) -> None:
    planner = window.features["planner"]
    assert isinstance(planner, Planner)
    model = planner.strip.load_model
    busy_row = model.row_of(BUSY_DAY)
    quiet_row = model.row_of(QUIET_DAY)
    assert busy_row is not None and quiet_row is not None
    busy, quiet = model.index(busy_row, 0), model.index(quiet_row, 0)
    assert busy.data(LOAD_ROLE) > quiet.data(LOAD_ROLE)
    assert busy.data(COUNT_ROLE) > quiet.data(COUNT_ROLE)
    assert busy.data(OPEN_ROLE)
    assert "% of chair time booked" in busy.data(Qt.ItemDataRole.AccessibleTextRole)
    assert planner.strip.currentIndex().row() == busy_row  # the day shown is marked


def test_clicking_a_day_in_the_strip_opens_it(window: MainWindow) -> None:
    planner = window.features["planner"]
    assert isinstance(planner, Planner)
    window.pages.setCurrentWidget(planner)
    strip = planner.strip
    day = BUSY_DAY + timedelta(days=1)
    point = strip.cell_point(day)
    assert point is not None and strip.viewport().rect().contains(point)
    QTest.mouseClick(
        strip.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )
    assert window.shown_day == day
    rows = day_bookings(window.ctx.store, window.settings, day)
    assert set(planner.scene.blocks) == {row.appointment.id for row in rows}


def test_a_move_updates_the_strip(window: MainWindow) -> None:
    planner = window.features["planner"]
    assert isinstance(planner, Planner)
    model = planner.strip.load_model
    row = model.row_of(QUIET_DAY)
    assert row is not None
    before = model.index(row, 0).data(COUNT_ROLE)
    start = window.settings.calendar.at(QUIET_DAY, time(8, 0))
    assert planner.book_blocked("Chair 12", start, 60, "another therapy"), planner.info.text()
    assert model.index(row, 0).data(COUNT_ROLE) == before + 1


def test_a_move_recounts_the_days_it_touches(window: MainWindow, ctx: Context) -> None:
    """After a move made in the window, the strip shows the same loads a full recount gives,
    on the day left and the day reached."""
    from tdm1_scheduler.services import courses

    planner = window.features["planner"]
    assert isinstance(planner, Planner)
    settings = load_settings(ctx.store)
    row = next(
        r
        for r in day_bookings(ctx.store, settings, BUSY_DAY)
        if r.appointment.kind == "dose" and r.appointment.status == "booked" and r.cycle == 1
    )
    from tdm1_scheduler.services.preview import preview
    from tdm1_scheduler.services.queries import chairs

    target = settings.calendar.at(BUSY_DAY + timedelta(days=1), time(8, 0))
    move = {"mrn": row.mrn, "cycle": 1, "to": target}
    chair = next(
        c.name
        for c in chairs(ctx.store)
        if preview(ctx, courses.move_appointment, **move, chair=c.name).allowed
    )
    changes = courses.move_appointment(ctx, **move, chair=chair)
    window.apply_changes(changes)
    model = planner.strip.load_model
    for day in (BUSY_DAY, BUSY_DAY + timedelta(days=1)):
        fresh = day_loads(ctx.store, settings, day, 1)[0]
        index = model.index(model.row_of(day), 0)
        assert index.data(COUNT_ROLE) == fresh.appointments
        assert index.data(LOAD_ROLE) == pytest.approx(fresh.fraction)
