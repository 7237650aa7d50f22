"""What the day sheet marks, read back from the PDF (pypdf), and what the day costs in SQL.

A marked day, Tue 2027-01-12 (printed at 10:00), four chairs:

    chair    who                                       what the sheet must mark
    Chair 1  Fiona Featherstonehaugh-Wolfeschlegel     cycle 2 kept at 120 min after a
             09:00 (EBC)                               reaction at cycle 1; not arrived
    Chair 2  Gil Given 08:00 (EBC, cycle 1)            given at 08:20, STOPPED after 40 of
                                                       90 min: the actual times print
    Chair 3  Mo Missed 11:00 (MBC, cycle 1)            marked missed ahead: MISSED
    Chair 4  Bo Bag 13:30 (EBC, cycle 1)               bag diluted yesterday 12:00: expires
                                                       12:00, before its 13:45 start
"""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlite_utils import Database

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports.day_sheet import build_day_sheet, sheet_to_json, with_marks
from tdm1_scheduler.reports.sheet_marks import MARK_LEGEND, Mark
from tdm1_scheduler.services import courses, patients, queries, readiness
from tdm1_scheduler.services.context import Context, load_settings
from tdm1_scheduler.store import repository as repo
from tdm1_scheduler.store.database import to_utc_text
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .conftest import DAY, build_clinic, build_day, build_normal_day, local

paint = pytest.importorskip("tdm1_scheduler.reports.paint")

LONG_NAME = "Fiona Featherstonehaugh-Wolfeschlegel"
PRINTED = FixedClock(local("2027-01-12T10:00"))


def build_marked_day(path: Path) -> Database:
    db = build_clinic(path)

    def ctx(at: str) -> Context:
        return Context(SqliteStore(db), FixedClock(local(at)), "test")

    setup = ctx("2026-12-01T08:00")
    for mrn, name in [("F6", LONG_NAME), ("G7", "Gil Given"), ("M8", "Mo Missed"),
                      ("B9", "Bo Bag")]:  # fmt: skip
        patients.add_patient(setup, mrn=mrn, name=name, weight_kg=70)
    courses.book_course(setup, mrn="F6", setting="EBC", first_dose=local("2026-12-22T09:00"),
                        chair="Chair 1")  # fmt: skip
    courses.record_dose_given(
        ctx("2026-12-22T12:00"), mrn="F6", cycle=1, given_at=local("2026-12-22T09:15"),
        infusion_min=120, tolerated=False, reaction_grade=2,
    )  # fmt: skip
    for mrn, setting, at, chair in [("G7", "EBC", "08:00", "Chair 2"),
                                    ("M8", "MBC", "11:00", "Chair 3"),
                                    ("B9", "EBC", "13:30", "Chair 4")]:  # fmt: skip
        courses.book_course(setup, mrn=mrn, setting=setting,
                            first_dose=local(f"2027-01-12T{at}"), chair=chair)  # fmt: skip
    courses.mark_dose_missed(ctx("2027-01-12T07:00"), mrn="M8", cycle=1)
    courses.record_dose_given(
        ctx("2027-01-12T09:30"), mrn="G7", cycle=1, given_at=local("2027-01-12T08:20"),
        infusion_min=40, tolerated=False, completed=False,
    )  # fmt: skip
    bo = next(
        row.appointment.dose_id
        for row in queries.day_bookings(SqliteStore(db), load_settings(SqliteStore(db)), DAY)
        if row.mrn == "B9"
    )
    with db.conn:
        repo.insert_preparation(
            db,
            {
                "dose_id": bo,
                "reconstituted_at": to_utc_text(local("2027-01-11T11:30")),
                "diluted_at": to_utc_text(local("2027-01-11T12:00")),
                "diluent": "250 mL 0.9% Sodium Chloride",
            },
        )
    return db


@pytest.fixture
def marked(tmp_path: Path) -> Any:
    db = build_marked_day(tmp_path / "m.db")
    sheet = build_day_sheet(SqliteStore(db), DAY, PRINTED)
    db.close()
    return sheet


def test_the_model_marks_each_row(marked: Any) -> None:
    rows = {item.mrn: item for _chair, item in marked.rows}
    codes = {mrn: [m.code for m in item.marks] for mrn, item in rows.items()}
    assert codes["F6"] == ["prolonged", "not_arrived"]
    assert rows["F6"].marks[0].text == "prolonged 120 min"
    assert codes["G7"] == ["first", "stopped"]
    assert rows["G7"].marks[1].text == "STOPPED at 40 of 90 min"
    assert codes["M8"] == ["first", "missed"] and rows["M8"].status == "missed"
    assert rows["M8"].rebooked_to is not None and rows["M8"].rebooked_to > local("2027-01-12T11:00")
    assert codes["B9"] == ["first", "bag_expires"]
    assert rows["B9"].marks[1].text == "bag expires 12:00, before start"
    # The missed visit holds no chair time: it is not among the bookings.
    assert "M8" not in {a.mrn for a in marked.appointments}
    assert [a.mrn for a in marked.missed] == ["M8"]
    # A given dose keeps its recorded times.
    gil = rows["G7"]
    assert (gil.shown_infusion_start, gil.shown_infusion_end) == (
        local("2027-01-12T08:20"),
        local("2027-01-12T09:00"),
    )
    assert gil.infusion_start == local("2027-01-12T08:15")  # the booking, for the JSON
    assert set(marked.mark_codes) <= set(MARK_LEGEND)


def test_the_pdf_holds_every_full_name_and_each_mark(
    qapp: Any, tmp_path: Path, marked: Any
) -> None:
    path = tmp_path / "marked.pdf"
    count = paint.write_pdf(marked, path)
    words = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages)
    text = unicodedata.normalize("NFKC", words)  # the PDF's "fi" ligature reads back as "fi"
    assert count == 1
    for name in (LONG_NAME, "Gil Given", "Mo Missed", "Bo Bag"):
        assert name in text, name
    assert "Fiona Featherstonehaugh-Wol\u2026" not in text and "\u2026" not in text
    for words in (
        "1st infusion",
        "prolonged 120 min",
        "STOPPED at 40 of 90 min",
        "MISSED, re-booked",
        "bag expires 12:00, before start",
        "not arrived at 10:00",
    ):
        assert words in text, words
    # Gil's row prints what was recorded: infusion 08:20-09:00 (booked 08:15-09:45).
    assert "08:20\u201309:00" in text and "08:15\u201309:45" not in text
    # The legend says what each mark of the day means.
    for code in ("first", "prolonged", "stopped", "missed", "not_arrived", "bag_expires"):
        assert MARK_LEGEND[code][1] in text, code


def test_the_json_adds_marks_and_keeps_its_keys(marked: Any) -> None:
    data = sheet_to_json(marked)
    chair1 = data["chairs"][0]["appointments"][0]
    assert chair1["mrn"] == "F6" and chair1["infusion_min"] == 120
    assert [m["code"] for m in chair1["marks"]] == ["prolonged", "not_arrived"]
    gil = data["chairs"][1]["appointments"][0]
    assert gil["actual"]["infusion_start"] == "2027-01-12T08:20:00-05:00"
    assert gil["infusion_start"] == "2027-01-12T08:15:00-05:00"  # the booking, as before
    assert gil["completed"] is False
    assert data["chairs"][2]["appointments"] == [] or all(
        a["mrn"] != "M8" for a in data["chairs"][2]["appointments"]
    )
    assert [a["mrn"] for a in data["chairs"][2]["missed"]] == ["M8"]
    assert data["missed_visits"] == ["M8"]


def test_marks_from_elsewhere_join_the_row(qapp: Any, marked: Any) -> None:
    bo = next(item for _chair, item in marked.rows if item.mrn == "B9")
    extra = Mark("labs_pending", "labs pending", "LABS", True)
    sheet = with_marks(marked, {bo.appointment_id: [extra]})
    again = next(item for _chair, item in sheet.rows if item.mrn == "B9")
    assert [m.code for m in again.marks] == ["first", "bag_expires", "labs_pending"]
    assert "labs_pending" in sheet.mark_codes
    data, _count = paint.pdf_bytes(sheet)
    assert data.startswith(b"%PDF")


def statements(db: Database, day_sheet: Any) -> list[str]:
    seen: list[str] = []
    conn: sqlite3.Connection = db.conn
    conn.set_trace_callback(seen.append)
    try:
        day_sheet()
    finally:
        conn.set_trace_callback(None)
    return seen


def test_a_day_costs_the_same_statements_for_5_or_60_appointments(tmp_path: Path) -> None:
    small = build_day(tmp_path / "small.db")  # 5 doses (2 with a preparation), 1 blocked
    big = build_normal_day(tmp_path / "big.db", 15)  # 60 doses
    clock = FixedClock(local("2027-01-12T08:00"))
    few = statements(small, lambda: build_day_sheet(SqliteStore(small), DAY, clock))
    many = statements(big, lambda: build_day_sheet(SqliteStore(big), DAY, clock))
    assert len(build_day_sheet(SqliteStore(small), DAY, clock).doses) == 5
    assert len(build_day_sheet(SqliteStore(big), DAY, clock).doses) == 60
    # settings, chairs, the day's rows, and the readiness of the booked doses (labs, LVEF,
    # doses given): a constant, whatever the day holds
    assert len(few) == len(many) <= 16, (few, many)
    small.close()
    big.close()


@pytest.mark.parametrize(("gate", "marked"), [("warn", True), ("enforce", True), ("off", False)])
def test_readiness_marks_labs_pending_and_lvef_due(
    qapp: Any, tmp_path: Path, gate: str, marked: bool
) -> None:
    """Issue 17: a booked dose whose liver tests and platelets are not in, and whose LVEF
    is due, is marked on the sheet ("labs pending", "LVEF due"); a patient with no result
    recorded at all is marked only under enforce; nothing under off."""
    db = build_day(tmp_path / "ready.db")
    ctx = Context(SqliteStore(db), FixedClock(local("2027-01-11T08:00")), "test")
    readiness.set_readiness_settings(ctx, {"readiness_gate": gate})
    sheet = build_day_sheet(SqliteStore(db), DAY, FixedClock(local("2027-01-12T08:00")))
    booked = [item for _chair, item in sheet.rows if item.is_dose and item.status == "booked"]
    first, rest = booked[0], booked[1:]
    # one result, long ago: this patient's labs are pending and an LVEF is due
    readiness.add_lab(ctx, mrn=first.mrn, test="platelets", value=200000, uln=None,
                      at=local("2026-06-01T08:00"))  # fmt: skip
    sheet = build_day_sheet(SqliteStore(db), DAY, FixedClock(local("2027-01-12T08:00")))
    codes = {item.mrn: [m.code for m in item.marks] for _chair, item in sheet.rows}
    assert ("labs_pending" in codes[first.mrn]) is marked
    assert ("lvef_due" in codes[first.mrn]) is marked
    for other in rest:  # no result at all
        assert ("labs_pending" in codes[other.mrn]) is (gate == "enforce")
    if marked:
        path = tmp_path / "ready.pdf"
        paint.write_pdf(sheet, path)
        pages = PdfReader(str(path)).pages
        text = " ".join(" ".join(page.extract_text().split()) for page in pages)
        assert "labs pending" in text and "LVEF due" in text
    db.close()


@pytest.mark.parametrize("gate", ["warn", "enforce", "off"])
def test_readiness_marks_the_verdict_and_names_the_missing_labs(
    qapp: Any, tmp_path: Path, gate: str
) -> None:
    """The user-tester's report: an MBC dose with platelets 40,000 is HOLD everywhere but
    the sheet marked only "LABS"/"LVEF". The verdict (hold, reduce, stop; review for EBC)
    is a mark, its first reason in the table; "labs pending" names what is not in."""
    db = build_day(tmp_path / "hold.db")
    ctx = Context(SqliteStore(db), FixedClock(local("2027-01-11T08:00")), "test")
    readiness.set_readiness_settings(ctx, {"readiness_gate": gate})
    at = local("2027-01-11T08:00")
    for test, value, uln in [("platelets", 40000, None), ("ast", 20, 40), ("alt", 20, 40),
                             ("bilirubin", 0.5, 1.2)]:  # fmt: skip
        readiness.add_lab(ctx, mrn="C3", test=test, value=value, uln=uln, at=at)  # MBC
    readiness.add_lab(ctx, mrn="D4", test="platelets", value=40000, uln=None, at=at)  # EBC
    sheet = build_day_sheet(SqliteStore(db), DAY, FixedClock(local("2027-01-12T08:00")))
    marks = {item.mrn: {m.code: m for m in item.marks} for _chair, item in sheet.rows}
    if gate == "off":
        assert all("verdict" not in found for found in marks.values())
        db.close()
        return
    hold = marks["C3"]["verdict"]
    assert (hold.grid, hold.alert) == ("HOLD", True)
    assert hold.text.startswith("HOLD: platelets 40,000/mm³: platelets grade 3")
    assert "labs_pending" not in marks["C3"]  # every lab is in
    review = marks["D4"]["verdict"]
    assert review.grid == "REVIEW" and "platelets 40,000/mm³" in review.text
    assert "EBC course" not in review.text  # the unverified-table note is not the reason
    assert marks["D4"]["labs_pending"].text == "labs pending: AST, ALT, total bilirubin"
    assert MARK_LEGEND["labs_pending"][1] == (
        "a liver test or platelet count for this dose is not in yet"
    )
    assert "verdict" in sheet.mark_codes
    path = tmp_path / "hold.pdf"
    paint.write_pdf(sheet, path)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(path)).pages)
    assert "HOLD" in text and "REVIEW" in text
    verdicts = {a["mrn"]: [m["code"] for m in a["marks"]]
                for c in sheet_to_json(sheet)["chairs"] for a in c["appointments"]}  # fmt: skip
    assert "verdict" in verdicts["C3"]
    db.close()
