"""``day-sheet DATE --json | --pdf FILE``: the JSON contract and the PDF, headless."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tdm1_scheduler.cli.main import main
from tests.cli.targets import ServerDatabases, Target, on_backend

from .conftest import build_day

APPOINTMENT_KEYS = {
    "mrn",
    "name",
    "cycle",
    "cycles_total",
    "first_infusion",
    "start",
    "infusion_start",
    "infusion_end",
    "observation_end",
    "end",
}


@pytest.fixture
def db_path(tmp_path: Path, backend: str, server_dbs: ServerDatabases) -> Target:
    """The day's clinic file, or on the server a copy of it (``migrate --to``)."""
    path = tmp_path / "c.db"
    build_day(path).close()
    return on_backend(path, backend, server_dbs)


def sheet_json(db_path: Target, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    argv = ["--db", str(db_path), "--now", "2027-01-12T08:00", "day-sheet", "2027-01-12"]
    assert main([*argv, "--json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_json_contract(db_path: Target, capsys: pytest.CaptureFixture[str]) -> None:
    data = sheet_json(db_path, capsys)
    assert {"date", "chairs", "utilization", "peak_concurrent", "peak_at", "starts_by_slot"} <= set(
        data
    )
    assert data["date"] == "2027-01-12"
    assert [c["chair"] for c in data["chairs"]] == ["Chair 1", "Chair 2", "Chair 3", "Chair 4"]
    assert data["chairs"][3]["appointments"] == []  # empty chairs are listed too
    for chair in data["chairs"]:
        for appointment in chair["appointments"]:
            assert set(appointment) >= APPOINTMENT_KEYS
    ann = data["chairs"][0]["appointments"][0]
    assert ann["mrn"] == "A1" and ann["name"] == "Ann Able"
    assert (ann["cycle"], ann["cycles_total"], ann["first_infusion"]) == (2, 14, False)
    assert ann["start"] == "2027-01-12T09:00:00-05:00"  # clinic zone offset
    assert ann["infusion_start"] == "2027-01-12T09:15:00-05:00"
    assert ann["infusion_end"] == "2027-01-12T09:45:00-05:00"
    assert ann["observation_end"] == ann["end"] == "2027-01-12T10:15:00-05:00"
    cy = data["chairs"][1]["appointments"][0]
    assert (cy["cycle"], cy["cycles_total"]) == (2, None)  # MBC: no fixed total
    assert data["chairs"][1]["appointments"][1]["kind"] == "blocked"
    assert data["utilization"] == 0.3681
    assert (data["peak_concurrent"], data["peak_at"]) == (3, "2027-01-12T09:20:00-05:00")
    assert all(re.fullmatch(r"\d\d:[03]0", key) for key in data["starts_by_slot"])
    assert data["starts_by_slot"]["09:00"] == 2 and data["starts_by_slot"]["08:00"] == 0


def test_pdf_is_written(
    db_path: Target, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "day.pdf"
    assert main(["--db", str(db_path), "day-sheet", "2027-01-12", "--pdf", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "(1 page)" in capsys.readouterr().out  # a normal day: one landscape page


def test_a_bad_date_is_refused(db_path: Target, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "day-sheet", "12/01/2027", "--json"]) == 2
    assert "date" in capsys.readouterr().err


def test_one_output_is_required(db_path: Target, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), "day-sheet", "2027-01-12"])
    assert exit_info.value.code == 2


@pytest.mark.slow
def test_cli_pdf_needs_no_display_and_never_loads_the_gui(db_path: Target, tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        "os.environ.pop('QT_QPA_PLATFORM', None); os.environ.pop('DISPLAY', None)\n"
        "from tdm1_scheduler.cli.main import main\n"
        f"assert main(['--db', {str(db_path)!r}, 'day-sheet', '2027-01-12', '--json']) == 0\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')]\n"
        f"assert main(['--db', {str(db_path)!r}, 'day-sheet', '2027-01-12',"
        f" '--pdf', {str(tmp_path / 'x.pdf')!r}]) == 0\n"
        "assert not [m for m in sys.modules if m.startswith('tdm1_scheduler.gui')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")
