"""``course ical``, ``export fhir``, ``import fhir`` and ``closed add --holidays``."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from fhir.resources.R4B.bundle import Bundle
from icalendar import Calendar

from .conftest import db_hash
from .targets import Target, rows


def one_refusal(result, name: str) -> None:
    assert result.code == 2, result
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("refused: ") and name in lines[0], result.err


def course(cli, mrn: str) -> dict:
    result = cli("course", "show", "--mrn", mrn, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


# --- course ical ----------------------------------------------------------------------------
def test_course_ical_to_stdout_matches_the_course(cli, clinic):
    result = cli("course", "ical", "--mrn", "A1")
    assert result.code == 0, result.err
    calendar = Calendar.from_ical(result.out)
    starts = sorted(e.decoded("DTSTART") for e in calendar.walk("VEVENT"))
    booked = sorted(
        datetime.fromisoformat(c["start"]) for c in course(cli, "A1")["cycles"]
        if c["status"] == "booked"
    )  # fmt: skip
    assert starts == booked and len(starts) == 13
    past = Calendar.from_ical(cli("course", "ical", "--mrn", "A1", "--include-past").out)
    assert len(list(past.walk("VEVENT"))) == 14


def test_course_ical_out_is_private_and_replaces_only_a_calendar(cli, clinic, tmp_path):
    out = tmp_path / "ann.ics"
    result = cli("course", "ical", "--mrn", "A1", "--out", str(out))
    assert result.code == 0, result.err
    assert str(out) in result.out and "13 visit(s)" in result.out
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert (os.stat(out).st_mode & 0o777) == 0o600
    assert cli("course", "ical", "--mrn", "A1", "--out", str(out)).code == 0  # an older one
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"mine\n")
    one_refusal(cli("course", "ical", "--mrn", "A1", "--out", str(notes)), "--out")
    assert notes.read_bytes() == b"mine\n"
    assert cli("course", "ical", "--mrn", "A1", "--out", str(notes), "--force").code == 0


@pytest.mark.sqlite_only("--out names the clinic's own file; a server has no file to name")
def test_course_ical_never_writes_the_database(cli, clinic):
    before = db_hash(clinic)
    one_refusal(cli("course", "ical", "--mrn", "A1", "--out", str(clinic), "--force"), "--out")
    assert db_hash(clinic) == before


def test_course_ical_unknown_patient_is_exit_2(cli, clinic):
    one_refusal(cli("course", "ical", "--mrn", "NOPE"), "mrn")


def test_course_ical_sequence_rises_after_a_move(cli, clinic):
    def events():
        text = cli("course", "ical", "--mrn", "A1").out
        found = Calendar.from_ical(text).walk("VEVENT")
        return {str(e["SUMMARY"]).split("cycle ")[1]: e for e in found}

    before = events()
    moved = cli("appointment", "move", "--mrn", "A1", "--cycle", "2", "--to", "2026-03-24T10:00")
    assert moved.code == 0, moved.err
    after = events()
    assert after["2 of 14"]["UID"] == before["2 of 14"]["UID"]
    assert int(after["2 of 14"]["SEQUENCE"]) > int(before["2 of 14"]["SEQUENCE"])


# --- export fhir / import fhir ------------------------------------------------------------------
def test_export_fhir_is_valid_and_byte_identical(cli, clinic, tmp_path):
    first = cli("export", "fhir", "--from", "2026-03-01", "--to", "2026-03-31")
    assert first.code == 0, first.err
    bundle = Bundle.model_validate_json(first.out)
    assert bundle.type == "collection"
    second = cli("export", "fhir", "--from", "2026-03-01", "--to", "2026-03-31", now=None)
    assert second.out == first.out  # not even the clock changes it
    out = tmp_path / "march.json"
    result = cli("export", "fhir", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(out))
    assert result.code == 0 and "written to" in result.out
    assert out.read_text() == first.out
    assert cli("export", "fhir", "--from", "2026-03-01", "--to", "2026-03-31",
               "--out", str(out)).code == 0  # fmt: skip


def test_export_fhir_bad_range_is_exit_2(cli, clinic):
    one_refusal(cli("export", "fhir", "--from", "2026-03-31", "--to", "2026-03-01"), "to")
    one_refusal(cli("export", "fhir", "--from", "March", "--to", "2026-03-01"), "from")


def test_import_fhir_counts_added_and_unchanged(cli, clinic, tmp_path, new_target):
    path = tmp_path / "march.json"
    path.write_text(cli("export", "fhir", "--from", "2026-03-01", "--to", "2026-03-31").out)
    again = cli("import", "fhir", str(path))
    assert again.code == 0, again.err
    assert again.out.strip() == "0 patient(s) added, 2 unchanged"
    other = new_target("other")
    assert cli("init", "--timezone", "America/New_York", db=other).code == 0
    result = cli("import", "fhir", str(path), db=other)
    assert result.code == 0, result.err
    assert result.out.strip() == "2 patient(s) added, 0 unchanged"


def test_import_fhir_duplicate_mrn_with_another_name_writes_nothing(cli, clinic, tmp_path):
    data = json.loads(cli("export", "fhir", "--from", "2026-03-01", "--to", "2026-03-31").out)
    for entry in data["entry"]:
        if entry["resource"]["resourceType"] == "Patient":
            entry["resource"]["name"] = [{"text": "Not Ann"}]
            break
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(data))
    before = db_hash(clinic)
    result = cli("import", "fhir", str(path))
    one_refusal(result, "mrn")
    assert "A1" in result.err or "B2" in result.err
    assert db_hash(clinic) == before


def test_import_fhir_bad_file_or_resource_is_exit_2(cli, clinic, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "x", "birthDate": "soon"}}]}))  # fmt: skip
    one_refusal(cli("import", "fhir", str(bad)), "Patient/x.birthDate")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    one_refusal(cli("import", "fhir", str(broken)), "file")
    one_refusal(cli("import", "fhir", str(tmp_path / "missing.json")), "file")


# --- closed add --holidays ----------------------------------------------------------------------
def closed_days(db: Target) -> dict[str, str]:
    return dict(rows(db, "SELECT day, reason FROM closed_dates"))


def test_us_2027_holidays_are_closed_and_plans_skip_them(cli, clinic):
    result = cli("closed", "add", "--holidays", "US", "--year", "2027")
    assert result.code == 0, result.err
    closed = closed_days(clinic)
    assert closed["2027-07-05"] == "Independence Day (observed)"
    assert closed["2027-09-06"] == "Labor Day"
    assert "2026-03-20" in closed  # the earlier closed date stays
    # a course whose 21-day steps land on both holidays (Mondays) moves to the next day
    assert cli("patient", "add", "--mrn", "D4", "--name", "Di Ek", "--weight-kg", "66").code == 0
    start = cli("course", "start", "--mrn", "D4", "--setting", "EBC",
                "--first-dose", "2027-06-14T09:00", "--chair", "Chair 1", now="2027-06-01T08:00")
    assert start.code == 0, start.err  # fmt: skip
    days = [date.fromisoformat(c["start"][:10]) for c in course(cli, "D4")["cycles"]]
    assert date(2027, 7, 5) not in days and date(2027, 9, 6) not in days
    assert date(2027, 7, 6) in days  # 06-14 + 21 days = 07-05, a holiday: the next open day
    # again: nothing new, and said so
    again = cli("closed", "add", "--holidays", "US", "--year", "2027")
    assert again.code == 0 and "0 public holiday(s)" in again.out


def test_holidays_with_bookings_are_refused_and_nothing_is_closed(cli, clinic):
    assert cli("patient", "add", "--mrn", "D4", "--name", "Di Ek", "--weight-kg", "66").code == 0
    start = cli("course", "start", "--mrn", "D4", "--setting", "EBC",
                "--first-dose", "2027-06-14T09:00", "--chair", "Chair 1", now="2027-06-01T08:00")
    assert start.code == 0, start.err  # fmt: skip
    before = closed_days(clinic)
    result = cli("closed", "add", "--holidays", "US", "--year", "2027")
    one_refusal(result, "--holidays")
    assert "2027-07-05" in result.err and "--rebook" in result.err
    assert closed_days(clinic) == before


def test_holidays_with_rebook_move_the_bookings(cli, clinic):
    assert cli("patient", "add", "--mrn", "D4", "--name", "Di Ek", "--weight-kg", "66").code == 0
    start = cli("course", "start", "--mrn", "D4", "--setting", "EBC",
                "--first-dose", "2027-06-14T09:00", "--chair", "Chair 1", now="2027-06-01T08:00")
    assert start.code == 0, start.err  # fmt: skip
    result = cli("closed", "add", "--holidays", "US", "--year", "2027", "--rebook",
                 now="2027-06-01T08:00")  # fmt: skip
    assert result.code == 0, result.err
    closed = closed_days(clinic)
    assert "2027-07-05" in closed and "2027-09-06" in closed
    days = [date.fromisoformat(c["start"][:10]) for c in course(cli, "D4")["cycles"]]
    assert not {d.isoformat() for d in days} & set(closed)
    assert all(b - a >= timedelta(days=21) for a, b in pairwise(days))


def test_unknown_country_is_exit_2(cli, clinic):
    before = closed_days(clinic)
    one_refusal(cli("closed", "add", "--holidays", "XX", "--year", "2027"), "--holidays")
    one_refusal(cli("closed", "add", "--holidays", "US-ZZ", "--year", "2027"), "--holidays")
    one_refusal(cli("closed", "add", "--holidays", "US"), "--year")
    one_refusal(cli("closed", "add"), "date")
    assert closed_days(clinic) == before


def test_a_single_date_still_closes_as_before(cli, clinic):
    assert cli("closed", "add", "2026-12-25", "--reason", "Christmas").code == 0
    assert closed_days(clinic)["2026-12-25"] == "Christmas"
