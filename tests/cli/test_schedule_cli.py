"""``appointment slots``, ``dose missed --to``, ``closed add --rebook`` and ``settings``.

Each refusal is exit 2 with one stderr line naming the field or rule, the database file
byte-identical; and the same command succeeds with good input.
"""

from __future__ import annotations

import json

import pytest

from .conftest import db_hash
from .targets import Target, rows


def refused(cli, db_target: Target, *argv: str, field: str) -> str:
    before = db_hash(db_target)
    result = cli(*argv)
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and field in result.err, result.err
    assert db_hash(db_target) == before
    return result.err


def test_every_listed_slot_is_accepted_by_appointment_move(cli, clinic, copy_target) -> None:
    result = cli("appointment", "slots", "--mrn", "A1", "--cycle", "2", "--json", "--count", "4",
                 "--from", "2026-03-23T09:40")  # fmt: skip
    assert result.code == 0, result.err
    options = json.loads(result.out)
    assert len(options) == 4
    assert set(options[0]) >= {"start", "end", "chair", "starts_in_slot", "start_cap"}
    assert options[0]["start"].endswith("-04:00") and options[0]["start_cap"] is None
    assert options[0]["start"] >= "2026-03-23T09:40"
    for n, option in enumerate(options):
        copy = copy_target(clinic, f"copy{n}")
        moved = cli("appointment", "move", "--mrn", "A1", "--cycle", "2", "--to",
                    option["start"], "--chair", option["chair"], db=copy)  # fmt: skip
        assert moved.code == 0, (option, moved.err)
    text = cli("appointment", "slots", "--mrn", "A1", "--cycle", "2")
    assert text.code == 0 and len(text.out.splitlines()) == 5  # default 5


def test_slots_with_a_start_cap_report_it(cli, clinic) -> None:
    assert cli("settings", "set", "start_cap", "1").code == 0
    result = cli("appointment", "slots", "--mrn", "B2", "--cycle", "2", "--json",
                 "--from", "2026-03-24T08:00")  # fmt: skip
    options = json.loads(result.out)
    assert options and all(o["start_cap"] == 1 and o["starts_in_slot"] == 0 for o in options)


def test_slots_refusals(cli, clinic) -> None:
    assert cli("appointment", "slots", "--mrn", "A1", "--cycle", "2").code == 0
    refused(cli, clinic, "appointment", "slots", "--mrn", "A1", "--cycle", "1", field="cycle")
    refused(cli, clinic, "appointment", "slots", "--mrn", "A1", "--cycle", "15", field="cycle")
    refused(cli, clinic, "appointment", "slots", "--mrn", "ZZ", "--cycle", "2", field="mrn")
    refused(cli, clinic, "appointment", "slots", "--mrn", "A1", "--cycle", "2", "--count", "0",
            field="count")  # fmt: skip
    assert cli("course", "stop", "--mrn", "B2", "--reason", "progression").code == 0
    refused(cli, clinic, "appointment", "slots", "--mrn", "B2", "--cycle", "2", field="course")


def test_dose_missed_to_a_chosen_slot(cli, clinic) -> None:
    now = "2026-03-23T12:00"
    listed = cli("appointment", "slots", "--mrn", "A1", "--cycle", "2", "--json",
                 "--from", now, now=now)  # fmt: skip
    second = json.loads(listed.out)[1]
    for argv, field in [
        (("--to", "2026-03-23T20:00"), "outside opening hours"),
        (("--to", "2026-03-23T10:00"), "re-booked from"),  # before now
        (("--to", "2026-03-24T09:00", "--chair", "Chair 9"), "chair"),
        (("--chair", "Chair 2"), "chair"),
    ]:
        before = db_hash(clinic)
        result = cli("dose", "missed", "--mrn", "A1", "--cycle", "2", *argv, now=now)
        assert result.code == 2 and field in result.err, (argv, result.err)
        assert db_hash(clinic) == before
    result = cli("dose", "missed", "--mrn", "A1", "--cycle", "2", "--to", second["start"],
                 "--chair", second["chair"], now=now)  # fmt: skip
    assert result.code == 0, result.err
    view = json.loads(cli("course", "show", "--mrn", "A1", "--json").out)
    assert view["cycles"][1]["start"] == second["start"]
    assert view["cycles"][1]["chair"] == second["chair"]


def test_closed_add_refuses_then_rebooks(cli, clinic) -> None:
    # 2026-03-23: A1 cycle 2 (Ann Lee) and 2026-03-24: B2 cycle 2 (Bea Cruz).
    err = refused(cli, clinic, "closed", "add", "2026-03-23", field="date")
    assert "1 appointment(s)" in err and "Ann Lee" in err
    result = cli("closed", "add", "2026-03-23", "--reason", "storm", "--rebook")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[1].startswith("Ann Lee (A1) cycle 2: Mon 2026-03-23 09:00 -> Tue 2026-03-24")
    view = json.loads(cli("course", "show", "--mrn", "A1", "--json").out)
    assert view["cycles"][1]["start"].startswith("2026-03-24")
    assert cli("closed", "add", "2026-03-30").code == 0  # no bookings: closes as before
    refused(cli, clinic, "closed", "add", "2026-03-23", "--rebook", field="already")


def test_settings_show_lists_every_clinic_setting(cli, clinic) -> None:
    from tdm1_scheduler import settings as declared

    result = cli("settings", "show", "--json")
    values = json.loads(result.out)
    assert set(values) == {s.key for s in declared.clinic_settings()}
    assert values["timezone"] == "America/New_York" and values["start_cap"] is None
    assert values["opening_hours"] == "Mon-Fri 08:00-17:00"
    assert values["closed_dates"] == ["2026-03-20"]
    text = cli("settings", "show").out
    assert "prep_min" in text and "timezone" in text and "(read-only)" in text


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("prep_min", "20", 20),
        ("start_cap", "3", 3),
        ("weight_max_kg", "250.5", 250.5),
        ("opening_hours", "Mon-Thu 07:30-18:00, Fri 08:00-17:00, Sat 09:00-13:00",
         "Mon-Thu 07:30-18:00, Fri 08:00-17:00, Sat 09:00-13:00"),
        ("closed_dates", "2026-03-20, 2026-12-25", ["2026-03-20", "2026-12-25"]),
    ],
)  # fmt: skip
def test_settings_set_writes_one_audited_change(cli, clinic, key, value, shown) -> None:
    def audit_count() -> int:
        return int(rows(clinic, "SELECT count(*) FROM audit_log")[0][0])

    before = audit_count()
    result = cli("settings", "set", key, value)
    assert result.code == 0, result.err
    assert json.loads(cli("settings", "show", "--json").out)[key] == shown
    assert audit_count() > before


def test_settings_set_start_cap_none_clears_it(cli, clinic) -> None:
    assert cli("settings", "set", "start_cap", "2").code == 0
    assert cli("settings", "set", "start_cap", "none").code == 0
    assert json.loads(cli("settings", "show", "--json").out)["start_cap"] is None


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("timezone", "Europe/Berlin", "timezone"),
        ("name", "Other", "name"),
        ("window/geometry", "x", "window/geometry"),
        ("window/page", "1", "window/page"),
        ("no_such", "1", "key"),
        ("prep_min", "abc", "prep_min"),
        ("prep_min", "500", "prep_min"),
        ("prep_min", "none", "prep_min"),
        ("snap_min", "0", "snap_min"),
        ("weight_min_kg", "400", "weight_min_kg"),  # must stay below weight_max_kg
        ("opening_hours", "Mon 17:00-08:00", "opening_hours"),
        ("opening_hours", "Funday 08:00-17:00", "opening_hours"),
        ("opening_hours", "Mon 08:00-12:00", "opening_hours"),  # B2/A1 bookings outside
        ("closed_dates", "2026-03-23", "date"),  # A1 is booked that day
        ("closed_dates", "not-a-date", "closed_dates"),
    ],
)
def test_settings_set_refusals(cli, clinic, key, value, field) -> None:
    refused(cli, clinic, "settings", "set", key, value, field=field)
