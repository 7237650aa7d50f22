"""The patients dock on the demo clinic: search, new patient, book a course, mark missed.

Dialogs are opened with ``open()`` (never ``exec()``) and driven with real key and mouse
events; every model is checked with qtmodeltester.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget, QLineEdit, QToolButton, QWidget

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.domain.booking import Slot
from tdm1_scheduler.domain.records import AppointmentView
from tdm1_scheduler.domain.regimen import ChairTime
from tdm1_scheduler.gui.main_window import MainWindow
from tdm1_scheduler.gui.patients.dialogs import (
    BookCourseDialog,
    MarkMissedDialog,
    NewPatientDialog,
)
from tdm1_scheduler.gui.patients.models import (
    CourseCyclesModel,
    MovesModel,
    PatientListModel,
    ProposalModel,
    ProposedCycle,
    find_course_view,
    find_patients,
)
from tdm1_scheduler.gui.patients.panel import PatientsFeature, PatientsPanel
from tdm1_scheduler.services import patients
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.services.queries import day_bookings
from tdm1_scheduler.store import repository as repo
from tests.store.backends import sqlite_of

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

BUSY_DAY = date(2026, 11, 18)


def feature_of(window: MainWindow) -> PatientsFeature:
    feature = window.features["patients_panel"]
    assert isinstance(feature, PatientsFeature)
    return feature


def shown_patients(panel: PatientsPanel) -> list[tuple[str, str]]:
    model = panel.patient_model
    return [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())]


def type_search(panel: PatientsPanel, text: str) -> None:
    panel.search_edit.clear()
    panel.search_edit.setFocus()
    QTest.keyClicks(panel.search_edit, text)


def click_row(panel: PatientsPanel, mrn: str) -> None:
    """Click the patient's row in the results, as a person would."""
    row = panel.patient_model.row_of_mrn(mrn)
    assert row is not None, mrn
    view = panel.patient_view
    view.scrollTo(panel.patient_model.index(row, 1))
    rect = view.visualRect(panel.patient_model.index(row, 1))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def click(button: QWidget) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def retype(edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    QTest.keyClicks(edit, text)


# --- the dock and its actions ----------------------------------------------------------
def test_dock_actions_and_accessible_names(window: MainWindow) -> None:
    feature = feature_of(window)
    dock = window.findChild(QDockWidget, "patientsDock")
    assert dock is feature.dock
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    tools = [a.objectName() for a in window.menu("tools").actions()]
    for name in ("newPatientAction", "bookCourseAction", "markMissedAction"):
        assert name in tools
    assert feature.new_patient_action.shortcut().toString() == "Ctrl+N"
    for widget in feature.panel.findChildren(QWidget):
        if widget.isVisible() and isinstance(widget, (QLineEdit, QToolButton)):
            assert widget.accessibleName(), widget.objectName()
    assert feature.panel.patient_view.accessibleName()
    assert feature.panel.course_view.accessibleName()


def course_of(ctx: Context, mrn: str) -> dict[str, Any] | None:
    """The patient's course as ``course show --json`` has it, or None without one."""
    view = find_course_view(ctx.store, mrn)
    return None if view is None else course_json(view)


# --- search ------------------------------------------------------------------------------
def test_typing_filters_patients_by_name_and_by_mrn(window: MainWindow, ctx: Context) -> None:
    panel = feature_of(window).panel
    everyone = find_patients(ctx.store, "")
    assert len(shown_patients(panel)) == len(everyone) > 10
    target = everyone[len(everyone) // 2]
    surname = str(target.name).split()[-1]
    type_search(panel, surname.lower())
    by_name = shown_patients(panel)
    assert by_name and len(by_name) < len(everyone)
    assert (target.mrn, target.name) in by_name
    assert all(surname.lower() in name.lower() for _mrn, name in by_name)
    type_search(panel, str(target.mrn))
    assert shown_patients(panel) == [(target.mrn, target.name)]
    type_search(panel, "no such patient")
    assert shown_patients(panel) == []


def test_choosing_a_patient_shows_every_cycle_of_the_course(
    window: MainWindow, ctx: Context
) -> None:
    panel = feature_of(window).panel
    ebc = next(
        p
        for p in find_patients(ctx.store, "")
        if (v := course_of(ctx, p.mrn)) and v["setting"] == "EBC"
    )
    type_search(panel, ebc.mrn)
    click_row(panel, ebc.mrn)
    assert panel.current_mrn == ebc.mrn
    view = course_of(ctx, ebc.mrn)
    assert view is not None
    model = panel.cycles_model
    assert model.rowCount() == len(view["cycles"]) == 14
    assert [model.index(r, 0).data() for r in range(14)] == [f"{n} of 14" for n in range(1, 15)]
    statuses = [model.index(r, 1).data() for r in range(14)]
    assert statuses == [
        c["status"] + (" (missed 1x)" if c["missed"] else "") for c in view["cycles"]
    ]
    for row, cycle in enumerate(view["cycles"]):
        assert model.index(row, 5).data() == cycle["chair"]
        assert model.index(row, 7).data() == str(cycle["infusion_min"])
    assert ebc.name in panel.course_label.text()


def test_a_move_rereads_the_course_not_the_search(
    window: MainWindow, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change that names no patient leaves the search alone and shows the chosen
    patient's course as it now is; a new patient runs the search again."""
    from datetime import timedelta

    from tdm1_scheduler.gui.patients import models as patient_models
    from tdm1_scheduler.services import courses

    panel = feature_of(window).panel
    view = next(
        v
        for p in find_patients(ctx.store, "")
        if (v := course_of(ctx, p.mrn))
        and v["status"] == "active"
        and any(c["status"] == "booked" and c["cycle"] > 1 for c in v["cycles"])
    )
    type_search(panel, view["mrn"])
    click_row(panel, view["mrn"])
    searches: list[str] = []
    real = patient_models.find_patients
    monkeypatch.setattr(
        patient_models, "find_patients", lambda db, text: searches.append(text) or real(db, text)
    )
    position, last = max(
        ((n, c) for n, c in enumerate(view["cycles"]) if c["status"] == "booked"),
        key=lambda pair: pair[0],
    )
    week_later = datetime.fromisoformat(last["start"]).replace(hour=8, minute=0) + timedelta(7)
    window.apply_changes(
        courses.move_appointment(ctx, mrn=view["mrn"], cycle=last["cycle"], to=week_later)
    )
    assert searches == []
    now_booked = course_of(ctx, view["mrn"])["cycles"][position]["start"]  # type: ignore[index]
    assert now_booked != last["start"]
    assert panel.cycles_model.row_data(position).start == datetime.fromisoformat(now_booked)
    window.apply_changes(patients.add_patient(ctx, mrn="NEW1", name="New Person", weight_kg=70))
    assert searches != []


# --- new patient -------------------------------------------------------------------------
def open_new_patient(qtbot: Any, window: MainWindow) -> NewPatientDialog:
    feature = feature_of(window)
    click(feature.new_button)
    dialog = feature.dialog
    assert isinstance(dialog, NewPatientDialog)
    qtbot.waitExposed(dialog)
    return dialog


def test_new_patient_refuses_a_weight_out_of_range(
    qtbot: Any, window: MainWindow, ctx: Context
) -> None:
    dialog = open_new_patient(qtbot, window)
    assert not dialog.ok_button.isEnabled()  # an empty form cannot be saved
    QTest.keyClicks(dialog.mrn_edit, "NEW777")
    QTest.keyClicks(dialog.name_edit, "Ines Whitfield")
    high = load_settings(ctx.store).weight_max_kg
    QTest.keyClicks(dialog.weight_edit, f"{high + 1:g}")
    assert not dialog.ok_button.isEnabled()
    assert dialog.weight_edit.property("invalid") is True
    assert "outside the plausible" in dialog.error_label.text()
    assert dialog.mrn_edit.property("invalid") is False
    retype(dialog.weight_edit, "seventy")
    assert not dialog.ok_button.isEnabled()
    assert "must be a number" in dialog.error_label.text()
    click(dialog.ok_button)  # disabled: nothing happens
    assert dialog.isVisible()
    assert repo.patient_by_mrn(sqlite_of(ctx.store), "NEW777") is None
    # A two-word MRN is marked too.
    retype(dialog.weight_edit, "70")
    retype(dialog.mrn_edit, "NEW 777")
    assert dialog.mrn_edit.property("invalid") is True
    assert not dialog.ok_button.isEnabled()
    dialog.reject()


def test_new_patient_shows_the_services_refusal(
    qtbot: Any, window: MainWindow, ctx: Context
) -> None:
    existing = find_patients(ctx.store, "")[0]
    dialog = open_new_patient(qtbot, window)
    QTest.keyClicks(dialog.mrn_edit, existing.mrn)
    QTest.keyClicks(dialog.name_edit, "Someone Else")
    QTest.keyClicks(dialog.weight_edit, "70")
    assert dialog.ok_button.isEnabled()
    click(dialog.ok_button)
    assert dialog.isVisible()
    assert "already exists" in dialog.error_label.text()
    assert dialog.mrn_edit.property("invalid") is True
    unchanged = repo.patient_by_mrn(sqlite_of(ctx.store), existing.mrn)
    assert unchanged is not None and unchanged["name"] == existing.name
    dialog.reject()


def test_new_patient_is_added_and_chosen(qtbot: Any, window: MainWindow, ctx: Context) -> None:
    dialog = open_new_patient(qtbot, window)
    QTest.keyClicks(dialog.mrn_edit, "NEW778")
    QTest.keyClicks(dialog.name_edit, "Vera   Okafor")
    QTest.keyClicks(dialog.weight_edit, "64.5")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(window.sig_data_changed, timeout=2000):
        click(dialog.ok_button)
    assert not dialog.isVisible()
    row = repo.patient_by_mrn(sqlite_of(ctx.store), "NEW778")
    assert row is not None and row["name"] == "Vera Okafor" and row["weight_kg"] == 64.5
    panel = feature_of(window).panel
    assert panel.current_mrn == "NEW778"
    assert "no course yet" in panel.course_label.text()
    assert feature_of(window).book_course_action.isEnabled()


# --- book a course ---------------------------------------------------------------------
def test_book_course_shows_the_whole_plan_then_books_it(
    qtbot: Any, window: MainWindow, ctx: Context, qtmodeltester: Any
) -> None:
    patients.add_patient(ctx, mrn="BOOK1", name="Grace Moreau", weight_kg=61)
    feature = feature_of(window)
    type_search(feature.panel, "BOOK1")
    click_row(feature.panel, "BOOK1")
    click(feature.book_button)
    dialog = feature.dialog
    assert isinstance(dialog, BookCourseDialog)
    qtbot.waitExposed(dialog)
    dialog.first_date_edit.setDate(QDate(2026, 11, 23))  # a Monday
    dialog.first_time_edit.setTime(QTime(10, 0))
    dialog.preferred_time_edit.setTime(QTime(10, 0))
    model = dialog.model
    assert model.rowCount() == 14
    qtmodeltester.check(model, force_py=True)
    assert [model.index(r, 0).data() for r in range(14)] == [f"{n} of 14" for n in range(1, 15)]
    assert model.index(0, 5).data() == "90" and model.index(0, 6).data() == "90"
    assert all(model.index(r, 5).data() == "30" for r in range(1, 14))
    assert model.index(0, 1).data() == "Mon 2026-11-23"
    assert "Nothing is saved" in dialog.summary_label.text()
    assert course_of(ctx, "BOOK1") is None  # nothing written yet
    plan = [(p.slot.start, p.chair_name) for p in model.plan]
    assert dialog.ok_button.isEnabled()
    click(dialog.ok_button)
    assert not dialog.isVisible()
    view = course_of(ctx, "BOOK1")
    assert view is not None and view["setting"] == "EBC"
    booked = [c for c in view["cycles"] if c["status"] == "booked"]
    assert len(booked) == 14
    assert [(datetime.fromisoformat(c["start"]), c["chair"]) for c in booked] == plan
    assert feature.panel.cycles_model.rowCount() == 14
    assert not feature.book_course_action.isEnabled()  # an active course now


def test_book_course_mbc_and_a_closed_day(qtbot: Any, window: MainWindow, ctx: Context) -> None:
    patients.add_patient(ctx, mrn="BOOK2", name="Nadia Petrov", weight_kg=58)
    before = "\n".join(sqlite_of(ctx.store).conn.iterdump())
    dialog = BookCourseDialog(ctx, "BOOK2", window.apply_changes, window)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.setting_combo.setCurrentIndex(dialog.setting_combo.findData("MBC"))
    assert dialog.model.rowCount() == load_settings(ctx.store).rules.mbc_horizon_cycles
    assert dialog.model.index(0, 0).data() == "1"
    dialog.first_date_edit.setDate(QDate(2026, 11, 21))  # a Saturday: closed
    assert dialog.model.rowCount() == 0
    assert not dialog.ok_button.isEnabled()
    assert dialog.error_label.text().startswith("Refused: First dose: ")
    assert "\n".join(sqlite_of(ctx.store).conn.iterdump()) == before
    dialog.reject()


def test_book_course_refused_for_a_patient_with_an_active_course(
    qtbot: Any, window: MainWindow, ctx: Context
) -> None:
    mrn = next(
        p.mrn
        for p in find_patients(ctx.store, "")
        if (v := course_of(ctx, p.mrn)) and v["status"] == "active"
    )
    dialog = BookCourseDialog(ctx, mrn, window.apply_changes, window)
    qtbot.addWidget(dialog)
    dialog.open()
    assert dialog.model.rowCount() > 0  # the plan still shows
    assert not dialog.ok_button.isEnabled()
    assert "already has an active" in dialog.error_label.text()
    dialog.reject()


def test_book_course_names_a_rule_from_an_earlier_course_before_saving(
    qtbot: Any, window: MainWindow, ctx: Context
) -> None:
    """A patient whose stopped EBC course gave a dose: a second EBC course is refused in
    the dialog, before OK, by the same rule the booking service applies."""
    from tdm1_scheduler.services import courses

    mrn = next(
        p.mrn
        for p in find_patients(ctx.store, "")
        if (v := course_of(ctx, p.mrn))
        and v["status"] == "active"
        and v["setting"] == "EBC"
        and v["cycles_given"] > 0
    )
    courses.stop_course(ctx, mrn=mrn, reason="other")
    before = "\n".join(sqlite_of(ctx.store).conn.iterdump())
    dialog = BookCourseDialog(ctx, mrn, window.apply_changes, window)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.setting_combo.setCurrentIndex(dialog.setting_combo.findData("EBC"))
    assert dialog.model.rowCount() == 14  # the plan shows...
    assert not dialog.ok_button.isEnabled()  # ...but it cannot be booked, and says why
    assert "14 doses in total" in dialog.error_label.text()
    assert "\n".join(sqlite_of(ctx.store).conn.iterdump()) == before
    dialog.reject()


# --- mark missed -----------------------------------------------------------------------
def later_booked_dose_today(ctx: Context) -> AppointmentView:
    """A booked dose on the demo's busy day that starts after now (10:00)."""
    settings = load_settings(ctx.store)
    rows = [
        r
        for r in day_bookings(ctx.store, settings, BUSY_DAY)
        if r.appointment.kind == "dose"
        and r.appointment.status == "booked"
        and r.appointment.start >= datetime(2026, 11, 18, 16, tzinfo=UTC)
    ]
    for row in rows:
        view = course_of(ctx, str(row.mrn))
        if view is None or view["status"] != "active":
            continue
        booked = [c for c in view["cycles"] if c["status"] == "booked"]
        if len(booked) > 2 and booked[0]["cycle"] == row.cycle:
            return row
    raise AssertionError("the demo has no later booked dose on the busy day")


def test_mark_missed_shows_the_proposal_then_commits(
    qtbot: Any, window: MainWindow, ctx: Context, qtmodeltester: Any
) -> None:
    row = later_booked_dose_today(ctx)
    mrn, cycle = str(row.mrn), int(row.cycle or 0)
    feature = feature_of(window)
    type_search(feature.panel, mrn)
    click_row(feature.panel, mrn)
    assert feature.mark_missed_action.isEnabled()
    before = "\n".join(sqlite_of(ctx.store).conn.iterdump())
    click(feature.missed_button)
    dialog = feature.dialog
    assert isinstance(dialog, MarkMissedDialog)
    qtbot.waitExposed(dialog)
    assert dialog.cycle == cycle
    assert "\n".join(sqlite_of(ctx.store).conn.iterdump()) == before  # the preview wrote nothing
    answer = dialog.answer
    assert answer.allowed and answer.changes is not None
    move = answer.changes.moves[0]
    local = load_settings(ctx.store).calendar.local(move.new_start)
    assert f"{local:%a %Y-%m-%d %H:%M}" in dialog.new_slot_label.text()
    assert move.new_chair in dialog.new_slot_label.text()
    later = answer.changes.later_moves
    assert dialog.moves_model.rowCount() == len(later) > 0
    assert "later cycle" in dialog.later_label.text()
    qtmodeltester.check(dialog.moves_model, force_py=True)
    assert dialog.ok_button.isEnabled()
    click(dialog.ok_button)
    assert not dialog.isVisible()
    view = course_of(ctx, mrn)
    assert view is not None
    current = next(c for c in view["cycles"] if c["cycle"] == cycle)
    assert len(current["missed"]) == 1
    assert datetime.fromisoformat(current["start"]) == move.new_start
    assert current["chair"] == move.new_chair
    statuses = [
        feature.panel.cycles_model.index(r, 1).data()
        for r in range(feature.panel.cycles_model.rowCount())
    ]
    assert "booked (missed 1x)" in statuses


def test_mark_missed_refusal_is_shown(qtbot: Any, window: MainWindow, ctx: Context) -> None:
    row = later_booked_dose_today(ctx)
    mrn, cycle = str(row.mrn), int(row.cycle or 0)
    dialog = MarkMissedDialog(ctx, mrn, cycle + 1, window.apply_changes, window)
    qtbot.addWidget(dialog)
    dialog.open()
    assert not dialog.answer.allowed
    assert "not the next dose" in dialog.error_label.text()
    assert not dialog.ok_button.isEnabled()
    dialog.reject()


# --- models ---------------------------------------------------------------------------------
def test_every_model_passes_modeltester(qtmodeltester: Any, ctx: Context) -> None:
    patients_model = PatientListModel()
    patients_model.reload(ctx.store, "")
    assert patients_model.rowCount() > 0
    qtmodeltester.check(patients_model, force_py=True)
    patients_model.reload(ctx.store, "zzz-nobody")
    qtmodeltester.check(patients_model, force_py=True)

    cycles_model = CourseCyclesModel()
    mrn = find_patients(ctx.store, "")[0].mrn
    cycles_model.load(find_course_view(ctx.store, mrn))
    assert cycles_model.rowCount() > 0
    qtmodeltester.check(cycles_model, force_py=True)
    cycles_model.load(None)
    qtmodeltester.check(cycles_model, force_py=True)

    calendar = load_settings(ctx.store).calendar
    proposal = ProposalModel(calendar)
    start = calendar.at(BUSY_DAY, time(9, 0))
    proposal.show_plan("EBC", [ProposedCycle(1, Slot(1, start, ChairTime(15, 90, 90)), "Chair 1")])
    qtmodeltester.check(proposal, force_py=True)
    assert proposal.index(0, 2).data() == "09:00-12:15"

    moves = MovesModel(calendar)
    qtmodeltester.check(moves, force_py=True)


def test_choosing_a_patient_reads_the_course_once(
    window: MainWindow, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tdm1_scheduler.gui.patients import panel as module

    panel = feature_of(window).panel
    mrn = next(p.mrn for p in find_patients(ctx.store, "") if find_course_view(ctx.store, p.mrn))
    type_search(panel, mrn)
    reads: list[str] = []
    real = module.find_course_view
    monkeypatch.setattr(module, "find_course_view", lambda db, m: reads.append(m) or real(db, m))
    assert panel.select_mrn(mrn)
    assert reads == [mrn]
    assert panel.current_mrn == mrn
