"""Every bad value is exit 2 naming the field on one line; error lines stay one line; a
closed pipe ends quietly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tdm1_scheduler.store.database import StoreError

from .conftest import db_hash, patch_openers, subprocess_env
from .targets import made

GIVE = ("dose", "given", "--mrn", "A1", "--cycle", "2", "--at")
START = ("course", "start", "--mrn", "C3", "--setting", "EBC", "--first-dose")
MOVE = ("appointment", "move", "--mrn", "A1", "--cycle", "2", "--to")

OUT_OF_RANGE = [
    ("at max", (*GIVE, "9999-12-31T23:59"), "at"),
    ("first dose min with offset", (*START, "0001-01-01T00:00+14:00"), "first_dose"),
    ("move overflows only in UTC", (*MOVE, "9999-12-31T20:00"), "to"),  # New York: +5 h
    ("move at the very end", (*MOVE, "9999-12-31T23:59:59+00:00"), "to"),
    ("now far future", ("--now", "9999-12-31T23:59", "dose", "missed", "--mrn", "A1",
                        "--cycle", "2"), "now"),
    ("closed day max", ("closed", "add", "9999-12-31"), "date"),
    ("day sheet max", ("day-sheet", "9999-12-31", "--json"), "date"),
    ("day sheet min", ("day-sheet", "0001-01-01", "--json"), "date"),
]  # fmt: skip


def one_refusal(result, field: str) -> None:
    assert result.code == 2, result
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"refused: {field}:"), lines[0]


@pytest.mark.parametrize(("name", "argv", "field"), OUT_OF_RANGE, ids=[r[0] for r in OUT_OF_RANGE])
def test_dates_out_of_range_are_refused(cli, clinic, name, argv, field):
    before = db_hash(clinic)
    one_refusal(cli(*argv, now=None) if argv[0] == "--now" else cli(*argv), field)
    assert db_hash(clinic) == before


def test_an_ordinary_date_still_works(cli, clinic):
    assert cli(*MOVE, "2026-03-24T09:00").code == 0


def test_non_utf8_arguments_are_refused_in_process(cli, clinic):
    before = db_hash(clinic)
    bad_name = b"Ann \xff".decode("utf-8", "surrogateescape")
    one_refusal(cli("patient", "add", "--mrn", "N1", "--name", bad_name, "--weight-kg", "70"),
                "name")  # fmt: skip
    one_refusal(cli("chair", "add", bad_name), "name")
    assert db_hash(clinic) == before


@pytest.mark.slow
def test_non_utf8_arguments_are_refused_in_a_real_process(clinic):
    before = db_hash(clinic)
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"tdm1_scheduler", b"--db", str(clinic).encode(),
         b"patient", b"add", b"--mrn", b"N\xe9", b"--name", b"N", b"--weight-kg", b"70"],
        capture_output=True, env=subprocess_env(), timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done
    lines = done.stderr.decode("utf-8", "replace").splitlines()
    assert len(lines) == 1 and lines[0].startswith("refused: mrn:"), lines
    assert db_hash(clinic) == before


@pytest.mark.parametrize(
    "zone", ["../../etc/passwd", "/usr/share/zoneinfo/UTC", "../zoneinfo/Europe/Berlin"]
)
def test_a_time_zone_path_is_refused(cli, db_target, zone):
    one_refusal(cli("init", "--timezone", zone), "timezone")
    assert not made(db_target)  # no file, or no table on the server
    assert cli("init", "--timezone", "Europe/Berlin").code == 0


@pytest.mark.sqlite_only("--db names a file under a plain file: about the clinic's path")
@pytest.mark.parametrize("argv", [("init", "--timezone", "UTC"), ("check",), ("chair", "list")])
def test_a_db_under_a_file_is_refused(cli, tmp_path, argv):
    blocker = tmp_path / "plain.txt"
    blocker.write_text("not a folder\n")
    one_refusal(cli(*argv, db=blocker / "clinic.db"), "db")
    one_refusal(cli(*argv, db=blocker / "deeper" / "clinic.db"), "db")
    assert blocker.read_text() == "not a folder\n"


def test_error_lines_never_span_several_lines(cli, clinic, monkeypatch):
    def multi_line(real, *args, **kwargs):
        raise StoreError(f"{clinic} is damaged (*** in database main ***\nPage 5: bad)")

    patch_openers(monkeypatch, multi_line)
    result = cli("chair", "list")
    assert result.code == 1 and len(result.err.splitlines()) == 1, result.err
    assert "Page 5: bad" in result.err


def test_a_multi_line_quick_check_is_one_line(tmp_path, capsys):
    from tdm1_scheduler.cli.main import main
    from tdm1_scheduler.store import database

    class Rows:
        def fetchall(self) -> list[tuple[str]]:
            return [("*** in database main ***\nTree 3 page 3 cell 0: bad",), ("row 2",)]

    class Fake:
        def execute(self, sql: str) -> Rows:
            return Rows()

        def table_names(self) -> list[str]:
            return []

    path = tmp_path / "x.db"
    path.write_bytes(b"")
    with pytest.raises(StoreError) as refused:
        database._check_intact(Fake(), path)  # type: ignore[arg-type]
    assert "\n" not in str(refused.value) and "Tree 3 page 3" in str(refused.value)
    assert main(["--db", str(tmp_path / "none.db"), "check"]) == 1
    assert len(capsys.readouterr().err.splitlines()) == 1


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly(cli, clinic):
    assert cli("chair", "add", "Long " + "x" * 200).code == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "tdm1_scheduler", "--db", str(clinic), "course", "show",
         "--mrn", "A1", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env(),
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head` that has already exited
    err = process.stderr.read()
    process.wait(timeout=60)
    assert err == b"", err
    assert process.returncode == 0
