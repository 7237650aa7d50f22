"""The day-sheet model: its figures for the hand-built day in conftest, worked by hand."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlite_utils import Database

from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.reports.day_sheet import (
    BAG_STATUS_TEXT,
    booked_minutes,
    build_day_sheet,
    peak_concurrency,
    sheet_to_json,
)
from tdm1_scheduler.reports.html import BAG_SHORT, bag_cell, document_html, flow_html
from tdm1_scheduler.services import courses, patients, pharmacy
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store.sqlite_store import SqliteStore

from .conftest import DAY, build_clinic, local


def test_utilization_is_booked_over_open_chair_minutes(day_db: Database, clock: FixedClock) -> None:
    sheet = build_day_sheet(SqliteStore(day_db), DAY, clock)
    # Booked: A 75 + B 195 (Chair 1) + C 75 + blocked 60 (Chair 2) + D 195 + E 195 (Chair 3)
    #       = 795 chair-minutes. Open: 08:00-17:00 = 540 min x 4 active chairs = 2160.
    assert sheet.booked_minutes == 795
    assert sheet.open_chair_minutes == 2160
    assert sheet.utilization == 0.3681  # 795 / 2160 = 0.368055...
    assert sheet.chairs_in_use == 3  # Chair 4 holds nothing


def test_peak_is_the_first_instant_most_patients_sit(day_db: Database, clock: FixedClock) -> None:
    sheet = build_day_sheet(SqliteStore(day_db), DAY, clock)
    # A 09:00-10:15, C 09:10-10:25, D 09:20-12:35: three at once from 09:20 until A
    # leaves at 10:15. B (10:30) makes two again; E starts as B leaves (13:45): one.
    assert sheet.peak_concurrent == 3
    assert sheet.peak_at == local("2027-01-12T09:20")


def test_infusion_starts_per_slot_against_the_cap(day_db: Database, clock: FixedClock) -> None:
    sheet = build_day_sheet(SqliteStore(day_db), DAY, clock)
    # Infusion start = chair start + 15 min prep: A 09:15 and C 09:25 share the 09:00
    # slot; D 09:35 -> 09:30; B 10:45 -> 10:30; E 14:00 -> 14:00. 18 slots 08:00-16:30.
    expected = {f"{h:02d}:{m:02d}": 0 for h in range(8, 17) for m in (0, 30)}
    expected.update({"09:00": 2, "09:30": 1, "10:30": 1, "14:00": 1})
    assert sheet.starts_by_slot == expected
    assert sheet.start_cap == 1
    assert sheet.slots_over_cap == ["09:00"]


def test_rows_carry_times_cycles_first_infusion_and_blocked_time(
    day_db: Database, clock: FixedClock
) -> None:
    sheet = build_day_sheet(SqliteStore(day_db), DAY, clock)
    assert [chair.name for chair in sheet.chairs] == ["Chair 1", "Chair 2", "Chair 3", "Chair 4"]
    assert sheet.chairs[3].appointments == ()
    ann, bea = sheet.chairs[0].appointments
    assert (ann.name, ann.mrn, ann.cycle_text, ann.first_infusion) == (
        "Ann Able",
        "A1",
        "2/14",
        False,
    )
    assert (ann.start, ann.infusion_start, ann.infusion_end, ann.observation_end, ann.end) == (
        local("2027-01-12T09:00"),
        local("2027-01-12T09:15"),
        local("2027-01-12T09:45"),
        local("2027-01-12T10:15"),
        local("2027-01-12T10:15"),
    )
    assert (bea.cycle_text, bea.first_infusion) == ("1/14", True)
    assert (bea.infusion_start, bea.infusion_end, bea.observation_end) == (
        local("2027-01-12T10:45"),
        local("2027-01-12T12:15"),
        local("2027-01-12T13:45"),
    )
    cy, blocked = sheet.chairs[1].appointments
    assert (cy.cycle_text, cy.cycles_total, cy.setting) == ("2", None, "MBC")
    assert (blocked.kind, blocked.label, blocked.mrn) == ("blocked", "maintenance", None)
    assert (blocked.start, blocked.end) == (local("2027-01-12T13:00"), local("2027-01-12T14:00"))
    assert [a.mrn for a in sheet.first_infusions] == ["B2", "D4", "E5"]


def test_bag_status_at_the_sheet_clock(day_db: Database, clock: FixedClock) -> None:
    sheet = build_day_sheet(SqliteStore(day_db), DAY, clock)
    status = {a.mrn: a.bag_status for a in sheet.doses}
    assert status == {
        "A1": "not prepared",
        "B2": "vial reconstituted",
        "C3": "not prepared",
        "D4": "bag ready",
        "E5": "not prepared",
    }
    notes = [(note.what, note.appointment.mrn) for note in sheet.bags]
    # In infusion-start order; B's vial (reconstituted yesterday 09:00) expires today 09:00,
    # D's bag (diluted today 07:30) only tomorrow, so D is not listed.
    assert notes == [("prepare", "A1"), ("prepare", "C3"), ("expires", "B2"), ("prepare", "E5")]
    assert sheet.bags[2].expires_at == local("2027-01-12T09:00")
    # Later the same day B's vial has expired: the bag must be made again.
    later = build_day_sheet(SqliteStore(day_db), DAY, FixedClock(local("2027-01-12T09:30")))
    assert {a.mrn: a.bag_status for a in later.doses}["B2"] == "vial expired"
    assert ("prepare", "B2") in [(n.what, n.appointment.mrn) for n in later.bags]


def test_a_closed_day_has_no_open_minutes(day_db: Database, clock: FixedClock) -> None:
    sheet = build_day_sheet(SqliteStore(day_db), date(2027, 1, 16), clock)  # a Saturday
    assert (sheet.open_minutes, sheet.utilization, sheet.peak_concurrent) == (0, 0.0, 0)
    assert sheet.peak_at is None and sheet.starts_by_slot == {}
    assert len(sheet.chairs) == 4


def test_booked_minutes_are_clipped_to_opening_hours() -> None:
    opens, closes = local("2027-01-12T08:00"), local("2027-01-12T17:00")
    intervals = [
        (local("2027-01-12T07:30"), local("2027-01-12T08:30")),  # 30 inside
        (local("2027-01-12T16:00"), local("2027-01-12T18:00")),  # 60 inside
        (local("2027-01-12T06:00"), local("2027-01-12T07:00")),  # none
    ]
    assert booked_minutes(intervals, (opens, closes)) == 90
    assert booked_minutes(intervals, None) == 0


def test_a_booking_ending_as_another_starts_does_not_overlap_it() -> None:
    nine = local("2027-01-12T09:00")
    hour = timedelta(hours=1)
    assert peak_concurrency([(nine, nine + hour), (nine + hour, nine + 2 * hour)]) == (1, nine)
    assert peak_concurrency([]) == (0, None)


def test_html_holds_patients_and_summary(day_db: Database, clock: FixedClock) -> None:
    sheet = build_day_sheet(SqliteStore(day_db), DAY, clock)
    text = flow_html(sheet)
    for name in ("Ann Able", "Bea Baker", "Cy Cole", "Dee Dunn", "Eve Evans"):
        assert name in text
    assert "blocked: maintenance" in text
    assert "Utilization 36.8% (795 of 2160 chair-min)" in text
    assert "Peak 3 patients in chairs at 09:20" in text
    assert "OVER CAP at 09:00" in text
    assert "<b>FIRST</b>" in text and ">2/14<" in text
    whole = document_html(sheet)
    assert "Test Clinic" in whole and "ado-trastuzumab emtansine (KADCYLA)" in whole
    assert "Printed 2027-01-12 08:00" in whole


def test_json_matches_the_model(day_db: Database, clock: FixedClock) -> None:
    data = sheet_to_json(build_day_sheet(SqliteStore(day_db), DAY, clock))
    assert data["utilization"] == 0.3681
    assert data["peak_at"] == "2027-01-12T09:20:00-05:00"
    assert data["slots_over_cap"] == ["09:00"]


def test_model_and_html_never_load_qt() -> None:
    code = (
        "import sys, tdm1_scheduler.reports, tdm1_scheduler.reports.day_sheet, "
        "tdm1_scheduler.reports.html, tdm1_scheduler.cli.reports\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bag_cell_is_short_and_bold_when_a_bag_is_needed(
    day_db: Database, clock: FixedClock
) -> None:
    assert set(BAG_SHORT) == set(BAG_STATUS_TEXT.values())  # every state has a short word
    sheet = build_day_sheet(SqliteStore(day_db), DAY, clock)
    cells = {a.mrn: bag_cell(sheet, a) for a in sheet.doses}
    assert cells == {
        "A1": ("prepare", True),
        "B2": ("vial \u219209:00", False),  # reconstituted; the vial runs out at 09:00 today
        "C3": ("prepare", True),
        "D4": ("ready", False),  # its bag lasts until tomorrow 07:30
        "E5": ("prepare", True),
    }
    later = build_day_sheet(SqliteStore(day_db), DAY, FixedClock(local("2027-01-12T09:30")))
    assert {a.mrn: bag_cell(later, a) for a in later.doses}["B2"] == ("VIAL EXP \u219209:00", True)
    blocked = sheet.chairs[1].appointments[1]
    assert bag_cell(sheet, blocked) == ("", False)


def test_a_given_dose_reads_bag_used_whenever_printed(tmp_path: Path) -> None:
    """The user-tester's report: a given dose whose diluted bag was used read "not
    prepared" (the sheet printed before the pharmacy's recorded steps, e.g. in the
    morning). A given dose's bag is "used"; given with no bag on record: no bag status."""
    db = build_clinic(tmp_path / "used.db")

    def ctx(at: str) -> Context:
        return Context(SqliteStore(db), FixedClock(local(at)), "test")

    for mrn in ("U1", "N2"):
        patients.add_patient(ctx("2026-12-01T08:00"), mrn=mrn, name=f"Pat {mrn}", weight_kg=70)
    courses.book_course(ctx("2026-12-01T08:00"), mrn="U1", setting="EBC",
                        first_dose=local("2027-01-12T09:00"), chair="Chair 1")  # fmt: skip
    courses.book_course(ctx("2026-12-01T08:00"), mrn="N2", setting="EBC",
                        first_dose=local("2027-01-12T09:00"), chair="Chair 2")  # fmt: skip
    pharmacy.record_reconstitution(ctx("2027-01-12T07:00"), mrn="U1", cycle=1,
                                   at=local("2027-01-12T07:00"))  # fmt: skip
    pharmacy.record_dilution(ctx("2027-01-12T07:30"), mrn="U1", cycle=1,
                             at=local("2027-01-12T07:30"))  # fmt: skip
    for mrn in ("U1", "N2"):
        courses.record_dose_given(ctx("2027-01-12T12:00"), mrn=mrn, cycle=1,
                                  given_at=local("2027-01-12T09:15"))  # fmt: skip
    for printed in ("2027-01-12T06:30", "2027-01-12T08:00", "2027-01-12T13:00"):
        sheet = build_day_sheet(SqliteStore(db), DAY, FixedClock(local(printed)))
        rows = {a["mrn"]: a for c in sheet_to_json(sheet)["chairs"] for a in c["appointments"]}
        assert rows["U1"]["status"] == "given"
        assert rows["U1"]["bag_status"] == "used", printed
        assert rows["U1"]["bag_expires_at"] is None
        assert rows["N2"]["bag_status"] is None, printed
        assert sheet.bags == ()
        assert "not prepared" not in document_html(sheet)
    db.close()
