"""How much of a file open_database checks: all of a small file, the small tables of a
large one; `check` always reads everything."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tdm1_scheduler.cli.main import main
from tdm1_scheduler.clock import FixedClock
from tdm1_scheduler.services import clinic, patients
from tdm1_scheduler.services.context import Context
from tdm1_scheduler.store import database
from tdm1_scheduler.store.database import StoreError, open_database
from tdm1_scheduler.store.sqlite_store import SqliteStore


def clinic_with_patients(path: Path) -> None:
    db = open_database(path, create=True)
    ctx = Context(
        SqliteStore(db), FixedClock(datetime(2026, 6, 1, 8, tzinfo=ZoneInfo("UTC"))), "test"
    )
    clinic.init_clinic(ctx, timezone="UTC", chairs=4)
    for n in range(400):  # enough rows that the patients table spans several pages
        patients.add_patient(ctx, mrn=f"M{n:04d}", name=f"Patient {n} " + "x" * 80, weight_kg=70)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def smash_root_page(path: Path, table: str) -> None:
    with sqlite3.connect(path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root[0] - 1) * size)
        handle.write(b"\xa5" * size)


def test_large_file_with_damaged_small_table_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clinic.db"
    clinic_with_patients(path)
    smash_root_page(path, "chairs")
    monkeypatch.setattr(database, "FULL_CHECK_MAX_BYTES", 0)  # treat the file as large
    before = path.read_bytes()
    with pytest.raises(StoreError, match="damaged"):
        open_database(path)
    assert path.read_bytes() == before


def test_large_file_skips_big_tables_at_open_but_check_finds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clinic.db"
    clinic_with_patients(path)
    smash_root_page(path, "patients")
    with pytest.raises(StoreError, match="damaged"):
        open_database(path)  # a small file: the whole file is checked
    monkeypatch.setattr(database, "FULL_CHECK_MAX_BYTES", 0)
    open_database(path, read_only=True).close()  # large: only the small tables at open
    assert main(["--db", str(path), "check"]) == 1
    assert "integrity: FAILED" in capsys.readouterr().err
