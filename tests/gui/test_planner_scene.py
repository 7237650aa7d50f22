"""The planner scene on its own: geometry, snapping, and a big clinic's rebuild time."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, time, timedelta

from PySide6.QtCore import QPointF

from tdm1_scheduler.domain.calendar import ClinicCalendar, zone_from_name
from tdm1_scheduler.domain.course import PlanningRules
from tdm1_scheduler.domain.records import (
    Appointment,
    AppointmentKind,
    AppointmentView,
    CourseStatus,
    CycleStatus,
    Setting,
)
from tdm1_scheduler.gui.planner.day_scene import (
    BLOCK_MARGIN,
    Chair,
    PlannerGeometry,
    PlannerScene,
)
from tdm1_scheduler.services.context import ClinicSettings

DAY = date(2026, 11, 18)
CALENDAR = ClinicCalendar(zone_from_name("America/New_York"))
SETTINGS = ClinicSettings(
    "Test clinic", "America/New_York", CALENDAR, PlanningRules(15, 0, 6), 5, None, 120, 20, 300, 10
)


def row(number: int, chair: Chair, start: time) -> AppointmentView:
    begin = CALENDAR.at(DAY, start).astimezone(UTC)
    booking = Appointment(
        id=number,
        chair_id=chair.id,
        dose_id=number,
        kind=AppointmentKind.DOSE,
        label="",
        status=CycleStatus.BOOKED,
        start=begin,
        end=begin + timedelta(minutes=75),
        prep_min=15,
        infusion_min=30,
        observation_min=30,
        version=1,
    )
    return AppointmentView(
        appointment=booking,
        chair_name=chair.name,
        cycle=3,
        course_id=number,
        dose_status=CycleStatus.BOOKED,
        given_at=None,
        tolerated=None,
        infusion_actual_min=None,
        setting=Setting.EBC,
        course_status=CourseStatus.ACTIVE,
        patient_id=number,
        mrn=f"MRN{number}",
        patient_name=f"Patient {number}",
    )


def test_snapping_and_lanes() -> None:
    chairs = [Chair(10, "A"), Chair(20, "B"), Chair(30, "C")]
    geometry = PlannerGeometry(SETTINGS, DAY, chairs, 5, 1200)
    sample = row(1, chairs[1], time(9, 0))
    top_left = geometry.top_left_for(20, CALENDAR.at(DAY, time(9, 0)))
    assert geometry.target_at(sample, top_left).is_home
    # Two minutes right snaps back to 09:00; three minutes right snaps to 09:05.
    nudged = QPointF(top_left.x() + 2 * geometry.px_per_min, top_left.y() + 10)
    assert geometry.target_at(sample, nudged).start == CALENDAR.at(DAY, time(9, 0))
    nudged = QPointF(top_left.x() + 3 * geometry.px_per_min, top_left.y())
    assert geometry.target_at(sample, nudged).start == CALENDAR.at(DAY, time(9, 5))
    below = QPointF(top_left.x(), top_left.y() + geometry.lane_top(1) - geometry.lane_top(0))
    assert geometry.target_at(sample, below).chair.name == "C"
    far_below = QPointF(top_left.x(), 10_000)
    assert geometry.target_at(sample, far_below).chair.name == "C"  # clamped to the last
    up = geometry.neighbour(sample, -1, 0)
    assert up is not None and up.chair.name == "A"
    assert geometry.neighbour(sample, 2, 0) is None
    later = geometry.neighbour(sample, 0, 15)
    assert later is not None and later.start == CALENDAR.at(DAY, time(9, 15))
    assert top_left.y() == geometry.lane_top(1) + BLOCK_MARGIN


def test_scale_fits_the_width_within_limits() -> None:
    chairs = [Chair(1, "A")]
    narrow = PlannerGeometry(SETTINGS, DAY, chairs, 5, 300)
    wide = PlannerGeometry(SETTINGS, DAY, chairs, 5, 1500)
    assert narrow.px_per_min < wide.px_per_min
    assert wide.width <= 1500


def test_eighty_chairs_rebuild_quickly(qapp) -> None:  # type: ignore[no-untyped-def]
    chairs = [Chair(n, f"Chair {n}") for n in range(1, 81)]
    rows = [row(len(chairs) * k + c.id, c, time(8 + 2 * k, 0)) for c in chairs for k in range(5)]
    scene = PlannerScene(SETTINGS)
    started = clock.perf_counter()
    scene.rebuild(SETTINGS, DAY, chairs, rows, None, 1200)
    scene.rebuild(SETTINGS, DAY, chairs, rows, None, 1200)
    elapsed = clock.perf_counter() - started
    assert len(scene.blocks) == 400
    assert elapsed < 2.0  # about 0.05 s each on a laptop; generous for a shared CI box


def test_hour_labels_are_each_hours_wall_time_across_clock_changes() -> None:
    """The axis labels: elapsed hours from the opening shown as wall time, the same as
    converting each hour (a day when the clocks change included)."""
    chairs = [Chair(1, "A")]
    for day in (DAY, date(2026, 11, 1), date(2026, 3, 8)):
        geometry = PlannerGeometry(SETTINGS, day, chairs, 5, 1200)
        start = geometry.axis_start.astimezone(UTC)
        expected = [
            (minute, f"{CALENDAR.local(start + timedelta(minutes=minute)):%H:%M}")
            for minute in range(0, geometry.axis_minutes + 1, 60)
        ]
        assert geometry.hour_labels() == expected
