"""One worked example per command (the README copies these), plus real processes."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

import pytest

from tdm1_scheduler.store.database import open_database
from tdm1_scheduler.store.migrations import known_migration_names

from .conftest import db_hash, run_process
from .targets import rows

CYCLE_KEYS = {
    "cycle", "status", "start", "end", "chair", "prep_min", "infusion_min",
    "observation_min", "given_at",
}  # fmt: skip
COURSE_KEYS = {
    "mrn", "name", "setting", "status", "dose_level_mg_per_kg", "cycles_given",
    "cycles_total", "cycles",
}  # fmt: skip


def show(cli, mrn: str = "A1") -> dict:
    result = cli("course", "show", "--mrn", mrn, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_init_names_chairs_chair_1_to_n(cli, db_target):
    result = cli(
        "init", "--timezone", "Europe/Berlin", "--open", "07:30", "--close", "18:00",
        "--chairs", "3",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "Europe/Berlin" in result.out
    chairs = json.loads(cli("chair", "list", "--json").out)
    assert [c["name"] for c in chairs] == ["Chair 1", "Chair 2", "Chair 3"]
    assert rows(db_target, "SELECT timezone FROM clinic") == [("Europe/Berlin",)]
    assert rows(db_target, "SELECT DISTINCT opens, closes FROM opening_hours") == [
        ("07:30", "18:00")
    ]
    audit = rows(db_target, "SELECT [user], action FROM audit_log")
    assert audit == [("nurse.kim", "init clinic")]


def test_init_refuses_bad_values(cli, db_target):
    for argv, field in [
        (("init", "--timezone", "Mars/Base"), "timezone"),
        (("init", "--timezone", "UTC", "--open", "18:00", "--close", "08:00"), "opening_hours"),
        (("init", "--timezone", "UTC", "--open", "8am"), "open"),
    ]:
        result = cli(*argv)
        assert result.code == 2 and result.err.startswith(f"refused: {field}:"), result


def test_chair_add_and_list(cli, clinic):
    result = cli("chair", "add", "Recliner 7")
    assert result.code == 0 and "add chair Recliner 7" in result.out
    chairs = json.loads(cli("chair", "list", "--json").out)
    assert [c["name"] for c in chairs] == ["Chair 1", "Chair 2", "Recliner 7"]
    assert set(chairs[0]) >= {"id", "name"}


def test_closed_add_pushes_later_due_days(cli, clinic):
    assert cli("closed", "add", "2026-04-15", "--reason", "staff training").code == 0
    # A1 cycle 2 moved to Wed 2026-03-25 makes cycle 3 due on the closed Wed 2026-04-15
    assert cli("appointment", "move", "--mrn", "A1", "--cycle", "2",
               "--to", "2026-03-25T11:00").code == 0  # fmt: skip
    cycles = show(cli)["cycles"]
    assert cycles[2]["start"] == "2026-04-16T09:00:00-04:00"
    assert cycles[3]["start"] == "2026-05-07T09:00:00-04:00"


def test_patient_add(cli, clinic):
    result = cli("patient", "add", "--mrn", "D4", "--name", "Dee Ellis", "--weight-kg", "58.2")
    assert result.code == 0 and "add patient D4" in result.out
    row = rows(clinic, "SELECT name, weight_kg FROM patients WHERE mrn='D4'")
    assert row == [("Dee Ellis", 58.2)]


def test_course_start_and_show_json(cli, clinic):
    assert cli("course", "start", "--mrn", "C3", "--setting", "EBC",
               "--first-dose", "2026-10-12T10:00").code == 0  # fmt: skip
    view = show(cli, "C3")
    assert set(view) >= COURSE_KEYS
    assert (view["mrn"], view["name"], view["setting"], view["status"]) == (
        "C3", "Cy Dunn", "EBC", "active",
    )  # fmt: skip
    assert view["dose_level_mg_per_kg"] == 3.6
    assert (view["cycles_given"], view["cycles_total"]) == (0, 14)
    assert len(view["cycles"]) == 14
    first, second = view["cycles"][:2]
    assert set(first) >= CYCLE_KEYS
    assert first == {
        **first,
        "cycle": 1, "status": "booked", "start": "2026-10-12T10:00:00-04:00",
        "end": "2026-10-12T13:15:00-04:00", "chair": "Chair 1", "prep_min": 15,
        "infusion_min": 90, "observation_min": 90, "given_at": None,
    }  # fmt: skip
    # 21 days on, across the end of daylight saving: same wall time, new offset
    assert second["start"] == "2026-11-02T10:00:00-05:00"
    assert second["end"] == "2026-11-02T11:15:00-05:00"
    mbc = show(cli, "B2")
    assert mbc["cycles_total"] is None and len(mbc["cycles"]) == 6


def test_course_show_text(cli, clinic):
    result = cli("course", "show", "--mrn", "A1")
    assert result.code == 0
    assert "Ann Lee (A1) EBC active" in result.out and "1 of 14 given" in result.out


def test_dose_given_with_reaction_keeps_120_minutes(cli, clinic):
    result = cli("dose", "given", "--mrn", "A1", "--cycle", "2", "--at", "2026-03-24T09:15",
                 "--infusion-min", "120", "--reaction")  # fmt: skip
    assert result.code == 0, result.err
    view = show(cli)
    assert view["cycles_given"] == 2
    given = view["cycles"][1]
    assert given["status"] == "given" and given["given_at"] == "2026-03-24T09:15:00-04:00"
    nxt = view["cycles"][2]
    assert nxt["start"] == "2026-04-14T09:00:00-04:00"  # 21 days after the given day
    assert (nxt["prep_min"], nxt["infusion_min"], nxt["observation_min"]) == (15, 120, 30)
    assert all(c["infusion_min"] == 120 for c in view["cycles"][2:])


def test_dose_given_tolerated_by_default(cli, clinic):
    assert cli("dose", "given", "--mrn", "A1", "--cycle", "2",
               "--at", "2026-03-23T09:15").code == 0  # fmt: skip
    assert all(c["infusion_min"] == 30 for c in show(cli)["cycles"][1:])


def test_dose_missed_rebooks_at_or_after_now(cli, clinic):
    result = cli("dose", "missed", "--mrn", "A1", "--cycle", "2", now="2026-03-23T13:02")
    assert result.code == 0, result.err
    cycles = show(cli)["cycles"]
    start = datetime.fromisoformat(cycles[1]["start"])
    assert start == datetime.fromisoformat("2026-03-23T13:05:00-04:00")
    assert cycles[1]["status"] == "booked"
    nxt = datetime.fromisoformat(cycles[2]["start"])
    assert nxt.date() - start.date() == timedelta(days=21)


def test_dose_level_goes_down_the_ladder(cli, clinic):
    assert cli("dose", "level", "--mrn", "A1", "--mg-per-kg", "3.0").code == 0
    assert show(cli)["dose_level_mg_per_kg"] == 3.0
    refused = cli("dose", "level", "--mrn", "A1", "--mg-per-kg", "3.6")
    assert refused.code == 2 and "re-escalation" in refused.err
    assert cli("dose", "level", "--mrn", "A1", "--mg-per-kg", "2.4").code == 0
    assert show(cli)["dose_level_mg_per_kg"] == 2.4


def test_appointment_move_to_another_chair(cli, clinic):
    result = cli("appointment", "move", "--mrn", "A1", "--cycle", "2",
                 "--to", "2026-03-25T13:00", "--chair", "Chair 2")  # fmt: skip
    assert result.code == 0, result.err
    assert "later cycle(s) move by +2 days" in result.out
    cycles = show(cli)["cycles"]
    assert cycles[1]["start"] == "2026-03-25T13:00:00-04:00" and cycles[1]["chair"] == "Chair 2"
    assert cycles[2]["start"].startswith("2026-04-15")


def test_course_stop_cancels_future_bookings(cli, clinic):
    result = cli("course", "stop", "--mrn", "A1", "--reason", "recurrence")
    assert result.code == 0 and "13 future booking(s) cancelled" in result.out
    view = show(cli)
    assert view["status"] == "stopped"
    assert [c["status"] for c in view["cycles"]] == ["given"] + ["cancelled"] * 13


def test_ebc_completes_after_14_given(cli, db_target):
    assert cli("init", "--timezone", "America/New_York", "--chairs", "1").code == 0
    assert cli("patient", "add", "--mrn", "E5", "--name", "Eve", "--weight-kg", "70").code == 0
    assert cli("course", "start", "--mrn", "E5", "--setting", "EBC",
               "--first-dose", "2026-01-05T09:00").code == 0  # fmt: skip
    for cycle in range(1, 15):
        row = show(cli, "E5")["cycles"][cycle - 1]
        at = datetime.fromisoformat(row["start"]) + timedelta(minutes=15)
        result = cli("dose", "given", "--mrn", "E5", "--cycle", str(cycle), "--at", at.isoformat())
        assert result.code == 0, result.err
    view = show(cli, "E5")
    assert view["status"] == "completed" and view["cycles_given"] == 14
    assert len(view["cycles"]) == 14
    assert cli("dose", "given", "--mrn", "E5", "--cycle", "15", "--at",
               "2026-12-01T09:00").code == 2  # fmt: skip


@pytest.mark.sqlite_only("backup copies the clinic's file; a server's is pg_dump (test_server_url)")
def test_backup_and_check(cli, clinic, tmp_path):
    copy = tmp_path / "backup.db"
    result = cli("backup", str(copy))
    assert result.code == 0 and "integrity ok" in result.out
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT COUNT(*) FROM patients").fetchone() == (3,)
    conn.close()
    db = open_database(copy)
    db.close()
    check = cli("check", db=copy)
    assert check.code == 0
    assert check.out.splitlines() == [f"schema: {known_migration_names()[-1]}", "integrity: ok"]
    again = cli("backup", str(copy))
    assert again.code != 0 and "already exists" in again.err


def test_global_options_after_the_command_and_from_env(cli, clinic, monkeypatch, capsys):
    from tdm1_scheduler.cli.main import main

    code = main(["chair", "list", "--json", "--db", str(clinic)])
    assert code == 0 and json.loads(capsys.readouterr().out)[0]["name"] == "Chair 1"
    monkeypatch.setenv("TDM1_SCHEDULER_DB", str(clinic))
    code = main(["--user", "dr.who", "--now", "2026-03-02T08:00", "chair", "add", "Bay 9"])
    assert code == 0
    capsys.readouterr()
    row = rows(clinic, "SELECT [user], at_utc FROM audit_log ORDER BY id DESC LIMIT 1")
    assert row == [("dr.who", "2026-03-02T13:00:00Z")]  # --now is clinic wall time


def test_now_with_an_offset_is_taken_as_given(cli, clinic):
    assert cli("chair", "add", "Bay 8", now="2026-03-02T08:00:00+00:00").code == 0
    row = rows(clinic, "SELECT at_utc FROM audit_log ORDER BY id DESC LIMIT 1")
    assert row == [("2026-03-02T08:00:00Z",)]


def test_real_processes_book_and_show(db_target):
    db = db_target  # a new file, or an empty server database
    steps = [
        ("--now", "2026-03-01T08:00", "init", "--timezone", "America/New_York", "--chairs", "2"),
        ("patient", "add", "--mrn", "R1", "--name", "Rae", "--weight-kg", "64"),
        ("course", "start", "--mrn", "R1", "--setting", "MBC", "--first-dose", "2026-03-04T11:00"),
    ]
    for step in steps:
        done = run_process(*step, TDM1_SCHEDULER_DB=str(db))
        assert done.returncode == 0, done.stderr
    done = run_process("--db", str(db), "course", "show", "--mrn", "R1", "--json")
    assert done.returncode == 0, done.stderr
    view = json.loads(done.stdout)
    assert view["setting"] == "MBC" and view["cycles"][0]["start"] == "2026-03-04T11:00:00-05:00"
    before = db_hash(db)
    done = run_process("--db", str(db), "check")
    assert done.returncode == 0 and "integrity: ok" in done.stdout
    assert db_hash(db) == before
