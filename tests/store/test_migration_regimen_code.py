"""m007: a course records its regimen's code. A file made before it (at m006) migrates at
open and every course it holds reads 'TDM1', the one regimen there was; a course booked
after stores the code too."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from tdm1_scheduler.domain.regimens import REGIMENS, TDM1, regimen_for
from tdm1_scheduler.store.database import IntegrityError, open_database
from tdm1_scheduler.store.m007_course_regimen import NAME as M007
from tdm1_scheduler.store.migrations import known_migration_names, migrations

from .conftest import build_clinic


def m006_file(path: Path) -> None:
    """A clinic file at m006 with two courses of one patient (one stopped, one active)."""
    db = Database(path)
    migrations.apply(db, stop_before=M007)
    db.executescript(
        """
        INSERT INTO clinic (id, name, timezone) VALUES (1, 'Old', 'America/New_York');
        INSERT INTO chairs (id, name, position) VALUES (1, 'Chair 1', 1);
        INSERT INTO patients (id, mrn, name, weight_kg, weight_measured_at)
            VALUES (1, 'A1', 'Ann Lee', 70, '2026-03-01T13:00:00Z');
        INSERT INTO courses (id, patient_id, setting, status, dose_level_mg_per_kg,
                             preferred_time, preferred_chair_id, created_at)
            VALUES (1, 1, 'MBC', 'stopped', 3.0, '09:00', 1, '2026-01-01T13:00:00Z'),
                   (2, 1, 'EBC', 'active', 3.6, '09:00', 1, '2026-03-01T13:00:00Z');
        """
    )
    db.close()


def test_m007_follows_m006_in_name_order() -> None:
    names = known_migration_names()
    assert names.index(M007) == names.index("m006_courses_by_patient") + 1
    assert names == sorted(names)


def test_an_m006_file_upgraded_reads_tdm1_on_every_course(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    m006_file(path)
    before = Database(path)
    columns = {column.name for column in before["courses"].columns}
    before.close()
    assert "regimen_code" not in columns
    db = open_database(path)
    try:
        assert M007 in {m.name for m in migrations.applied(db)}
        rows = db.execute("SELECT id, regimen_code FROM courses ORDER BY id").fetchall()
        assert rows == [(1, "TDM1"), (2, "TDM1")]
        assert all(regimen_for(code) is TDM1 for _, code in rows)
    finally:
        db.close()


def test_a_new_course_stores_its_regimen_code(tmp_path: Path) -> None:
    path = build_clinic(tmp_path / "clinic.db")  # books an EBC course through the services
    db = open_database(path)
    try:
        rows = db.execute("SELECT regimen_code FROM courses").fetchall()
        assert rows == [(TDM1.code,)]
    finally:
        db.close()


def test_a_blank_regimen_code_is_refused(tmp_path: Path) -> None:
    path = build_clinic(tmp_path / "clinic.db")
    db = open_database(path)
    try:
        with pytest.raises(IntegrityError):
            db.execute("UPDATE courses SET regimen_code = '  '")
    finally:
        db.close()


def test_the_column_survives_in_a_file_made_now(tmp_path: Path) -> None:
    path = build_clinic(tmp_path / "clinic.db", with_course=False)
    db = open_database(path)
    try:
        sql = db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'courses'"
        ).fetchone()[0]
        assert "regimen_code TEXT NOT NULL DEFAULT 'TDM1'" in sql
    finally:
        db.close()


def test_the_schema_dose_ceiling_is_the_regimens(tmp_path: Path) -> None:
    """m001's CHECK (dose_level_mg_per_kg <= 3.6) is history, written once; it must stay
    the highest maximum dose of the regimens the app knows."""
    path = build_clinic(tmp_path / "clinic.db", with_course=False)
    db = open_database(path)
    try:
        for table in ("courses", "doses"):
            sql = db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
            ).fetchone()[0]
            ceiling = max(r.max_dose_mg_per_kg for r in REGIMENS.values())
            assert f"CHECK (dose_level_mg_per_kg <= {ceiling})" in sql
    finally:
        db.close()
