"""Patients: Export calendar... (a save dialog, then the .ics) and Print appointment card."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from PySide6.QtWidgets import QFileDialog

from tdm1_scheduler.cli.course_json import course_json
from tdm1_scheduler.services import queries

from .conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def choose_booked_patient(window):
    feature = window.features["patients_panel"]
    panel = feature.panel
    for row in range(panel.patient_model.rowCount()):
        mrn = panel.patient_model.mrn_at(row)
        try:
            view = course_json(queries.course_view(window.ctx.store, mrn))
        except Exception:
            continue
        if view["status"] == "active" and any(c["status"] == "booked" for c in view["cycles"]):
            assert panel.select_mrn(mrn)
            return feature, mrn, view
    raise AssertionError("the demo clinic has no patient with a booked visit")


def test_export_calendar_writes_the_ics_named_as_suggested(window, qtbot, tmp_path, monkeypatch):
    feature, mrn, view = choose_booked_patient(window)
    asked = {}

    def fake_dialog(parent, title, suggested, filters):
        asked.update(title=title, suggested=suggested, filters=filters)
        return str(tmp_path / suggested), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_dialog))
    action = window.findChild(type(feature.exports.export_action), "exportCalendarAction")
    assert action is feature.exports.export_action and action.isEnabled()
    action.trigger()
    assert asked["suggested"] == f"kadcyla-visits-{mrn}.ics" and "*.ics" in asked["filters"]
    path = tmp_path / asked["suggested"]
    calendar = Calendar.from_ical(path.read_bytes())
    starts = sorted(e.decoded("DTSTART").isoformat() for e in calendar.walk("VEVENT"))
    booked = sorted(
        c["start"] for c in view["cycles"]
        if c["status"] == "booked" and c["end"] > window.ctx.clock.now().isoformat()
    )  # fmt: skip
    assert starts and set(starts) <= {c["start"] for c in view["cycles"]}
    assert len(starts) == len(booked)
    assert "Calendar saved" in window.statusBar().currentMessage()
    assert (path.stat().st_mode & 0o777) == 0o600


def test_export_calendar_refuses_to_replace_another_file(window, tmp_path, monkeypatch):
    feature, _mrn, _view = choose_booked_patient(window)
    notes = tmp_path / "notes.ics"
    notes.write_bytes(b"not a calendar\n")
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(notes), "iCalendar"))
    )
    assert feature.exports.ask_export_calendar() is None
    assert notes.read_bytes() == b"not a calendar\n"
    assert feature.exports.refusal is not None
    feature.exports.refusal.close()


def test_print_appointment_card_opens_a_preview_of_one_page(window, qtbot):
    from PySide6.QtGui import QImage, QPainter

    from tdm1_scheduler.reports.card import build_card
    from tdm1_scheduler.reports.card_paint import paint_card
    from tdm1_scheduler.services.exchange import patient_calendar

    feature, mrn, _view = choose_booked_patient(window)
    feature.exports.card_action.trigger()
    preview = feature.exports.preview
    assert preview is not None and preview.objectName() == "appointmentCardPreview"
    card = build_card(patient_calendar(window.ctx.store, mrn), window.ctx.clock.now())
    assert card.rows and card.mrn == mrn
    image = QImage(600, 800, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFF)
    painter = QPainter(image)
    paint_card(card, painter, 560.0, 72.0)
    painter.end()
    assert any(image.pixel(x, y) != 0xFFFFFFFF for x in range(0, 560, 4) for y in range(0, 200, 4))
    preview.close()
