"""Issue 17 in the GUI: the scheduler, the pharmacist and the nurse each see whether a dose
is ready and why; under ``enforce`` a bag is made and an infusion starts only after an
override is recorded. Real QTest clicks and keys on the demo clinic, the database
checked after each step."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.domain.timers import Phase, phase_of
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.patients.models import CourseCyclesModel, find_course_view
from tdm1_scheduler.gui.patients.panel import PatientsFeature
from tdm1_scheduler.gui.pharmacy.dialogs import ReconstituteDialog
from tdm1_scheduler.gui.pharmacy.page import PharmacyPage
from tdm1_scheduler.gui.pharmacy.queue_model import Column as QueueColumn, PharmacyQueueModel
from tdm1_scheduler.gui.planner.day_model import Column as DayColumn, DayAppointmentsModel
from tdm1_scheduler.gui.planner.slot_dialog import SlotDialog
from tdm1_scheduler.gui.readiness.dialogs import LabResultDialog, OverrideDialog
from tdm1_scheduler.gui.readiness.view import booked_readiness
from tdm1_scheduler.services import pharmacy, readiness as readiness_service
from tdm1_scheduler.services.context import Context, load_settings
from tests.store.backends import sqlite_of

from .conftest import DEMO_NOW, OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support raise")

# A metastatic (MBC) first dose booked today at 13:45 New York: the label's table applies.
MBC_MRN, MBC_CYCLE = "MRN100221", 1
# A metastatic dose on today's nurse board (Chair 6, expected at 12:30 New York).
BOARD_MRN, BOARD_CYCLE = "MRN100340", 9
HOLD_PLATELETS = 40_000  # grade 3: do not give until >= 75,000/mm3


# --- helpers -------------------------------------------------------------------------------
def course_of(ctx: Context, mrn: str) -> dict[str, Any] | None:
    """The patient's course as ``course show --json`` has it, or None without one."""
    view = find_course_view(ctx.store, mrn)
    return None if view is None else course_json(view)


def click(widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def set_gate(window: MainWindow, mode: str) -> None:
    changes = readiness_service.set_readiness_settings(window.ctx, {"readiness_gate": mode})
    window.apply_changes(changes)


def hold_platelets(window: MainWindow, mrn: str = MBC_MRN) -> None:
    """Platelets of 40,000/mm3 sampled this morning: a hold for an MBC course."""
    changes = readiness_service.add_lab(
        window.ctx, mrn=mrn, test="platelets", value=HOLD_PLATELETS, uln=None,
        at=DEMO_NOW - timedelta(hours=4),
    )  # fmt: skip
    window.apply_changes(changes)


def overrides(ctx: Context) -> list[dict]:  # type: ignore[type-arg]
    return list(sqlite_of(ctx.store).query("SELECT * FROM readiness_overrides ORDER BY id"))


def audit_rows(ctx: Context, action: str) -> list[dict]:  # type: ignore[type-arg]
    return list(
        sqlite_of(ctx.store).query("SELECT * FROM audit_log WHERE action = ? ORDER BY id", [action])
    )


def prep_rows(ctx: Context, mrn: str, cycle: int) -> list[dict]:  # type: ignore[type-arg]
    return list(
        sqlite_of(ctx.store).query(
            "SELECT p.* FROM preparations p JOIN doses d ON d.id = p.dose_id"
            " JOIN courses c ON c.id = d.course_id JOIN patients pt ON pt.id = c.patient_id"
            " WHERE pt.mrn = ? AND d.cycle = ?",
            [mrn, cycle],
        )
    )


def dose_row(ctx: Context, mrn: str, cycle: int) -> dict:  # type: ignore[type-arg]
    return next(
        sqlite_of(ctx.store).query(
            "SELECT d.* FROM doses d JOIN courses c ON c.id = d.course_id"
            " JOIN patients p ON p.id = c.patient_id WHERE p.mrn = ? AND d.cycle = ?"
            " ORDER BY c.id DESC",
            [mrn, cycle],
        )
    )


def fill_override(dialog: OverrideDialog, reason: str, clinician: str) -> None:
    dialog.clinician_edit.clear()
    QTest.keyClicks(dialog.reason_edit, reason)
    QTest.keyClicks(dialog.clinician_edit, clinician)
    click(dialog.ok_button)


def pharmacy_page(window: MainWindow) -> PharmacyPage:
    page = window.features["pharmacy_view"]
    assert isinstance(page, PharmacyPage)
    window.pages.setCurrentWidget(page)
    page.reload()
    return page


def click_queue_row(page: PharmacyPage, mrn: str, cycle: int) -> int:
    row = page.model.find_row(mrn, cycle)
    assert row is not None, (mrn, cycle)
    index = page.model.index(row, QueueColumn.PATIENT)
    page.table.scrollTo(index)
    QTest.mouseClick(
        page.table.viewport(), Qt.MouseButton.LeftButton, pos=page.table.visualRect(index).center()
    )
    assert page.selected() == (mrn, cycle)
    return row


def patients(window: MainWindow) -> PatientsFeature:
    found = window.features["patients_panel"]
    assert isinstance(found, PatientsFeature)
    return found


def choose_patient(window: MainWindow, mrn: str) -> PatientsFeature:
    feature = patients(window)
    feature.panel.search_edit.clear()
    QTest.keyClicks(feature.panel.search_edit, mrn)
    index = feature.panel.patient_model.index(0, 0)
    QTest.mouseClick(
        feature.panel.patient_view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=feature.panel.patient_view.visualRect(index).center(),
    )
    assert feature.panel.current_mrn == mrn
    return feature


# --- the pharmacist ---------------------------------------------------------------------------
def test_queue_says_do_not_prepare_and_enforce_asks_a_reason_that_is_audited(
    window: MainWindow,
) -> None:
    ctx = window.ctx
    hold_platelets(window)
    set_gate(window, "enforce")
    page = pharmacy_page(window)
    row = click_queue_row(page, MBC_MRN, MBC_CYCLE)
    next_step = str(page.model.index(row, QueueColumn.NEXT).data())
    assert next_step.startswith("DO NOT PREPARE (HOLD"), next_step
    assert "platelets 40,000" in next_step
    assert "DO NOT PREPARE" in page.warning_label.text()

    click(page.reconstitute_button)
    gate = page.gate_dialog
    assert isinstance(gate, OverrideDialog) and gate.isVisible()
    assert page.dialog is None  # no reconstitution form before the reason
    assert not gate.ok_button.isEnabled()  # a reason is needed
    assert "HOLD" in gate.verdict_label.text()
    assert overrides(ctx) == [] and prep_rows(ctx, MBC_MRN, MBC_CYCLE) == []

    fill_override(gate, "platelets rechecked by phone: 80,000", "Dr Rivera")
    stored = overrides(ctx)
    assert [(o["action"], o["verdict"], o["clinician"]) for o in stored] == [
        ("reconstitute", "hold", "Dr Rivera")
    ]
    audited = audit_rows(ctx, "override readiness")
    assert len(audited) == 1
    assert json.loads(audited[0]["new_values"])["reason"] == "platelets rechecked by phone: 80,000"

    dialog = page.dialog
    assert isinstance(dialog, ReconstituteDialog) and dialog.isVisible()
    for number, edit in enumerate(dialog.lot_edits):
        QTest.keyClicks(edit, f"LOT{number}")
    click(dialog.ok_button)
    assert len(prep_rows(ctx, MBC_MRN, MBC_CYCLE)) == 1


def test_enforce_without_a_reason_makes_no_bag(window: MainWindow) -> None:
    ctx = window.ctx
    hold_platelets(window)
    set_gate(window, "enforce")
    page = pharmacy_page(window)
    click_queue_row(page, MBC_MRN, MBC_CYCLE)
    click(page.reconstitute_button)
    gate = page.gate_dialog
    assert isinstance(gate, OverrideDialog)
    QTest.keyClick(gate, Qt.Key.Key_Escape)
    assert page.gate_dialog is None  # closed
    assert page.dialog is None
    assert overrides(ctx) == [] and prep_rows(ctx, MBC_MRN, MBC_CYCLE) == []


def test_a_ready_dose_and_the_gate_off_say_nothing_of_readiness(window: MainWindow) -> None:
    set_gate(window, "off")
    hold_platelets(window)
    page = pharmacy_page(window)
    row = click_queue_row(page, MBC_MRN, MBC_CYCLE)
    assert "DO NOT PREPARE" not in str(page.model.index(row, QueueColumn.NEXT).data())
    click(page.reconstitute_button)
    assert page.gate_dialog is None
    assert isinstance(page.dialog, ReconstituteDialog)


# --- the nurse ----------------------------------------------------------------------------------
def mbc_tile_ready_to_start(window: MainWindow):  # type: ignore[no-untyped-def]
    """The MBC patient's bag made, the clock at the booking, arrived, prep done."""
    from tdm1_scheduler.gui.nurse.board import NurseBoard

    board = window.features["nurse_board"].board
    assert isinstance(board, NurseBoard)
    window.pages.setCurrentWidget(board)
    tile = next(t for t in board.tiles.values() if t.data.mrn == BOARD_MRN)
    planned = tile.data.visit.planned_start
    ctx = window.ctx
    pharmacy.record_reconstitution(
        ctx, mrn=BOARD_MRN, cycle=BOARD_CYCLE, at=planned - timedelta(hours=2)
    )
    pharmacy.record_dilution(ctx, mrn=BOARD_MRN, cycle=BOARD_CYCLE, at=planned - timedelta(hours=1))
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.current = planned
    window.reload()
    board.reload()
    tile = board.tile_for(tile.data.appointment_id)
    click(tile.buttons["arrive"])
    ctx.clock.advance(minutes=tile.data.visit.prep_min)
    board.reload()
    return board, board.tile_for(tile.data.appointment_id)


def test_nurse_board_refuses_start_under_enforce_and_starts_after_an_override(
    window: MainWindow,
) -> None:
    ctx = window.ctx
    set_gate(window, "off")  # the bag is made first, with nothing in the way
    board, tile = mbc_tile_ready_to_start(window)
    hold_platelets(window, BOARD_MRN)
    set_gate(window, "enforce")
    board.reload()
    tile = board.tile_for(tile.data.appointment_id)
    assert tile.verdict_label.text().startswith("Readiness: HOLD")
    assert dose_row(ctx, BOARD_MRN, BOARD_CYCLE)["status"] == "booked"

    click(tile.buttons["start"])
    tile = board.tile_for(tile.data.appointment_id)
    assert tile.message_label.text().startswith("Refused:")
    assert "HOLD" in tile.message_label.text()
    gate = board.dialog
    assert isinstance(gate, OverrideDialog) and gate.isVisible()
    assert dose_row(ctx, BOARD_MRN, BOARD_CYCLE)["status"] == "booked"  # nothing started
    assert overrides(ctx) == []

    fill_override(gate, "oncologist reviewed the count", "Dr Chen")
    assert [(o["action"], o["clinician"]) for o in overrides(ctx)] == [
        ("start infusion", "Dr Chen")
    ]
    assert dose_row(ctx, BOARD_MRN, BOARD_CYCLE)["status"] == "given"
    assert phase_of(board.data_of(tile.data.appointment_id).visit) is Phase.INFUSING


def test_nurse_acknowledges_the_verdict_under_warn(window: MainWindow) -> None:
    ctx = window.ctx
    set_gate(window, "off")
    board, tile = mbc_tile_ready_to_start(window)
    hold_platelets(window, BOARD_MRN)
    set_gate(window, "warn")
    board.reload()
    tile = board.tile_for(tile.data.appointment_id)

    click(tile.buttons["start"])
    box = board.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "HOLD" in box.text() and "platelets 40,000" in box.informativeText()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert dose_row(ctx, BOARD_MRN, BOARD_CYCLE)["status"] == "booked"

    tile = board.tile_for(tile.data.appointment_id)
    click(tile.buttons["start"])
    box = board.dialog
    assert isinstance(box, QMessageBox)
    acknowledge = box.findChild(QPushButton, "acknowledgeReadinessButton")
    assert acknowledge is not None
    click(acknowledge)
    assert dose_row(ctx, BOARD_MRN, BOARD_CYCLE)["status"] == "given"
    assert overrides(ctx) == []  # an acknowledgement is no override


# --- the scheduler --------------------------------------------------------------------------
def test_course_panel_shows_the_verdict_and_a_hold_is_delayed_through_the_slot_finder(
    window: MainWindow,
) -> None:
    ctx = window.ctx
    feature = choose_patient(window, MBC_MRN)
    model = feature.panel.cycles_model
    ready_column = 2  # next to the status, in sight in the narrow dock
    assert model.headerData(ready_column, Qt.Orientation.Horizontal) == "Ready"
    assert str(model.index(0, ready_column).data()).startswith("MISSING")

    hold_platelets(window)
    assert str(model.index(0, ready_column).data()).startswith("HOLD: platelets 40,000")
    strip = feature.readiness
    assert strip.label.text().startswith(f"Cycle {MBC_CYCLE}: HOLD")
    assert "labs pending" in strip.label.text()

    before = course_of(ctx, MBC_MRN)
    assert before is not None
    click(strip.delay_button)
    dialog = strip.dialog
    assert isinstance(dialog, SlotDialog) and dialog.isVisible()
    option = dialog.chosen()
    assert option is not None
    click(dialog.ok_button)
    after = course_of(ctx, MBC_MRN)
    assert after is not None
    assert after["cycles"][0]["start"] > before["cycles"][0]["start"]
    assert after["cycles"][0]["chair"] == option.chair


def test_record_lab_result_from_the_course_panel_and_rebook_when_it_arrives(
    window: MainWindow,
) -> None:
    ctx = window.ctx
    feature = choose_patient(window, MBC_MRN)
    strip = feature.readiness
    hold_platelets(window)
    click(strip.await_button)
    assert (MBC_MRN, MBC_CYCLE) in strip.awaiting
    assert "re-book when the result arrives" in strip.label.text()

    click(strip.lab_button)
    dialog = strip.dialog
    assert isinstance(dialog, LabResultDialog)
    dialog.test_combo.setCurrentIndex(dialog.test_combo.findData("platelets"))
    assert not dialog.uln_edit.isEnabled()
    QTest.keyClicks(dialog.value_edit, "abc")
    click(dialog.ok_button)
    assert "value" in dialog.error_label.text()  # refused, naming the field
    stored = list(sqlite_of(ctx.store).query("SELECT * FROM lab_results WHERE test = 'platelets'"))
    assert len(stored) == 1  # only the 40,000 of the set-up

    dialog.value_edit.clear()
    QTest.keyClicks(dialog.value_edit, "90000")
    click(dialog.ok_button)
    values = sorted(r["value"] for r in sqlite_of(ctx.store).query("SELECT * FROM lab_results"))
    assert values == [HOLD_PLATELETS, 90_000]
    # The hold cleared (platelets recovered): the slot finder opens to re-book the dose.
    rebook = strip.dialog
    assert isinstance(rebook, SlotDialog) and rebook.isVisible()
    assert "Re-book cycle 1" in rebook.windowTitle()
    assert (MBC_MRN, MBC_CYCLE) not in strip.awaiting
    rebook.reject()


def test_day_list_shows_each_booked_dose_readiness(window: MainWindow) -> None:
    hold_platelets(window)
    model = window.model
    rows = [r for r in range(model.rowCount()) if model.row_data(r).mrn == MBC_MRN]
    assert rows
    text = str(model.index(rows[0], DayColumn.READY).data())
    assert text.startswith("HOLD: platelets 40,000"), text
    assert "platelets" in str(
        model.index(rows[0], DayColumn.READY).data(Qt.ItemDataRole.ToolTipRole)
    )
    given = [r for r in range(model.rowCount()) if model.row_data(r).appointment.status == "given"]
    assert given and model.index(given[0], DayColumn.READY).data() == ""


# --- the models ------------------------------------------------------------------------------
def test_models_with_readiness_pass_the_model_tester(qtmodeltester, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    readiness_service.add_lab(
        ctx, mrn=MBC_MRN, test="platelets", value=HOLD_PLATELETS, uln=None,
        at=DEMO_NOW - timedelta(hours=4),
    )  # fmt: skip
    view = find_course_view(ctx.store, MBC_MRN)
    assert view is not None
    cycles = CourseCyclesModel()
    cycles.load(view, booked_readiness(ctx.store, view))
    assert cycles.readiness
    qtmodeltester.check(cycles)
    day = DayAppointmentsModel(load_settings(ctx.store))
    day.reload(ctx.store, load_settings(ctx.store).calendar.local_date(DEMO_NOW))
    qtmodeltester.check(day)
    queue = PharmacyQueueModel()
    queue.reload(ctx.store, DEMO_NOW)
    assert any(queue.not_ready(queue.row_data(r)) for r in range(queue.rowCount()))
    qtmodeltester.check(queue)
