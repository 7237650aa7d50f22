"""The Book course dialog (issue 13): times typed as a person types them (real key
events), refusals named by field, the patient named, and why a chosen chair is not kept."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtTest import QTest

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.gui.patients.dialogs import BookCourseDialog
from tdm1_scheduler.gui.patients.models import find_course_view
from tdm1_scheduler.services import courses, patients
from tdm1_scheduler.services.context import Context, load_settings

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

MONDAY = date(2026, 11, 23)


def course_of(ctx: Context, mrn: str) -> dict[str, Any] | None:
    """The patient's course as ``course show --json`` has it, or None without one."""
    view = find_course_view(ctx.store, mrn)
    return None if view is None else course_json(view)


def _dialog(qtbot: Any, ctx: Context, day: date = MONDAY) -> BookCourseDialog:
    patients.add_patient(ctx, mrn="TYPE1", name="Ada Lovelace", weight_kg=60)
    dialog = BookCourseDialog(ctx, "TYPE1", lambda _changes: None)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.first_date_edit.setDate(QDate(day.year, day.month, day.day))
    return dialog


def _type(edit: Any, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Tab)


@pytest.mark.parametrize("typed", ["1300", "13:00"])
def test_typed_time_books_the_first_dose_there(qtbot: Any, ctx: Context, typed: str) -> None:
    dialog = _dialog(qtbot, ctx)
    _type(dialog.first_time_edit, typed)
    _type(dialog.preferred_time_edit, typed)
    assert dialog.first_time_edit.time() == QTime(13, 0)
    calendar = load_settings(ctx.store).calendar
    first = dialog.model.plan[0].slot.start
    assert calendar.local(first).replace(tzinfo=None) == datetime(2026, 11, 23, 13, 0)
    assert dialog.ok_button.isEnabled()
    plan = [(p.slot.start, p.chair_name) for p in dialog.model.plan]
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    view = course_of(ctx, "TYPE1")
    assert view is not None
    booked = [(datetime.fromisoformat(c["start"]), c["chair"]) for c in view["cycles"]]
    assert booked == plan
    assert calendar.local(booked[0][0]).time() == time(13, 0)


def test_a_time_that_does_not_read_is_refused_by_its_name(qtbot: Any, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx)
    _type(dialog.first_time_edit, "13")
    assert dialog.error_label.text() == "Refused: First dose time: type a time like 13:00 or 1300"
    assert not dialog.ok_button.isEnabled()
    dialog.reject()


def test_a_closed_day_is_refused_as_a_person_names_the_field(qtbot: Any, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx)
    dialog.first_date_edit.setDate(QDate(2026, 11, 21))  # a Saturday
    assert dialog.error_label.text().startswith("Refused: First dose: ")
    assert "first_dose" not in dialog.error_label.text()
    dialog.reject()


def test_a_taken_chair_says_why_and_which_is_offered(qtbot: Any, ctx: Context) -> None:
    quiet = date(2027, 6, 7)  # a Monday far past the demo's bookings
    dialog = _dialog(qtbot, ctx, quiet)
    courses.book_blocked_time(
        ctx, chair="Chair 1", start=load_settings(ctx.store).calendar.at(quiet, time(12, 30)),
        minutes=120, label="pump service",
    )  # fmt: skip
    dialog.chair_combo.setCurrentIndex(dialog.chair_combo.findText("Chair 1"))
    _type(dialog.first_time_edit, "1300")
    summary = dialog.summary_label.text()
    offered = dialog.model.plan[0].chair_name
    assert offered != "Chair 1"
    assert f"Chair 1 is taken 12:30-14:30 on Mon 7 Jun; {offered} offered" in summary
    dialog.reject()


@pytest.mark.parametrize("typed", ["2026-11-24", "20261124", "24 Nov 2026", "Tue 2026-11-24"])
def test_typed_date_books_the_first_dose_that_day(qtbot: Any, ctx: Context, typed: str) -> None:
    dialog = _dialog(qtbot, ctx)
    _type(dialog.first_date_edit.edit, typed)
    assert dialog.first_date_edit.date() == QDate(2026, 11, 24)
    assert dialog.first_date_edit.problem() is None
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    view = course_of(ctx, "TYPE1")
    assert view is not None
    calendar = load_settings(ctx.store).calendar
    first = calendar.local(datetime.fromisoformat(view["cycles"][0]["start"]))
    assert first.date() == date(2026, 11, 24)


def test_a_date_that_does_not_read_is_named_and_books_nothing(qtbot: Any, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx)
    _type(dialog.first_date_edit.edit, "31 Feb 2026")
    assert not dialog.ok_button.isEnabled()
    assert dialog.error_label.text().startswith("Refused: First dose date: type a date")
    QTest.keyClick(dialog, Qt.Key.Key_Return)
    assert course_of(ctx, "TYPE1") is None


def test_a_date_picked_from_the_calendar_is_taken(qtbot: Any, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx)
    field = dialog.first_date_edit
    field.calendar.setSelectedDate(QDate(2026, 11, 25))
    field.calendar.clicked.emit(QDate(2026, 11, 25))
    assert field.date() == QDate(2026, 11, 25)
    assert field.text() == "Wed 2026-11-25"


def test_preferred_time_follows_the_first_dose_time_until_edited(qtbot: Any, ctx: Context) -> None:
    dialog = _dialog(qtbot, ctx, date(2027, 6, 7))  # a quiet Monday
    calendar = load_settings(ctx.store).calendar
    _type(dialog.first_time_edit, "1330")
    assert dialog.preferred_time_edit.text() == "13:30"
    assert dialog.preferred_time_edit.time() == QTime(13, 30)
    later = [calendar.local(p.slot.start).time() for p in dialog.model.plan[1:]]
    assert later and all(t == time(13, 30) for t in later)
    _type(dialog.preferred_time_edit, "1000")
    _type(dialog.first_time_edit, "1400")
    assert dialog.first_time_edit.time() == QTime(14, 0)
    assert dialog.preferred_time_edit.time() == QTime(10, 0)
    later = [calendar.local(p.slot.start).time() for p in dialog.model.plan[1:]]
    assert all(t == time(10, 0) for t in later)
    dialog.reject()
