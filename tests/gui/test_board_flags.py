"""The nurse board shows recorded phases with the clock's flags on top, and only clinic
wall times (issue 12, defects 12 and 14). Real clicks, a fixed clock that the test moves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QLabel

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.nurse.board import NurseBoard, VisitTile
from tdm1_scheduler.services import pharmacy
from tdm1_scheduler.text import has_iso_instant

from .conftest import OFFSCREEN_NOISE
from .test_nurse_board import board, click, expected_tile, started_tile

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def clock(win: MainWindow) -> FixedClock:
    assert isinstance(win.ctx.clock, FixedClock)
    return win.ctx.clock


def shown_text(widget: NurseBoard | VisitTile) -> list[str]:
    """Every text a person can read on the board: labels, buttons, banners."""
    return [label.text() for label in widget.findChildren(QLabel) if label.text()]


def test_an_infusion_past_its_end_stays_infusing_with_a_flag_and_observation_too(
    window: MainWindow,
) -> None:
    tile = started_tile(window)
    b = board(window)
    appointment = tile.data.appointment_id
    clock(window).advance(minutes=tile.data.visit.infusion_min + 1)
    b.tick()
    assert tile.phase_label.text() == "Infusing"
    assert tile.flags_label.isVisible()
    assert tile.flags_label.text().startswith("Infusion due to end (since ")
    clock(window).advance(hours=2)
    b.tick()
    assert tile.phase_label.text() == "Infusing"  # hours later: still what was recorded
    click(tile.buttons["end_infusion"])
    tile = b.tile_for(appointment)
    assert tile.phase_label.text() == "Observing" and not tile.flags_label.isVisible()
    clock(window).advance(minutes=tile.data.visit.observation_min + 1)
    b.tick()
    assert tile.phase_label.text() == "Observing"  # it used to turn "Ready to leave"
    assert tile.flags_label.text().startswith("Ready to leave (since ")
    assert tile.buttons["discharge"].isVisible()
    clock(window).advance(hours=3)
    b.reload()
    assert b.tile_for(appointment).phase_label.text() == "Observing"
    click(b.tile_for(appointment).buttons["discharge"])
    assert appointment not in b.tiles  # discharged: a recorded action


def test_a_patient_not_arrived_after_the_booked_start_is_flagged_late(window: MainWindow) -> None:
    b = board(window)
    tile = expected_tile(b)
    clock(window).current = tile.data.visit.planned_start + timedelta(minutes=10)
    b.reload()
    tile = b.tile_for(tile.data.appointment_id)
    assert tile.phase_label.text() == "Expected"
    booked = window.settings.calendar.local(tile.data.visit.planned_start)
    assert tile.flags_label.text() == f"Late (since {booked:%H:%M})"  # wall time


def test_the_demo_boards_visits_do_not_move_on_by_themselves(window: MainWindow) -> None:
    b = board(window)
    before = {a: t.phase_label.text() for a, t in b.tiles.items()}
    in_chair = {a for a, text in before.items() if text != "Expected"}
    assert in_chair, "the demo's busy morning has patients in their chairs"
    clock(window).advance(hours=4)
    b.reload()
    for appointment in in_chair:
        assert b.tile_for(appointment).phase_label.text() == before[appointment]


def test_every_time_on_the_board_is_clinic_wall_time(window: MainWindow) -> None:
    b = board(window)
    tile = expected_tile(b)
    now = window.ctx.clock.now()
    mrn, cycle = tile.data.mrn, tile.data.cycle
    # Pharmacy records a dilution that is still ahead of the board's now.
    pharmacy.record_reconstitution(window.ctx, mrn=mrn, cycle=cycle, at=now - timedelta(hours=1))
    pharmacy.record_dilution(window.ctx, mrn=mrn, cycle=cycle, at=now + timedelta(minutes=45))
    window.reload()
    tile = b.tile_for(tile.data.appointment_id)
    assert "not yet diluted at" in tile.bag_label.text()
    wall = window.settings.calendar.local(now)
    assert f"{wall:%a} {wall.day} {wall:%b} {wall:%H:%M}" in tile.bag_label.text()
    click(tile.buttons["start"])
    tile = b.tile_for(tile.data.appointment_id)
    assert tile.message_label.text().startswith("Refused: ")
    clock(window).advance(hours=6)  # flags and overruns everywhere
    b.tick()
    texts = shown_text(b)
    assert texts
    offending = [text for text in texts if has_iso_instant(text)]
    assert offending == []
