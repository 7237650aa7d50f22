"""Deviations an independent try of the CLI found (issues 12 and 13), each a test."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from tdm1_scheduler.store import database

from .conftest import db_hash


@pytest.mark.parametrize(
    "argv",
    [
        ("chair", "list"),
        ("course", "show", "--mrn", "A1"),
        ("settings", "show"),
    ],
)
@pytest.mark.parametrize("now", ["9999-12-31T23:59", "0001-01-01T00:00+14:00"])
def test_a_bad_now_is_refused_by_every_command(cli, clinic: Path, argv, now: str) -> None:
    before = db_hash(clinic)
    result = cli(*argv, now=now)
    assert result.code == 2, result.err
    assert result.err.startswith("refused: now:") and result.err.count("\n") == 1
    assert db_hash(clinic) == before
    assert cli(*argv).code == 0  # the command itself works with a good clock


@pytest.mark.parametrize(
    "argv",
    [
        ("appointment", "move", "--mrn", "B2", "--cycle", "1", "--to", "2026-03-03T10:00"),
        ("dose", "missed", "--mrn", "B2", "--cycle", "1", "--to", "2026-03-04T10:00"),
    ],
)
def test_an_empty_chair_name_is_refused_naming_chair(cli, clinic: Path, argv) -> None:
    before = db_hash(clinic)
    result = cli(*argv, "--chair", "")
    assert result.code == 2, result.err
    assert result.err.startswith("refused: chair:")
    assert db_hash(clinic) == before
    assert cli(*argv, "--chair", "Chair 1").code == 0, "the same command with a real chair"


def test_a_full_disk_at_open_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A full disk that stops SQLite making the -shm shows only as "disk I/O error".
    (``database`` imports ``shutil`` only then, issue 19: its ``disk_usage`` is patched.)"""
    error = sqlite3.OperationalError("disk I/O error")
    full = type("Usage", (), {"free": 0})()
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: full)
    assert "disk full" in database.describe_sqlite_error(tmp_path / "c.db", error)
    roomy = type("Usage", (), {"free": 10**9})()
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: roomy)
    assert "disk full" not in database.describe_sqlite_error(tmp_path / "c.db", error)


def test_no_slot_is_offered_past_the_last_year_a_move_accepts(cli, clinic: Path) -> None:
    """The finder plans no day that the CLI refuses as out of range (3000 and on), and a
    rolling course that would need such days is refused as a whole."""
    listed = cli("appointment", "slots", "--mrn", "B2", "--cycle", "1", "--from",
                 "2999-12-31T16:00", "--json")  # fmt: skip
    assert listed.code == 0, listed.err
    assert json.loads(listed.out) == []
    nearer = cli("appointment", "slots", "--mrn", "B2", "--cycle", "1", "--from",
                 "2999-12-30T08:00", "--json")  # fmt: skip
    assert [s["start"][:10] for s in json.loads(nearer.out)][:1] == ["2999-12-30"]
    before = db_hash(clinic)
    start = cli("course", "start", "--mrn", "C3", "--setting", "MBC", "--first-dose",
                "2999-12-31T09:00", "--chair", "Chair 1", now="2999-12-30T08:00")  # fmt: skip
    assert start.code == 2 and start.err.startswith("refused: ")
    assert db_hash(clinic) == before


def test_dose_missed_says_where_the_dose_went(cli, clinic: Path) -> None:
    result = cli("dose", "missed", "--mrn", "B2", "--cycle", "1")
    assert result.code == 0, result.err
    shown = json.loads(cli("course", "show", "--mrn", "B2", "--json").out)["cycles"][0]
    start = datetime.fromisoformat(shown["start"])
    assert f"re-booked at {start:%a %Y-%m-%d %H:%M}, {shown['chair']}" in result.out


def test_settings_set_names_the_limit_it_changes(cli, clinic: Path) -> None:
    before = db_hash(clinic)
    result = cli("settings", "set", "weight_max_kg", "10")
    assert result.code == 2 and result.err.startswith("refused: weight_max_kg:"), result.err
    assert db_hash(clinic) == before
    assert cli("settings", "set", "weight_max_kg", "250").code == 0


def test_closed_dates_none_clears_them_as_the_readme_says(cli, clinic: Path) -> None:
    assert "2026-03-20" in cli("settings", "show").out
    result = cli("settings", "set", "closed_dates", "none")
    assert result.code == 0, result.err
    shown = json.loads(cli("settings", "show", "--json").out)
    assert shown["closed_dates"] in ([], None, "none")
