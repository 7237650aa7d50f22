"""Bad input: exit 2, one stderr line naming the field or rule, nothing written."""

from __future__ import annotations

import pytest

from .conftest import db_hash, patch_openers, run_process
from .targets import dump

ADD = ("patient", "add", "--mrn", "N1", "--name", "N", "--weight-kg")
GIVE = ("dose", "given", "--mrn", "A1", "--cycle")
MOVE = ("appointment", "move", "--mrn", "A1", "--cycle")
LEVEL = ("dose", "level", "--mrn", "A1", "--mg-per-kg")
FIELD_LEVEL = "dose_level_mg_per_kg"

REFUSED = [
    ("weight text", (*ADD, "abc"), "weight_kg"),
    ("weight zero", (*ADD, "0"), "weight_kg"),
    ("weight negative", (*ADD, "-5"), "weight_kg"),
    ("weight low", (*ADD, "19.9"), "weight_kg"),
    ("weight high", (*ADD, "300.5"), "weight_kg"),
    ("weight nan", (*ADD, "nan"), "weight_kg"),
    ("weight inf", (*ADD, "inf"), "weight_kg"),
    ("duplicate mrn", ("patient", "add", "--mrn", "A1", "--name", "N", "--weight-kg", "70"), "mrn"),
    ("duplicate mrn case", ("patient", "add", "--mrn", "a1", "--name", "N",
                            "--weight-kg", "70"), "mrn"),
    ("empty mrn", ("patient", "add", "--mrn", " ", "--name", "N", "--weight-kg", "70"), "mrn"),
    ("unknown mrn show", ("course", "show", "--mrn", "ZZ9", "--json"), "mrn"),
    ("unknown mrn start", ("course", "start", "--mrn", "ZZ9", "--setting", "EBC",
                           "--first-dose", "2026-03-04T09:00"), "mrn"),
    ("unknown mrn given", ("dose", "given", "--mrn", "ZZ9", "--cycle", "1",
                           "--at", "2026-03-04T09:00"), "mrn"),
    ("unknown mrn stop", ("course", "stop", "--mrn", "ZZ9", "--reason", "x"), "mrn"),
    ("cycle 0 given", (*GIVE, "0", "--at", "2026-03-23T09:15"), "cycle"),
    ("cycle 15 given", (*GIVE, "15", "--at", "2026-03-23T09:15"), "cycle"),
    ("cycle 15 missed", ("dose", "missed", "--mrn", "A1", "--cycle", "15"), "cycle"),
    ("cycle 0 move", (*MOVE, "0", "--to", "2026-03-24T09:00"), "cycle"),
    ("cycle 15 move", (*MOVE, "15", "--to", "2026-03-24T09:00"), "cycle"),
    ("cycle skipped", (*GIVE, "3", "--at", "2026-03-23T09:15"), "cycle"),
    ("given twice", (*GIVE, "1", "--at", "2026-03-02T10:00"), "cycle"),
    ("given too soon", (*GIVE, "2", "--at", "2026-03-19T09:15"), "given_at"),
    ("infusion 0", (*GIVE, "2", "--at", "2026-03-23T09:15",
                    "--infusion-min", "0"), "infusion_min"),
    ("start before opening", ("course", "start", "--mrn", "C3", "--setting", "EBC",
                              "--first-dose", "2026-03-04T07:30"), "first_dose"),
    ("start runs past closing", ("course", "start", "--mrn", "C3", "--setting", "EBC",
                                 "--first-dose", "2026-03-04T15:00"), "first_dose"),
    ("start on closed date", ("course", "start", "--mrn", "C3", "--setting", "EBC",
                              "--first-dose", "2026-03-20T09:00"), "first_dose"),
    ("start on weekend", ("course", "start", "--mrn", "C3", "--setting", "EBC",
                          "--first-dose", "2026-03-07T09:00"), "first_dose"),
    ("start not iso", ("course", "start", "--mrn", "C3", "--setting", "EBC",
                       "--first-dose", "next tuesday"), "first_dose"),
    ("bad setting", ("course", "start", "--mrn", "C3", "--setting", "ABC",
                     "--first-dose", "2026-03-04T09:00"), "setting"),
    ("second course", ("course", "start", "--mrn", "A1", "--setting", "MBC",
                       "--first-dose", "2026-03-04T09:00"), "mrn"),
    ("chair taken at start", ("course", "start", "--mrn", "C3", "--setting", "EBC",
                              "--first-dose", "2026-03-03T10:00", "--chair", "Chair 2"), "chair"),
    ("unknown chair", ("course", "start", "--mrn", "C3", "--setting", "EBC",
                       "--first-dose", "2026-03-04T09:00", "--chair", "Chair 9"), "chair"),
    ("move outside hours", (*MOVE, "2",
                            "--to", "2026-03-23T16:30"), "to"),
    ("move to closed day", (*MOVE, "3",
                            "--to", "2026-04-11T09:00"), "to"),
    ("move under 21 days", (*MOVE, "2",
                            "--to", "2026-03-19T09:00"), "to"),
    ("move onto a taken chair", (*MOVE, "2",
                                 "--to", "2026-03-24T09:30", "--chair", "Chair 2"), "to"),
    ("move given cycle", (*MOVE, "1",
                          "--to", "2026-03-03T09:00"), "cycle"),
    ("level above max", (*LEVEL, "4.0"), FIELD_LEVEL),
    ("level same", (*LEVEL, "3.6"), FIELD_LEVEL),
    ("level off ladder", (*LEVEL, "3.3"), FIELD_LEVEL),
    ("stop without reason", ("course", "stop", "--mrn", "A1", "--reason", " "), "reason"),
    ("init twice", ("init", "--timezone", "UTC"), "init"),
    ("duplicate chair", ("chair", "add", "chair 1"), "name"),
    ("closed date not a date", ("closed", "add", "2026-02-30"), "date"),
    ("close a booked day", ("closed", "add", "2026-03-23"), "date"),
    ("bad now", (*ADD, "70",
                 "--now", "yesterday"), "now"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "argv", "field"), REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_input_exits_2_names_the_field_and_writes_nothing(cli, clinic, name, argv, field):
    before_hash, before_rows = db_hash(clinic), dump(clinic)
    result = cli(*argv)
    assert result.code == 2, result
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"refused: {field}:"), lines[0]
    assert result.out == ""
    assert db_hash(clinic) == before_hash
    assert dump(clinic) == before_rows


def test_the_chair_conflict_message_says_which_time_is_taken(cli, clinic):
    result = cli(
        "appointment", "move", "--mrn", "A1", "--cycle", "2", "--to", "2026-03-24T09:30",
        "--chair", "Chair 2",
    )  # fmt: skip
    assert "chair taken 09:00-10:15" in result.err


@pytest.mark.parametrize(
    "argv",
    [
        (*GIVE, "two", "--at", "2026-03-23T09:15"),
        ("patient", "add", "--mrn", "N1", "--name", "N"),
        ("course", "start", "--mrn", "C3"),
        ("chair", "frobnicate"),
    ],
)
def test_argument_errors_exit_2_with_one_line(cli, clinic, capsys, monkeypatch, argv):
    opened: list[object] = []
    patch_openers(monkeypatch, lambda real, *a, **k: opened.append(a) or real(*a, **k))
    before = db_hash(clinic)
    with pytest.raises(SystemExit) as stopped:
        cli(*argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("tdm1-scheduler")
    assert opened == []  # refused before the database was even opened
    assert db_hash(clinic) == before


def test_refusal_in_a_real_process(clinic):
    before = db_hash(clinic)
    done = run_process(
        "--db", str(clinic), "patient", "add", "--mrn", "N1", "--name", "N", "--weight-kg", "-5"
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert "weight_kg" in done.stderr and "Traceback" not in done.stderr
    assert db_hash(clinic) == before
